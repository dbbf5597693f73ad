import type { Knex } from 'knex';
import zhengzhou from './data/zhengzhou.json';
import { insertGrids, insertWorkers, type ProgressReporter } from '../seeds/lib/load';
import { generateTiling, type Division, type TilingOptions } from '../seeds/lib/tiling';
import { generateWorkers } from '../seeds/lib/workers';

/**
 * The benchmark city: Zhengzhou (郑州市) at its published scale — the real 15 districts, 208 streets and
 * 3,306 communities, generated boundaries for 19,557 grids, 107,158 micro-grids and 6,331 dedicated
 * overlays over about 1,000 km², one full-time worker per grid. Its codes (4101…) and worker keys do not
 * collide with the demo district's, so both can live in one database.
 */
export const CITY_DISTRICT_CODE = '410102';

export const CITY_TILING: TilingOptions = {
  districts: zhengzhou.districts as Division[],
  center: [113.65, 34.75],
  areaKm2: 1000,
  gridsTotal: 19557,
  microGridsTotal: 107158,
  dedicatedPerStreet: 0,
  dedicatedTotal: 6331,
  seed: 4101,
};

export async function loadCity(
  knex: Knex,
  onProgress?: ProgressReporter,
): Promise<{ grids: number; workers: number; ms: number } | 'already-loaded'> {
  const started = Date.now();
  const { rows } = await knex.raw('/* cityPresent */ SELECT 1 FROM grid WHERE code = ? LIMIT 1', [CITY_DISTRICT_CODE]);
  if (rows.length > 0) return 'already-loaded';
  onProgress?.('generating the benchmark city (郑州市)');
  const grids = generateTiling(CITY_TILING);
  const { workers, assignments } = generateWorkers(grids, { seed: 4101, onLeave: 0, partTimeCommunities: 0 });
  onProgress?.(`generated ${grids.length} grids and ${workers.length} workers in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await knex.transaction(async (trx) => {
    await insertGrids(trx, grids, onProgress, 'benchmark data');
    await insertWorkers(trx, workers, assignments, onProgress);
  });
  return { grids: grids.length, workers: workers.length, ms: Date.now() - started };
}

/** `npx tsx bench/city.ts`: migrate DATABASE_URL and load the city into it, printing how long it took. */
async function main(): Promise<void> {
  const { loadConfig } = await import('../src/config');
  const { createLogger } = await import('../src/logger');
  const { openDatabase } = await import('../src/db/knex');
  const { migrateLatest } = await import('../src/db/migrate');
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('DATABASE_URL must name the PostgreSQL + PostGIS database to load the city into');
  const db = await openDatabase(config, createLogger(config));
  try {
    await migrateLatest(db.knex);
    const result = await loadCity(db.knex, (line) => console.log(line));
    console.log(result === 'already-loaded' ? 'city already loaded; nothing to do' : `loaded: ${JSON.stringify(result)}`);
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
