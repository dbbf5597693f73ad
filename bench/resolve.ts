/**
 * `npm run bench:resolve`: the mobile resolve path at city scale, over HTTP.
 *
 * Loads Zhengzhou-sized data (15 districts, 208 streets, 3,306 communities, 19,557 grids, 107,158
 * micro-grids, 6,331 dedicated grids) into DATABASE_URL if it is not there yet, starts the API as its own
 * process, and drives it with autocannon at one concurrency, in alternating rounds: `resolveLocation` at random
 * points, the same server's `{ __typename }` (HTTP + GraphQL overhead and nothing else), and the plain
 * `GET /resolve` at the same random points (the same service call without GraphQL's parsing, validation and
 * execution). Prints req/s, p50 and p99 of each round, the medians, and their ratios. Targets: resolve
 * throughput ≥ 0.8 of the trivial query's, p99 ≤ 1.5 × its p99; GET /resolve ≥ 2 × resolveLocation's throughput.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/grid_registry_bench npm run bench:resolve -- [--duration 10] [--connections 16] [--rounds 3]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import knexFactory from 'knex';
import { migrateLatest } from '../src/db/migrate';
import { loadCity } from './city';
import { startServer } from './lib/server';
import { BENCH_JWT_SECRET, BENCH_PII_KEY, median } from './lib/in-process';
import { rotatingRequest, round, type Round } from './lib/http-rounds';
import { SeededRandom } from '../seeds/lib/random';

const RESOLVE = `query Resolve($lng: Float!, $lat: Float!) {
  resolveLocation(lng: $lng, lat: $lat, crs: WGS84) {
    grid { id code name level }
    chain { name }
    responsibleGrid { code name }
    responsibleWorkers { id name phone }
    approximate
    distanceMeters
  }
}`;
const TRIVIAL = '{ __typename }';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '3' },
      points: { type: 'string', default: '20000' },
    },
  });
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const rounds = Number(values.rounds);
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL must point at a PostgreSQL + PostGIS database for the benchmark city (see README)');

  const knex = knexFactory({ client: 'pg', connection: url });
  let extent: { minx: number; miny: number; maxx: number; maxy: number };
  let counts: Record<string, number>;
  let postgis: string;
  try {
    await knex.raw('CREATE EXTENSION IF NOT EXISTS postgis');
    await migrateLatest(knex);
    const t0 = Date.now();
    const loaded = await loadCity(knex, (line) => console.log(line));
    if (loaded !== 'already-loaded') console.log(`city loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await knex.raw('ANALYZE grid; ANALYZE grid_assignment; ANALYZE grid_worker');
    const { rows } = await knex.raw(
      `SELECT ST_XMin(e) AS minx, ST_YMin(e) AS miny, ST_XMax(e) AS maxx, ST_YMax(e) AS maxy
       FROM (SELECT ST_Extent(boundary) AS e FROM grid WHERE level = 'DISTRICT' AND code LIKE '4101%') s`,
    );
    extent = rows[0];
    const byLevel = await knex.raw(`SELECT level, count(*)::int AS n FROM grid WHERE code LIKE '4101%' GROUP BY level`);
    counts = Object.fromEntries(byLevel.rows.map((r: { level: string; n: number }) => [r.level, r.n]));
    postgis = (await knex.raw('SELECT postgis_lib_version() AS v')).rows[0].v;
  } finally {
    await knex.destroy();
  }

  // Uniform random points over the city's bounding box: most fall inside a micro-grid, some near the
  // outline (approximate) or outside it (null), as real GPS fixes do.
  const random = new SeededRandom(20261124);
  const points = Array.from({ length: Number(values.points) }, () => ({
    lng: extent.minx + random.next() * (extent.maxx - extent.minx),
    lat: extent.miny + random.next() * (extent.maxy - extent.miny),
  }));
  const bodies = points.map((p) => JSON.stringify({ query: RESOLVE, variables: p }));
  const paths = points.map((p) => `/resolve?lng=${p.lng}&lat=${p.lat}&crs=WGS84`);
  const trivialBody = JSON.stringify({ query: TRIVIAL });

  const server = await startServer({
    DATABASE_URL: url,
    NODE_ENV: 'production',
    JWT_SECRET: BENCH_JWT_SECRET,
    PII_KEY: BENCH_PII_KEY,
    LOG_LEVEL: 'warn',
    // One load generator on one address stands for thousands of phones: no per-client rate limit.
    RATE_LIMIT_PER_MINUTE: '0',
  });
  try {
    const hits = await sampleOutcomes(server.url, bodies.slice(0, 500));
    await samePlainAnswers(server.url, points.slice(0, 50), bodies.slice(0, 50), paths.slice(0, 50));
    console.log(`\ndataset: ${JSON.stringify(counts)}; PostgreSQL/PostGIS ${postgis}; ${os.cpus().length} cores; node ${process.version}`);
    console.log(`sample of 500 random points: ${hits.inside} inside a grid, ${hits.approximate} approximate, ${hits.none} outside every grid`);
    console.log(`${connections} connections, ${duration} s per round, ${rounds} rounds each, alternating\n`);

    const resolveRequest = rotatingRequest(bodies);
    const trivialRequest = { method: 'POST' as const, path: '/graphql', body: trivialBody };
    const plainRequest = rotatingGet(paths);
    const run = (name: string, request: object, seconds: number) => round(name, server, request, { connections, duration: seconds });

    await run('warm-up trivial', trivialRequest, 3);
    await run('warm-up resolve', resolveRequest, 3);
    await run('warm-up GET /resolve', plainRequest, 3);
    const results: Round[] = [];
    for (let i = 0; i < rounds; i++) {
      for (const [name, request] of [
        ['__typename', trivialRequest],
        ['resolveLocation', resolveRequest],
        ['GET /resolve', plainRequest],
      ] as const) {
        const r = await run(name, request, duration);
        results.push(r);
        console.log(
          `round ${i + 1} ${name.padEnd(16)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms` +
            `  cpu/request: api ${r.apiCpuMs.toFixed(3)} ms, postgres ${r.pgCpuMs.toFixed(3)} ms` +
            (r.errors || r.non2xx ? `  errors ${r.errors} non-2xx ${r.non2xx}` : ''),
        );
      }
    }
    const med = (name: string, key: 'rps' | 'p50' | 'p99' | 'apiCpuMs') => median(results.filter((r) => r.name === name).map((r) => r[key]));
    const t = { rps: med('__typename', 'rps'), p50: med('__typename', 'p50'), p99: med('__typename', 'p99') };
    const r = { rps: med('resolveLocation', 'rps'), p50: med('resolveLocation', 'p50'), p99: med('resolveLocation', 'p99') };
    const g = { rps: med('GET /resolve', 'rps'), p50: med('GET /resolve', 'p50'), p99: med('GET /resolve', 'p99') };
    console.log('\nmedians of rounds');
    console.log(`  { __typename }   ${t.rps.toFixed(0).padStart(7)} req/s  p50 ${t.p50.toFixed(2)} ms  p99 ${t.p99.toFixed(2)} ms`);
    console.log(`  resolveLocation  ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms`);
    console.log(`  GET /resolve     ${g.rps.toFixed(0).padStart(7)} req/s  p50 ${g.p50.toFixed(2)} ms  p99 ${g.p99.toFixed(2)} ms`);
    const throughputRatio = r.rps / t.rps;
    const p99Ratio = r.p99 / t.p99;
    console.log(`  throughput ratio resolve/trivial: ${throughputRatio.toFixed(2)} (target ≥ 0.80) ${throughputRatio >= 0.8 ? 'MET' : 'NOT MET'}`);
    console.log(`  p99 ratio resolve/trivial:        ${p99Ratio.toFixed(2)} (target ≤ 1.50) ${p99Ratio <= 1.5 ? 'MET' : 'NOT MET'}`);
    const plainRatio = g.rps / r.rps;
    console.log(`  throughput ratio GET /resolve / resolveLocation: ${plainRatio.toFixed(2)} (target ≥ 2.00) ${plainRatio >= 2 ? 'MET' : 'NOT MET'}`);
    // Where the API, PostgreSQL and the load generator share the cores, PostgreSQL's CPU (the same for both paths)
    // caps the throughput ratio; the API's CPU per request is what the plain path saves.
    const cpuRatio = med('resolveLocation', 'apiCpuMs') / med('GET /resolve', 'apiCpuMs');
    console.log(`  API CPU per request resolveLocation / GET /resolve: ${cpuRatio.toFixed(2)} (the throughput ratio where PostgreSQL has cores of its own)`);
  } finally {
    await server.stop();
  }
}

/** GET requests with a path per request, taken in turn from `paths`. */
function rotatingGet(paths: readonly string[]): object {
  let next = 0;
  return { method: 'GET', path: paths[0], setupRequest: (req: object) => ({ ...req, path: paths[next++ % paths.length] }) };
}

