import type { Knex } from 'knex';
import { toGlobalId } from '../src/graphql/relay';
import type { Viewer } from '../src/modules/auth/viewer';
import { ADMIN, at, createCamera, createFacilityFixture, facilityEdit, fid, insertKeyPlace, moveGrid, project, type FacilityFixture } from './fixtures/facility';
import { closeTestDb, withRollback, instantBetweenWrites } from './support/db';
import { execute, ok, user, type Result } from './support/graphql';

/**
 * Grid.cameraCoverage and KeyPlace.coveredByCamera on cameras with known answers: which key places an ONLINE
 * camera sees (inside the sector edge, beyond the range, behind, seen only by an OFFLINE or a retired camera,
 * all around a dome, from a neighbouring grid), the uncovered ones page by page, and the share of a square
 * grid's area within the sectors (measured independently of the implementation).
 */

afterAll(closeTestDb);

const COVERAGE = /* GraphQL */ `
  query($code: String!, $first: Int, $after: String) {
    grid(code: $code) { cameraCoverage {
      grid { code } keyPlaceCount coveredKeyPlaceCount keyPlaceCoverage onlineCameraCount
      uncoveredKeyPlaces(first: $first, after: $after) { totalCount nodes { name } pageInfo { hasNextPage endCursor } }
    } }
  }`;

function coverageOf(db: Knex, code: string, viewer: Viewer = ADMIN, page: { first?: number; after?: string } = {}): Promise<Result> {
  return execute(db, COVERAGE, { code, ...page }, { viewer });
}

const errorCode = (r: Result) => r.errors?.map((e) => e.extensions?.code);

/**
 * In C1: camera A (east-facing, 60°, 100 m), a dome M (80 m), an OFFLINE camera B, a retired camera R, and
 * camera N standing in C2 looking west across the boundary. Ten key places, six of them seen.
 */
async function keyPlaceScene(trx: Knex, f: FacilityFixture) {
  const A = at(0.5, 1.0);
  const B = at(0.5, 0.5);
  const R = at(0.5, 1.5);
  const M = at(0.2, 0.3);
  const N = at(1.05, 1.8);
  await createCamera(trx, { name: 'A 东向', at: A, bearing: 90, fov: 60, range: 100 });
  await createCamera(trx, { name: 'B 离线', at: B, bearing: 0, fov: 90, range: 100, status: 'OFFLINE' });
  const retired = await createCamera(trx, { name: 'R 已撤', at: R, bearing: 180, fov: 90, range: 100 });
  await facilityEdit(trx, 'retireFacility', { id: fid(retired), expectedVersion: 1 });
  await createCamera(trx, { name: 'M 球机', at: M, bearing: 0, fov: 360, range: 80 });
  await createCamera(trx, { name: 'N 邻格', at: N, bearing: 270, fov: 60, range: 100 });
  const places: Record<string, { id: string; covered: boolean }> = {};
  const place = async (name: string, p: Promise<{ lng: number; lat: number }>, covered: boolean) => {
    places[name] = { id: await insertKeyPlace(trx, name, await p), covered };
  };
  await place('a 扇区边缘内', project(trx, A, 50, 119.9), true);
  await place('b 射程外', project(trx, A, 100.5, 90), false);
  await place('c 背后', project(trx, A, 50, 270), false);
  await place('d 仅离线可见', project(trx, B, 50, 0), false);
  await place('e 仅撤除可见', project(trx, R, 50, 180), false);
  for (const az of [0, 100, 200, 300]) await place(`f 球机 ${az}`, project(trx, M, 70, az), true);
  await place('g 邻格可见', project(trx, N, 80, 270), true);
  const { rows } = await trx.raw('SELECT g.code, count(*)::int AS n FROM key_place k JOIN grid g ON g.id = k.grid_id WHERE k.id = ANY(?::uuid[]) GROUP BY g.code', [
    Object.values(places).map((p) => p.id),
  ]);
  expect(rows).toEqual([{ code: f.grids.C1.code, n: 10 }]); // every key place lies in C1, N's included
  return places;
}

