import type { Knex } from 'knex';
import type { Logger } from '../../logger';
import { housekeep, type HousekeepingOptions, type HousekeepingResult } from './housekeeping';
import type { AssignmentNotice, Notifier } from './notifier';
import { FINAL_SQL, OUTBOX_CHANNEL } from './repo';
import { foldStatistics } from './stats-repo';

/**
 * The SLA scheduler: an in-process loop on every instance, of which one at a time does the work (a transaction
 * advisory lock; the embedded database has one process anyway). It only announces: an incident's colour is
 * derived from its timeline at any instant (sla.ts), and the incident row carries its running due instants and the
 * breaches recorded so far, from which the instant it turns orange or red follows (ORANGE_AT, RED_AT). Each tick
 * - writes one outbox notice (`SLA_ORANGE` / `SLA_RED`) per breach that has come due — once per (incident,
 *   colour, instant), kept in `incident_sla_alert` — to the assignee and the grids' screens (`slaAlerts`);
 * - hands the notifier the assignments no open subscription took within `graceMs` (`incident_delivery`);
 * - folds the statistics rows the triggers appended into the kept ones (stats-repo.ts foldStatistics).
 * Breaches older than `lookbackMs` (a scheduler that was down for days, a fresh deployment of old data) are not
 * announced, so a restart does not flood the centres' screens; their colour still shows on the incidents.
 */
export interface SchedulerOptions {
  intervalMs?: number;
  /** How long an assignment may wait for a socket before the notifier takes it. */
  graceMs?: number;
  lookbackMs?: number;
  /** The clock (tests move it). */
  now?: () => Date;
  /** What the loop also deletes (housekeeping.ts), at most every `housekeepingEveryMs`; none when left out. */
  housekeeping?: HousekeepingOptions;
  housekeepingEveryMs?: number;
}

/** pg_try_advisory_xact_lock's key: "SLA" in ASCII, a constant every instance agrees on. */
const LOCK_KEY = 0x534c41;
const BATCH = 500;
/**
 * The instant an incident turns (or turned) orange / red, from the row's deadline columns (sla.ts slaColumns): a
 * breach already recorded, else the earliest running deadline. The same expressions are indexed (migration
 * 20261201000300_incident_dispatch).
 */
export const ORANGE_AT = 'LEAST(i.sla_orange_at, i.sla_assign_due_at, i.sla_progress_due_at)';
export const RED_AT = 'LEAST(i.sla_red_at, i.sla_resolve_due_at)';

/**
 * One SQL value that moves whenever time alone turns an open incident's colour (`slaStatusSql` compares each
 * deadline with now, strictly): the latest instant (epoch seconds), before now, at which one turned orange, and
 * red ("" before any). A deadline passing makes it the latest, so a map tile's ETag built on it changes exactly
 * then. Two backward scans of the indexes on ORANGE_AT and RED_AT.
 */
export const SLA_CLOCK_SQL = `concat(
  (SELECT extract(epoch FROM max(${ORANGE_AT})) FROM incident i WHERE ${ORANGE_AT} < now() AND i.status NOT IN ${FINAL_SQL}), '/',
  (SELECT extract(epoch FROM max(${RED_AT})) FROM incident i WHERE ${RED_AT} < now() AND i.status NOT IN ${FINAL_SQL}))`;

export interface TickResult {
  /** False when another instance held the lock. */
  ran: boolean;
  alerts: number;
  notified: number;
  /** Pending statistics rows folded. */
  folded: number;
}

export class SlaScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private readonly intervalMs: number;
  private readonly graceMs: number;
  private readonly lookbackMs: number;
  private readonly now: () => Date;
  private lastHousekeeping = 0;

  constructor(private readonly db: Knex, private readonly log: Logger, private readonly notifier: Notifier, private readonly options: SchedulerOptions = {}) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.graceMs = options.graceMs ?? 3_000;
    this.lookbackMs = options.lookbackMs ?? 24 * 3600_000;
    this.now = options.now ?? (() => new Date());
  }

  private get housekeepingDue(): boolean {
    return this.options.housekeeping !== undefined && this.now().getTime() - this.lastHousekeeping >= (this.options.housekeepingEveryMs ?? 60_000);
  }

  start(): this {
    this.timer = setInterval(() => {
      this.running ??= this.tick()
        .then(() => (this.housekeepingDue ? this.housekeep() : null))
        .catch((err: unknown) => this.log.error({ err }, 'SLA scheduler tick failed'))
        .finally(() => (this.running = null));
    }, this.intervalMs);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Deletes what has expired (housekeeping.ts), as of `at`; `ran` is false when another instance did it. */
  async housekeep(at: Date = this.now()): Promise<HousekeepingResult> {
    if (!this.options.housekeeping) return { ran: false, outbox: 0, uploads: 0 };
    this.lastHousekeeping = this.now().getTime();
    return housekeep(this.db, this.log, this.options.housekeeping, at);
  }

  /** One pass, at the clock's instant. */
  async tick(at: Date = this.now()): Promise<TickResult> {
    const { ran, alerts, pending, folded } = await this.db.transaction(async (trx) => {
      const { rows } = await trx.raw(`/* slaSchedulerLock */ SELECT pg_try_advisory_xact_lock(?) AS got`, [LOCK_KEY]);
      if (!rows[0].got) return { ran: false, alerts: 0, pending: [] as AssignmentNotice[], folded: 0 };
      const announced = await announceBreaches(trx, at, this.lookbackMs);
      return { ran: true, alerts: announced, pending: await claimUndelivered(trx, at, this.graceMs), folded: await foldStatistics(trx) };
    });
    // Sent after commit: a send that fails is not retried (the provider's queue does), a rollback sends nothing.
    for (const notice of pending) {
      await this.notifier.send(notice).catch((err: unknown) => this.log.error({ err, cursor: notice.cursor }, `notifier ${this.notifier.name} failed`));
    }
    return { ran, alerts, notified: pending.length, folded };
  }
}

