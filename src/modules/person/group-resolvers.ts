import type { Resolvers } from '../../generated/graphql';

export const groupResolvers: Resolvers = {};
