import knexFactory, { type Knex } from 'knex';
import { fromWgs84 } from '../src/geo/coordinates';
import { fromGlobalId, toGlobalId } from '../src/graphql/relay';
import type { Viewer } from '../src/modules/auth/viewer';
import { at } from './fixtures/grid';
import { createPlaceFixture, createRaceCommunity, gid, mutatePlace, placeSnapshot, removeRaceCommunity, runPlace, square } from './fixtures/place';
import { testDatabaseUrl } from './support/env';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok, user } from './support/graphql';

/**
 * Places (地): buildings, houses and key places through GraphQL — create, update and retire with their checks
 * and version conflicts, who may write them, the lists (`near` against PostGIS distances, a grid's subtree, the
 * address search), inventories rolled up the tree, `node(id)`, and creates racing on separate connections.
 */

afterAll(closeTestDb);

const dbId = (globalId: string) => fromGlobalId(globalId)!.id;

/** The problem of a ValidationError payload with this code. */
function problem(payload: any, code: string) {
  expect(payload.__typename).toBe('ValidationError');
  const found = payload.problems.find((p: any) => p.code === code);
  if (!found) throw new Error(`no ${code} problem in ${JSON.stringify(payload.problems)}`);
  return found;
}

const query = async (db: Knex, q: string, variables: Record<string, unknown> = {}, viewer?: Viewer) => ok(await execute(db, q, variables, { viewer }));

