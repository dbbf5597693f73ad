import type { Resolvers } from '../../generated/graphql';

export const populationResolvers: Resolvers = {
  Query: {
    population: (_, __, ctx) => ctx.services.population.ofJurisdiction(),
  },
  Grid: {
    population: (g, _, ctx) => ctx.services.population.ofGrid(g),
    householdCoverage: (g, args, ctx) => ctx.services.population.householdCoverage(g, args.min, args.max),
  },
  HouseholdCoverage: {
    outside: (c, _, ctx) =>
      Promise.all(
        c.outside.map(async (o) => {
          const grid = await ctx.services.grid.byId(o.gridId);
          if (!grid) throw new Error(`micro-grid ${o.gridId} vanished while its households were counted`);
          return { grid, households: o.households };
        }),
      ),
  },
};
