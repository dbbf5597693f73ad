import type { Resolvers } from '../../generated/graphql';

export const statsResolvers: Resolvers = {
  Query: {
    incidentStats: (_, args, ctx) => ctx.services.incidentStats.ofCode(args.gridCode, args.from, args.to),
  },
  Grid: {
    incidentStats: (g, args, ctx) => ctx.services.incidentStats.ofGrid(g, args.from, args.to),
  },
};
