import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { observeQueries } from './observe';

export type DbKind = 'postgres' | 'embedded';

export interface Database {
  knex: Knex;
  kind: DbKind;
  /** Where the embedded database keeps its files (embedded only). */
  location?: string;
  close(): Promise<void>;
}

// PostgreSQL returns bigint and numeric as strings to avoid precision loss; our counts and areas fit in a
// double, and repositories cast them explicitly, so nothing here changes the driver's defaults.

export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'dbPoolMax' | 'slowQueryMs'>,
  log: Logger,
): Promise<Database> {
  const db = config.databaseUrl ? openPostgres(config.databaseUrl, config.dbPoolMax) : await openEmbedded(config.dataDir, log);
  observeQueries(db.knex, log, config.slowQueryMs);
  return db;
}

function openPostgres(url: string, poolMax: number): Database {
  const knex = knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: 'grid-registry' },
    pool: {
      min: 0,
      max: poolMax,
      // Named prepared statements (src/db/prepared.ts) exist to skip planning; with the default
      // plan_cache_mode PostgreSQL may keep re-planning them with each call's values ("custom plans").
      // Unnamed statements, everything else, are planned per call regardless of this setting.
      afterCreate: (conn: { query: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, conn: unknown) => void) =>
        conn.query('SET plan_cache_mode = force_generic_plan', (err) => done(err, conn)),
    },
  });
  return { knex, kind: 'postgres', close: () => knex.destroy() };
}

/**
 * PGlite is PostgreSQL compiled to WebAssembly, running in this process; `@electric-sql/pglite-postgis`
 * adds PostGIS to it. One connection only (knex-pglite pins the pool to 1), which is plenty for a demo
 * or a laptop, and the reason production uses DATABASE_URL.
 */
async function openEmbedded(dataDir: string, log: Logger): Promise<Database> {
  const location = path.join(dataDir, 'pgdata');
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
    close: async () => {
      await knex.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}