describe('buildings', () => {
  it('are coded under their community (never reusing a code), tied to their grid, the footprint a MultiPolygon', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      expect(f.buildings.BA1.code).toBe(`${f.grids.A1.code}0001`);
      expect(f.buildings.BB.code).toBe(`${f.grids.B1.code}0001`);
      const row = await trx('building').where({ id: dbId(f.buildings.BA1.id) }).first();
      expect(row).toMatchObject({ updated_by: 'test-admin', units: 3, floors: 18, version: 1 });
      const { building } = await query(trx, `{ building(code: "${f.buildings.BA1.code}") { footprint kind grid { code } houses { totalCount } } }`);
      expect(building).toMatchObject({ kind: 'RESIDENTIAL', grid: { code: f.grids.GA1.code }, houses: { totalCount: 3 } });
      expect(building.footprint.type).toBe('MultiPolygon');
      // BA3 (…0002, the highest) retired: the next building still gets …0003.
      expect((await mutatePlace(trx, 'retireBuilding', { id: f.buildings.BA3.id, expectedVersion: 1 })).__typename).toBe('BuildingSuccess');
      const next = await mutatePlace(trx, 'createBuilding', { name: '幸福小区2号楼', kind: 'MIXED', location: at(0.6, 0.6) });
      expect(next.building).toMatchObject({ code: `${f.grids.A1.code}0003`, version: 1, community: { code: f.grids.A1.code }, grid: { code: f.grids.GA1.code } });
    }));

  it('update bumps the version, moves within the community, and answers a stale version with a VersionConflict', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const id = f.buildings.BA3.id;
      const moved = await mutatePlace(trx, 'updateBuilding', { id, expectedVersion: 1, name: '商业大厦', floors: 30, address: null, location: at(1.5, 1.5) });
      expect(moved.building).toMatchObject({ name: '商业大厦', floors: 30, address: null, version: 2, grid: { code: f.grids.GA4.code } });
      const stale = await mutatePlace(trx, 'updateBuilding', { id, expectedVersion: 1, name: '别的名字' });
      expect(stale).toMatchObject({ __typename: 'VersionConflict', currentVersion: 2, changedBy: 'test-admin', node: { __typename: 'Building', name: '商业大厦', version: 2 } });
      const before = await placeSnapshot(trx);
      const away = await mutatePlace(trx, 'updateBuilding', { id, expectedVersion: 2, location: at(2.5, 1.5) });
      expect(problem(away, 'BAD_VALUE').message).toMatch(new RegExp(`lies in 测试B1 \\(${f.grids.B1.code}\\), outside the building's community`));
      const outOfFootprint = await mutatePlace(trx, 'updateBuilding', { id: f.buildings.BA1.id, expectedVersion: 1, location: at(0.8, 0.8) });
      expect(problem(outOfFootprint, 'BAD_VALUE')).toMatchObject({ field: 'input.location', message: expect.stringMatching(/m outside the building's footprint/) });
      const fewerFloors = await mutatePlace(trx, 'updateBuilding', { id: f.buildings.BA1.id, expectedVersion: 1, floors: 1 });
      expect(problem(fewerFloors, 'BAD_VALUE').message).toMatch(/has houses on floor 2/);
      expect(await placeSnapshot(trx)).toBe(before);
    }));

  it('retire is refused while houses or facilities remain (saying how many); retired buildings leave the reads', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      await trx.raw(`INSERT INTO facility (name, kind, building_id, location) SELECT '东门', 'GATE', id, location FROM building WHERE id = ?`, [dbId(f.buildings.BB.id)]);
      const before = await placeSnapshot(trx);
      const withHouses = await mutatePlace(trx, 'retireBuilding', { id: f.buildings.BA1.id, expectedVersion: 1 });
      expect(problem(withHouses, 'HAS_DEPENDANTS').message).toMatch(/still has 3 current house\(s\)/);
      const withGate = await mutatePlace(trx, 'retireBuilding', { id: f.buildings.BB.id, expectedVersion: 1 });
      expect(problem(withGate, 'HAS_DEPENDANTS').message).toMatch(/still has 1 current facility/);
      expect(await placeSnapshot(trx)).toBe(before);
      for (const h of Object.values(f.houses)) {
        expect((await mutatePlace(trx, 'retireHouse', { id: h.id, expectedVersion: 1 })).__typename).toBe('HouseSuccess');
      }
      const retiredHouse = await mutatePlace(trx, 'retireHouse', { id: f.houses.h101.id, expectedVersion: 1 });
      expect(retiredHouse.__typename).toBe('NotFoundError');
      const stale = await mutatePlace(trx, 'retireBuilding', { id: f.buildings.BA1.id, expectedVersion: 7 });
      expect(stale).toMatchObject({ __typename: 'VersionConflict', currentVersion: 1 });
      expect((await mutatePlace(trx, 'retireBuilding', { id: f.buildings.BA1.id, expectedVersion: 1 })).__typename).toBe('BuildingSuccess');
      const read = await query(trx, `query($id: ID!) { building(id: $id) { code } node(id: $id) { __typename ... on Building { version } } }`, { id: f.buildings.BA1.id });
      expect(read).toEqual({ building: null, node: { __typename: 'Building', version: 2 } });
    }));

  it('validation names every problem: code prefix, code taken, self-intersection, a point outside its footprint, the community', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const base = { name: '新楼', kind: 'RESIDENTIAL', location: at(0.5, 0.5) };
      const prefix = await mutatePlace(trx, 'createBuilding', { ...base, code: `${f.grids.B1.code}0007` });
      expect(problem(prefix, 'BAD_CODE').message).toMatch(new RegExp(`coded ${f.grids.A1.code}0001–${f.grids.A1.code}9999`));
      expect(problem(await mutatePlace(trx, 'createBuilding', { ...base, code: '12345' }), 'BAD_CODE').message).toMatch(/16 digits/);
      const taken = await mutatePlace(trx, 'createBuilding', { ...base, code: f.buildings.BA1.code });
      expect(problem(taken, 'CODE_TAKEN').subjects).toEqual([{ __typename: 'Building', code: f.buildings.BA1.code, name: '幸福小区1号楼', version: 1 }]);
      const [x, y, h] = [0.5, 0.5, 0.05];
      const bowTie = { type: 'Polygon', coordinates: [[at(x - h, y - h), at(x + h, y + h), at(x + h, y - h), at(x - h, y + h), at(x - h, y - h)].map((p) => [p.lng, p.lat])] };
      const crossing = problem(await mutatePlace(trx, 'createBuilding', { ...base, footprint: bowTie }), 'SELF_INTERSECTION');
      expect(crossing.field).toBe('input.footprint');
      expect(crossing.location.lng).toBeCloseTo(at(x, y).lng, 9);
      const away = square(0.9, 0.9, 0.05);
      const outside = problem(await mutatePlace(trx, 'createBuilding', { ...base, footprint: away }), 'BAD_VALUE');
      const { rows } = await trx.raw(`SELECT ST_Distance(ST_SetSRID(ST_GeomFromGeoJSON(?), 4326)::geography, ST_SetSRID(ST_MakePoint(?, ?), 4326)::geography) AS d`, [
        JSON.stringify(away), base.location.lng, base.location.lat,
      ]);
      expect(outside).toMatchObject({ field: 'input.footprint', message: expect.stringContaining(`lies ${Number(rows[0].d).toFixed(1)} m outside it`) });
      const elsewhere = await mutatePlace(trx, 'createBuilding', { ...base, communityId: gid(f.grids.B1.id) });
      expect(problem(elsewhere, 'BAD_VALUE')).toMatchObject({
        field: 'input.location',
        message: expect.stringMatching(new RegExp(`lies in 测试A1 \\(${f.grids.A1.code}\\), not in 测试B1`)),
        subjects: [{ __typename: 'Grid', code: f.grids.A1.code }],
      });
      const many = await mutatePlace(trx, 'createBuilding', { ...base, name: ' ', floors: 0, units: 101, address: 'x'.repeat(201) });
      expect(many.problems.map((p: any) => p.field).sort()).toEqual(['input.address', 'input.floors', 'input.name', 'input.units']);
      expect(problem(await mutatePlace(trx, 'createBuilding', { ...base, location: at(40, 40) }), 'BAD_VALUE').message).toMatch(/outside every grid/);
    }));

  it('takes a position and footprint in GCJ-02 and stores them in WGS-84', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const gcj = (p: { lng: number; lat: number }) => fromWgs84(p, 'GCJ02');
      const footprint = square(0.5, 0.7, 0.05);
      footprint.coordinates = [footprint.coordinates[0].map(([lng, lat]) => Object.values(gcj({ lng, lat })))];
      const r = await mutatePlace(trx, 'createBuilding', { name: '火星坐标楼', kind: 'OTHER', location: gcj(at(0.5, 0.7)), crs: 'GCJ02', footprint });
      expect(r.building.grid.code).toBe(f.grids.GA1.code);
      expect(r.building.location.lng).toBeCloseTo(at(0.5, 0.7).lng, 6);
      expect(r.building.location.lat).toBeCloseTo(at(0.5, 0.7).lat, 6);
      const lngs = r.building.footprint.coordinates[0][0].map(([lng]: number[]) => lng);
      expect(Math.min(...lngs)).toBeCloseTo(at(0.45, 0).lng, 6);
      expect(Math.max(...lngs)).toBeCloseTo(at(0.55, 0).lng, 6);
    }));
});

