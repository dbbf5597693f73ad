import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { signToken } from '../src/modules/auth/jwt';
import { startApp, type App } from '../src/server';
import { closeTestDb, testDb } from './support/db';
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

async function exportCommunities(query = `level=COMMUNITY&ancestor=${STREET}`) {
  const res = await fetch(`${base}/export/grids.geojson?${query}`);
  return { res, body: res.status === 200 ? ((await res.json()) as any) : ((await res.json()) as any) };
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
    const codes = body.features.map((f: any) => f.properties.code);
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
    const result = ((await res.json()) as any).data.importGrids;
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
