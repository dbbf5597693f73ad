import type { Resolvers } from '../../generated/graphql';
import { toGlobalId } from '../../graphql/relay';

export const apiKeyResolvers: Resolvers = {
  Query: {
    apiKeys: (_, { includeRevoked }, ctx) => ctx.services.apiKey.list(includeRevoked ?? false),
  },
  Mutation: {
    createApiKey: (_, { input }, ctx) => ctx.services.apiKey.create(input),
    revokeApiKey: (_, { input }, ctx) => ctx.services.apiKey.revoke(input),
  },
  CreateApiKeyPayload: { __resolveType: (p) => p.__typename },
  RevokeApiKeyPayload: { __resolveType: (p) => p.__typename },
  CreateApiKeySuccess: {
    apiKey: (s) => s.row,
    key: (s) => s.key,
  },
  RevokeApiKeySuccess: {
    apiKey: (s) => s.row,
  },
  ApiKey: {
    id: (k) => toGlobalId('ApiKey', k.id),
    jurisdictionCode: (k) => k.jurisdiction_code,
    jurisdiction: (k, _, ctx) => (k.jurisdiction_code ? ctx.services.grid.grid({ code: k.jurisdiction_code }) : null),
    createdBy: (k) => k.created_by,
    createdAt: (k) => k.created_at,
    revokedAt: (k) => k.revoked_at,
    revokedBy: (k) => k.revoked_by,
    lastUsedAt: (k) => k.last_used_at,
  },
};