describe('houses', () => {
  it('are unique per building, unit and room; fit the building; conflict on a stale version', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const before = await placeSnapshot(trx);
      const buildingId = f.buildings.BA1.id;
      const dup = await mutatePlace(trx, 'createHouse', { buildingId, unit: 1, floor: 1, room: ' 101 ', use: 'VACANT' });
      expect(problem(dup, 'BAD_VALUE')).toMatchObject({ field: 'input.room', message: expect.stringMatching(/already has a house at unit 1, room 101/), subjects: [{ __typename: 'House', room: '101', version: 1 }] });
      const unfit = await mutatePlace(trx, 'createHouse', { buildingId, unit: 4, floor: 19, room: '1'.repeat(21), areaSqm: 0, use: 'VACANT' });
      expect(unfit.problems.map((p: any) => p.message)).toEqual([
        expect.stringMatching(/^room: 1–20 characters/),
        expect.stringMatching(/^areaSqm: /),
      ]);
      const tooHigh = await mutatePlace(trx, 'createHouse', { buildingId, unit: 4, floor: 19, room: '1901', use: 'VACANT' });
      expect(tooHigh.problems.map((p: any) => p.message)).toEqual([expect.stringMatching(/has 3 unit\(s\), not 4/), expect.stringMatching(/has 18 floor\(s\), not 19/)]);
      expect(await placeSnapshot(trx)).toBe(before);
      const house = await mutatePlace(trx, 'createHouse', { buildingId, unit: 2, floor: 15, room: '1502', areaSqm: 120.25, use: 'RENTED' });
      expect(house.house).toMatchObject({ unit: 2, floor: 15, room: '1502', areaSqm: 120.25, use: 'RENTED', version: 1, grid: { code: f.grids.GA1.code }, building: { code: f.buildings.BA1.code } });
      const id = f.houses.h102.id;
      expect((await mutatePlace(trx, 'updateHouse', { id, expectedVersion: 1, use: 'VACANT' })).house).toMatchObject({ use: 'VACANT', version: 2 });
      expect(await mutatePlace(trx, 'updateHouse', { id, expectedVersion: 1, use: 'RENTED' })).toMatchObject({ __typename: 'VersionConflict', currentVersion: 2, node: { __typename: 'House', room: '102' } });
      expect(problem(await mutatePlace(trx, 'updateHouse', { id, expectedVersion: 2, room: '101' }), 'BAD_VALUE').subjects).toEqual([{ __typename: 'House', room: '101', version: 1 }]);
    }));

  it('are listed by unit, floor and room, page after page', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      await mutatePlace(trx, 'createHouse', { buildingId: f.buildings.BA1.id, unit: 1, floor: 3, room: '301', use: 'VACANT' });
      const page = (after: string | null) =>
        query(trx, `query($id: ID!, $after: String) { building(id: $id) { houses(first: 2, after: $after) { totalCount nodes { room } pageInfo { hasNextPage endCursor } } } }`, { id: f.buildings.BA1.id, after });
      const one = (await page(null)).building.houses;
      expect(one).toMatchObject({ totalCount: 4, nodes: [{ room: '101' }, { room: '102' }], pageInfo: { hasNextPage: true } });
      const two = (await page(one.pageInfo.endCursor)).building.houses;
      expect(two).toMatchObject({ nodes: [{ room: '301' }, { room: '201' }], pageInfo: { hasNextPage: false } });
    }));
});

