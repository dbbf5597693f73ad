import type { Knex } from 'knex';
import { geometryIn } from '../src/geo/output-crs';
import { toGlobalId } from '../src/graphql/relay';
import { createEditFixture, pt, square, type EditFixture } from './fixtures/edit';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok, testConfig, user } from './support/graphql';
import { mutate, snapshot } from './support/edits';

/**
 * The GIS round trips `importGrids` must survive (the CLI's file handling is in gis-roundtrip.test.ts): a stale
 * export does not undo a colleague's edit, garbled names and other CRSs are refused once with their cause, a
 * file's text that is not JSON says where it breaks, and a GCJ-02 export comes back unchanged.
 */
afterAll(closeTestDb);

interface ProblemOut {
  code: string;
  message: string;
  field: string | null;
}
interface FeatureOut {
  index: number;
  action: string;
  changes: string[];
  previousName: string | null;
  areaSqm: number | null;
  areaDeltaSqm: number | null;
  expectedVersion: number | null;
  problems: ProblemOut[];
}

interface ImportOut {
  __typename: string;
  written?: boolean;
  unchanged?: number;
  features?: FeatureOut[];
  problems?: ProblemOut[];
  problemCount?: number;
}

const IMPORT = `mutation($input: ImportGridsInput!) { importGrids(input: $input) { __typename
  ... on ImportGridsReport { written total created updated unchanged refused
    features { index action changes previousName areaSqm areaDeltaSqm expectedVersion problems { code message field } } }
  ... on ValidationError { problemCount problems { code message field } } } }`;

/** Messages in English (the default locale is zh-CN, which puts the problem's Chinese title in front). */
const config = testConfig({ DEFAULT_LOCALE: 'en' });
const editorOf = (f: EditFixture) => user('GIS_EDITOR', f.code);
const feature = (geometry: unknown, properties: object) => ({ type: 'Feature', geometry, properties });

async function importGrids(trx: Knex, f: EditFixture, featureCollection: unknown, extra: object = {}): Promise<ImportOut> {
  const input = { featureCollection, level: 'GRID', mode: 'UPSERT', ...extra };
  return ok(await execute<{ importGrids: ImportOut }>(trx, IMPORT, { input }, { viewer: editorOf(f), config })).importGrids;
}

/** The fixture's grids G1 and G2 as an export writes them: stored boundary, code, name, parentCode, version. */
async function exported(trx: Knex, f: EditFixture, crs: 'WGS84' | 'GCJ02' = 'WGS84') {
  const { rows } = await trx.raw(
    `SELECT g.code, g.name, g.version, ST_AsGeoJSON(g.boundary, 15) AS geometry FROM grid g WHERE g.id = ANY(?::uuid[]) ORDER BY g.code`,
    [[f.ids.G1, f.ids.G2]],
  );
  return rows.map((r: { code: string; name: string; version: number; geometry: string }) =>
    feature(crs === 'WGS84' ? JSON.parse(r.geometry) : geometryIn(r.geometry, crs), {
      code: r.code,
      name: r.name,
      parentCode: f.codes.C,
      version: r.version,
    }),
  );
}

const collection = (features: unknown[], members: object = {}) => ({ type: 'FeatureCollection', ...members, features });

