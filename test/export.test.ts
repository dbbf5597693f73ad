import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { signToken } from '../src/modules/auth/jwt';
import { exportFingerprint } from '../src/modules/grid/repo-export';
import { startApp, type App } from '../src/server';
import { closeTestDb, testDb, withRollback } from './support/db';
import { testDatabaseUrl } from './support/env';
import { silentLog, testConfig } from './support/graphql';

/**
 * Export and import round trips on the seeded demo district, over real HTTP and through the CLI. Nothing
 * here changes the shared data: the imports are UPSERTs of what was just exported (all unchanged) or dry runs.
 */
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const SECRET = 'e'.repeat(32);
let app: App;
let base: string;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grid-export-'));

beforeAll(async () => {
  app = await startApp(testConfig({ DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', JWT_SECRET: SECRET }), silentLog);
  base = app.url.replace('/graphql', '');
});

afterAll(async () => {
  await app.stop();
  await closeTestDb();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const STREET = '130105001'; // 革新街街道, 6 communities

interface Feature {
  type: 'Feature';
  properties: { id: string; code: string; name: string; level: string; parentCode: string | null; version: number };
  geometry: { type: string; coordinates: number[][][][] };
}
interface Collection {
  type: string;
  coordinateSystem?: string;
  features: Feature[];
}
/** A 200 answers the FeatureCollection, anything else `{ error }`: both read as one shape for the assertions. */
type Body = Collection & { error?: string };

async function exportCommunities(query = `level=COMMUNITY&ancestor=${STREET}`): Promise<{ res: Response; body: Body }> {
  const res = await fetch(`${base}/export/grids.geojson?${query}`);
  return { res, body: (await res.json()) as Body };
}

const versions = async () =>
  (await testDb().raw(`SELECT code, version FROM grid WHERE code LIKE ? ORDER BY code`, [`${STREET}%`])).rows;

describe('GET /export/grids.geojson', () => {
  it('streams a FeatureCollection with the properties the import reads', async () => {
    const { res, body } = await exportCommunities();
    expect(res.headers.get('content-type')).toMatch(/application\/geo\+json/);
    expect(res.headers.get('content-disposition')).toMatch(/grids-community-\d{4}-\d{2}-\d{2}\.geojson/);
    expect(body.type).toBe('FeatureCollection');
    expect(body.features).toHaveLength(6);
    expect(body.features[0].properties).toEqual({
      id: expect.any(String),
      code: '130105001002',
      name: '市委西院居委会',
      level: 'COMMUNITY',
      parentCode: STREET,
      version: 1,
    });
    expect(body.features[0].geometry.type).toBe('MultiPolygon');
  });

  it('exports the whole demo district in code order, across pages', async () => {
    const { body } = await exportCommunities('level=MICRO_GRID&ancestor=130105');
    expect(body.features).toHaveLength(3500);
    const codes = body.features.map((f) => f.properties.code);
    expect(codes).toEqual([...codes].sort());
  });

  it('exports as of an instant (nothing existed in 2000) and explains bad parameters with a 400', async () => {
    expect((await exportCommunities(`level=COMMUNITY&ancestor=${STREET}&asOf=2000-01-01T00:00:00Z`)).body.features).toEqual([]);
    for (const [query, message] of [
      ['level=BLOCK', /level must be one of DISTRICT, STREET/],
      ['ancestor=999', /ancestor must be a grid code \(6 digits, then 3 per level/],
      ['ancestor=%00', /ancestor must be a grid code/],
      ['ancestor=999999001', /ancestor: no current grid has the code 999999001/],
      ['asOf=yesterday', /asOf must be an RFC 3339 date-time with a time zone/],
      ['asOf=1', /asOf must be an RFC 3339 date-time/],
      ['asOf=-271821-04-20T00:00:00Z', /asOf must be an RFC 3339 date-time/],
      ['asOf=2026-02-30T00:00:00Z', /asOf 2026-02 has no day 30/],
    ] as const) {
      const { res, body } = await exportCommunities(query);
      expect(res.status).toBe(400);
      expect(body.error).toMatch(message);
    }
  });
});

describe('round trip', () => {
  it('imports an export back unchanged through importGrids', async () => {
    const { body } = await exportCommunities();
    const before = await versions();
    const token = await signToken({ secret: SECRET, issuer: 'grid-registry', audience: null }, { subject: 'gis', role: 'GIS_EDITOR', grid: '130105' });
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `mutation($input: ImportGridsInput!) { importGrids(input: $input) { ... on ImportGridsReport { written total created updated unchanged refused } } }`,
        variables: { input: { featureCollection: body, level: 'COMMUNITY', mode: 'UPSERT' } },
      }),
    });
    const result = ((await res.json()) as { data: { importGrids: object } }).data.importGrids;
    expect(result).toEqual({ written: true, total: 6, created: 0, updated: 0, unchanged: 6, refused: 0 });
    expect(await versions()).toEqual(before);
  });

  it('imports an export back through the CLI, streaming the file (dry run), and reports refusals with exit code 1', async () => {
    const { body } = await exportCommunities();
    const file = path.join(tmp, 'communities.geojson');
    fs.writeFileSync(file, JSON.stringify(body));
    const env = { ...process.env, DATABASE_URL: testDatabaseUrl() };
    const cli = ['--import', 'tsx', 'src/modules/grid/import-cli.ts'];
    const ok = await run(process.execPath, [...cli, file, '--level', 'COMMUNITY', '--mode', 'UPSERT', '--dry-run'], { cwd: ROOT, env });
    expect(ok.stdout).toMatch(/dry run: nothing written in [\d.]+ s — 6 features: 0 create, 0 update, 6 unchanged, 0 refused/);
    // --crs in any case, as the export's ?crs= takes it; a snap distance that is not a number is a usage error.
    const lower = await run(process.execPath, [...cli, file, '--level', 'COMMUNITY', '--mode', 'UPSERT', '--dry-run', '--crs', 'wgs84'], { cwd: ROOT, env });
    expect(lower.stdout).toMatch(/6 unchanged, 0 refused/);
    const snap = await run(process.execPath, [...cli, file, '--level', 'COMMUNITY', '--snap-meters', 'abc'], { cwd: ROOT, env }).catch((e) => e);
    expect(snap.code).toBe(2);
    expect(snap.stderr).toMatch(/^--snap-meters must be a number of metres, 0 or more \(got "abc"\)/);

    body.features[2].geometry.coordinates[0][0].splice(1, 0, [114.0, 38.0]); // a spike far outside the street
    fs.writeFileSync(file, JSON.stringify(body));
    const bad = await run(process.execPath, [...cli, file, '--level', 'COMMUNITY', '--mode', 'UPSERT'], { cwd: ROOT, env }).catch((e) => e);
    expect(bad.code).toBe(1);
    // The spike sticks out of the street and runs across two sibling communities of the same file.
    expect(bad.stdout).toMatch(/refused: nothing written .* 3 unchanged, 3 refused/);
    expect(bad.stdout).toMatch(/feature 0 \(130105001002\):\n {4}OVERLAPS_SIBLING: features\[0\]\.geometry: overlaps feature 2 of the same import/);
    expect(bad.stdout).toMatch(/feature 2 \(130105001016\):\n( {4}.*\n)* {4}OUTSIDE_PARENT: features\[2\]\.geometry: [\d,]+ m² lies outside the parent 革新街街道/);
  });
});

/** The response as sent (fetch would undo the compression): status, headers and body bytes. */
function raw(query: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}/export/grids.geojson?${query}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

const positions = (body: Collection) => body.features.flatMap((f) => f.geometry.coordinates.flat(2));
const metres = (a: number[], b: number[]) => Math.hypot((a[0] - b[0]) * 111_320 * Math.cos((a[1] * Math.PI) / 180), (a[1] - b[1]) * 110_574);

describe('export parameters', () => {
  it('bbox keeps the grids it touches, through the spatial index, and a bad bbox is a 400 naming it', async () => {
    // A small box around a point inside 市委西院居委会 (130105001002), away from its edges.
    const { rows } = await testDb().raw(`SELECT ST_X(p) AS x, ST_Y(p) AS y FROM (SELECT ST_PointOnSurface(boundary) AS p FROM grid WHERE code = '130105001002' AND valid_to IS NULL) s`);
    const [x, y] = [rows[0].x, rows[0].y];
    const { body } = await exportCommunities(`level=COMMUNITY&bbox=${x - 0.0001},${y - 0.0001},${x + 0.0001},${y + 0.0001}`);
    expect(body.features.map((f) => f.properties.code)).toEqual(['130105001002']);
    for (const [bbox, message] of [
      ['1,2,3', /bbox must be four numbers minLng,minLat,maxLng,maxLat, e\.g\. bbox=114\.44,38\.03,114\.47,38\.06/],
      ['114.5,38,114.4,38.1', /bbox: the minimum must be below the maximum/],
      ['38,114,39,115', /bbox: longitudes must be within -180\.\.180 and latitudes within -90\.\.90/],
      ['a,b,c,d', /bbox must be four numbers/],
    ] as const) {
      const { res, body: error } = await exportCommunities(`bbox=${bbox}`);
      expect([res.status, error.error]).toEqual([400, expect.stringMatching(message)]);
    }
  });

  it('simplifyMeters and precision shrink the geometry within their bounds', async () => {
    const full = (await exportCommunities()).body;
    const simplified = (await exportCommunities(`level=COMMUNITY&ancestor=${STREET}&simplifyMeters=50`)).body;
    expect(positions(simplified).length).toBeLessThan(positions(full).length);
    const rounded = (await exportCommunities(`level=COMMUNITY&ancestor=${STREET}&precision=5`)).body;
    expect(positions(rounded).every((p) => p.every((n) => Math.abs(n * 1e5 - Math.round(n * 1e5)) < 1e-6))).toBe(true);
    // A lossy export carries no version, so its re-import cannot pass the version check and overwrite the detail.
    const versions = (fc: { features: { properties: Record<string, unknown> }[] }) => fc.features.map((f) => 'version' in f.properties);
    expect(new Set(versions(full))).toEqual(new Set([true]));
    expect(new Set(versions(simplified))).toEqual(new Set([false]));
    expect(new Set(versions(rounded))).toEqual(new Set([false]));
    const centimetre = (await exportCommunities(`level=COMMUNITY&ancestor=${STREET}&precision=7`)).body;
    expect(new Set(versions(centimetre))).toEqual(new Set([true]));
    for (const [query, message] of [
      ['simplifyMeters=20000', /simplifyMeters must be a number from 0 to 10000 \(got "20000"\)/],
      ['simplifyMeters=-1', /simplifyMeters must be a number from 0 to 10000/],
      ['precision=16', /precision must be a whole number from 1 to 15 \(got "16"\)/],
      ['precision=2.5', /precision must be a whole number from 1 to 15/],
    ] as const) {
      const { res, body } = await exportCommunities(query);
      expect([res.status, body.error]).toEqual([400, expect.stringMatching(message)]);
    }
  });

  it('crs=GCJ02|BD09 writes positions for Chinese basemaps (and says so in a coordinateSystem member)', async () => {
    const wgs = (await exportCommunities()).body;
    for (const crs of ['GCJ02', 'BD09']) {
      const converted = (await exportCommunities(`level=COMMUNITY&ancestor=${STREET}&crs=${crs.toLowerCase()}`)).body;
      expect(converted.coordinateSystem).toBe(crs);
      const offset = metres(positions(wgs)[0], positions(converted)[0]);
      expect(offset).toBeGreaterThan(400);
      expect(offset).toBeLessThan(1500);
    }
    const { res, body } = await exportCommunities('crs=EPSG:4326');
    expect([res.status, body.error]).toEqual([400, expect.stringContaining('crs must be one of WGS84, GCJ02, BD09 (got "EPSG:4326")')]);
  });

  it('compresses with gzip or brotli by Accept-Encoding, streaming the same bytes', async () => {
    const query = `level=MICRO_GRID&ancestor=${STREET}`;
    const plain = await raw(query);
    expect(plain.headers['content-encoding']).toBeUndefined();
    for (const [accept, encoding, decode] of [
      ['gzip, deflate', 'gzip', zlib.gunzipSync],
      ['br;q=1.0, gzip;q=0.8', 'br', zlib.brotliDecompressSync],
    ] as const) {
      const r = await raw(query, { 'accept-encoding': accept });
      expect([r.status, r.headers['content-encoding'], r.headers.vary]).toEqual([200, encoding, expect.stringMatching(/Accept-Encoding/)]);
      expect(r.body.length).toBeLessThan(plain.body.length / 3);
      expect(decode(r.body).equals(plain.body)).toBe(true);
    }
  });

  it('answers an unchanged export with 304 to If-None-Match, and the ETag follows the parameters and the data', async () => {
    const first = await raw(`level=COMMUNITY&ancestor=${STREET}`, { 'accept-encoding': 'gzip' });
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"[\w-]+"$/);
    const again = await raw(`level=COMMUNITY&ancestor=${STREET}`, { 'if-none-match': etag });
    expect([again.status, again.body.length, again.headers.etag]).toEqual([304, 0, etag]);
    expect((await raw(`level=COMMUNITY&ancestor=${STREET}&crs=GCJ02`, { 'if-none-match': etag })).status).toBe(200);
    // The fingerprint behind it moves with any new version under the filter (here inside a rolled-back edit).
    const query = { level: 'COMMUNITY' as const, ancestorId: null, asOf: null, bbox: null, simplifyDegrees: null, decimals: 15 };
    await withRollback(async (trx) => {
      const before = await exportFingerprint(trx, query);
      await trx.raw(`UPDATE grid SET name = name || '新', version = version + 1, valid_from = clock_timestamp() WHERE code = '130105001002'`);
      expect(await exportFingerprint(trx, query)).not.toBe(before);
    });
  });
});