describe('key places', () => {
  it('link an organisation and a DEDICATED grid; update and retire with versions', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const { keyPlace } = await query(trx, `query($id: ID!) { keyPlace(id: $id) { name kind organization { name } dedicatedGrid { code } dedicatedGrids { code } grid { code } area } }`, { id: f.keyPlaces.school.id });
      expect(keyPlace).toMatchObject({ kind: 'SCHOOL', organization: { name: '测试小学' }, dedicatedGrid: { code: f.grids.SCHOOL.code }, dedicatedGrids: [{ code: f.grids.SCHOOL.code }], grid: { code: f.grids.GA1.code } });
      expect(keyPlace.area.type).toBe('MultiPolygon');
      const before = await placeSnapshot(trx);
      const bad = await mutatePlace(trx, 'createKeyPlace', { name: '医院', kind: 'HOSPITAL', location: at(1.2, 0.2), dedicatedGridId: gid(f.grids.GA3.id), organizationId: toGlobalId('Organization', '00000000-0000-4000-8000-000000000000') });
      expect(problem(bad, 'LEVEL_MISMATCH').message).toMatch(/is a GRID grid; a key place is linked to a DEDICATED grid/);
      expect(problem(bad, 'BAD_VALUE').field).toBe('input.organizationId');
      expect(await placeSnapshot(trx)).toBe(before);
      const id = f.keyPlaces.school.id;
      const updated = await mutatePlace(trx, 'updateKeyPlace', { id, expectedVersion: 1, organizationId: null, name: '测试中学' });
      expect(updated.keyPlace).toMatchObject({ name: '测试中学', organization: null, version: 2, dedicatedGrid: { code: f.grids.SCHOOL.code } });
      expect(await mutatePlace(trx, 'updateKeyPlace', { id, expectedVersion: 1, kind: 'OTHER' })).toMatchObject({ __typename: 'VersionConflict', node: { name: '测试中学', version: 2 } });
      expect((await mutatePlace(trx, 'retireKeyPlace', { id, expectedVersion: 2 })).__typename).toBe('KeyPlaceSuccess');
      expect((await query(trx, `query($id: ID!) { keyPlace(id: $id) { name } }`, { id })).keyPlace).toBeNull();
    }));
});