interface ResolveAnswer {
  data: { resolveLocation: { grid: { code: string } | null; approximate: boolean } };
  errors?: unknown;
}

/** Both paths answer the same grids for the same points before anything is timed. */
async function samePlainAnswers(url: string, points: { lng: number; lat: number }[], bodies: string[], paths: string[]): Promise<void> {
  const base = url.replace(/\/graphql$/, '');
  for (const [i, body] of bodies.entries()) {
    const graphql = (await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json()) as ResolveAnswer;
    const plain = (await (await fetch(`${base}${paths[i]}`)).json()) as { grid: { code: string } | null };
    if ((graphql.data.resolveLocation.grid?.code ?? null) !== (plain.grid?.code ?? null)) {
      throw new Error(`GET /resolve and resolveLocation disagree at ${JSON.stringify(points[i])}`);
    }
  }
}

async function sampleOutcomes(url: string, bodies: string[]) {
  const outcome = { inside: 0, approximate: 0, none: 0 };
  for (const body of bodies) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const json = (await res.json()) as ResolveAnswer;
    if (json.errors) throw new Error(`resolve failed: ${JSON.stringify(json.errors)}`);
    const r = json.data.resolveLocation;
    if (!r.grid) outcome.none++;
    else if (r.approximate) outcome.approximate++;
    else outcome.inside++;
  }
  return outcome;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
