import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { manyByKey, oneByKey } from '../../graphql/batch';
import * as repo from './repo';
import type { AssignmentRow, WorkerRow } from './mappers';

export function createWorkerLoaders(db: Knex) {
  const byId = new DataLoader<string, WorkerRow | null>(async (ids) => oneByKey(ids, await repo.workersByIds(db, ids), (r) => r.id));

  const primeAll = (rows: readonly WorkerRow[]) => {
    for (const row of rows) byId.prime(row.id, row);
  };

  const onGrid = (activeOnly: boolean) =>
    new DataLoader<string, repo.GridWorkerRow[]>(async (gridIds) => {
      const rows = await repo.workersOnGrids(db, gridIds, activeOnly);
      primeAll(rows);
      return manyByKey(gridIds, rows, (r) => r.grid_id);
    });

  const assignmentsOfWorker = new DataLoader<string, AssignmentRow[]>(async (workerIds) =>
    manyByKey(workerIds, await repo.currentAssignmentsOfWorkers(db, workerIds), (r) => r.worker_id),
  );

  return {
    byId,
    primeAll,
    /** Everyone currently assigned to a grid, whatever their status. */
    allOnGrid: onGrid(false),
    /** Active workers currently assigned to a grid: the ones who can take a case. */
    activeOnGrid: onGrid(true),
    assignmentsOfWorker,
  };
}

export type WorkerLoaders = ReturnType<typeof createWorkerLoaders>;
