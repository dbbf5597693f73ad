import type { Context } from '../../context';
import { maskPhone, maySeeWorkerPhone } from '../auth/viewer';
import type { GridRow } from '../grid/mappers';
import type { AssignmentRow, WorkerRow } from './mappers';

export class WorkerService {
  constructor(private readonly ctx: Context) {}

  async byId(id: string): Promise<WorkerRow | null> {
    return this.ctx.loaders.worker.byId.load(id);
  }

  /** Everyone currently assigned to the grid, whatever their status, primary first. */
  async onGrid(grid: GridRow): Promise<WorkerRow[]> {
    return this.ctx.loaders.worker.allOnGrid.load(grid.id);
  }

  async assignments(worker: WorkerRow): Promise<AssignmentRow[]> {
    return this.ctx.loaders.worker.assignmentsOfWorker.load(worker.id);
  }

  /**
   * Phone numbers are shown to staff whose jurisdiction covers one of the worker's grids; everyone else
   * (anonymous residents, VIEWERs, staff of other areas) sees them masked.
   */
  phoneVisible(worker: WorkerRow): boolean {
    return maySeeWorkerPhone(this.ctx.viewer, worker.grid_codes);
  }

  phone(worker: WorkerRow): string {
    return this.phoneVisible(worker) ? worker.phone : maskPhone(worker.phone);
  }
}
