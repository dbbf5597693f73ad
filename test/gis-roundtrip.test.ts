import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startApp, type App } from '../src/server';
import { closeTestDb } from './support/db';
import { testDatabaseUrl } from './support/env';
import { silentLog, testConfig } from './support/graphql';

/**
 * Round trips through the tools GIS staff use: the HTTP export, GDAL (Debian's gdal-bin: ogr2ogr, ogrinfo) and the
 * import CLI as a child process, on the server database. Every import here is a dry run: the demo data stays as
 * seeded for the other tests.
 */
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const STREET = '130105001'; // 革新街街道: 6 communities
let app: App;
let base: string;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gis-roundtrip-'));
const file = (name: string) => path.join(tmp, name);

beforeAll(async () => {
  app = await startApp(testConfig({ DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1' }), silentLog);
  base = app.url.replace('/graphql', '');
});

afterAll(async () => {
  await app.stop();
  await closeTestDb();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** `GET /export/grids.geojson` of the street's communities, saved as `name`. */
async function exportTo(name: string, extra = ''): Promise<string> {
  const res = await fetch(`${base}/export/grids.geojson?level=COMMUNITY&ancestor=${STREET}${extra}`);
  expect(res.status).toBe(200);
  fs.writeFileSync(file(name), Buffer.from(await res.arrayBuffer()));
  return file(name);
}

const gdal = (tool: 'ogr2ogr' | 'ogrinfo', args: string[]) => run(tool, args, { cwd: tmp });

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run import` as a child process (a dry run of communities unless told otherwise). */
async function importCli(target: string, ...args: string[]): Promise<CliResult> {
  const cli = ['--import', 'tsx', 'src/modules/grid/import-cli.ts', target, '--level', 'COMMUNITY', '--mode', 'UPSERT', '--dry-run', ...args];
  const env = { ...process.env, DATABASE_URL: testDatabaseUrl() };
  try {
    const { stdout, stderr } = await run(process.execPath, cli, { cwd: ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A refusal of the file as a whole: exit code 2, one line on stderr, nothing on stdout, no stack trace. */
function expectOneLine(r: CliResult, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(message)]);
}

describe('export → GeoPackage → edit → GeoJSON → import', () => {
  it('reports exactly the one grid whose name was changed in the GeoPackage', async () => {
    await exportTo('communities.geojson');
    await gdal('ogr2ogr', ['-f', 'GPKG', 'communities.gpkg', 'communities.geojson']);
    await gdal('ogrinfo', ['communities.gpkg', '-sql', "UPDATE communities SET name = '市委西院社区' WHERE code = '130105001002'"]);
    await gdal('ogr2ogr', ['-f', 'GeoJSON', 'edited.geojson', 'communities.gpkg']);
    const r = await importCli(file('edited.geojson'), '--details');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/dry run: nothing written in [\d.]+ s — 6 features: 0 create, 1 update, 5 unchanged, 0 refused/);
    expect(r.stdout).toContain('  feature 0 (130105001002): update name "市委西院居委会" → "市委西院社区"\n');
    expect(r.stdout.match(/: unchanged /g)).toHaveLength(5);
  });

  it('re-imports a GCJ-02 export edited nowhere, through a GeoPackage, as unchanged everywhere', async () => {
    await exportTo('gcj.geojson', '&crs=GCJ02');
    await gdal('ogr2ogr', ['-f', 'GPKG', 'gcj.gpkg', 'gcj.geojson']);
    await gdal('ogr2ogr', ['-f', 'GeoJSON', 'gcj-back.geojson', 'gcj.gpkg']);
    const r = await importCli(file('gcj-back.geojson'), '--crs', 'GCJ02');
    expect(r.stdout).toMatch(/6 features: 0 create, 0 update, 6 unchanged, 0 refused/);
    // Rounded to 7 places (about 1 cm) it still comes back unchanged: every vertex within the 5 cm snap.
    const rounded = await importCli(await exportTo('gcj7.geojson', '&crs=GCJ02&precision=7'), '--crs', 'GCJ02');
    expect(rounded.stdout).toMatch(/6 features: 0 create, 0 update, 6 unchanged, 0 refused/);
    // Read as WGS-84 it would land half a kilometre off: the coordinateSystem member (kept by GDAL) says so.
    expectOneLine(await importCli(file('gcj-back.geojson')), /^WRONG_CRS: the file says its coordinates are GCJ02 .* import with crs GCJ02 \(CLI: --crs GCJ02\); nothing was written$/);
  });
});

describe('files that cannot be imported as they are', () => {
  it('refuses a shapefile written without ENCODING=UTF-8 (its names are ???), and takes one written with it', async () => {
    await exportTo('names.geojson');
    await gdal('ogr2ogr', ['-f', 'ESRI Shapefile', 'latin1', 'names.geojson']);
    await gdal('ogr2ogr', ['-f', 'GeoJSON', 'latin1.geojson', 'latin1']);
    const r = await importCli(file('latin1.geojson'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/0 unchanged, 6 refused/);
    expect(r.stdout).toContain('BAD_ENCODING: features[0]: name "???????" has lost its characters to a wrong text encoding');
    expect(r.stdout).toContain('a shapefile written without `-lco ENCODING=UTF-8`');

    await gdal('ogr2ogr', ['-f', 'ESRI Shapefile', '-lco', 'ENCODING=UTF-8', 'utf8', 'names.geojson']);
    await gdal('ogr2ogr', ['-f', 'GeoJSON', 'utf8.geojson', 'utf8']);
    expect((await importCli(file('utf8.geojson'))).stdout).toMatch(/6 unchanged, 0 refused/);
  });

  it('refuses a projected file once, with how to reproject: with its crs member, and without one', async () => {
    await exportTo('wgs.geojson');
    await gdal('ogr2ogr', ['-f', 'GeoJSON', '-t_srs', 'EPSG:4547', 'projected.geojson', 'wgs.geojson']);
    expectOneLine(await importCli(file('projected.geojson')), /^WRONG_CRS: the file declares crs EPSG:4547, .*reproject to EPSG:4326 \(e\.g\. `ogr2ogr -t_srs EPSG:4326/);
    const bare = JSON.parse(fs.readFileSync(file('projected.geojson'), 'utf8'));
    delete bare.crs;
    fs.writeFileSync(file('bare.geojson'), JSON.stringify(bare));
    expectOneLine(await importCli(file('bare.geojson')), /^WRONG_CRS: features\[0\]\.geometry starts at \[\d+\.?\d*, \d+\.?\d*\]: these are projected coordinates \(metres\)/);
  });

  it('answers malformed, truncated and GeoJSONSeq files with one line and exit code 2', async () => {
    const text = fs.readFileSync(await exportTo('whole.geojson'), 'utf8');
    fs.writeFileSync(file('truncated.geojson'), text.slice(0, Math.floor(text.length / 2)));
    fs.writeFileSync(file('malformed.geojson'), text.replace('"properties":', '"properties"'));
    await gdal('ogr2ogr', ['-f', 'GeoJSONSeq', 'seq.geojsonl', 'whole.geojson']);
    await gdal('ogr2ogr', ['-f', 'GPKG', 'whole.gpkg', 'whole.geojson']);
    expectOneLine(await importCli(file('truncated.geojson')), /^BAD_FILE: the file .*truncated\.geojson ends in the middle of the JSON at line \d+, column \d+ .*cut short/);
    expectOneLine(await importCli(file('malformed.geojson')), /^BAD_FILE: the file .*malformed\.geojson is not valid JSON at line 2, column \d+: expected ':'/);
    expectOneLine(await importCli(file('seq.geojsonl')), /^BAD_FILE: .* holds one feature per line \(newline-delimited GeoJSON \/ GeoJSONSeq\).*ogr2ogr -f GeoJSON out\.geojson in\.geojsonl/);
    // A first feature longer than the 64 KiB a format is first recognised by is still one line of GeoJSONSeq;
    // the same feature alone on its one line is a single Feature.
    const long = JSON.stringify({ type: 'Feature', properties: { note: 'x'.repeat(70_000) }, geometry: null });
    fs.writeFileSync(file('long.geojsonl'), `${long}\n${long}\n`);
    expectOneLine(await importCli(file('long.geojsonl')), /^BAD_FILE: .* holds one feature per line \(newline-delimited GeoJSON \/ GeoJSONSeq\)/);
    fs.writeFileSync(file('long-feature.geojson'), long);
    expectOneLine(await importCli(file('long-feature.geojson')), /^BAD_FILE: the file is a single Feature, not a FeatureCollection/);
    expectOneLine(await importCli(file('whole.gpkg')), /^BAD_FILE: .* is a GeoPackage, not GeoJSON/);
  });
});