describe('the version property of an export', () => {
  it('refuses a stale feature as a conflict naming who changed the grid and when, and reverts nothing', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const file = await exported(trx, f); // both at version 1
      const colleague = { ...user('GIS_EDITOR', f.code), subject: 'li.ming' };
      const edit = await mutate(trx, 'updateGrid', { id: toGlobalId('Grid', f.ids.G2), name: '李明改的名字', expectedVersion: 1, reason: '更正' }, colleague);
      expect(edit.__typename).toBe('UpdateGridSuccess');
      const before = await snapshot(trx);

      file[0].properties = { ...file[0].properties, name: '我改的名字' };
      const r = await importGrids(trx, f, collection(file));
      expect(r).toMatchObject({ written: false, updated: 1, refused: 1 });
      const stale = r.features![1];
      expect(stale).toMatchObject({ action: 'REFUSED', expectedVersion: 1 });
      expect(stale.problems.map((p) => [p.code, p.field])).toEqual([['VERSION_CONFLICT', 'features[1].properties.version']]);
      expect(stale.problems[0].message).toMatch(
        /is at version 2, not 1 as in the file: li\.ming changed it at \d{4}-\d\d-\d\dT[\d:.]+Z \(更正\); importing would undo that/,
      );
      expect(await snapshot(trx)).toBe(before);
    }));

  it('writes a feature at the current version, and keeps today’s behaviour for files without the property', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const file = await exported(trx, f);
      file[0].properties = { ...file[0].properties, name: '新名字一' };
      expect(await importGrids(trx, f, collection(file))).toMatchObject({ written: true, updated: 1, unchanged: 1 });
      // The same file again: G1 is now at version 2, the file says 1.
      expect(await importGrids(trx, f, collection(file), { dryRun: true })).toMatchObject({ refused: 1 });
      const bare = file.map((x: { properties: object }) => ({ ...x, properties: { ...x.properties, version: undefined, name: '新名字二' } }));
      expect(await importGrids(trx, f, collection(bare))).toMatchObject({ written: true, updated: 2, refused: 0 });
      // Another property name, or a version GDAL wrote as text, are read the same way.
      const renamed = bare.map((x: { properties: object }, i: number) => ({ ...x, properties: { ...x.properties, rev: String(i === 0 ? 3 : 2) } }));
      expect(await importGrids(trx, f, collection(renamed), { versionProperty: 'rev', dryRun: true })).toMatchObject({ unchanged: 2, refused: 0 });
      const bad = await importGrids(trx, f, collection([{ ...file[0], properties: { ...file[0].properties, version: 'v2' } }]), { dryRun: true });
      expect(bad.features![0].problems[0].message).toMatch(/version must be the version the grid was exported at, a whole number from 1 \(got "v2"\)/);
    }));

  it('refuses to bring back a grid retired since the export', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const file = await exported(trx, f);
      await trx.raw(`DELETE FROM grid_assignment WHERE grid_id = ?`, [f.ids.G2]);
      const retired = await mutate(trx, 'retireGrid', { id: toGlobalId('Grid', f.ids.G2), expectedVersion: 1, reason: '撤销' }, editorOf(f));
      expect(retired.__typename).toBe('RetireGridSuccess');
      const r = await importGrids(trx, f, collection(file), { dryRun: true });
      expect(r.features![1].problems[0]).toMatchObject({ code: 'VERSION_CONFLICT' });
      expect(r.features![1].problems[0].message).toMatch(new RegExp(`exported at version 1 of grid ${f.codes.G2}, which was retired at \\d{4}-`));
    }));
});

describe('names that lost their characters', () => {
  it('are refused with the likely cause: a shapefile written without ENCODING=UTF-8', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const names = ['????1??', '?', '\uFFFD\uFFFD社区', '东区?'];
      const file = names.map((name, i) => feature(square(1, i * 0.5, 2, (i + 1) * 0.5), { name, parentCode: f.codes.C }));
      const r = await importGrids(trx, f, collection(file), { mode: 'CREATE', dryRun: true });
      expect(r.features!.map((x) => x.problems.map((p) => p.code))).toEqual([['BAD_ENCODING'], ['BAD_ENCODING'], ['BAD_ENCODING'], []]);
      expect(r.features![0].problems[0].message).toMatch(/lost its characters to a wrong text encoding \('\?' in place of Chinese\): most likely a shapefile written without `-lco ENCODING=UTF-8`/);
      expect(r.features![2].problems[0].message).toMatch(/U\+FFFD in place of Chinese\): most likely a GBK shapefile read as UTF-8 .*-oo ENCODING=CP936/);
    }));
});

