import type { WorkerRow } from './mappers';
import { defineModule } from '../module';
import { createWorkerLoaders } from './loaders';
import { workerResolvers } from './resolvers';
import { WorkerService } from './service';

export const workerModule = defineModule({
  id: 'worker',
  resolvers: workerResolvers,
  mappers: {
    GridWorker: '../modules/worker/mappers#WorkerRow',
    GridAssignment: '../modules/worker/mappers#AssignmentRow',
    WorkerStatusPeriod: '../modules/worker/mappers#WorkerStatusRow',
    CreateWorkerSuccess: '../modules/worker/mappers#WorkerChangeSource',
    UpdateWorkerSuccess: '../modules/worker/mappers#WorkerChangeSource',
    SetWorkerStatusSuccess: '../modules/worker/mappers#WorkerChangeSource',
    AssignWorkerSuccess: '../modules/worker/mappers#WorkerChangeSource',
    UnassignWorkerSuccess: '../modules/worker/mappers#WorkerChangeSource',
  },
  loaders: (db) => ({ worker: createWorkerLoaders(db) }),
  services: (ctx) => ({ worker: new WorkerService(ctx) }),
  nodeTypes: {
    GridWorker: { load: (ctx, id): Promise<WorkerRow | null> => ctx.services.worker.byId(id), is: (row) => 'phone' in row && 'role' in row },
  },
});
