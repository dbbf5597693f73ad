import type { Resolvers } from '../../generated/graphql';
import { fromGlobalId } from '../../graphql/relay';

/** Relay object identification: any global id back to its object, whatever its type. */
export const nodeResolvers: Resolvers = {
  Query: {
    node: async (_, { id }, ctx) => {
      const parsed = fromGlobalId(id);
      if (!parsed) return null;
      return parsed.type === 'Grid' ? ctx.services.grid.byId(parsed.id) : ctx.services.worker.byId(parsed.id);
    },
  },
  Node: {
    // Rows carry no type tag; a grid row is the one with a level.
    __resolveType: (obj) => ('level' in obj ? 'Grid' : 'GridWorker'),
  },
};
