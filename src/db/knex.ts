import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { acquireDataLock, type DataLock } from './data-lock';
import { observeQueries } from './observe';

export type DbKind = 'postgres' | 'embedded';

export interface Database {
  knex: Knex;
  kind: DbKind;
  /** Where the embedded database keeps its files (embedded only). */
  location?: string;
  /** The embedded data directory's lock (embedded only). */
  lock?: DataLock;
  /**
   * Resolves when the database answers a trivial query within `timeoutMs`, on a connection of its own: a
   * pool busy with long requests must not read as a dead database.
   */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
  /**
   * Embedded only: hears NOTIFY on `channel` in this process (src/pubsub.ts); on a server database pubsub
   * listens on a connection of its own instead. Resolves to the function that stops listening.
   */
  listen?(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
}

export type DatabaseConfig = Pick<Config, 'databaseUrl' | 'dataDir' | 'slowQueryMs' | 'db'>;

// PostgreSQL returns bigint and numeric as strings to avoid precision loss; our counts and areas fit in a
// double, and repositories cast them explicitly, so nothing here changes the driver's defaults.

export async function openDatabase(config: DatabaseConfig, log: Logger): Promise<Database> {
  const db = config.databaseUrl ? openPostgres(config.databaseUrl, config.db) : await openEmbedded(config.dataDir, log);
  observeQueries(db.knex, log, config.slowQueryMs);
  return db;
}

function openPostgres(url: string, settings: Config['db']): Database {
  const knex = knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: 'grid-registry' },
    // A request waits this long for a connection, then is answered 503 with Retry-After: ten slow requests
    // must not leave every other caller queueing for a minute.
    acquireConnectionTimeout: settings.acquireTimeoutMs,
    pool: {
      min: 0,
      max: settings.poolMax,
      // Every statement is bounded (coverage and imports raise it for themselves with SET LOCAL), and a
      // transaction left idle by a crashed request gives its locks back. Named prepared statements
      // (src/db/prepared.ts) exist to skip planning; with the default plan_cache_mode PostgreSQL may keep
      // re-planning them with each call's values ("custom plans"). JIT compilation is off: the planner's cost
      // guesses for per-building probes over a district pass jit_above_cost, and compiling (60–600 ms measured
      // on the population figures) costs more than running the whole statement; no query here is a long
      // analytical scan that compiling would pay off for.
      afterCreate: (conn: { query: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) =>
        conn.query(
          `SET statement_timeout = ${Math.round(settings.statementTimeoutMs)}; ` +
            `SET idle_in_transaction_session_timeout = ${Math.round(Math.max(settings.longStatementTimeoutMs, 60_000))}; ` +
            'SET plan_cache_mode = force_generic_plan; SET jit = off',
          (err) => done(err, conn),
        ),
    },
  });
  const probe = readinessProbe(url);
  return {
    knex,
    kind: 'postgres',
    ping: probe.ping,
    close: async () => {
      probe.close();
      await knex.destroy();
    },
  };
}

/**
 * Readiness on a dedicated connection, opened on first use and reopened after any failure. One probe at a
 * time; a probe that does not answer in time fails (and its connection is dropped).
 */
function readinessProbe(url: string): { ping: (timeoutMs: number) => Promise<void>; close: () => void } {
  let client: pg.Client | null = null;
  let running: Promise<void> | null = null;
  const drop = () => {
    const c = client;
    client = null;
    c?.end().catch(() => undefined);
  };
  const probe = async (timeoutMs: number) => {
    if (!client) {
      const c = new pg.Client({ connectionString: url, application_name: 'grid-registry-readiness', connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs });
      c.on('error', () => (client === c ? drop() : undefined));
      await c.connect();
      client = c;
    }
    await client.query('/* readiness */ SELECT 1');
  };
  return {
    ping: (timeoutMs) =>
      (running ??= withTimeout(probe(timeoutMs), timeoutMs)
        .catch((err: unknown) => {
          drop();
          throw err;
        })
        .finally(() => (running = null))),
    close: drop,
  };
}

/**
 * PGlite is PostgreSQL compiled to WebAssembly, running in this process; `@electric-sql/pglite-postgis`
 * adds PostGIS to it. One connection only (knex-pglite pins the pool to 1), which is plenty for a demo
 * or a laptop, and the reason production uses DATABASE_URL. Its statements run on this process's thread:
 * `statement_timeout` cannot interrupt them, so what bounds the work here is the query limits (cost, sizes).
 */
async function openEmbedded(dataDir: string, log: Logger): Promise<Database> {
  const location = path.join(dataDir, 'pgdata');
  const lock = acquireDataLock(dataDir);
  try {
    fs.mkdirSync(location, { recursive: true });
    const started = Date.now();
    // These packages ship as ES modules; load them lazily so the PostgreSQL path never pays for them.
    const { PGlite } = await import('@electric-sql/pglite');
    const { postgis } = await import('@electric-sql/pglite-postgis');
    const ClientPgLite = (await import('knex-pglite')).default;
    const pglite = new PGlite(location, { extensions: { postgis } });
    await pglite.waitReady;
    await pglite.exec('CREATE EXTENSION IF NOT EXISTS postgis');
    log.info({ location, ms: Date.now() - started }, 'embedded PostgreSQL + PostGIS ready');
    const knex = knexFactory({
      client: ClientPgLite as unknown as typeof knexFactory.Client,
      dialect: 'postgres',
      connection: () => ({ pglite }) as unknown as Knex.StaticConnectionConfig,
    } as Knex.Config);
    return {
      knex,
      kind: 'embedded',
      location,
      lock,
      ping: (timeoutMs) => withTimeout(pglite.query('/* readiness */ SELECT 1'), timeoutMs),
      listen: (channel, onPayload) => pglite.listen(channel, onPayload),
      close: async () => {
        try {
          await knex.destroy();
          if (!pglite.closed) await pglite.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      () => (clearTimeout(timer), resolve()),
      (err) => (clearTimeout(timer), reject(err)),
    );
  });
}
