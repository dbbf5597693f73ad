import type { Knex } from 'knex';
import type { WorkerRole, WorkerStatus } from '../../generated/graphql';
import type { AssignmentRow, WorkerRow, WorkerStatusRow } from './mappers';

/**
 * SQL for grid workers and their assignments. `grid_codes` travels with every worker row because it decides
 * who may see the phone number and account and who may manage the worker: the codes of the worker's current
 * grids, or, for a worker with none left (gone, between posts), of the grid they were last assigned to.
 */
export const WORKER_GRID_CODES = `coalesce(
  nullif(ARRAY(SELECT wg.code FROM grid_assignment wa JOIN grid wg ON wg.id = wa.grid_id
               WHERE wa.worker_id = w.id AND wa.valid_to IS NULL ORDER BY wa.is_primary DESC, wg.code), '{}'),
  ARRAY(SELECT wg.code FROM grid_assignment wa JOIN grid wg ON wg.id = wa.grid_id
        WHERE wa.worker_id = w.id ORDER BY wa.valid_to DESC, wa.valid_from DESC LIMIT 1))`;

/**
 * The responsible-worker rule, written once for `resolveLocation`, incident routing and special groups' default
 * follow-up worker: of a grid and its ancestors (`chain`: rows with `id` and `depth`), the deepest grid that has an
 * ACTIVE worker currently assigned ("staffed"): a grid whose worker is on leave falls back to its community's.
 */
export const STAFFED_GRID_OF_CHAIN = (chain: string) => `SELECT c.id FROM ${chain} c
    WHERE EXISTS (SELECT 1 FROM grid_assignment a JOIN grid_worker w ON w.id = a.worker_id
                  WHERE a.grid_id = c.id AND a.valid_to IS NULL AND w.status = 'ACTIVE')
    ORDER BY c.depth DESC LIMIT 1`;

/**
 * The responsible workers of the staffed grid (`staffed`: a row with `id`), as a FROM list with the assignment
 * `a` and the worker `w`; `RESPONSIBLE_ORDER` puts the primary worker first (the one an incident is assigned to).
 */
export const RESPONSIBLE_ON = (staffed: string) => `${staffed} s
    JOIN grid_assignment a ON a.grid_id = s.id AND a.valid_to IS NULL
    JOIN grid_worker w ON w.id = a.worker_id AND w.status = 'ACTIVE'`;
export const RESPONSIBLE_ORDER = 'a.is_primary DESC, w.name, w.id';

const WORKER_COLUMNS = `w.id, w.name, w.phone, w.role, w.status, w.account, w.version, w.updated_at, w.changed_by, ${WORKER_GRID_CODES} AS grid_codes`;
const ASSIGNMENT_COLUMNS = 'a.id, a.worker_id, a.grid_id, a.is_primary, a.valid_from, a.valid_to';

export interface GridWorkerRow extends WorkerRow {
  grid_id: string;
  is_primary: boolean;
}

export async function workersByIds(db: Knex, ids: readonly string[]): Promise<WorkerRow[]> {
  const { rows } = await db.raw(`/* workersByIds */ SELECT ${WORKER_COLUMNS} FROM grid_worker w WHERE w.id = ANY(?::uuid[])`, [[...ids]]);
  return rows;
}

