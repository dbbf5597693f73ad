import type { Resolvers } from '../../generated/graphql';

export const privacyResolvers: Resolvers = {};
