import type { Resolvers } from '../../generated/graphql';

export const populationResolvers: Resolvers = {};