describe('coordinate reference systems', () => {
  const crsMember = (name: string) => ({ crs: { type: 'name', properties: { name } } });

  it('accepts EPSG:4326, CRS84 and CGCS2000 in their usual spellings', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const file = await exported(trx, f);
      for (const name of [
        'urn:ogc:def:crs:OGC:1.3:CRS84',
        'urn:ogc:def:crs:EPSG::4326',
        'EPSG:4326',
        'http://www.opengis.net/def/crs/EPSG/0/4490',
        'https://www.opengis.net/def/crs/OGC/1.3/CRS84',
        'urn:ogc:def:crs:EPSG:6.6:4490',
      ]) {
        expect([name, (await importGrids(trx, f, collection(file, crsMember(name)), { dryRun: true })).unchanged]).toEqual([name, 2]);
      }
      expect((await importGrids(trx, f, collection(file, { crs: { type: 'EPSG', properties: { code: 4326 } } }), { dryRun: true })).unchanged).toBe(2);
    }));

  it('refuses any other CRS once, saying how to reproject, however many vertices there are', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      // 2,000 features of a projected file (CGCS2000 / 3-degree Gauss-Kruger CM 114E, metres).
      const projected = Array.from({ length: 2000 }, (_, i) => {
        const [x, y] = [500000 + (i % 50) * 100, 4200000 + Math.floor(i / 50) * 100];
        return feature({ type: 'Polygon', coordinates: [[[x, y], [x + 100, y], [x + 100, y + 100], [x, y + 100], [x, y]]] }, { name: `格${i}`, parentCode: f.codes.C });
      });
      for (const [members, message] of [
        [crsMember('urn:ogc:def:crs:EPSG::4547'), /^the file declares crs EPSG:4547, not longitude\/latitude .*: reproject to EPSG:4326 \(e\.g\. `ogr2ogr -t_srs EPSG:4326/],
        [{}, /^features\[0\]\.geometry starts at \[500000, 4200000\]: these are projected coordinates \(metres\).*reproject to EPSG:4326 \(e\.g\. `ogr2ogr -t_srs EPSG:4326/],
      ] as const) {
        const r = await importGrids(trx, f, collection(projected, members), { mode: 'CREATE' });
        expect(r).toMatchObject({ __typename: 'ValidationError', problemCount: 1 });
        expect(r.problems![0]).toMatchObject({ code: 'WRONG_CRS', field: 'input.featureCollection' });
        expect(r.problems![0].message).toMatch(message);
      }
    }));

  it('refuses a GCJ-02 export read as WGS-84 (its coordinateSystem member says what it is)', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const r = await importGrids(trx, f, collection(await exported(trx, f, 'GCJ02'), { coordinateSystem: 'GCJ02' }), { dryRun: true });
      expect(r.problems![0].message).toMatch(/coordinates are GCJ02 .* would be read as WGS84: import with crs GCJ02 \(CLI: --crs GCJ02\)/);
    }));
});

/** A feature on one line longer than the 64 KiB a format is first recognised by (a detailed boundary). */
const LONG_FEATURE = JSON.stringify({ type: 'Feature', properties: { note: 'x'.repeat(70_000) }, geometry: null });

describe('a FeatureCollection sent as text', () => {
  it.each([
    ['truncated', '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "x"},\n "geometry": {"type": "Polygon", "coordinates": [[[121.0', /^featureCollection ends in the middle of the JSON at line 2, column 57 .*cut short/],
    ['GeoJSONSeq', '{"type":"Feature","properties":{},"geometry":null}\n{"type":"Feature","properties":{},"geometry":null}\n', /one feature per line \(newline-delimited GeoJSON \/ GeoJSONSeq\)/],
    ['RS-separated GeoJSONSeq', '\u001e{"type":"Feature","properties":{},"geometry":null}\n', /GeoJSONSeq \(RFC 8142/],
    ['GeoJSONSeq whose first feature is longer than 64 KiB', `${LONG_FEATURE}\n${LONG_FEATURE}\n`, /one feature per line \(newline-delimited GeoJSON \/ GeoJSONSeq\)/],
    ['malformed', '{"type": "FeatureCollection",\n  "features": [\n    {"type": "Feature" "properties": {}}]}', /^featureCollection is not valid JSON at line 3, column 24: expected ','/],
  ])('answers %s text with one BAD_FILE problem saying where', (_, text, message) =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const r = await importGrids(trx, f, text, { dryRun: true });
      expect(r).toMatchObject({ __typename: 'ValidationError', problemCount: 1 });
      expect(r.problems![0]).toMatchObject({ code: 'BAD_FILE', field: 'input.featureCollection' });
      expect(r.problems![0].message).toMatch(message);
    }),
  );

  it('reads well-formed text as the FeatureCollection it is', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      expect(await importGrids(trx, f, JSON.stringify(collection(await exported(trx, f))), { dryRun: true })).toMatchObject({ unchanged: 2 });
    }));
});

