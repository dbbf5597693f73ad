import type { Knex } from 'knex';
import xinhua from './data/xinhua.json';
import { insertGrids, insertWorkers, type ProgressReporter } from './lib/load';
import { generateTiling, type Division, type TilingOptions } from './lib/tiling';
import { generateWorkers, type WorkerPlan } from './lib/workers';

/**
 * The demo district: Shijiazhuang's Xinhua district (新华区, 130105) with its real 15 streets and 116
 * communities, generated boundaries below them (707 grids, 3,500 micro-grids, two overlays per street)
 * and 713 grid workers, the figures the district publishes. Same output on every machine and every run.
 */
export const DEMO_DISTRICT_CODE = '130105';

export const DEMO_TILING: TilingOptions = {
  districts: xinhua.districts as Division[],
  center: [114.46, 38.05],
  areaKm2: 93,
  gridsTotal: 707,
  microGridsTotal: 3500,
  dedicatedPerStreet: 2,
  seed: 130105,
};

/** 707 full-time workers (5 on leave) + 6 part-time workers on communities = 713. */
export const DEMO_WORKERS: WorkerPlan = { seed: 130105, onLeave: 5, partTimeCommunities: 6 };

/**
 * Two buildings (楼栋) per micro-grid at seeded random spots inside it, so the demo has located records
 * for boundary edits to re-resolve. The place trigger resolves each one's grid.
 */
async function insertDemoPlaces(trx: Knex): Promise<number> {
  const { rowCount } = await trx.raw(
    `/* seedBuildings */ INSERT INTO building (code, kind, name, community_id, location)
     SELECT c.code || lpad((row_number() OVER (PARTITION BY c.id ORDER BY g.code, p.path[1]))::text, 4, '0'),
            'RESIDENTIAL', g.name || p.path[1] || '号楼', c.id, p.geom
     FROM grid g JOIN grid c ON c.id = ANY(g.ancestor_ids) AND c.level = 'COMMUNITY',
          ST_Dump(ST_GeneratePoints(g.boundary, 2, 130105)) AS p
     WHERE g.level = 'MICRO_GRID' AND g.code LIKE ?
     ORDER BY g.code, p.path[1]`,
    [`${DEMO_DISTRICT_CODE}%`],
  );
  return rowCount ?? 0;
}

/** Two processes starting on an empty database at once must not both seed (the second would fail half-way). */
const SEED_LOCK_KEY = 130105001;

export async function seedDemoDistrict(
  knex: Knex,
  onProgress?: ProgressReporter,
): Promise<{ grids: number; workers: number; places: number; ms: number } | 'already-seeded'> {
  const started = Date.now();
  return knex.transaction(async (trx) => {
    await trx.raw('/* demoSeedLock */ SELECT pg_advisory_xact_lock(?)', [SEED_LOCK_KEY]);
    const { rows } = await trx.raw('/* demoDistrictPresent */ SELECT 1 FROM grid WHERE code = ? LIMIT 1', [DEMO_DISTRICT_CODE]);
    if (rows.length > 0) return 'already-seeded' as const;
    onProgress?.('generating the demo district (新华区)');
    const grids = generateTiling(DEMO_TILING);
    const { workers, assignments } = generateWorkers(grids, DEMO_WORKERS);
    await insertGrids(trx, grids, onProgress, 'demo data');
    await insertWorkers(trx, workers, assignments, onProgress);
    const places = await insertDemoPlaces(trx);
    onProgress?.(`seeding places: ${places} buildings`);
    return { grids: grids.length, workers: workers.length, places, ms: Date.now() - started };
  });
}
