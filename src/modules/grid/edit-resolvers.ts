import type { Resolvers } from '../../generated/graphql';
import type { Context } from '../../context';
import type { GridRow } from './mappers';

/** Loads a grid after the mutation committed (the loaders were cleared, so this is the new state). */
const loadGrid = async (id: string, ctx: Context): Promise<GridRow> => (await ctx.services.grid.byId(id))!;
const roundDegrees = (x: number) => Math.round(x * 1e9) / 1e9;
const loadGrids = async (ids: string[], ctx: Context): Promise<GridRow[]> => Promise.all(ids.map((id) => loadGrid(id, ctx)));

// Every payload source carries its GraphQL type name (see edit-service.ts, problems.ts).
const byTypename = (obj: object) => (obj as { __typename: string }).__typename as never;

export const gridEditResolvers: Resolvers = {
  Mutation: {
    createGrid: (_, { input }, ctx) => ctx.services.gridEdit.create(input) as never,
    updateGridBoundary: (_, { input }, ctx) => ctx.services.gridEdit.updateBoundary(input) as never,
    updateGrid: (_, { input }, ctx) => ctx.services.gridEdit.update(input) as never,
    moveGrid: (_, { input }, ctx) => ctx.services.gridReshape.move(input) as never,
    retireGrid: (_, { input }, ctx) => ctx.services.gridEdit.retire(input) as never,
    splitGrid: (_, { input }, ctx) => ctx.services.gridReshape.split(input) as never,
    mergeGrids: (_, { input }, ctx) => ctx.services.gridReshape.merge(input) as never,
    importGrids: (_, { input }, ctx) => ctx.services.gridImport.importFeatureCollection(input as never) as never,
  },
  ImportGridsPayload: { __resolveType: byTypename },
  ImportGridsReport: {
    features: (r, { onlyRefused }) => (onlyRefused ? r.features.filter((f) => f.action === 'REFUSED') : r.features),
  },
  ImportFeatureReport: {
    grid: (f, _, ctx) => (f.gridId ? ctx.services.grid.byId(f.gridId) : null),
  },
  CreateGridPayload: { __resolveType: byTypename },
  UpdateGridBoundaryPayload: { __resolveType: byTypename },
  UpdateGridPayload: { __resolveType: byTypename },
  MoveGridPayload: { __resolveType: byTypename },
  RetireGridPayload: { __resolveType: byTypename },
  SplitGridPayload: { __resolveType: byTypename },
  MergeGridsPayload: { __resolveType: byTypename },
  CreateGridSuccess: { grid: (s, _, ctx) => loadGrid(s.gridId, ctx), moved: (s) => s.moved ?? 0 },
  UpdateGridBoundarySuccess: { grid: (s, _, ctx) => loadGrid(s.gridId, ctx), moved: (s) => s.moved ?? 0 },
  UpdateGridSuccess: { grid: (s, _, ctx) => loadGrid(s.gridId, ctx) },
  MoveGridSuccess: { grid: (s, _, ctx) => loadGrid(s.gridId, ctx), code: (s) => s.code! },
  RetireGridSuccess: { grid: (s, _, ctx) => loadGrid(s.gridId, ctx), moved: (s) => s.moved ?? 0 },
  SplitGridSuccess: {
    grids: (s, _, ctx) => loadGrids(s.gridIds, ctx),
    retired: async (s, _, ctx) => loadGrid(s.retiredIds[0], ctx),
  },
  MergeGridsSuccess: {
    grid: (s, _, ctx) => loadGrid(s.gridIds[0], ctx),
    retired: (s, _, ctx) => loadGrids(s.retiredIds, ctx),
  },
  Problem: {
    // Rounded to 1e-9° (0.1 mm): the crossing points computed from the edges carry floating-point noise.
    location: (p) => (p.lng !== undefined && p.lat !== undefined ? { lng: roundDegrees(p.lng), lat: roundDegrees(p.lat) } : null),
    grids: (p, _, ctx) => loadGrids(p.gridIds ?? [], ctx),
  },
  NotFoundError: {},
};
