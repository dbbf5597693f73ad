import type { Context } from '../../context';
import type { Resolvers } from '../../generated/graphql';
import { toGlobalId } from '../../graphql/relay';
import { can } from '../auth/policy';
import type { WorkerChangeSource, WorkerRow } from './mappers';

const loadWorker = async (s: WorkerChangeSource, ctx: Context): Promise<WorkerRow> => (await ctx.services.worker.byId(s.workerId))!;
const loadAssignment = (s: WorkerChangeSource, ctx: Context) => ctx.services.worker.assignment(s.assignmentId!);

export const workerResolvers: Resolvers = {
  Mutation: {
    createWorker: (_, { input }, ctx) => ctx.services.worker.create(input),
    updateWorker: (_, { input }, ctx) => ctx.services.worker.update(input),
    assignWorker: (_, { input }, ctx) => ctx.services.worker.assign(input),
    unassignWorker: (_, { input }, ctx) => ctx.services.worker.unassign(input),
    setWorkerStatus: (_, { input }, ctx) => ctx.services.worker.setStatus(input),
  },
  // The success member is the one that carries the changed worker; the failures name themselves.
  CreateWorkerPayload: { __resolveType: (p) => ('workerId' in p ? 'CreateWorkerSuccess' : p.__typename) },
  UpdateWorkerPayload: { __resolveType: (p) => ('workerId' in p ? 'UpdateWorkerSuccess' : p.__typename) },
  AssignWorkerPayload: { __resolveType: (p) => ('workerId' in p ? 'AssignWorkerSuccess' : p.__typename) },
  UnassignWorkerPayload: { __resolveType: (p) => ('workerId' in p ? 'UnassignWorkerSuccess' : p.__typename) },
  SetWorkerStatusPayload: { __resolveType: (p) => ('workerId' in p ? 'SetWorkerStatusSuccess' : p.__typename) },
  CreateWorkerSuccess: { worker: (s, _, ctx) => loadWorker(s, ctx) },
  UpdateWorkerSuccess: { worker: (s, _, ctx) => loadWorker(s, ctx) },
  SetWorkerStatusSuccess: { worker: (s, _, ctx) => loadWorker(s, ctx) },
  AssignWorkerSuccess: { worker: (s, _, ctx) => loadWorker(s, ctx), assignment: (s, _, ctx) => loadAssignment(s, ctx) },
  UnassignWorkerSuccess: { worker: (s, _, ctx) => loadWorker(s, ctx), assignment: (s, _, ctx) => loadAssignment(s, ctx) },
  GridWorker: {
    id: (w) => toGlobalId('GridWorker', w.id),
    phone: (w, _, ctx) => ctx.services.worker.phone(w),
    phoneMasked: (w, _, ctx) => !ctx.services.worker.phoneVisible(w),
    account: (w, _, ctx) => ctx.services.worker.account(w),
    version: (w, _, ctx) => ctx.services.worker.version(w),
    statusHistory: (w, _, ctx) => ctx.services.worker.statusHistory(w),
    assignments: (w, { includeEnded }, ctx) => ctx.services.worker.assignments(w, includeEnded ?? false),
  },
  WorkerConflictError: {
    changedBy: (c, _, ctx) => (can(ctx.viewer, 'grid:audit') ? c.changedBy : null),
  },
  WorkerStatusPeriod: {
    validFrom: (s) => s.valid_from,
    validTo: (s) => s.valid_to,
    changedBy: (s, _, ctx) => (can(ctx.viewer, 'grid:audit') ? s.changed_by : null),
    changeReason: (s, _, ctx) => (can(ctx.viewer, 'grid:audit') ? s.change_reason : null),
  },
  GridAssignment: {
    grid: async (a, _, ctx) => (await ctx.services.grid.byId(a.grid_id))!,
    worker: async (a, _, ctx) => (await ctx.services.worker.byId(a.worker_id))!,
    isPrimary: (a) => a.is_primary,
    validFrom: (a) => a.valid_from,
    validTo: (a) => a.valid_to,
  },
};
