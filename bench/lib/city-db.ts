import pino from 'pino';
import { loadConfig, type Config } from '../../src/config';
import { createDatabaseIfMissing } from '../../src/db/create-database';
import { openDatabase, type Database } from '../../src/db/knex';
import { migrateLatest } from '../../src/db/migrate';
import { loadCity } from '../city';

/**
 * The benchmark database every city benchmark starts from: DATABASE_URL (created when missing), PostGIS, migrated,
 * the benchmark city's grids loaded once (bench/city.ts) and analysed (bench/city.ts run on its own leaves them
 * unanalysed). The caller closes the database.
 */
export async function openCityDatabase(): Promise<{ config: Config & { databaseUrl: string }; db: Database }> {
  const loaded = loadConfig();
  const { databaseUrl } = loaded;
  if (!databaseUrl) throw new Error('DATABASE_URL must name a PostgreSQL + PostGIS database of its own for the benchmark city (see README)');
  const config = { ...loaded, databaseUrl };
  if (await createDatabaseIfMissing(databaseUrl)) console.log(`created database ${new URL(databaseUrl).pathname.slice(1)}`);
  const db = await openDatabase(config, pino({ level: 'silent' }));
  try {
    await db.knex.raw('CREATE EXTENSION IF NOT EXISTS postgis');
    await migrateLatest(db.knex);
    const t0 = Date.now();
    if ((await loadCity(db.knex, (line) => console.log(line))) !== 'already-loaded') console.log(`city loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    for (const table of ['grid', 'grid_piece', 'grid_assignment', 'grid_worker']) await db.knex.raw(`ANALYZE ${table}`);
    return { config, db };
  } catch (err) {
    await db.close();
    throw err;
  }
}
