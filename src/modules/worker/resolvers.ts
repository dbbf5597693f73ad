import type { Resolvers } from '../../generated/graphql';
import { toGlobalId } from '../../graphql/relay';

export const workerResolvers: Resolvers = {
  GridWorker: {
    id: (w) => toGlobalId('GridWorker', w.id),
    phone: (w, _, ctx) => ctx.services.worker.phone(w),
    phoneMasked: (w, _, ctx) => !ctx.services.worker.phoneVisible(w),
    assignments: (w, _, ctx) => ctx.services.worker.assignments(w),
  },
  GridAssignment: {
    grid: async (a, _, ctx) => (await ctx.services.grid.byId(a.grid_id))!,
    worker: async (a, _, ctx) => (await ctx.services.worker.byId(a.worker_id))!,
    isPrimary: (a) => a.is_primary,
    validFrom: (a) => a.valid_from,
    validTo: (a) => a.valid_to,
  },
};
