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

export async function noticesAfter(db: Knex, after: string, limit: number, workerId?: string): Promise<Notice[]> {
  const { rows } = await db.raw(
    `/* outboxNoticesAfter */ SELECT ${NOTICE_COLUMNS} FROM incident_outbox o
     WHERE o.id > ?::bigint ${workerId ? 'AND o.worker_ids @> ARRAY[?::uuid]' : ''} ORDER BY o.id LIMIT ?`,
    workerId ? [after, workerId, limit] : [after, limit],
  );
  return (rows as NoticeSqlRow[]).map(toNotice);
}

const REMEMBERED = 20_000;
const CATCH_UP_BATCH = 1_000;

export class LiveDispatch {
  private readonly subscribers = new Set<Subscriber>();
  private readonly pending = new Set<string>();
  private readonly delivered = new Set<string>();
  private lastId = '0';
  private flushing: Promise<void> | null = null;
  private listener: IdListener | null = null;

  constructor(readonly db: Knex, private readonly log: Logger) {}

  async start(database: Database, databaseUrl: string | null): Promise<this> {
    const { rows } = await this.db.raw(`/* outboxLastId */ SELECT coalesce(max(id), 0)::text AS id FROM incident_outbox`);
    this.lastId = rows[0].id;
    this.listener = await listenForIds(database, databaseUrl, this.log, {
      channel: OUTBOX_CHANNEL,
      onId: (id) => this.heard(id),
      onReconnect: () => void this.catchUp().catch((err: unknown) => this.log.error({ err }, 'outbox catch-up failed')),
    });
    return this;
  }

  async stop(): Promise<void> {
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

  private async flush(): Promise<void> {
    const ids = [...this.pending];
    this.pending.clear();
    try {
      this.emit(await noticesByIds(this.db, ids));
    } catch (err) {
      this.log.error({ err, ids: ids.length }, 'could not read outbox notices');
    } finally {
      this.flushing = null;
      if (this.pending.size) this.flushing = this.flush();
    }
  }

  /** What was committed while the listener was away, after the last id seen. */
  private async catchUp(): Promise<void> {
    for (;;) {
      const batch = await noticesAfter(this.db, this.lastId, CATCH_UP_BATCH);
      this.emit(batch);
      if (batch.length < CATCH_UP_BATCH) return;
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