describe('who may write places', () => {
  it('ADMIN, GIS_EDITOR and DISPATCHER within their jurisdiction; everyone else is refused and nothing is written', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      let n = 0;
      const inputs: Record<string, () => object> = {
        createBuilding: () => ({ name: `${++n}号楼`, kind: 'OTHER', location: at(0.7, 0.3) }),
        createHouse: () => ({ buildingId: f.buildings.BA1.id, room: `R${++n}`, use: 'VACANT' }),
        createKeyPlace: () => ({ name: `医院${++n}`, kind: 'HOSPITAL', location: at(1.2, 0.2) }),
      };
      const refused: [string, Viewer | undefined, string][] = [
        ['GRID_WORKER', user('GRID_WORKER', f.districtCode), 'FORBIDDEN'],
        ['VIEWER', user('VIEWER'), 'FORBIDDEN'],
        ['anonymous', undefined, 'UNAUTHENTICATED'],
        ['DISPATCHER of street B', user('DISPATCHER', f.grids.B.code), 'FORBIDDEN'],
      ];
      const before = await placeSnapshot(trx);
      for (const mutation of Object.keys(inputs)) {
        for (const [who, viewer, code] of refused) {
          const r = await runPlace(trx, mutation, inputs[mutation](), viewer);
          expect([mutation, who, r.errors?.[0]?.extensions?.code]).toEqual([mutation, who, code]);
        }
      }
      expect(await placeSnapshot(trx)).toBe(before);
      const allowed: Viewer[] = [user('ADMIN'), user('GIS_EDITOR', f.districtCode), user('DISPATCHER', f.grids.A.code)];
      for (const mutation of Object.keys(inputs)) {
        for (const viewer of allowed) {
          const payload = await mutatePlace(trx, mutation, inputs[mutation](), viewer);
          expect([mutation, viewer.kind === 'user' && viewer.role, payload.__typename]).toEqual([mutation, viewer.kind === 'user' && viewer.role, expect.stringMatching(/Success$/)]);
        }
      }
    }));
});

describe('place lists', () => {
  it('near: nearest first, distances as PostGIS ST_Distance on the spheroid, pages continuing in order', () =>
    withRollback(async (trx) => {
      const { rows: [p] } = await trx.raw(`SELECT ST_X(location) + 0.0007 AS lng, ST_Y(location) - 0.0004 AS lat FROM building WHERE code LIKE '130105003%' ORDER BY code LIMIT 1`);
      const { rows: expected } = await trx.raw(
        `SELECT id, ST_Distance(location::geography, ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography) AS d FROM building
         WHERE retired_at IS NULL AND ST_DWithin(location::geography, ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography, 600) ORDER BY d, id`,
        p,
      );
      expect(expected.length).toBeGreaterThan(12);
      const seen: { id: string; distanceMeters: number }[] = [];
      let after: string | null = null;
      do {
        const page: any = (await query(trx, `query($near: NearInput!, $after: String) { buildings(filter: { near: $near }, first: 6, after: $after) { nodes { id distanceMeters } pageInfo { hasNextPage endCursor } } }`, { near: { ...p, meters: 600 }, after })).buildings;
        seen.push(...page.nodes);
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      expect(seen.map((b) => dbId(b.id))).toEqual(expected.map((r: any) => r.id));
      seen.forEach((b, i) => expect(b.distanceMeters).toBeCloseTo(expected[i].d, 6));
    }));

  it("gridCode lists exactly the records whose grid lies in that grid's subtree; Grid.buildings the same", () =>
    withRollback(async (trx) => {
      const { rows: [c] } = await trx.raw(`SELECT id, code FROM grid WHERE level = 'COMMUNITY' AND code LIKE '130105%' AND valid_to IS NULL ORDER BY code OFFSET 7 LIMIT 1`);
      const { rows } = await trx.raw(`SELECT code FROM building WHERE retired_at IS NULL AND grid_id IN (SELECT id FROM grid WHERE id = :id OR ancestor_ids @> ARRAY[:id]::uuid[]) ORDER BY code`, c);
      expect(rows.length).toBeGreaterThan(10);
      const listed = (await query(trx, `{ buildings(filter: { gridCode: "${c.code}" }, first: 100) { totalCount nodes { code } } }`)).buildings;
      expect(listed.nodes.map((b: any) => b.code)).toEqual(rows.map((r: any) => r.code));
      expect(listed.totalCount).toBe(rows.length);
      const viaGrid = (await query(trx, `{ grid(code: "${c.code}") { buildings(first: 100) { totalCount nodes { code } } } }`)).grid.buildings;
      expect(viaGrid).toEqual(listed);
      const twice = await execute(trx, `{ grid(code: "${c.code}") { buildings(filter: { gridCode: "${c.code}" }) { totalCount } } }`);
      expect(twice.errors?.[0]).toMatchObject({ message: expect.stringMatching(/give the grid once/), extensions: { code: 'BAD_USER_INPUT' } });
    }));

  it('addressContains is the local address search; kind filters', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const codes = async (filter: string) =>
        (await query(trx, `{ buildings(filter: { gridCode: "${f.districtCode}", ${filter} }) { nodes { code } } }`)).buildings.nodes.map((b: any) => b.code);
      expect(await codes('addressContains: "建设南"')).toEqual([f.buildings.BA1.code]);
      expect(await codes('addressContains: "zhonghua RD"')).toEqual([f.buildings.BA3.code]);
      expect(await codes('addressContains: "100%"')).toEqual([]);
      expect(await codes('kind: [RESIDENTIAL]')).toEqual([f.buildings.BA1.code, f.buildings.BB.code]);
      const near = (await query(trx, `query($near: NearInput!) { keyPlaces(filter: { near: $near }) { nodes { name distanceMeters } } }`, { near: { ...at(0.3, 1.1), meters: 5000 } })).keyPlaces.nodes;
      expect(near.map((k: any) => k.name)).toEqual(['测试小学', '东区农贸市场']);
    }));
});

