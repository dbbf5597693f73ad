import type { Knex } from 'knex';
import { createEditFixture, pt, square, type EditFixture } from './fixtures/edit';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok, user } from './support/graphql';
import { snapshot } from './support/edits';

afterAll(closeTestDb);

const IMPORT = `mutation($input: ImportGridsInput!) { importGrids(input: $input) {
  __typename
  ... on ValidationError { problems { code message } }
  ... on ImportGridsReport { written dryRun total created updated unchanged refused moved
    features(onlyRefused: $onlyRefused) { index code name action problems { code message field location { lng lat } ring vertex } grid { code version } } }
} }`.replace('mutation($input: ImportGridsInput!)', 'mutation($input: ImportGridsInput!, $onlyRefused: Boolean)');

const feature = (geometry: object, properties: object) => ({ type: 'Feature', geometry, properties });

/** The free half of community C ([1,2]×[0,2]) cut into cols × rows rectangles, as features for GRIDs under C. */
function lattice(f: EditFixture, cols: number, rows: number) {
  const [w, h] = [1 / cols, 2 / rows];
  const features = [];
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < rows; j++) {
      features.push(feature(square(1 + i * w, j * h, 1 + (i + 1) * w, (j + 1) * h), { name: `格${i}-${j}`, parentCode: f.codes.C }));
    }
  }
  return features;
}

async function importGrids(trx: Knex, f: EditFixture, features: object[], extra: object = {}, onlyRefused = false) {
  const input = { featureCollection: { type: 'FeatureCollection', features }, level: 'GRID', ...extra };
  return ok(await execute(trx, IMPORT, { input, onlyRefused }, { viewer: user('GIS_EDITOR', f.code) })).importGrids;
}

describe('importGrids', () => {
  it('creates every feature with the next free codes, in one transaction, re-resolving places', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const r = await importGrids(trx, f, lattice(f, 2, 4));
      expect(r).toMatchObject({ __typename: 'ImportGridsReport', written: true, total: 8, created: 8, refused: 0, moved: 2 });
      expect(r.features.map((x: any) => x.code)).toEqual([3, 4, 5, 6, 7, 8, 9, 10].map((n) => `${f.codes.C}${String(n).padStart(3, '0')}`));
      expect(r.features[0].grid).toEqual({ code: `${f.codes.C}003`, version: 1 });
    }));

  it('checks a dry run fully and writes nothing', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const before = await snapshot(trx);
      const r = await importGrids(trx, f, lattice(f, 2, 4), { dryRun: true });
      expect(r).toMatchObject({ written: false, dryRun: true, created: 8, refused: 0, moved: 0 });
      expect(r.features.every((x: any) => x.action === 'CREATE' && x.grid === null)).toBe(true);
      expect(await snapshot(trx)).toBe(before);
    }));

  it('writes nothing when one feature among 100 is bad, and says which and why', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const features = lattice(f, 5, 20); // 100 cells of 0.2 × 0.1 units
      // Cell 42 (column 2, row 2: x 1.4–1.6, y 0.2–0.3) drawn as a bow-tie.
      const bowTie = { type: 'Polygon', coordinates: [[pt(1.4, 0.2), pt(1.6, 0.3), pt(1.6, 0.2), pt(1.4, 0.3), pt(1.4, 0.2)]] };
      features[42] = feature(bowTie, { name: '坏的', parentCode: f.codes.C });
      const before = await snapshot(trx);
      const r = await importGrids(trx, f, features, {}, true);
      expect(r).toMatchObject({ written: false, total: 100, created: 99, refused: 1 });
      expect(await snapshot(trx)).toBe(before);
      expect(r.features).toHaveLength(1);
      expect(r.features[0]).toMatchObject({ index: 42, name: '坏的', action: 'REFUSED' });
      expect(r.features[0].problems).toHaveLength(1);
      const kink = r.features[0].problems[0];
      expect(kink).toMatchObject({ code: 'SELF_INTERSECTION', field: 'features[42].geometry', ring: 0, vertex: 0 });
      expect(kink.location.lng).toBeCloseTo(pt(1.5, 0.25)[0], 9);
      expect(kink.location.lat).toBeCloseTo(pt(1.5, 0.25)[1], 9);
      expect(kink.message).toBe('features[42].geometry: The outer ring crosses itself at 121.015, 31.0025 (the edge from vertex 0)');

      const worse = [...features, feature(square(3, 0, 3.1, 0.1), { name: '', parentCode: '999' })];
      const r2 = await importGrids(trx, f, worse, {}, true);
      expect(r2.features.map((x: any) => [x.index, x.problems.map((p: any) => p.code).sort()])).toEqual([
        [42, ['SELF_INTERSECTION']],
        [100, ['BAD_NAME', 'BAD_VALUE']],
      ]);
      expect(await snapshot(trx)).toBe(before);
    }));

  it('upserts by code: changed grids get a new version, identical ones are left alone', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const features = [
        feature(square(0, 1, 2, 2), { code: f.codes.G2, name: '编辑G2', parentCode: f.codes.C }),
        feature(square(0, 0, 1, 1), { code: f.codes.G1, name: '编辑G1', parentCode: f.codes.C }),
      ];
      const r = await importGrids(trx, f, features, { mode: 'UPSERT', reason: '批量更新' });
      expect(r).toMatchObject({ written: true, updated: 1, unchanged: 1, refused: 0, moved: 1 });
      expect(r.features.map((x: any) => [x.action, x.grid])).toEqual([
        ['UPDATE', { code: f.codes.G2, version: 2 }],
        ['UNCHANGED', { code: f.codes.G1, version: 1 }],
      ]);
    }));

  it('refuses existing codes in CREATE mode and codes repeated within the file', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const code = `${f.codes.C}050`;
      const features = [
        feature(square(0, 0, 1, 1), { code: f.codes.G1, name: 'x', parentCode: f.codes.C }),
        feature(square(1, 0, 1.5, 1), { code, name: 'y', parentCode: f.codes.C }),
        feature(square(1.5, 0, 2, 1), { code, name: 'z', parentCode: f.codes.C }),
      ];
      const r = await importGrids(trx, f, features, {}, true);
      expect(r.features.map((x: any) => [x.index, x.problems.map((p: any) => p.code)])).toEqual([
        [0, ['CODE_TAKEN', 'OVERLAPS_SIBLING']],
        [2, ['CODE_TAKEN']],
      ]);
    }));

  it('says what is wrong with something that is not a FeatureCollection', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const input = { featureCollection: { type: 'Feature' }, level: 'GRID' };
      const r = ok(await execute(trx, IMPORT, { input }, { viewer: user('GIS_EDITOR', f.code) })).importGrids;
      expect(r.__typename).toBe('ValidationError');
      expect(r.problems[0].message).toMatch(/must be a GeoJSON FeatureCollection/);
    }));
});
