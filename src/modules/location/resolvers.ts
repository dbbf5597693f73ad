import type { Resolvers } from '../../generated/graphql';
import { can } from '../auth/policy';

export const locationResolvers: Resolvers = {
  Grid: {
    inventory: (g) => ({ gridId: g.id, asOf: g.as_of ?? null }),
  },
  Inventory: {
    grid: async (s, _, ctx) => (await ctx.loaders.grid.byIdAsOf(s.asOf).load(s.gridId))!,
  },
  VersionConflict: {
    changedBy: (c, _, ctx) => (can(ctx.viewer, 'grid:audit') ? c.changedBy : null),
  },
};
