import type { Knex } from 'knex';
import type { AssignmentRow, WorkerRow } from './mappers';

/**
 * SQL for grid workers and their assignments. `grid_codes` (the codes of a worker's current grids) travels
 * with every worker row because it decides whether the caller may see the phone number.
 */
export const WORKER_GRID_CODES = `ARRAY(SELECT wg.code FROM grid_assignment wa JOIN grid wg ON wg.id = wa.grid_id
  WHERE wa.worker_id = w.id AND wa.valid_to IS NULL ORDER BY wa.is_primary DESC, wg.code)`;

const WORKER_COLUMNS = `w.id, w.name, w.phone, w.role, w.status, ${WORKER_GRID_CODES} AS grid_codes`;

export interface GridWorkerRow extends WorkerRow {
  grid_id: string;
  is_primary: boolean;
}

export async function workersByIds(db: Knex, ids: readonly string[]): Promise<WorkerRow[]> {
  const { rows } = await db.raw(`/* workersByIds */ SELECT ${WORKER_COLUMNS} FROM grid_worker w WHERE w.id = ANY(?::uuid[])`, [[...ids]]);
  return rows;
}

/** Current assignments of many grids, primary first; `activeOnly` drops workers on leave or gone. */
export async function workersOnGrids(db: Knex, gridIds: readonly string[], activeOnly: boolean): Promise<GridWorkerRow[]> {
  const { rows } = await db.raw(
    `/* workersOnGrids */ SELECT a.grid_id, a.is_primary, ${WORKER_COLUMNS}
     FROM grid_assignment a JOIN grid_worker w ON w.id = a.worker_id
     WHERE a.grid_id = ANY(?::uuid[]) AND a.valid_to IS NULL ${activeOnly ? `AND w.status = 'ACTIVE'` : ''}
     ORDER BY a.grid_id, a.is_primary DESC, w.name, w.id`,
    [[...gridIds]],
  );
  return rows;
}

export async function currentAssignmentsOfWorkers(db: Knex, workerIds: readonly string[]): Promise<AssignmentRow[]> {
  const { rows } = await db.raw(
    `/* currentAssignmentsOfWorkers */ SELECT a.id, a.worker_id, a.grid_id, a.is_primary, a.valid_from, a.valid_to
     FROM grid_assignment a JOIN grid g ON g.id = a.grid_id
     WHERE a.worker_id = ANY(?::uuid[]) AND a.valid_to IS NULL
     ORDER BY a.worker_id, a.is_primary DESC, g.code`,
    [[...workerIds]],
  );
  return rows;
}
