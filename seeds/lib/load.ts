import type { Knex } from 'knex';
import type { GeneratedGrid } from './tiling';
import type { AssignmentRow, WorkerRow } from './workers';

/**
 * Writes generated grids and workers with batched multi-row INSERTs. Rows go in the order given, which
 * puts parents first (the foreign key wants them there); history rows in grid_version come from the
 * table's trigger. Batches stay a few hundred rows so the embedded database (one connection, WebAssembly)
 * never has to parse a huge statement, and values travel as bindings, never spliced into the SQL.
 */
export type ProgressReporter = (line: string) => void;

const GRID_BATCH = 250;
const WORKER_BATCH = 500;

/**
 * One transaction: if the caller passes a transaction it is used, otherwise one is opened here. Bulk loading
 * is no request: its statements are not held to the pool's statement timeout.
 */
async function inTransaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  const run = async (trx: Knex.Transaction) => {
    await trx.raw('SET LOCAL statement_timeout = 0');
    return work(trx);
  };
  return db.isTransaction ? run(db as Knex.Transaction) : db.transaction(run);
}

/** `uuid[]` literal: knex would expand a JavaScript array binding into a list of parameters. */
function uuidArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`;
}

export async function insertGrids(
  db: Knex,
  grids: readonly GeneratedGrid[],
  onProgress?: ProgressReporter,
  changeReason = 'demo data',
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const report = progress('seeding grids', grids.length, onProgress);
    for (let start = 0; start < grids.length; start += GRID_BATCH) {
      const batch = grids.slice(start, start + GRID_BATCH);
      const bindings: Knex.RawBinding[] = [];
      for (const g of batch) {
        bindings.push(g.id, g.code, g.name, g.level, g.depth, g.parentId, uuidArray(g.ancestorIds), JSON.stringify(g.boundary), changeReason);
      }
      await trx.raw(
        `/* seedGrids */ INSERT INTO grid (id, code, name, level, depth, parent_id, ancestor_ids, boundary, changed_by, change_reason)
         VALUES ${batch.map(() => `(?, ?, ?, ?, ?, ?, ?::uuid[], ST_SetSRID(ST_GeomFromGeoJSON(?), 4326), 'seed', ?)`).join(', ')}`,
        bindings,
      );
      report(start + batch.length);
    }
  });
}

export async function insertWorkers(
  db: Knex,
  workers: readonly WorkerRow[],
  assignments: readonly AssignmentRow[],
  onProgress?: ProgressReporter,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const reportWorkers = progress('seeding workers', workers.length, onProgress);
    for (let start = 0; start < workers.length; start += WORKER_BATCH) {
      const batch = workers.slice(start, start + WORKER_BATCH);
      await trx.raw(
        `/* seedWorkers */ INSERT INTO grid_worker (id, name, phone, role, status, account, changed_by, change_reason) VALUES ${batch.map(() => "(?, ?, ?, ?, ?, ?, 'seed', 'demo data')").join(', ')}`,
        batch.flatMap((w) => [w.id, w.name, w.phone, w.role, w.status, w.account]),
      );
      reportWorkers(start + batch.length);
    }
    const reportAssignments = progress('seeding assignments', assignments.length, onProgress);
    for (let start = 0; start < assignments.length; start += WORKER_BATCH) {
      const batch = assignments.slice(start, start + WORKER_BATCH);
      await trx.raw(
        `/* seedAssignments */ INSERT INTO grid_assignment (id, worker_id, grid_id, is_primary) VALUES ${batch.map(() => '(?, ?, ?, ?)').join(', ')}`,
        batch.flatMap((a) => [a.id, a.workerId, a.gridId, a.isPrimary]),
      );
      reportAssignments(start + batch.length);
    }
  });
}

/** Reports about every tenth of the way (and the end), so a large load prints a handful of lines. */
function progress(label: string, total: number, onProgress?: ProgressReporter): (done: number) => void {
  let lastTenth = 0;
  return (done) => {
    const tenth = Math.floor((10 * done) / total);
    if (!onProgress || (tenth === lastTenth && done < total)) return;
    lastTenth = tenth;
    onProgress(`${label}: ${done}/${total}`);
  };
}
