import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { Database } from '../../db/knex';
import type { Logger } from '../../logger';
import { listenForIds, type IdListener } from '../../pubsub';
import { OUTBOX_CHANNEL } from './repo';

/**
 * Live dispatch on one API instance: outbox ids arrive from every instance (src/pubsub.ts), are read in batches
 * by id, and fanned out to this instance's subscribers (subscriptions.ts filters them per subscription). After
 * the listener reconnects, everything after the last id seen is read again; ids already delivered are skipped.
 */
export interface Notice {
  /** The outbox id (bigint, as text). */
  id: string;
  incidentId: string;
  kind: string;
  at: Date;
  workerIds: string[];
  /** Sign-in accounts of those workers. */
  accounts: string[];
  /** Codes of the grids concerned (responsible, centre before and after). */
  gridCodes: string[];
}

type Subscriber = (notice: Notice) => void;

const NOTICE_COLUMNS = `o.id::text AS id, o.incident_id, o.kind, o.created_at, o.worker_ids::text[] AS worker_ids,
  ARRAY(SELECT w.account FROM grid_worker w WHERE w.id = ANY(o.worker_ids) AND w.account IS NOT NULL) AS accounts,
  ARRAY(SELECT DISTINCT g.code FROM grid g WHERE g.id = ANY(o.grid_ids)) AS grid_codes`;

interface NoticeSqlRow {
  id: string;
  incident_id: string;
  kind: string;
  created_at: Date;
  worker_ids: string[];
  accounts: string[];
  grid_codes: string[];
}

const toNotice = (r: NoticeSqlRow): Notice => ({
  id: r.id,
  incidentId: r.incident_id,
  kind: r.kind,
  at: r.created_at,
  workerIds: r.worker_ids,
  accounts: r.accounts,
  gridCodes: r.grid_codes,
});

export async function noticesByIds(db: Knex, ids: readonly string[]): Promise<Notice[]> {
  const { rows } = await db.raw(`/* outboxNoticesByIds */ SELECT ${NOTICE_COLUMNS} FROM incident_outbox o WHERE o.id = ANY(?::bigint[]) ORDER BY o.id`, [[...ids]]);
  return (rows as NoticeSqlRow[]).map(toNotice);
}

/** Which notices a replay wants: one worker's, or those about a grid code's subtree (of some kinds only). */
export type NoticeFilter = { workerId: string } | { subtreeCode: string; kinds?: readonly string[] };

export async function noticesAfter(db: Knex, after: string, limit: number, filter?: NoticeFilter): Promise<Notice[]> {
  const where: string[] = [];
  const bindings: Knex.Value[] = [after];
  if (filter && 'workerId' in filter) {
    where.push('o.worker_ids @> ARRAY[?::uuid]');
    bindings.push(filter.workerId);
  } else if (filter) {
    // Grid codes are whole segments: a prefix of a code is an ancestor's code (policy.ts inJurisdiction).
    where.push('EXISTS (SELECT 1 FROM grid g WHERE g.id = ANY(o.grid_ids) AND starts_with(g.code, ?))');
    bindings.push(filter.subtreeCode);
    if (filter.kinds) {
      where.push('o.kind = ANY(?::text[])');
      bindings.push([...filter.kinds]);
    }
  }
  const { rows } = await db.raw(
    `/* outboxNoticesAfter */ SELECT ${NOTICE_COLUMNS} FROM incident_outbox o
     WHERE o.id > ?::bigint ${where.map((w) => `AND ${w}`).join(' ')} ORDER BY o.id LIMIT ?`,
    [...bindings, limit],
  );
  return (rows as NoticeSqlRow[]).map(toNotice);
}

const REMEMBERED = 20_000;
const CATCH_UP_BATCH = 1_000;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;

export class LiveDispatch {
  private readonly subscribers = new Set<Subscriber>();
  private readonly pending = new Set<string>();
  private readonly delivered = new Set<string>();
  private lastId = '0';
  private flushing: Promise<void> | null = null;
  private listener: IdListener | null = null;
  private stopped = false;
  /** The pause before reading notices again after a failed read (0 after a success). */
  private retryMs = 0;

  constructor(readonly db: Knex, private readonly log: Logger) {}

  async start(database: Database, databaseUrl: string | null): Promise<this> {
    const { rows } = await this.db.raw(`/* outboxLastId */ SELECT coalesce(max(id), 0)::text AS id FROM incident_outbox`);
    this.lastId = rows[0].id;
    this.listener = await listenForIds(database, databaseUrl, this.log, {
      channel: OUTBOX_CHANNEL,
      onId: (id) => this.heard(id),
      onReconnect: () => void this.catchUp(),
    });
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.listener?.stop();
    this.subscribers.clear();
  }

  subscribe(fn: Subscriber): () => void {
    this.subscribers.add(fn);
    return () => void this.subscribers.delete(fn);
  }

  /** How many subscriptions this instance serves now. */
  get size(): number {
    return this.subscribers.size;
  }

  /** Ids heard are read together: one statement per burst of commits, not one per id. */
  private heard(id: string): void {
    if (!/^\d+$/.test(id)) return;
    this.pending.add(id);
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  /**
   * A read that fails (the pool exhausted under load, a connection lost) is tried again after a pause, with the
   * ids heard meanwhile: a notice heard is never dropped (NOTIFY is not sent again, and the catch-up only reads
   * after the last id seen).
   */
  private async flush(): Promise<void> {
    const ids = [...this.pending];
    this.pending.clear();
    try {
      this.emit(await noticesByIds(this.db, ids));
      this.retryMs = 0;
    } catch (err) {
      this.log.warn({ err, ids: ids.length }, 'could not read outbox notices; trying again');
      for (const id of ids) this.pending.add(id);
      this.retryMs = Math.min(Math.max(this.retryMs * 2, RETRY_MIN_MS), RETRY_MAX_MS);
      await sleep(this.retryMs);
    } finally {
      this.flushing = null;
      if (this.pending.size && !this.stopped) this.flushing = this.flush();
    }
  }

  /** What was committed while the listener was away, after the last id seen. */
  private async catchUp(): Promise<void> {
    for (let pause = RETRY_MIN_MS; !this.stopped; pause = Math.min(pause * 2, RETRY_MAX_MS)) {
      try {
        for (;;) {
          const batch = await noticesAfter(this.db, this.lastId, CATCH_UP_BATCH);
          this.emit(batch);
          if (batch.length < CATCH_UP_BATCH) return;
        }
      } catch (err) {
        this.log.warn({ err }, 'outbox catch-up failed; trying again');
        await sleep(pause);
      }
    }
  }

  private emit(notices: readonly Notice[]): void {
    for (const n of notices) {
      if (this.delivered.has(n.id)) continue;
      this.delivered.add(n.id);
      if (this.delivered.size > REMEMBERED) this.delivered.delete(this.delivered.values().next().value ?? '');
      if (BigInt(n.id) > BigInt(this.lastId)) this.lastId = n.id;
      for (const fn of this.subscribers) {
        try {
          fn(n);
        } catch (err) {
          this.log.error({ err }, 'subscriber failed');
        }
      }
    }
  }
}
