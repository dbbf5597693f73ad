import type { Resolvers } from '../../generated/graphql';

export const tenantResolvers: Resolvers = {};
