import type { Resolvers } from '../../generated/graphql';
import { fromGlobalId } from '../../graphql/relay';
import { nodeTypeOf } from '..';
import { assertPermitted } from '../auth/policy';

/**
 * Relay object identification: any global id back to its object, whatever its type, through the module that
 * owns the type (src/modules/index.ts), so that module's read rules apply.
 */
export const nodeResolvers: Resolvers = {
  Query: {
    node: async (_, { id }, ctx) => {
      assertPermitted(ctx.viewer, 'grid:read');
      const parsed = fromGlobalId(id);
      return parsed ? ctx.loadNode(parsed.type, parsed.id) : null;
    },
  },
  Node: { __resolveType: (row) => nodeTypeOf(row) },
};
