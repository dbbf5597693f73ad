import type { Context } from '../../context';
import type { Resolvers } from '../../generated/graphql';
import type { ApiKeyRow } from '../apikey/mappers';
import type { GridRow } from '../grid/mappers';
import type { WorkerRow } from '../worker/mappers';
import { fromGlobalId, type NodeType } from '../../graphql/relay';
import { assertPermitted } from '../auth/policy';

/**
 * Relay object identification: any global id back to its object, whatever its type. Each node type says how
 * to load one (through its service, so the service's rules apply) and how to recognise its rows.
 */
type NodeRow = GridRow | WorkerRow | ApiKeyRow;

const NODE_TYPES: Record<NodeType, { load: (ctx: Context, id: string) => Promise<NodeRow | null>; is: (row: NodeRow) => boolean }> = {
  Grid: { load: (ctx, id) => ctx.services.grid.byId(id), is: (row) => 'level' in row },
  GridWorker: { load: (ctx, id) => ctx.services.worker.byId(id), is: (row) => 'phone' in row },
  ApiKey: { load: (ctx, id) => ctx.services.apiKey.byId(id), is: (row) => 'prefix' in row },
};

export const nodeResolvers: Resolvers = {
  Query: {
    node: async (_, { id }, ctx) => {
      assertPermitted(ctx.viewer, 'grid:read');
      const parsed = fromGlobalId(id);
      return parsed ? NODE_TYPES[parsed.type].load(ctx, parsed.id) : null;
    },
  },
  Node: {
    __resolveType: (obj) => (Object.keys(NODE_TYPES) as NodeType[]).find((type) => NODE_TYPES[type].is(obj)) ?? null,
  },
};
