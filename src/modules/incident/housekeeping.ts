import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import type { Logger } from '../../logger';

/**
 * What the SLA scheduler's loop also deletes, on one instance at a time (an advisory lock of its own, so it never
 * holds up the deadline announcements), in batches of one transaction each:
 * - outbox notices older than OUTBOX_RETENTION_DAYS, with the delivery records and SLA-alert records naming them.
 *   A reconnecting client replays `since` a cursor; one that old has nothing left to catch up on. Breaches older
 *   than the scheduler's look-back (a day) are never announced again, so forgetting their alert records is safe
 *   (the retention is at least two days);
 * - uploads (POST /uploads) no report or progress entry attached within UPLOAD_UNATTACHED_HOURS: the rows, then
 *   their files once the deletion committed. A report attaching one meanwhile holds its row locked, and the sweep
 *   skips locked rows: the upload is either attached or gone, never both.
 */
export interface HousekeepingOptions {
  outboxRetentionMs: number;
  unattachedUploadMs: number;
  uploadDir: string;
  /** Rows per transaction (default 1,000). */
  batchSize?: number;
}

export interface HousekeepingResult {
  /** False when another instance held the lock. */
  ran: boolean;
  outbox: number;
  uploads: number;
}

export const housekeepingOptions = (config: Config): HousekeepingOptions => ({
  outboxRetentionMs: config.housekeeping.outboxRetentionMs,
  unattachedUploadMs: config.uploads.unattachedMaxAgeMs,
  uploadDir: config.uploads.dir,
});

/** pg_try_advisory_xact_lock's key: "HKP" in ASCII (the SLA pass holds "SLA"). */
const LOCK_KEY = 0x484b50;
const BATCH = 1_000;
/** At most this many batches of each kind per pass: a backlog is worked off over several passes. */
const MAX_BATCHES = 20;

export async function housekeep(db: Knex, log: Logger, options: HousekeepingOptions, at: Date): Promise<HousekeepingResult> {
  const size = options.batchSize ?? BATCH;
  const outbox = await inBatches(db, size, (trx) => pruneOutbox(trx, new Date(at.getTime() - options.outboxRetentionMs), size));
  // After commit: a file whose row is gone is nobody's (a failed removal leaves only a stray file).
  const removeFiles = (ids: string[]) =>
    Promise.all(ids.map((id) => fs.promises.rm(path.join(options.uploadDir, id), { force: true }).catch((err: unknown) => log.warn({ err, upload: id }, 'could not remove an unattached upload'))));
  const uploads = outbox === null ? null : await inBatches(db, size, (trx) => deleteUnattachedUploads(trx, new Date(at.getTime() - options.unattachedUploadMs), size), removeFiles);
  if (outbox || uploads) log.info({ outbox, uploads }, 'housekeeping removed expired outbox notices and unattached uploads');
  return { ran: outbox !== null && uploads !== null, outbox: outbox ?? 0, uploads: uploads ?? 0 };
}

/**
 * Runs `step` in one transaction per batch, under the housekeeping lock, until it removes less than a batch (or
 * MAX_BATCHES ran); `committed` sees each batch's ids after its commit. Null when another instance holds the lock.
 */
async function inBatches(db: Knex, size: number, step: (trx: Knex.Transaction) => Promise<string[]>, committed?: (ids: string[]) => Promise<unknown>): Promise<number | null> {
  let total = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const ids = await db.transaction(async (trx) => {
      const { rows } = await trx.raw(`/* housekeepingLock */ SELECT pg_try_advisory_xact_lock(?) AS got`, [LOCK_KEY]);
      return rows[0].got ? step(trx) : null;
    });
    if (ids === null) return null;
    await committed?.(ids);
    total += ids.length;
    if (ids.length < size) break;
  }
  return total;
}

/** Deletes up to `limit` notices created before `before`, with the records naming them; returns their ids. */
async function pruneOutbox(trx: Knex.Transaction, before: Date, limit: number): Promise<string[]> {
  // The referencing rows go in the same statement: foreign keys are checked at its end.
  const { rows } = await trx.raw(
    `/* pruneIncidentOutbox */ WITH doomed AS (
       SELECT id FROM incident_outbox WHERE created_at < :before ORDER BY created_at LIMIT :limit
     ), deliveries AS (
       DELETE FROM incident_delivery WHERE outbox_id IN (SELECT id FROM doomed)
     ), alerts AS (
       DELETE FROM incident_sla_alert WHERE outbox_id IN (SELECT id FROM doomed)
     )
     DELETE FROM incident_outbox WHERE id IN (SELECT id FROM doomed) RETURNING id::text`,
    { before, limit },
  );
  return rows.map((r: { id: string }) => r.id);
}

/** Deletes up to `limit` unattached uploads created before `before` (skipping any a report holds); returns their ids. */
async function deleteUnattachedUploads(trx: Knex.Transaction, before: Date, limit: number): Promise<string[]> {
  const { rows } = await trx.raw(
    `/* deleteUnattachedUploads */ DELETE FROM incident_upload WHERE id IN (
       SELECT id FROM incident_upload WHERE incident_id IS NULL AND created_at < :before
       ORDER BY created_at LIMIT :limit FOR UPDATE SKIP LOCKED)
     RETURNING id`,
    { before, limit },
  );
  return rows.map((r: { id: string }) => r.id);
}
