import type { Resolvers } from '../../generated/graphql';
import { geometryIn, positionIn } from '../../geo/output-crs';
import { encodeCursor, toGlobalId } from '../../graphql/relay';
import { can } from '../auth/policy';
import type { GridRow } from './mappers';

const cursorOf = (g: GridRow) => encodeCursor([g.code, g.id]);

export const gridResolvers: Resolvers = {
  Query: {
    grid: (_, args, ctx) => ctx.services.grid.grid(args),
    grids: (_, args, ctx) => ctx.services.grid.list(args.filter, args.first, args.after),
    resolveLocation: (_, args, ctx) => ctx.services.grid.resolveLocation(args),
  },
  Grid: {
    id: (g) => toGlobalId('Grid', g.id),
    parent: (g, _, ctx) => ctx.services.grid.parent(g),
    ancestors: (g, _, ctx) => ctx.services.grid.ancestors(g),
    children: (g, args, ctx) => ctx.services.grid.children(g, args),
    boundary: async (g, args, ctx) => geometryIn(await ctx.services.grid.boundary(g, args.simplifyMeters), args.crs),
    areaSqm: (g) => g.area_sqm,
    centroid: (g, args) => positionIn({ lng: g.centroid_lng, lat: g.centroid_lat }, args.crs),
    validFrom: (g) => g.valid_from,
    validTo: (g) => g.valid_to,
    asOf: (g) => g.as_of ?? null,
    // Staff only. Rows from the resolve fast path come without these two; they are then loaded.
    changedBy: async (g, _, ctx) => {
      if (!can(ctx.viewer, 'grid:audit')) return null;
      return g.changed_by !== undefined ? g.changed_by : ((await ctx.loaders.grid.complete.load(g.id))?.changed_by ?? null);
    },
    changeReason: async (g, _, ctx) => {
      if (!can(ctx.viewer, 'grid:audit')) return null;
      return g.change_reason !== undefined ? g.change_reason : ((await ctx.loaders.grid.complete.load(g.id))?.change_reason ?? null);
    },
    history: (g, _, ctx) => ctx.services.grid.history(g),
    workers: (g, _, ctx) => ctx.services.worker.onGrid(g),
    responsibleWorkers: (g, _, ctx) => ctx.services.grid.responsibleWorkers(g),
  },
  GridConnection: {
    edges: (c) => c.rows.map((node) => ({ cursor: cursorOf(node), node })),
    nodes: (c) => c.rows,
    pageInfo: (c) => ({
      hasNextPage: c.hasNextPage,
      hasPreviousPage: c.hasPreviousPage,
      startCursor: c.rows.length ? cursorOf(c.rows[0]) : null,
      endCursor: c.rows.length ? cursorOf(c.rows[c.rows.length - 1]) : null,
    }),
    totalCount: (c) => c.totalCount(),
  },
  GridVersion: {
    parent: (v, _, ctx) => ctx.services.grid.byId(v.parent_id),
    boundary: async (v, args, ctx) => geometryIn(await ctx.services.grid.boundary({ id: v.grid_id, version: v.version }, args.simplifyMeters), args.crs),
    areaSqm: (v) => v.area_sqm,
    validFrom: (v) => v.valid_from,
    validTo: (v) => v.valid_to,
    changedBy: (v, _, ctx) => (can(ctx.viewer, 'grid:audit') ? v.changed_by : null),
    changeReason: (v, _, ctx) => (can(ctx.viewer, 'grid:audit') ? v.change_reason : null),
  },
  LocationResolution: {
    point: (r, args) => positionIn(r.point, args.crs),
    grid: (r) => r.grid,
    chain: (r) => r.chain,
    dedicatedGrids: (r) => r.dedicatedGrids,
    responsibleWorkers: (r) => r.responsibleWorkers,
    responsibleGrid: (r, _, ctx) => ctx.services.grid.byId(r.responsibleGridId),
    approximate: (r) => r.approximate,
    distanceMeters: (r) => r.distanceMeters,
  },
};