describe('what an import changes', () => {
  it('says per feature which of name and boundary change, and the area delta', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const file = await exported(trx, f);
      file[0].properties = { ...file[0].properties, name: '改名' };
      file[1].geometry = square(0, 1, 1.5, 2); // G2 grows by half its area into the free part of C
      file.push(feature(square(1.5, 0, 2, 0.5), { code: `${f.codes.C}050`, name: '新格', parentCode: f.codes.C }));
      const r = await importGrids(trx, f, collection(file), { dryRun: true });
      const [renamed, grown, created] = r.features!;
      expect(renamed).toMatchObject({ action: 'UPDATE', changes: ['NAME'], previousName: '编辑G1', areaDeltaSqm: 0 });
      expect(grown).toMatchObject({ action: 'UPDATE', changes: ['BOUNDARY'], previousName: null });
      expect(grown.areaDeltaSqm! / grown.areaSqm!).toBeCloseTo(1 / 3, 2);
      expect(created.problems).toEqual([]);
      expect(created).toMatchObject({ action: 'CREATE', changes: [], areaDeltaSqm: null });
      expect(created.areaSqm).toBeGreaterThan(100_000);
    }));
});

describe('a GCJ-02 round trip', () => {
  const vertices = async (trx: Knex, id: string): Promise<string[]> =>
    (await trx.raw(`SELECT ST_AsText((ST_DumpPoints(boundary)).geom) AS p FROM grid WHERE id = ?`, [id])).rows.map((r: { p: string }) => r.p);

  it('re-imports an unedited GCJ-02 export as unchanged, and keeps the vertices nobody moved bit for bit', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const file = await exported(trx, f, 'GCJ02');
      expect(await importGrids(trx, f, collection(file), { crs: 'GCJ02' })).toMatchObject({ written: true, unchanged: 2, updated: 0 });

      // One corner of G1 dragged on an AMap basemap: (1, 0) → (1.2, 0). The others went through GCJ-02 and back.
      const before = await vertices(trx, f.ids.G1);
      const gcj = (x: number, y: number) => (geometryIn({ type: 'Point', coordinates: pt(x, y) }, 'GCJ02') as { coordinates: number[] }).coordinates;
      const ring = (file[0].geometry as { coordinates: number[][][][] }).coordinates[0][0];
      const corner = gcj(1, 0);
      const at = ring.findIndex((p) => p[0] === corner[0] && p[1] === corner[1]);
      expect(at).toBeGreaterThan(0);
      ring[at] = gcj(1.2, 0);
      const r = await importGrids(trx, f, collection(file), { crs: 'GCJ02' });
      expect(r).toMatchObject({ written: true, updated: 1, unchanged: 1 });
      expect(r.features![0].changes).toEqual(['BOUNDARY']);
      const after = await vertices(trx, f.ids.G1);
      // Every vertex but the moved one is exactly the stored one: the edge shared with G2 stays shared. (The old
      // corner stays too, threaded by ST_Snap into the new bottom edge it lies on: a collinear vertex.)
      expect(after.filter((p) => !before.includes(p))).toHaveLength(1);
      expect(before.filter((p) => !after.includes(p))).toEqual([]);
    }));
});
