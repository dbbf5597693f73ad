/**
 * `npm run bench:tiles`: map layers at city scale, over HTTP.
 *
 * On the benchmark city (bench:resolve loads its grids; bench:places its buildings, key places and facilities),
 * starts the API as its own process and asks, one request at a time as a map client's tile queue would:
 * - vector tiles of every layer visible at zoom 12–16, at tile addresses sampled city-wide (random points in the
 *   districts, the tiles holding them): a first pass (cold: nothing of those tiles drawn since the server
 *   started), a second (warm: drawn again from a warm database), and a revalidation with the ETag (304);
 * - OGC API Features pages of 1,000 micro-grids through the next links, and pages limited by a box.
 * Prints p50, p99 and bytes (raw and as sent, compressed) against the targets: p99 ≤ 100 ms per tile at zoom ≥
 * 14, ≤ 300 ms at zoom 12 (and 13); an items page of 1,000 ≤ 200 ms.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/grid_registry_bench npm run bench:tiles -- [--samples 50] [--zooms 12,13,14,15,16] [--pages 30] [--skip-tiles]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import knexFactory, { type Knex } from 'knex';
import { migrateLatest } from '../src/db/migrate';
import { signToken } from '../src/modules/auth/jwt';
import { MAP_LAYERS } from '../src/modules/map/layers';
import { loadCity } from './city';
import { benchConfig, BENCH_JWT_SECRET, BENCH_PII_KEY, fmt } from './lib/in-process';
import { startServer } from './lib/server';


interface Sample {
  ms: number;
  status: number;
  /** Bytes of the body as the client reads it, and as sent (compressed). */
  raw: number;
  sent: number;
}

function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function timedGet(url: string, headers: Record<string, string>): Promise<Sample & { body: ArrayBuffer; etag: string | null }> {
  const t0 = process.hrtime.bigint();
  const res = await fetch(url, { headers: { 'accept-encoding': 'gzip, br', ...headers } });
  const body = await res.arrayBuffer();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status >= 400) throw new Error(`${url}: ${res.status} ${Buffer.from(body).toString().slice(0, 200)}`);
  return { ms, status: res.status, raw: body.byteLength, sent: Number(res.headers.get('content-length') ?? body.byteLength), body, etag: res.headers.get('etag') };
}

function summary(samples: readonly Sample[]): string {
  const ms = samples.map((s) => s.ms);
  const drawn = samples.filter((s) => s.status === 200);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return (
    `p50 ${fmt(percentile(ms, 50)).padStart(5)} ms  p99 ${fmt(percentile(ms, 99)).padStart(5)} ms  ` +
    `${String(drawn.length).padStart(3)}/${samples.length} with features, mean ${fmt(mean(drawn.map((s) => s.raw)) / 1024).padStart(5)} KiB raw, ` +
    `${fmt(mean(drawn.map((s) => s.sent)) / 1024).padStart(5)} KiB sent, max ${fmt(Math.max(0, ...drawn.map((s) => s.raw)) / 1024)} KiB`
  );
}

/** Tile addresses at zoom z holding `count` random points of the city's districts (deterministic). */
async function sampleTiles(knex: Knex, z: number, count: number): Promise<{ x: number; y: number }[]> {
  const { rows } = await knex.raw(
    `/* benchTilePoints */ SELECT ST_X(p.geom) AS lng, ST_Y(p.geom) AS lat
     FROM (SELECT (ST_Dump(ST_GeneratePoints(ST_Union(boundary), ?::int, ?::int))).geom FROM grid WHERE level = 'DISTRICT' AND code LIKE '4101%' AND valid_to IS NULL) p`,
    [count * 3, 20261130 + z],
  );
  const n = 2 ** z;
  const seen = new Map<string, { x: number; y: number }>();
  for (const { lng, lat } of rows as { lng: number; lat: number }[]) {
    const r = (lat * Math.PI) / 180;
    const t = { x: Math.floor(((lng + 180) / 360) * n), y: Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n) };
    seen.set(`${t.x}/${t.y}`, t);
    if (seen.size === count) break;
  }
  return [...seen.values()];
}

