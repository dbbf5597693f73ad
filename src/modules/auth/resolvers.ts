import type { Resolvers } from '../../generated/graphql';

export const authResolvers: Resolvers = {
  Query: {
    me: (_, __, ctx) => (ctx.viewer.kind === 'user' ? ctx.viewer : null),
  },
  Viewer: {
    jurisdiction: (v, _, ctx) => (v.jurisdictionCode ? ctx.services.grid.grid({ code: v.jurisdictionCode }) : null),
    worker: (_, __, ctx) => ctx.services.worker.ofViewer(),
  },
};
