/**
 * `npm run bench:gis`: what GIS staff wait for, at city scale.
 *
 * Loads the benchmark city into DATABASE_URL if it is not there yet (as `bench:resolve` does), then runs
 * GraphQL operations in process — the real schema, resolvers, loaders and SQL through Apollo's
 * `executeOperation`, against the same kind of pool the server opens, without HTTP (which adds well under a
 * millisecond to operations that take tens to thousands) — and prints the median, minimum and maximum of
 * several runs, each with a fresh request context (so no loader cache carries over). Nothing is asserted.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/grid_registry_bench npm run bench:gis -- [--runs 5]
 *
 * Coverage: the street with the most micro-grids, by MICRO_GRID (target ≤ 1 s), and its whole district by
 * MICRO_GRID and by STREET. Staffing: that street, that district, and one page of 100 streets. Import:
 * 10,000 micro-grids through `npm run import` (target ≤ 30 s), see import.ts.
 */
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { loadConfig, type Config } from '../src/config';
import pino from 'pino';
import { openDatabase } from '../src/db/knex';
import { migrateLatest } from '../src/db/migrate';
import { ANONYMOUS } from '../src/modules/auth/viewer';
import { loadCity } from './city';
import { benchImport } from './import';
import { benchConfig, fmt, inProcessAs, median, type Operation } from './lib/in-process';

const COVERAGE = `query Coverage($code: String!, $level: GridLevel) {
  grid(code: $code) {
    coverage(childLevel: $level) {
      childLevel areaSqm coveredSqm coveredRatio childCount
      gaps { boundary areaSqm centroid { lng lat } } gapAreaSqm
      overlaps { a { code } b { code } boundary areaSqm } overlapAreaSqm
      outside { grid { code } boundary areaSqm } outsideAreaSqm
    }
  }
}`;

const STAFFING = `query Staffing($code: String!) {
  grid(code: $code) {
    staffing { gridCount staffedCount ratio unstaffed(first: 20) { totalCount nodes { code name } } }
  }
}`;

const STREETS_STAFFING = `query StreetsStaffing {
  grids(filter: { level: STREET }, first: 100) {
    nodes { code staffing { gridCount staffedCount ratio unstaffed(first: 5) { totalCount nodes { code } } } }
  }
}`;

const STREET_COVERAGE_TARGET_MS = 1000;
/** The benchmark city's codes (Zhengzhou, 4101…): other data in the database (imports, tests) is left alone. */
const CITY_CODE_PREFIX = '4101';

export interface Timing {
  name: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  statements: number;
}

/** Runs GraphQL operations in process against `knex`, as the server would for an anonymous caller. */
export function inProcessExecutor(knex: Knex, config: Config = benchConfig()): Operation {
  return inProcessAs(knex, ANONYMOUS, config);
}

/** One unmeasured warm-up run, then `runs` measured ones. Prints a line and returns the figures. */
export async function measure(
  name: string,
  runs: number,
  operation: () => Promise<{ statements: number }>,
): Promise<Timing> {
  await operation();
  const ms: number[] = [];
  let statements = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    ({ statements } = await operation());
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const timing = { name, medianMs: median(ms), minMs: Math.min(...ms), maxMs: Math.max(...ms), statements };
  console.log(
    `${name.padEnd(50)} median ${fmt(timing.medianMs)} ms   min ${fmt(timing.minMs)}   max ${fmt(timing.maxMs)}   ${statements} statements`,
  );
  return timing;
}

/**
 * Coverage and staffing of the street with the most micro-grids and of its district. Expects the
 * benchmark city in `knex` (see `loadCity`).
 */