export async function workersByAccounts(db: Knex, accounts: readonly string[]): Promise<WorkerRow[]> {
  const { rows } = await db.raw(`/* workersByAccounts */ SELECT ${WORKER_COLUMNS} FROM grid_worker w WHERE w.account = ANY(?::text[])`, [[...accounts]]);
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

/** Assignments of many workers: current ones (primary first), then with `includeEnded` past ones, newest first. */
export async function assignmentsOfWorkers(db: Knex, workerIds: readonly string[], includeEnded: boolean): Promise<AssignmentRow[]> {
  const { rows } = await db.raw(
    `/* assignmentsOfWorkers */ SELECT ${ASSIGNMENT_COLUMNS}
     FROM grid_assignment a JOIN grid g ON g.id = a.grid_id
     WHERE a.worker_id = ANY(?::uuid[]) AND (? OR a.valid_to IS NULL)
     ORDER BY a.worker_id, a.valid_to IS NOT NULL, a.is_primary DESC, a.valid_to DESC, g.code`,
    [[...workerIds], includeEnded],
  );
  return rows;
}

export async function assignmentsByIds(db: Knex, ids: readonly string[]): Promise<AssignmentRow[]> {
  const { rows } = await db.raw(`/* assignmentsByIds */ SELECT ${ASSIGNMENT_COLUMNS} FROM grid_assignment a WHERE a.id = ANY(?::uuid[])`, [[...ids]]);
  return rows;
}

export async function statusHistoryOfWorkers(db: Knex, workerIds: readonly string[]): Promise<WorkerStatusRow[]> {
  const { rows } = await db.raw(
    `/* workerStatusHistory */ SELECT s.worker_id, s.status, s.valid_from, s.valid_to, s.changed_by, s.change_reason
     FROM grid_worker_status s WHERE s.worker_id = ANY(?::uuid[]) ORDER BY s.worker_id, s.valid_from DESC`,
    [[...workerIds]],
  );
  return rows;
}

// ---- writes (always inside a transaction that locked the worker first) ----

/** The worker, locked for the rest of the transaction: edits of one worker run one after the other. */
export async function lockWorker(db: Knex, id: string): Promise<WorkerRow | null> {
  const { rows } = await db.raw(`/* lockWorker */ SELECT ${WORKER_COLUMNS} FROM grid_worker w WHERE w.id = ? FOR UPDATE OF w`, [id]);
  return rows[0] ?? null;
}

export async function accountTaken(db: Knex, account: string, exceptId: string | null): Promise<boolean> {
  const { rows } = await db.raw(`/* workerAccountTaken */ SELECT 1 FROM grid_worker WHERE account = ? AND id IS DISTINCT FROM ?::uuid`, [account, exceptId]);
  return rows.length > 0;
}

export interface NewWorker {
  name: string;
  phone: string;
  role: WorkerRole;
  account: string | null;
}

export async function insertWorker(db: Knex, w: NewWorker, changedBy: string, reason: string | null): Promise<string> {
  const { rows } = await db.raw(
    `/* insertWorker */ INSERT INTO grid_worker (name, phone, role, account, changed_by, change_reason)
     VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
    [w.name, w.phone, w.role, w.account, changedBy, reason],
  );
  return rows[0].id;
}

/**
 * A new version of a worker if it is still at `expectedVersion` (null: whatever version it is at). Fields
 * left undefined keep their value; `account: null` removes it. Returns whether it wrote.
 */
export async function updateWorker(
  db: Knex,
  id: string,
  expectedVersion: number | null,
  change: { name?: string; phone?: string; role?: WorkerRole; account?: string | null; status?: WorkerStatus },
  changedBy: string,
  reason: string | null,
): Promise<boolean> {
  const { rowCount } = await db.raw(
    `/* updateWorker */ UPDATE grid_worker SET
       name = coalesce(?::text, name), phone = coalesce(?::text, phone), role = coalesce(?::text, role),
       account = CASE WHEN ? THEN ?::text ELSE account END, status = coalesce(?::text, status),
       version = version + 1, updated_at = clock_timestamp(), changed_by = ?, change_reason = ?
     WHERE id = ? AND (?::int IS NULL OR version = ?::int)`,
    [
      change.name ?? null,
      change.phone ?? null,
      change.role ?? null,
      change.account !== undefined,
      change.account ?? null,
      change.status ?? null,
      changedBy,
      reason,
      id,
      expectedVersion,
      expectedVersion,
    ],
  );
  return rowCount === 1;
}

export async function insertAssignment(db: Knex, a: { workerId: string; gridId: string; primary: boolean }, createdBy: string): Promise<string> {
  if (a.primary) {
    await db.raw(`/* clearPrimary */ UPDATE grid_assignment SET is_primary = false WHERE worker_id = ? AND valid_to IS NULL AND is_primary`, [a.workerId]);
  }
  const { rows } = await db.raw(
    `/* insertAssignment */ INSERT INTO grid_assignment (worker_id, grid_id, is_primary, valid_from, created_by)
     VALUES (?, ?, ?, clock_timestamp(), ?) RETURNING id`,
    [a.workerId, a.gridId, a.primary, createdBy],
  );
  return rows[0].id;
}

/** Ends the worker's current assignments (to `gridId`, or all of them); returns their ids. */
export async function endAssignments(db: Knex, workerId: string, gridId: string | null, endedBy: string, reason: string): Promise<string[]> {
  const { rows } = await db.raw(
    `/* endAssignments */ UPDATE grid_assignment SET valid_to = clock_timestamp(), ended_by = ?, end_reason = ?
     WHERE worker_id = ? AND valid_to IS NULL AND (?::uuid IS NULL OR grid_id = ?::uuid) RETURNING id`,
    [endedBy, reason, workerId, gridId, gridId],
  );
  return rows.map((r: { id: string }) => r.id);
}
