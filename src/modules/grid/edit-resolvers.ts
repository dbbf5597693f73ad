import type { Context } from '../../context';
import type { Resolvers } from '../../generated/graphql';
import { positionIn } from '../../geo/output-crs';
import { can } from '../auth/policy';
import type { GridRow } from './mappers';
import type { MovedCount } from '../location/repo';

/** Loads a grid after the mutation committed (the loaders were cleared, so this is the new state). */
const loadGrid = async (id: string, ctx: Context): Promise<GridRow> => (await ctx.services.grid.byId(id))!;
const roundDegrees = (x: number) => Math.round(x * 1e9) / 1e9;
/** Of a change that re-resolved nothing (no area changed), every kind with zero. */
const movedByKind = (s: { movedByKind?: MovedCount[] }, ctx: Context): MovedCount[] =>
  s.movedByKind ?? ctx.located.map((k) => ({ kind: k.kind, count: 0 }));
const moved = (s: { movedByKind?: MovedCount[] }) => (s.movedByKind ?? []).reduce((n, m) => n + m.count, 0);
const loadGrids = async (ids: string[], ctx: Context): Promise<GridRow[]> => Promise.all(ids.map((id) => loadGrid(id, ctx)));

export const gridEditResolvers: Resolvers = {
  Mutation: {
    createGrid: (_, { input }, ctx) => ctx.services.gridEdit.create(input),
    updateGridBoundary: (_, { input }, ctx) => ctx.services.gridEdit.updateBoundary(input),
    updateGrid: (_, { input }, ctx) => ctx.services.gridEdit.update(input),
    moveGrid: (_, { input }, ctx) => ctx.services.gridReshape.move(input),
    retireGrid: (_, { input }, ctx) => ctx.services.gridEdit.retire(input),
    splitGrid: (_, { input }, ctx) => ctx.services.gridReshape.split(input),
    mergeGrids: (_, { input }, ctx) => ctx.services.gridReshape.merge(input),
    importGrids: (_, { input }, ctx) => ctx.services.gridImport.importFeatureCollection(input),
  },
  // The success member is the one that carries the changed grid(s); the failures name themselves.
  ImportGridsPayload: { __resolveType: (p) => p.__typename },
  CreateGridPayload: { __resolveType: (p) => ('gridId' in p ? 'CreateGridSuccess' : p.__typename) },
  UpdateGridBoundaryPayload: { __resolveType: (p) => ('gridId' in p ? 'UpdateGridBoundarySuccess' : p.__typename) },
  UpdateGridPayload: { __resolveType: (p) => ('gridId' in p ? 'UpdateGridSuccess' : p.__typename) },
  MoveGridPayload: { __resolveType: (p) => ('gridId' in p ? 'MoveGridSuccess' : p.__typename) },
  RetireGridPayload: { __resolveType: (p) => ('gridId' in p ? 'RetireGridSuccess' : p.__typename) },
  SplitGridPayload: { __resolveType: (p) => ('gridIds' in p ? 'SplitGridSuccess' : p.__typename) },
  MergeGridsPayload: { __resolveType: (p) => ('gridIds' in p ? 'MergeGridsSuccess' : p.__typename) },
  ImportGridsReport: {
    movedByKind: (r, _, ctx) => movedByKind(r, ctx),
    features: (r, { onlyRefused }) => (onlyRefused ? r.features.filter((f) => f.action === 'REFUSED') : r.features),
  },
  ImportFeatureReport: {
    grid: (f, _, ctx) => (f.gridId ? ctx.services.grid.byId(f.gridId) : null),
  },
  CreateGridSuccess: { grid: (s, _, ctx) => loadGrid(s.gridId, ctx), moved: (s) => moved(s), movedByKind: (s, _, ctx) => movedByKind(s, ctx) },
  UpdateGridBoundarySuccess: { grid: (s, _, ctx) => loadGrid(s.gridId, ctx), moved: (s) => moved(s), movedByKind: (s, _, ctx) => movedByKind(s, ctx) },
  UpdateGridSuccess: { grid: (s, _, ctx) => loadGrid(s.gridId, ctx), moved: (s) => moved(s), movedByKind: (s, _, ctx) => movedByKind(s, ctx) },
  MoveGridSuccess: { grid: (s, _, ctx) => loadGrid(s.gridId, ctx), code: (s) => s.code!, moved: (s) => moved(s), movedByKind: (s, _, ctx) => movedByKind(s, ctx) },
  RetireGridSuccess: { grid: (s, _, ctx) => loadGrid(s.gridId, ctx), moved: (s) => moved(s), movedByKind: (s, _, ctx) => movedByKind(s, ctx) },
  SplitGridSuccess: {
    grids: (s, _, ctx) => loadGrids(s.gridIds, ctx),
    retired: async (s, _, ctx) => loadGrid(s.retiredIds[0], ctx),
    moved: (s) => moved(s),
    movedByKind: (s,
    _,
    ctx) => movedByKind(s,
    ctx),
  },
  MergeGridsSuccess: {
    grid: (s, _, ctx) => loadGrid(s.gridIds[0], ctx),
    retired: (s, _, ctx) => loadGrids(s.retiredIds, ctx),
    moved: (s) => moved(s),
    movedByKind: (s,
    _,
    ctx) => movedByKind(s,
    ctx),
  },
  Problem: {
    // Rounded to 1e-9° (0.1 mm): the crossing points computed from the edges carry floating-point noise.
    location: (p, args) => (p.lng !== undefined && p.lat !== undefined ? positionIn({ lng: roundDegrees(p.lng), lat: roundDegrees(p.lat) }, args.crs) : null),
    grids: (p, _, ctx) => loadGrids(p.gridIds ?? [], ctx),
    subjects: async (p, _, ctx) => {
      const refs = [...(p.gridIds ?? []).map((id) => ({ type: 'Grid', id })), ...(p.subjects ?? [])];
      const nodes = await Promise.all(refs.map((r) => ctx.loadNode(r.type, r.id)));
      return nodes.filter((n) => n !== null);
    },
  },
  ConflictError: {
    changedBy: (c, _, ctx) => (can(ctx.viewer, 'grid:audit') ? c.changedBy : null),
  },
};