describe('key places seen by cameras', () => {
  it('counts the key places of the subtree an ONLINE camera sees, and lists the others by name', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      await keyPlaceScene(trx, f);
      const c1 = ok(await coverageOf(trx, f.grids.C1.code)).grid.cameraCoverage;
      expect(c1).toMatchObject({ grid: { code: f.grids.C1.code }, keyPlaceCount: 10, coveredKeyPlaceCount: 6, onlineCameraCount: 2 });
      expect(c1.keyPlaceCoverage).toBeCloseTo(0.6, 12);
      expect(c1.uncoveredKeyPlaces.totalCount).toBe(4);
      expect(c1.uncoveredKeyPlaces.nodes.map((n: { name: string }) => n.name)).toEqual(['b 射程外', 'c 背后', 'd 仅离线可见', 'e 仅撤除可见']);
      // The street rolls C1 and C2 up: N (in C2) counts among its cameras; the key places are the same.
      const s1 = ok(await coverageOf(trx, f.grids.S1.code)).grid.cameraCoverage;
      expect(s1).toMatchObject({ keyPlaceCount: 10, coveredKeyPlaceCount: 6, onlineCameraCount: 3 });
      // No key places: no share to give (not 1, which would read as "all covered").
      const c2 = ok(await coverageOf(trx, f.grids.C2.code)).grid.cameraCoverage;
      expect(c2).toMatchObject({ keyPlaceCount: 0, coveredKeyPlaceCount: 0, keyPlaceCoverage: null, onlineCameraCount: 1 });
    }));

  it('pages through the uncovered key places with cursors', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      await keyPlaceScene(trx, f);
      const first = ok(await coverageOf(trx, f.grids.C1.code, ADMIN, { first: 3 })).grid.cameraCoverage.uncoveredKeyPlaces;
      expect(first.nodes.map((n: { name: string }) => n.name)).toEqual(['b 射程外', 'c 背后', 'd 仅离线可见']);
      expect(first.pageInfo.hasNextPage).toBe(true);
      const next = ok(await coverageOf(trx, f.grids.C1.code, ADMIN, { first: 3, after: first.pageInfo.endCursor })).grid.cameraCoverage.uncoveredKeyPlaces;
      expect(next.nodes.map((n: { name: string }) => n.name)).toEqual(['e 仅撤除可见']);
      expect(next.pageInfo.hasNextPage).toBe(false);
    }));

  it('answers KeyPlace.coveredByCamera per key place for staff, null for others', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      const places = await keyPlaceScene(trx, f);
      const query = `query($id: ID!) { node(id: $id) { ... on KeyPlace { name coveredByCamera } } }`;
      for (const [name, p] of Object.entries(places)) {
        const r = ok(await execute(trx, query, { id: toGlobalId('KeyPlace', p.id) }, { viewer: user('GRID_WORKER', f.grids.C1.code) }));
        expect({ name, covered: r.node.coveredByCamera }).toEqual({ name, covered: p.covered });
      }
      const somePlace = toGlobalId('KeyPlace', places['a 扇区边缘内'].id);
      for (const viewer of [undefined, user('VIEWER'), user('DISPATCHER', f.grids.S2.code)]) {
        expect(ok(await execute(trx, query, { id: somePlace }, { viewer })).node.coveredByCamera).toBeNull();
      }
    }));

  it('answers coveredByCamera of a key place read as of an instant for staff whose jurisdiction holds it now', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      const school = at(1.5, 1.0);
      await createCamera(trx, { name: '校门', at: await project(trx, school, 30, 180), bearing: 0, fov: 60, range: 100 });
      await insertKeyPlace(trx, '迁出学校', school);
      const before = await instantBetweenWrites(trx);
      await moveGrid(trx, f.grids.C2, f.grids.S2); // the school's community is now street S2's
      const q = `query($code: String!, $asOf: DateTime!) { grid(code: $code, asOf: $asOf) { keyPlaces { nodes { name coveredByCamera } } } }`;
      const seen = async (viewer: Viewer) => ok(await execute(trx, q, { code: f.grids.S1.code, asOf: before.toISOString() }, { viewer })).grid.keyPlaces.nodes;
      expect(await seen(user('GRID_WORKER', f.grids.S1.code))).toEqual([{ name: '迁出学校', coveredByCamera: null }]);
      expect(await seen(user('GRID_WORKER', f.code))).toEqual([{ name: '迁出学校', coveredByCamera: true }]);
    }));

  it('sees a place due north at the far end of a 5 km camera: the stored sector reaches due north, so its box holds it', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      // The edges are at odd degrees here (bearing 1 ± 30): a sector sampled from its edge every 2° would end
      // 5000·cos 1° north of the camera, 0.76 m short of the true arc, where the place lies (0.1 m inside the range).
      const place = at(0.3, 1.9);
      const camera = await project(trx, place, 4999.9, 180);
      await createCamera(trx, { name: 'G 远', at: camera, bearing: 1, fov: 60, range: 5000 });
      await insertKeyPlace(trx, '远处学校', place);
      const { rows } = await trx.raw(
        `SELECT camera_sees(f.location, f.bearing, f.fov, f.range_m, k.location) AS sees, f.sector && k.location AS box_holds
         FROM facility f, key_place k WHERE f.name = 'G 远' AND k.name = '远处学校'`,
      );
      expect(rows[0]).toEqual({ sees: true, box_holds: true });
      expect(ok(await coverageOf(trx, f.grids.C1.code)).grid.cameraCoverage).toMatchObject({ keyPlaceCount: 1, coveredKeyPlaceCount: 1 });
    }));
});