export async function benchCoverage(knex: Knex, options: { runs?: number } = {}): Promise<void> {
  const runs = options.runs ?? 5;
  const run = inProcessExecutor(knex);
  const { rows } = await knex.raw(
    `/* benchBusiestStreet */ SELECT s.code, s.name, d.code AS district_code, d.name AS district_name, count(*)::int AS micro_grids
     FROM grid s JOIN grid m ON m.ancestor_ids @> ARRAY[s.id] AND m.level = 'MICRO_GRID' AND m.valid_to IS NULL
     JOIN grid d ON d.id = s.parent_id
     WHERE s.level = 'STREET' AND s.valid_to IS NULL AND s.code LIKE ?
     GROUP BY s.code, s.name, d.code, d.name ORDER BY micro_grids DESC, s.code LIMIT 1`,
    [`${CITY_CODE_PREFIX}%`],
  );
  if (!rows.length) throw new Error('no street with micro-grids: load the benchmark city first (bench/city.ts)');
  const street = rows[0];
  const districtSize = (
    await knex.raw(
      `/* benchDistrictSize */ SELECT count(*) FILTER (WHERE g.level = 'MICRO_GRID')::int AS micro_grids,
         count(*) FILTER (WHERE g.level = 'STREET')::int AS streets, count(*) FILTER (WHERE g.level = 'GRID')::int AS grids
       FROM grid d JOIN grid g ON g.ancestor_ids @> ARRAY[d.id] AND g.valid_to IS NULL WHERE d.code = ? AND d.valid_to IS NULL`,
      [street.district_code],
    )
  ).rows[0];
  console.log(`street:   ${street.name} (${street.code}), ${street.micro_grids} micro-grids`);
  console.log(
    `district: ${street.district_name} (${street.district_code}), ${districtSize.streets} streets, ${districtSize.grids} grids, ${districtSize.micro_grids} micro-grids`,
  );
  console.log(`${runs} runs each after one warm-up, in process through GraphQL (no HTTP)\n`);

  const coverage = (code: string, level: string) => async () => {
    const r = await run(COVERAGE, { code, level });
    return { ...r, summary: summariseCoverage(r.data.grid.coverage) };
  };
  const staffing = (code: string) => async () => {
    const r = await run(STAFFING, { code });
    const s = r.data.grid.staffing;
    return { ...r, summary: `${s.staffedCount}/${s.gridCount} staffed, ${s.unstaffed.totalCount} unstaffed` };
  };

  const results: [Timing, string][] = [];
  for (const [name, op] of [
    [`street coverage(childLevel: MICRO_GRID)`, coverage(street.code, 'MICRO_GRID')],
    [`street staffing`, staffing(street.code)],
    [`district coverage(childLevel: MICRO_GRID)`, coverage(street.district_code, 'MICRO_GRID')],
    [`district coverage(childLevel: STREET)`, coverage(street.district_code, 'STREET')],
    [`district staffing`, staffing(street.district_code)],
  ] as const) {
    let summary = '';
    const timing = await measure(name, runs, async () => {
      const r = await op();
      summary = r.summary;
      return r;
    });
    results.push([timing, summary]);
  }
  await measure('staffing of 100 streets (one page)', runs, () => run(STREETS_STAFFING));

  console.log('\nresults');
  for (const [t, summary] of results) console.log(`  ${t.name.padEnd(48)} ${summary}`);
  const street1 = results[0][0];
  console.log(
    `\nstreet coverage ≤ ${STREET_COVERAGE_TARGET_MS / 1000} s: median ${fmt(street1.medianMs)} ms, max ${fmt(street1.maxMs)} ms ` +
      (street1.maxMs <= STREET_COVERAGE_TARGET_MS ? 'MET' : street1.medianMs <= STREET_COVERAGE_TARGET_MS ? 'MET by the median' : 'NOT MET'),
  );
}

function summariseCoverage(c: any): string {
  return (
    `${c.childCount} ${c.childLevel}, covered ${(c.coveredRatio * 100).toFixed(4)} %, ` +
    `${c.gaps.length} gaps (${fmt(c.gapAreaSqm)} m²), ${c.overlaps.length} overlaps (${fmt(c.overlapAreaSqm)} m²), ` +
    `${c.outside.length} outside (${fmt(c.outsideAreaSqm)} m²)`
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('DATABASE_URL must point at a PostgreSQL + PostGIS database for the benchmark city (see README)');
  // The server's own pool (same session settings as production), quiet.
  const db = await openDatabase(config, pino({ level: 'silent' }));
  try {
    await db.knex.raw('CREATE EXTENSION IF NOT EXISTS postgis');
    await migrateLatest(db.knex);
    const t0 = Date.now();
    const loaded = await loadCity(db.knex, (line) => console.log(line));
    if (loaded !== 'already-loaded') {
      console.log(`city loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await db.knex.raw('ANALYZE grid; ANALYZE grid_assignment; ANALYZE grid_worker');
    }
    const postgis = (await db.knex.raw('SELECT postgis_lib_version() AS v, postgis_geos_version() AS geos')).rows[0];
    console.log(`PostGIS ${postgis.v}, GEOS ${postgis.geos}; node ${process.version}\n`);
    await benchCoverage(db.knex, { runs: Number(values.runs) });
    await benchImport(db.knex, config.databaseUrl);
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
