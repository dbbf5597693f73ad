import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { loaderFamily, manyByKey, oneByKey } from '../../graphql/batch';
import * as repo from './repo';
import type { AssignmentRow, WorkerRow, WorkerStatusRow } from './mappers';

export function createWorkerLoaders(db: Knex) {
  const byId = new DataLoader<string, WorkerRow | null>(async (ids) => oneByKey(ids, await repo.workersByIds(db, ids), (r) => r.id));

  /** Whole rows, never primed (the resolve fast path primes `byId` with rows that leave columns out). */
  const complete = new DataLoader<string, WorkerRow | null>(async (ids) => oneByKey(ids, await repo.workersByIds(db, ids), (r) => r.id));

  const primeAll = (rows: readonly WorkerRow[]) => {
    for (const row of rows) byId.prime(row.id, row);
  };

  const byAccount = new DataLoader<string, WorkerRow | null>(async (accounts) => {
    const rows = await repo.workersByAccounts(db, accounts);
    primeAll(rows);
    return oneByKey(accounts, rows, (r) => r.account ?? '');
  });

  const onGrid = (activeOnly: boolean) =>
    new DataLoader<string, repo.GridWorkerRow[]>(async (gridIds) => {
      const rows = await repo.workersOnGrids(db, gridIds, activeOnly);
      primeAll(rows);
      return manyByKey(gridIds, rows, (r) => r.grid_id);
    });

  const assignmentsOfWorker = loaderFamily(
    (includeEnded: boolean) => String(includeEnded),
    (includeEnded) =>
      new DataLoader<string, AssignmentRow[]>(async (workerIds) =>
        manyByKey(workerIds, await repo.assignmentsOfWorkers(db, workerIds, includeEnded), (r) => r.worker_id),
      ),
  );

  const assignmentById = new DataLoader<string, AssignmentRow | null>(async (ids) => oneByKey(ids, await repo.assignmentsByIds(db, ids), (r) => r.id));

  const statusHistory = new DataLoader<string, WorkerStatusRow[]>(async (workerIds) =>
    manyByKey(workerIds, await repo.statusHistoryOfWorkers(db, workerIds), (r) => r.worker_id),
  );

  return {
    byId,
    complete,
    byAccount,
    primeAll,
    /** Everyone currently assigned to a grid, whatever their status. */
    allOnGrid: onGrid(false),
    /** Active workers currently assigned to a grid: the ones who can take a case. */
    activeOnGrid: onGrid(true),
    assignmentsOfWorker,
    assignmentById,
    statusHistory,
  };
}

export type WorkerLoaders = ReturnType<typeof createWorkerLoaders>;