describe('inventory', () => {
  const KINDS = `buildingsByKind { kind count } housesByUse { kind count } keyPlacesByKind { kind count }`;
  type Counts = Record<'buildingsByKind' | 'housesByUse' | 'keyPlacesByKind', { kind: string; count: number }[]>;
  const inventory = async (db: Knex, code: string, asOf?: string): Promise<Counts> =>
    (await query(db, `query($asOf: DateTime) { grid(code: "${code}", asOf: $asOf) { inventory { ${KINDS} } } }`, { asOf })).grid.inventory;

  /** What lies directly in a grid (not below it), counted in SQL. */
  async function direct(db: Knex, gridId: string): Promise<Counts> {
    const counts = async (sql: string) => (await db.raw(`${sql} GROUP BY 1 ORDER BY 1`, [gridId])).rows;
    return {
      buildingsByKind: await counts(`SELECT kind, count(*)::int AS count FROM building WHERE grid_id = ? AND retired_at IS NULL`),
      housesByUse: await counts(`SELECT h.use, count(*)::int AS count FROM house h JOIN building b ON b.id = h.building_id WHERE b.grid_id = ? AND b.retired_at IS NULL AND h.retired_at IS NULL`),
      keyPlacesByKind: await counts(`SELECT kind, count(*)::int AS count FROM key_place WHERE grid_id = ? AND retired_at IS NULL`),
    };
  }

  /** The counts of a grid summed from what lies directly in it and its children's counts. */
  async function rolledUp(db: Knex, code: string): Promise<Counts> {
    const { grid } = await query(db, `{ grid(code: "${code}") { id children(first: 100) { nodes { inventory { ${KINDS} } } } } }`);
    const parts: Counts[] = [await direct(db, dbId(grid.id)), ...grid.children.nodes.map((c: any) => c.inventory)];
    const sum = (key: keyof Counts) => {
      const totals = new Map<string, number>();
      for (const part of parts) for (const { kind, count } of part[key]) totals.set(kind, (totals.get(kind) ?? 0) + count);
      return [...totals].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, count]) => ({ kind, count }));
    };
    return { buildingsByKind: sum('buildingsByKind'), housesByUse: sum('housesByUse'), keyPlacesByKind: sum('keyPlacesByKind') };
  }

  it("a demo street's counts are the sum of its children's plus what lies directly in the street", () =>
    withRollback(async (trx) => {
      const street = await inventory(trx, '130105001');
      expect(street).toEqual(await rolledUp(trx, '130105001'));
      const { rows } = await trx.raw(`SELECT count(*)::int AS n FROM building WHERE code LIKE '130105001%' AND retired_at IS NULL`);
      expect(street.buildingsByKind.reduce((s, k) => s + k.count, 0)).toBe(rows[0].n);
    }));

  it('counts over the subtree, records lying directly in a street included, now and as of an instant', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      expect(await inventory(trx, f.grids.A1.code)).toEqual({
        buildingsByKind: [{ kind: 'COMMERCIAL', count: 1 }, { kind: 'RESIDENTIAL', count: 1 }],
        housesByUse: [{ kind: 'OWNER_OCCUPIED', count: 1 }, { kind: 'RENTED', count: 2 }],
        keyPlacesByKind: [{ kind: 'SCHOOL', count: 1 }],
      });
      // A street of the fixture's district with no community over its east half, and a key place there.
      const east = { type: 'Polygon', coordinates: [[at(3, 0), at(4, 0), at(4, 2), at(3, 2), at(3, 0)].map((p) => [p.lng, p.lat])] };
      await trx.raw(`UPDATE grid SET boundary = ST_Multi(ST_SetSRID(ST_MakeEnvelope(?, ?, ?, ?), 4326)), version = version + 1 WHERE id = ?`, [at(0, 0).lng, at(0, 0).lat, at(4, 2).lng, at(4, 2).lat, f.grids.D.id]);
      await trx.raw(`INSERT INTO grid (code, name, level, depth, parent_id, ancestor_ids, boundary, changed_by)
        VALUES (?, '测试C', 'STREET', 1, ?, ARRAY[?]::uuid[], ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(?), 4326)), 'fixture')`, [`${f.districtCode}003`, f.grids.D.id, f.grids.D.id, JSON.stringify(east)]);
      await mutatePlace(trx, 'createKeyPlace', { name: '汽车站', kind: 'TRANSPORT_HUB', location: at(3.5, 1) });
      const district = await inventory(trx, f.districtCode);
      expect(district.keyPlacesByKind).toEqual([{ kind: 'MARKET', count: 1 }, { kind: 'SCHOOL', count: 1 }, { kind: 'TRANSPORT_HUB', count: 1 }]);
      expect(district).toEqual(await rolledUp(trx, f.districtCode));
      expect((await inventory(trx, `${f.districtCode}003`)).keyPlacesByKind).toEqual([{ kind: 'TRANSPORT_HUB', count: 1 }]);
      expect(await inventory(trx, f.districtCode, new Date().toISOString())).toEqual(district);
    }));
});

