import pg from 'pg';
import type { Database } from './db/knex';
import type { Logger } from './logger';

/**
 * Events across API instances (CONVENTIONS "Events"): writers NOTIFY an id in their own transaction, which
 * PostgreSQL delivers at commit (never on a rollback); every instance hears it here and reads the row by id.
 * On a server database each instance LISTENs on one connection of its own (not from the pool, never through a
 * transaction-mode pooler), reconnects when it drops, and then calls `onReconnect` so the reader catches up on
 * what was committed meanwhile. On the embedded database it is PGlite's own LISTEN, in process.
 */
export interface IdListener {
  stop(): Promise<void>;
}

export interface ListenOptions {
  channel: string;
  /** Ids as they are committed (the NOTIFY payloads), in arrival order. */
  onId(id: string): void;
  /** After the connection came back (not on the first connect): read what was committed while it was down. */
  onReconnect(): void;
}

const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 5_000;
/** A LISTEN connection that died silently (a dropped NAT entry) is found by a ping at this interval. */
const PING_MS = 15_000;

export async function listenForIds(db: Database, databaseUrl: string | null, log: Logger, options: ListenOptions): Promise<IdListener> {
  if (db.kind === 'embedded') {
    if (!db.listen) throw new Error('the embedded database cannot LISTEN');
    const unlisten = await db.listen(options.channel, options.onId);
    return { stop: unlisten };
  }
  if (!databaseUrl) throw new Error('listening needs DATABASE_URL');
  return new PgListener(databaseUrl, log, options).start();
}

class PgListener implements IdListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retryMs = RETRY_MIN_MS;
  private ping: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly url: string, private readonly log: Logger, private readonly options: ListenOptions) {}

  async start(): Promise<this> {
    await this.connect(false);
    this.ping = setInterval(() => void this.client?.query('/* listenerPing */ SELECT 1').catch((err: unknown) => this.lost(err)), PING_MS);
    this.ping.unref();
    return this;
  }

  private async connect(again: boolean): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, keepAlive: true, application_name: 'grid-registry listener' });
    client.on('error', (err) => this.lost(err, client));
    client.on('end', () => this.lost(new Error('connection ended'), client));
    client.on('notification', (n) => {
      if (n.channel === this.options.channel && n.payload) this.options.onId(n.payload);
    });
    await client.connect();
    await client.query(`LISTEN ${this.options.channel}`);
    this.client = client;
    this.retryMs = RETRY_MIN_MS;
    if (again) {
      this.log.info({ channel: this.options.channel }, 'event listener reconnected');
      this.options.onReconnect();
    }
  }

  /** The connection failed: drop it and try again, backing off, until stopped. */
  private lost(err: unknown, client: pg.Client | null = this.client): void {
    if (this.stopped || !client || client !== this.client) return;
    this.client = null;
    this.log.warn({ err, channel: this.options.channel }, 'event listener lost its connection; reconnecting');
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect(true).catch((err: unknown) => {
        this.log.warn({ err }, 'event listener could not reconnect');
        this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
        this.schedule();
      });
    }, this.retryMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.ping) clearInterval(this.ping);
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