describe('the share of the area a camera sees', () => {
  const AREA = `query($code: String!) { grid(code: $code) { areaSqm cameraCoverage { areaCoverage onlineCameraCount } } }`;
  const areaOf = async (trx: Knex, code: string) => ok(await execute(trx, AREA, { code }, { viewer: ADMIN })).grid;

  it('is the sector area over the grid area, a sector counted once however many cameras share it, cut at the boundary', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      expect((await areaOf(trx, f.grids.SQ.code)).cameraCoverage.areaCoverage).toBe(0);
      const center = at(4.5, 0.5);
      await createCamera(trx, { name: 'Q1', at: center, bearing: 45, fov: 90, range: 200 });
      const { rows } = await trx.raw(
        `SELECT ST_Area(f.sector::geography) AS sector_sqm, ST_Area(g.boundary::geography) AS grid_sqm
         FROM facility f, grid g WHERE f.name = 'Q1' AND g.id = ?`,
        [f.grids.SQ.id],
      );
      const { sector_sqm: sectorSqm, grid_sqm: gridSqm } = rows[0];
      expect(sectorSqm / ((Math.PI * 200 ** 2 * 90) / 360)).toBeCloseTo(1, 3); // the polygon is the sector, within 0.1 %
      const one = await areaOf(trx, f.grids.SQ.code);
      expect(one.cameraCoverage.areaCoverage).toBeCloseTo(sectorSqm / gridSqm, 9);
      expect(one.cameraCoverage.areaCoverage).toBeCloseTo((Math.PI * 200 ** 2) / 4 / one.areaSqm, 4);

      // A second camera on the same spot and an OFFLINE one add nothing.
      await createCamera(trx, { name: 'Q2', at: center, bearing: 45, fov: 90, range: 200 });
      await createCamera(trx, { name: 'Q3', at: at(4.2, 0.2), bearing: 0, fov: 360, range: 100, status: 'OFFLINE' });
      expect((await areaOf(trx, f.grids.SQ.code)).cameraCoverage.areaCoverage).toBeCloseTo(sectorSqm / gridSqm, 9);

      // A dome on SQ's south-west corner: only the quarter inside SQ counts.
      await createCamera(trx, { name: 'Q4', at: at(4, 0), bearing: 0, fov: 360, range: 100 });
      const expected = (sectorSqm + (Math.PI * 100 ** 2) / 4) / gridSqm;
      expect((await areaOf(trx, f.grids.SQ.code)).cameraCoverage.areaCoverage / expected).toBeCloseTo(1, 3);
    }));
});

describe('who may ask', () => {
  it('refuses anonymous callers, VIEWERs and staff of another street; grid workers of the street may ask', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      expect(errorCode(await coverageOf(trx, f.grids.C1.code, { kind: 'anonymous' }))).toEqual(['UNAUTHENTICATED']);
      expect(errorCode(await coverageOf(trx, f.grids.C1.code, user('VIEWER')))).toEqual(['FORBIDDEN']);
      expect(errorCode(await coverageOf(trx, f.grids.C1.code, user('GRID_WORKER', f.grids.S2.code)))).toEqual(['FORBIDDEN']);
      expect(errorCode(await coverageOf(trx, f.grids.S1.code, user('GRID_WORKER', f.grids.C1.code)))).toEqual(['FORBIDDEN']);
      expect(ok(await coverageOf(trx, f.grids.C1.code, user('GRID_WORKER', f.grids.S1.code))).grid.cameraCoverage.keyPlaceCount).toBe(0);
    }));

  it('answers for the current cameras only, not for a grid read as of a past instant', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      const r = await execute(trx, `query($code: String!, $asOf: DateTime!) { grid(code: $code, asOf: $asOf) { cameraCoverage { keyPlaceCount } } }`,
        { code: f.grids.C1.code, asOf: new Date().toISOString() }, { viewer: ADMIN });
      expect(errorCode(r)).toEqual(['BAD_USER_INPUT']);
    }));
});