async function benchTiles(base: string, knex: Knex, zooms: readonly number[], samples: number, headers: Record<string, string>): Promise<void> {
  console.log(`\nvector tiles: ${samples} tile addresses a zoom, sampled city-wide; one request at a time`);
  const worst = new Map<number, number>();
  for (const z of zooms) {
    const tiles = await sampleTiles(knex, z, samples);
    for (const layer of MAP_LAYERS.filter((l) => l.minZoom <= z)) {
      const urls = tiles.map((t) => `${base}/tiles/${layer.id}/${z}/${t.x}/${t.y}.mvt`);
      const cold: Sample[] = [];
      const etags: (string | null)[] = [];
      for (const url of urls) {
        const s = await timedGet(url, headers);
        cold.push(s);
        etags.push(s.etag);
      }
      const warm: Sample[] = [];
      for (const url of urls) warm.push(await timedGet(url, headers));
      const revalidated: Sample[] = [];
      for (const [i, url] of urls.entries()) revalidated.push(await timedGet(url, { ...headers, 'if-none-match': etags[i] ?? '' }));
      const notModified = revalidated.filter((s) => s.status === 304).length;
      console.log(`z${z} ${layer.id.padEnd(16)} cold ${summary(cold)}`);
      console.log(`    ${''.padEnd(16)} warm ${summary(warm)}`);
      console.log(`    ${''.padEnd(16)} 304  p50 ${fmt(percentile(revalidated.map((s) => s.ms), 50))} ms  p99 ${fmt(percentile(revalidated.map((s) => s.ms), 99))} ms  (${notModified}/${urls.length} not modified)`);
      worst.set(z, Math.max(worst.get(z) ?? 0, percentile(cold.map((s) => s.ms), 99), percentile(warm.map((s) => s.ms), 99)));
    }
  }
  console.log('\nworst p99 of any layer (cold or warm) by zoom, against the targets');
  for (const z of zooms) {
    const target = z >= 14 ? 100 : 300;
    const p99 = worst.get(z)!;
    console.log(`  z${z}: ${fmt(p99).padStart(5)} ms (target ≤ ${target} ms) ${p99 <= target ? 'MET' : 'NOT MET'}`);
  }
}

async function benchItems(base: string, pages: number): Promise<void> {
  console.log(`\nOGC API Features: pages of 1,000 micro-grids through the next links (${pages} pages), then by box`);
  const walk = async (first: string): Promise<Sample[]> => {
    const out: Sample[] = [];
    let next: string | undefined = first;
    while (next && out.length < pages) {
      const s = await timedGet(next, {});
      out.push(s);
      const page = JSON.parse(Buffer.from(s.body).toString()) as { numberReturned: number; links: { rel: string; href: string }[] };
      if (page.numberReturned !== 1000 && page.links.some((l) => l.rel === 'next')) throw new Error(`a page of ${page.numberReturned} with a next link`);
      next = page.links.find((l) => l.rel === 'next')?.href;
    }
    return out;
  };
  const first = await walk(`${base}/ogc/collections/micro-grids/items?limit=1000`);
  console.log(`  cold  ${summary(first)}`);
  const again = await walk(`${base}/ogc/collections/micro-grids/items?limit=1000`);
  console.log(`  warm  ${summary(again)}`);
  const boxed = await walk(`${base}/ogc/collections/micro-grids/items?limit=1000&bbox=113.60,34.70,113.70,34.80`);
  console.log(`  bbox  ${summary(boxed)}`);
  const p99 = Math.max(percentile(first.map((s) => s.ms), 99), percentile(again.map((s) => s.ms), 99));
  console.log(`  items page of 1,000 p99 ${fmt(p99)} ms (target ≤ 200 ms) ${p99 <= 200 ? 'MET' : 'NOT MET'}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { samples: { type: 'string', default: '50' }, zooms: { type: 'string', default: '12,13,14,15,16' }, pages: { type: 'string', default: '30' }, 'skip-tiles': { type: 'boolean' } } });
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL must point at a PostgreSQL + PostGIS database for the benchmark city (see README)');
  const knex = knexFactory({ client: 'pg', connection: url });
  try {
    await knex.raw('CREATE EXTENSION IF NOT EXISTS postgis');
    await migrateLatest(knex);
    await loadCity(knex, (line) => console.log(line));
    // The steady state autovacuum keeps (a server with it off, or a city just loaded, has no visibility map yet):
    // an OGC walk's numberMatched is then counted from the index alone rather than by reading the grid table.
    await knex.raw('VACUUM (ANALYZE) grid');
    await knex.raw('ANALYZE grid_version');
    const { rows } = await knex.raw(
      `SELECT (SELECT count(*) FROM grid WHERE valid_to IS NULL)::int AS grids, (SELECT count(*) FROM building)::int AS buildings,
         (SELECT count(*) FROM facility)::int AS facilities, postgis_lib_version() AS postgis`,
    );
    const d = rows[0];
    console.log(`dataset: ${d.grids} grids, ${d.buildings} buildings, ${d.facilities} facilities${d.buildings ? '' : ' (bench:places loads them)'}; ` +
      `PostgreSQL/PostGIS ${d.postgis}; ${os.cpus().length} cores; node ${process.version}`);

    const server = await startServer({ DATABASE_URL: url, NODE_ENV: 'production', JWT_SECRET: BENCH_JWT_SECRET, PII_KEY: BENCH_PII_KEY, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0' });
    try {
      const base = server.url.replace(/\/graphql$/, '');
      // ADMIN: every layer, facilities included, with no jurisdiction filter.
      const token = await signToken(benchConfig().jwt, { subject: 'bench-admin', role: 'ADMIN' });
      if (!values['skip-tiles']) await benchTiles(base, knex, values.zooms.split(',').map(Number), Number(values.samples), { authorization: `Bearer ${token}` });
      await benchItems(base, Number(values.pages));
    } finally {
      await server.stop();
    }
  } finally {
    await knex.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