describe('node(id)', () => {
  it('returns buildings, houses and key places', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const ids = [f.buildings.BB.id, f.houses.h201.id, f.keyPlaces.market.id];
      const nodes = await Promise.all(ids.map(async (id) => (await query(trx, `query($id: ID!) { node(id: $id) { __typename id } }`, { id })).node));
      expect(nodes).toEqual([{ __typename: 'Building', id: ids[0] }, { __typename: 'House', id: ids[1] }, { __typename: 'KeyPlace', id: ids[2] }]);
    }));
});

describe('racing creates on separate connections', () => {
  const RACERS = 10;
  let pool: Knex;
  beforeAll(async () => {
    pool = knexFactory({ client: 'pg', connection: testDatabaseUrl(), pool: { min: 0, max: RACERS + 2 } });
    pool.setMaxListeners(RACERS + 10);
    await Promise.all(Array.from({ length: RACERS }, () => pool.raw('SELECT ST_Area(ST_MakeEnvelope(0, 0, 1, 1, 4326)::geography)')));
  });
  afterAll(() => pool?.destroy());

  it('10 buildings created at once in one community get 10 distinct consecutive codes; 10 houses at one room: one wins, 9 are told which', async () => {
    const { grids, at: pt } = await createRaceCommunity(pool);
    try {
      const buildings = await Promise.all(
        Array.from({ length: RACERS }, (_, i) => mutatePlace(pool, 'createBuilding', { name: `竞态${i}号楼`, kind: 'RESIDENTIAL', location: pt(0.05 + i * 0.09, 0.5) })),
      );
      expect(buildings.map((b) => b.building.code).sort()).toEqual(Array.from({ length: RACERS }, (_, i) => `${grids.C.code}${String(i + 1).padStart(4, '0')}`));
      const buildingId = buildings[0].building.id;
      const houses = await Promise.all(Array.from({ length: RACERS }, () => mutatePlace(pool, 'createHouse', { buildingId, unit: 1, room: '101', use: 'VACANT' })));
      const winners = houses.filter((h) => h.__typename === 'HouseSuccess');
      expect(winners).toHaveLength(1);
      for (const lost of houses.filter((h) => h.__typename !== 'HouseSuccess')) {
        expect(problem(lost, 'BAD_VALUE').subjects).toEqual([{ __typename: 'House', room: '101', version: 1 }]);
      }
    } finally {
      await removeRaceCommunity(pool, grids);
    }
  });
});