/** Writes the outbox notices of breaches come due and not yet announced; returns how many. */
async function announceBreaches(trx: Knex.Transaction, at: Date, lookbackMs: number): Promise<number> {
  const since = new Date(at.getTime() - lookbackMs);
  const { rows } = await trx.raw(
    `/* slaBreachesDue */ WITH due AS (
       SELECT i.id, 'ORANGE' AS colour, ${ORANGE_AT} AS breached_at FROM incident i
       WHERE ${ORANGE_AT} > :since AND ${ORANGE_AT} <= :at AND i.status NOT IN ${FINAL_SQL}
       UNION ALL
       SELECT i.id, 'RED', ${RED_AT} FROM incident i
       WHERE ${RED_AT} > :since AND ${RED_AT} <= :at AND i.status NOT IN ${FINAL_SQL}
     ), fresh AS (
       SELECT d.* FROM due d
       WHERE NOT EXISTS (SELECT 1 FROM incident_sla_alert a WHERE a.incident_id = d.id AND a.colour = d.colour AND a.breached_at = d.breached_at)
       ORDER BY d.breached_at LIMIT ${BATCH}
     ), outbox AS (
       INSERT INTO incident_outbox (incident_id, event_seq, kind, worker_ids, grid_ids)
       SELECT f.id, (SELECT max(e.seq) FROM incident_event e WHERE e.incident_id = f.id), 'SLA_' || f.colour,
              ARRAY_REMOVE(ARRAY[i.assignee_worker_id], NULL),
              ARRAY(SELECT DISTINCT g FROM unnest(ARRAY[i.grid_id, i.centre_grid_id]) g WHERE g IS NOT NULL)
       FROM fresh f JOIN incident i ON i.id = f.id
       RETURNING id, incident_id, kind
     ), recorded AS (
       INSERT INTO incident_sla_alert (incident_id, colour, breached_at, outbox_id)
       SELECT f.id, f.colour, f.breached_at, o.id
       FROM fresh f JOIN outbox o ON o.incident_id = f.id AND o.kind = 'SLA_' || f.colour
       RETURNING outbox_id
     )
     SELECT count(pg_notify('${OUTBOX_CHANNEL}', outbox_id::text))::int AS announced
     FROM recorded`,
    { at, since },
  );
  return rows[0].announced;
}

/**
 * Assignments to the current assignee that no socket took within the grace period (and not older than a day):
 * marked as sent through the notifier, and returned to be sent after commit.
 */
async function claimUndelivered(trx: Knex.Transaction, at: Date, graceMs: number): Promise<AssignmentNotice[]> {
  const { rows } = await trx.raw(
    `/* assignmentsUndelivered */ WITH waiting AS (
       SELECT o.id, o.incident_id, i.title, w.id AS worker_id, w.name, w.phone, w.account
       FROM incident_outbox o
       JOIN incident i ON i.id = o.incident_id
       JOIN grid_worker w ON w.id = i.assignee_worker_id
       WHERE o.kind = 'ASSIGN' AND o.worker_ids @> ARRAY[w.id]
         AND o.created_at <= :cutoff AND o.created_at > :oldest
         AND NOT EXISTS (SELECT 1 FROM incident_delivery d WHERE d.outbox_id = o.id AND d.worker_id = w.id)
       ORDER BY o.id LIMIT ${BATCH}
     ), claimed AS (
       INSERT INTO incident_delivery (outbox_id, worker_id, via)
       SELECT id, worker_id, 'NOTIFIER' FROM waiting ON CONFLICT DO NOTHING
       RETURNING outbox_id, worker_id
     )
     SELECT w.* FROM waiting w JOIN claimed c ON c.outbox_id = w.id AND c.worker_id = w.worker_id ORDER BY w.id`,
    { cutoff: new Date(at.getTime() - graceMs), oldest: new Date(at.getTime() - 24 * 3600_000) },
  );
  return rows.map((r: { id: string; incident_id: string; title: string; worker_id: string; name: string; phone: string; account: string | null }) => ({
    cursor: String(r.id),
    incidentId: r.incident_id,
    title: r.title,
    workerId: r.worker_id,
    workerName: r.name,
    phone: r.phone,
    account: r.account,
  }));
}
