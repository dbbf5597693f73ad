/**
 * `npm run bench:places`: places, things and organisations at city scale (issue 9).
 *
 * Loads the benchmark city into DATABASE_URL if it is not there yet (as `bench:resolve` does), then, once,
 * its located records: about 300,000 buildings, 5 million houses, 100,000 cameras, 200,000 organisations,
 * printing how long that took. Then prints (nothing is asserted):
 *   (a) a boundary edit of one community through GraphQL, re-resolving its located records, and the edit
 *       putting it back, with `moved` / `movedByKind` (bench/lib/community-edit.ts);           target ≤ 1 s
 *   (b) over HTTP at 16 connections against one server: the 10 nearest cameras within 500 m of random points
 *       in the city, and `resolveLocation` at the same points, in alternating rounds; p50/p99 of each and
 *       the ratio of the p99s;                                                                   target ≤ 1.5
 *   (c) `cameraCoverage` of the busiest street and of its district;                     street target ≤ 1 s
 *   (d) the city's `inventory` (every district's, in one request).
 * (a), (c) and (d) run in process as an ADMIN of the whole deployment (no HTTP; see bench/gis.ts), median of
 * `--runs` after a warm-up; (b) uses an ADMIN token (facilities are staff-only). The server's limits apply
 * (DB_STATEMENT_TIMEOUT_MS, REQUEST_TIMEOUT_MS, ...): an operation they cut short is reported with the time it
 * ran; raise them in the environment to time it to the end.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/grid_registry_bench npm run bench:places -- \
 *     [--runs 5] [--duration 10] [--connections 16] [--rounds 3] [--skip-http]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { signToken } from '../src/modules/auth/jwt';
import { openCityDatabase } from './lib/city-db';
import { CITY_CODE_PREFIX, cityPoints, loadCityPlaces } from './lib/city-places';
import { benchCommunityEdit } from './lib/community-edit';
import { alternatingRounds } from './lib/http-rounds';
import { BENCH_ADMIN, BENCH_JWT_SECRET, BENCH_PII_KEY, benchConfig, inProcessAs, measureOperation, optional, type Operation } from './lib/in-process';
import { startServer } from './lib/server';

const NEAR = `query Near($lng: Float!, $lat: Float!) {
  facilities(filter: { kind: [CAMERA], near: { lng: $lng, lat: $lat, meters: 500 } }, first: 10) { nodes { id distanceMeters } }
}`;
const RESOLVE = `query Resolve($lng: Float!, $lat: Float!) {
  resolveLocation(lng: $lng, lat: $lat, crs: WGS84) {
    grid { id code name level } chain { name } responsibleGrid { code name } responsibleWorkers { id name phone } approximate distanceMeters
  }
}`;
const CAMERA_COVERAGE = `query CameraCoverage($code: String!) {
  grid(code: $code) {
    cameraCoverage {
      keyPlaceCount coveredKeyPlaceCount keyPlaceCoverage onlineCameraCount areaCoverage
      uncoveredKeyPlaces(first: 10) { totalCount nodes { name } }
    }
  }
}`;
const INVENTORY_FIELDS = `buildingsByKind { kind count } housesByUse { kind count } keyPlacesByKind { kind count }
  facilitiesByKind { kind status count } organizationsByKind { kind count }`;

const TARGET = { streetCoverageMs: 1000, nearP99Ratio: 1.5 };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '3' },
      points: { type: 'string', default: '20000' },
      'skip-http': { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  const { config, db } = await openCityDatabase();
  try {
    const places = await loadCityPlaces(db.knex, (line) => console.log(line));
    if (places !== 'already-loaded') {
      console.log(
        `generated ${places.buildings} buildings, ${places.houses} houses, ${places.keyPlaces} key places, ${places.facilities} facilities ` +
          `(${places.cameras} cameras), ${places.organizations} organisations in ${(places.ms / 1000).toFixed(1)} s`,
      );
    }
    const postgis = (await db.knex.raw('SELECT postgis_lib_version() AS v, postgis_geos_version() AS geos')).rows[0];
    console.log(`\n${await datasetLine(db.knex)}\nPostGIS ${postgis.v}, GEOS ${postgis.geos}; ${os.cpus().length} cores; node ${process.version}\n`);

    const run = inProcessAs(db.knex, BENCH_ADMIN);
    console.log(`(a) community boundary edit through GraphQL (in process), ${runs} runs after a warm-up`);
    await benchCommunityEdit(db.knex, run, CITY_CODE_PREFIX, runs);

    console.log(`\n(c) camera coverage, (d) inventory — in process, ${runs} runs after a warm-up`);
    await optional('(c) cameraCoverage', () => benchCameraCoverage(db.knex, run, runs));
    await optional('(d) inventory', () => benchInventory(db.knex, run, runs));

    if (!values['skip-http']) {
      const points = await cityPoints(db.knex, Number(values.points));
      console.log(`\n(b) near vs resolveLocation over HTTP`);
      await optional('(b) near', () =>
        benchNear(config.databaseUrl!, points, { connections: Number(values.connections), duration: Number(values.duration), rounds: Number(values.rounds) }),
      );
    }
  } finally {
    await db.close();
  }
}

async function datasetLine(knex: import('knex').Knex): Promise<string> {
  const { rows } = await knex.raw(
    `/* benchPlacesDataset */ SELECT
       (SELECT count(*) FROM grid WHERE code LIKE :p AND valid_to IS NULL)::int AS grids,
       (SELECT count(*) FROM building WHERE code LIKE :p)::int AS buildings,
       (SELECT reltuples::bigint FROM pg_class WHERE relname = 'house') AS houses,
       (SELECT count(*) FROM key_place)::int AS key_places,
       (SELECT count(*) FROM facility WHERE kind = 'CAMERA')::int AS cameras,
       (SELECT count(*) FROM facility)::int AS facilities,
       (SELECT count(*) FROM organization)::int AS organizations`,
    { p: `${CITY_CODE_PREFIX}%` },
  );
  const r = rows[0];
  return (
    `dataset: ${r.grids} grids, ${r.buildings} buildings, ~${r.houses} houses, ${r.key_places} key places, ` +
    `${r.facilities} facilities (${r.cameras} cameras), ${r.organizations} organisations`
  );
}

async function benchCameraCoverage(knex: import('knex').Knex, run: Operation, runs: number): Promise<void> {
  const { rows } = await knex.raw(
    `/* benchBusiestStreet */ SELECT s.code, s.name, d.code AS district_code, d.name AS district_name
     FROM (SELECT left(code, 9) AS code, count(*) AS micro_grids FROM grid
           WHERE level = 'MICRO_GRID' AND valid_to IS NULL AND code LIKE ? GROUP BY 1) m
     JOIN grid s ON s.code = m.code AND s.valid_to IS NULL JOIN grid d ON d.id = s.parent_id
     ORDER BY m.micro_grids DESC, s.code LIMIT 1`,
    [`${CITY_CODE_PREFIX}%`],
  );
  const { code, name, district_code: districtCode, district_name: districtName } = rows[0];
  const coverage = (gridCode: string) => async () => {
    const c = (await run(CAMERA_COVERAGE, { code: gridCode })).data.grid.cameraCoverage;
    return (
      `key places ${c.coveredKeyPlaceCount}/${c.keyPlaceCount} covered (${(100 * c.keyPlaceCoverage).toFixed(1)} %), ` +
      `${c.uncoveredKeyPlaces.totalCount} uncovered, ${c.onlineCameraCount} online cameras, area ${(100 * c.areaCoverage).toFixed(2)} %`
    );
  };
  await optional('street cameraCoverage', async () => {
    const street = await measureOperation(`street ${name} (${code})`, runs, coverage(code));
    console.log(`  target: street camera coverage ≤ ${TARGET.streetCoverageMs / 1000} s: ${street <= TARGET.streetCoverageMs ? 'MET' : 'NOT MET'}`);
  });
  await optional('district cameraCoverage', () => measureOperation(`district ${districtName} (${districtCode})`, runs, coverage(districtCode)).then(() => undefined));
}

async function benchInventory(knex: import('knex').Knex, run: Operation, runs: number): Promise<void> {
  const { rows } = await knex.raw(`/* benchCityDistricts */ SELECT code FROM grid WHERE level = 'DISTRICT' AND valid_to IS NULL AND code LIKE ? ORDER BY code`, [
    `${CITY_CODE_PREFIX}%`,
  ]);
  const query = `query CityInventory { ${rows.map((r: { code: string }, i: number) => `d${i}: grid(code: "${r.code}") { inventory { ${INVENTORY_FIELDS} } }`).join('\n')} }`;
  await measureOperation(`city inventory (${rows.length} districts)`, runs, async () => {
    const { data } = await run(query);
    const total = (field: string) =>
      Object.values(data as Record<string, { inventory: Record<string, { count: number }[]> }>).reduce(
        (sum, d) => sum + d.inventory[field].reduce((s, k) => s + k.count, 0),
        0,
      );
    return `buildings ${total('buildingsByKind')}, houses ${total('housesByUse')}, key places ${total('keyPlacesByKind')}, facilities ${total('facilitiesByKind')}, organisations ${total('organizationsByKind')}`;
  });
}

async function benchNear(
  databaseUrl: string,
  points: readonly { lng: number; lat: number }[],
  o: { connections: number; duration: number; rounds: number },
): Promise<void> {
  const config = benchConfig();
  const token = await signToken(config.jwt, { subject: BENCH_ADMIN.subject, role: 'ADMIN' });
  const headers = { authorization: `Bearer ${token}` };
  const nearBodies = points.map((p) => JSON.stringify({ query: NEAR, variables: p }));
  const resolveBodies = points.map((p) => JSON.stringify({ query: RESOLVE, variables: p }));
  const server = await startServer({
    DATABASE_URL: databaseUrl,
    NODE_ENV: 'production',
    JWT_SECRET: BENCH_JWT_SECRET,
    PII_KEY: BENCH_PII_KEY,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '0',
  });
  try {
    let found = 0;
    for (const body of nearBodies.slice(0, 200)) {
      const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const json = (await res.json()) as { data?: { facilities: { nodes: unknown[] } }; errors?: unknown[] };
      if (json.errors || !json.data) throw new Error(`near query failed: ${JSON.stringify(json.errors).slice(0, 300)}`);
      found += json.data.facilities.nodes.length;
    }
    console.log(`  sample of 200 points: ${(found / 200).toFixed(1)} cameras within 500 m on average (at most 10 asked)`);
    const [near, resolve] = await alternatingRounds(
      server,
      [
        { name: 'near (10 cameras)', bodies: nearBodies },
        { name: 'resolveLocation', bodies: resolveBodies },
      ],
      { ...o, headers },
    );
    const ratio = near.p99 / resolve.p99;
    console.log(`  target: near p99 ≤ ${TARGET.nearP99Ratio} × resolveLocation p99: ${ratio.toFixed(2)} ${ratio <= TARGET.nearP99Ratio ? 'MET' : 'NOT MET'}`);
  } finally {
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
