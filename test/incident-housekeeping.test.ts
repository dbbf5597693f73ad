import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { fromGlobalId } from '../src/graphql/relay';
import { housekeep, type HousekeepingOptions } from '../src/modules/incident/housekeeping';
import { SlaScheduler } from '../src/modules/incident/scheduler';
import { createIncidentFixture, report } from './fixtures/incident';
import { closeTestDb, testDb, withRollback } from './support/db';
import { silentLog } from './support/graphql';

/**
 * The scheduler's housekeeping: outbox notices past their retention go (with the delivery and SLA-alert records
 * naming them), in batches; uploads never attached go after their age, rows and files; one instance at a time.
 * Rows are dated in 2001, long before anything else in the shared database, and the clock is set just after.
 */
afterAll(closeTestDb);

const DAY = 86_400_000;
const OLD = new Date('2001-01-01T00:00:00Z');
const NOW = new Date('2001-06-01T00:00:00Z');
let dir: string;

beforeAll(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'housekeeping-'));
});
afterAll(async () => {
  await fs.promises.rm(dir, { recursive: true, force: true });
});

const options = (batchSize?: number): HousekeepingOptions => ({ outboxRetentionMs: 30 * DAY, unattachedUploadMs: 7 * DAY, uploadDir: dir, batchSize });

async function outboxRow(db: Knex, incidentId: string, createdAt: Date): Promise<string> {
  const { rows } = await db.raw(`INSERT INTO incident_outbox (incident_id, event_seq, kind, created_at) VALUES (?, 1, 'ASSIGN', ?) RETURNING id::text`, [incidentId, createdAt]);
  return rows[0].id;
}

async function upload(db: Knex, createdAt: Date, incidentId: string | null = null): Promise<string> {
  const id = randomUUID();
  await fs.promises.writeFile(path.join(dir, id), 'photo');
  await db.raw(
    `INSERT INTO incident_upload (id, content_type, bytes, sha256, uploaded_by, incident_id, created_at) VALUES (?, 'image/jpeg', 5, ?, 'housekeeping-test', ?, ?)`,
    [id, 'a'.repeat(64), incidentId, createdAt],
  );
  return id;
}

const exists = (id: string) => fs.promises.access(path.join(dir, id)).then(() => true, () => false);

describe('housekeeping', () => {
  it('deletes expired outbox notices with their deliveries and alerts, in batches, and keeps recent ones', async () => {
    await withRollback(async (db) => {
      const f = await createIncidentFixture(db);
      const incident = fromGlobalId((await report(db, f.workers.W2.viewer, 0.5, 0.5)).incident.id)!.id;
      const old = [];
      for (let i = 0; i < 5; i++) old.push(await outboxRow(db, incident, new Date(OLD.getTime() + i * 1000)));
      await db.raw(`INSERT INTO incident_delivery (outbox_id, worker_id, via) VALUES (?, ?, 'SOCKET'), (?, ?, 'NOTIFIER')`, [old[0], f.workers.W1.id, old[1], f.workers.W1.id]);
      await db.raw(`INSERT INTO incident_sla_alert (incident_id, colour, breached_at, outbox_id) VALUES (?, 'ORANGE', ?, ?)`, [incident, OLD, old[2]]);
      const recent = await outboxRow(db, incident, new Date(NOW.getTime() - 10 * DAY));

      const scheduler = new SlaScheduler(db, silentLog, { name: 'none', send: async () => {} }, { housekeeping: options(2) });
      expect(await scheduler.housekeep(NOW)).toEqual({ ran: true, outbox: 5, uploads: 0 });
      const left = await db('incident_outbox').whereIn('id', [...old, recent]).pluck('id');
      expect(left.map(String)).toEqual([recent]);
      expect(await db('incident_delivery').whereIn('outbox_id', old).count('* as n').first()).toEqual({ n: '0' });
      expect(await db('incident_sla_alert').whereIn('outbox_id', old).count('* as n').first()).toEqual({ n: '0' });
      // Nothing more to do; a scheduler without housekeeping deletes nothing.
      expect(await housekeep(db, silentLog, options(2), NOW)).toMatchObject({ ran: true, outbox: 0 });
      expect(await new SlaScheduler(db, silentLog, { name: 'none', send: async () => {} }).housekeep(new Date(NOW.getTime() + 365 * DAY))).toEqual({ ran: false, outbox: 0, uploads: 0 });
    });
  });

  it('deletes uploads never attached after their age, rows and files, and keeps attached and recent ones', async () => {
    await withRollback(async (db) => {
      const f = await createIncidentFixture(db);
      const incident = fromGlobalId((await report(db, f.workers.W2.viewer, 0.5, 0.5)).incident.id)!.id;
      const stale = await upload(db, OLD);
      const attached = await upload(db, OLD, incident);
      const fresh = await upload(db, new Date(NOW.getTime() - DAY));
      expect(await housekeep(db, silentLog, options(), NOW)).toEqual({ ran: true, outbox: 0, uploads: 1 });
      expect(await db('incident_upload').whereIn('id', [stale, attached, fresh]).orderBy('id').pluck('id')).toEqual([attached, fresh].sort());
      expect([await exists(stale), await exists(attached), await exists(fresh)]).toEqual([false, true, true]);
    });
  });

  it('skips an upload a report is attaching (its row locked), and runs on one instance at a time', async () => {
    const db = testDb();
    const id = await upload(db, OLD);
    try {
      // A report's transaction holds the upload (resolvePhotos locks it FOR UPDATE) while the sweep runs.
      await db.transaction(async (report) => {
        await report.raw(`SELECT id FROM incident_upload WHERE id = ? FOR UPDATE`, [id]);
        expect((await housekeep(db, silentLog, options(), NOW)).uploads).toBe(0);
      });
      // Another instance holds the housekeeping lock: this one does nothing.
      await db.transaction(async (other) => {
        await other.raw(`SELECT pg_advisory_xact_lock(?)`, [0x484b50]);
        expect(await housekeep(db, silentLog, options(), NOW)).toEqual({ ran: false, outbox: 0, uploads: 0 });
      });
      expect(await exists(id)).toBe(true);
      expect((await housekeep(db, silentLog, options(), NOW)).uploads).toBeGreaterThanOrEqual(1);
      expect(await db('incident_upload').where({ id }).first()).toBeUndefined();
      expect(await exists(id)).toBe(false);
    } finally {
      await db('incident_upload').where({ id }).del();
    }
  });
});
