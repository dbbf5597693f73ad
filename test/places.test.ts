import type { Knex } from 'knex';
import { fromWgs84 } from '../src/geo/coordinates';
import { toGlobalId } from '../src/graphql/relay';
import type { Viewer } from '../src/modules/auth/viewer';
import { at } from './fixtures/grid';
import { ADMIN, createPlaceFixture, dbId, gid, mutatePlace, placeSnapshot, problem, runPlace, square } from './fixtures/place';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok, testConfig, user } from './support/graphql';

/**
 * Places (地): buildings and key places through GraphQL — create, update and retire with their checks and
 * version conflicts, who may write them, and `node(id)`. Houses and racing writes: houses.test.ts; lists and
 * inventories: place-lists.test.ts.
 */

afterAll(closeTestDb);

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
      expect(problem(away, 'BAD_VALUE').message).toMatch(new RegExp(`lies in 测试B1 \\(${f.grids.B1.code}\\), outside the community the building is registered in`));
      const outOfFootprint = await mutatePlace(trx, 'updateBuilding', { id: f.buildings.BA1.id, expectedVersion: 1, location: at(0.8, 0.8) });
      expect(problem(outOfFootprint, 'BAD_VALUE')).toMatchObject({ field: 'input.location', message: expect.stringMatching(/m outside the building's footprint/) });
      const fewerFloors = await mutatePlace(trx, 'updateBuilding', { id: f.buildings.BA1.id, expectedVersion: 1, floors: 1 });
      expect(problem(fewerFloors, 'BAD_VALUE').message).toMatch(/has houses on floor 2/);
      expect(await placeSnapshot(trx)).toBe(before);
    }));

  it('retire is refused while houses or facilities remain (saying how many); a retired building leaves the lists, not building(id | code)', () =>
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
      const read = await query(trx, `query($id: ID!, $code: String) { building(id: $id) { code retiredAt } byCode: building(code: $code) { version } node(id: $id) { __typename ... on Building { version } } }`, {
        id: f.buildings.BA1.id,
        code: f.buildings.BA1.code,
      });
      expect(read).toEqual({ building: { code: f.buildings.BA1.code, retiredAt: expect.any(String) }, byCode: { version: 2 }, node: { __typename: 'Building', version: 2 } });
      const listed = await query(trx, `{ buildings(filter: { gridCode: "${f.grids.GA1.code}" }) { nodes { code } } }`);
      expect(listed.buildings.nodes).toEqual([]);
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
      // Too many corners: the message is about the footprint (or a key place's area), not a grid's boundary.
      const fewCorners = testConfig({ MAX_BOUNDARY_VERTICES: '4' });
      const pentagon = { type: 'Polygon', coordinates: [[at(0.45, 0.45), at(0.55, 0.45), at(0.56, 0.5), at(0.55, 0.55), at(0.45, 0.55), at(0.45, 0.45)].map((p) => [p.lng, p.lat])] };
      const tooMany = problem(await mutatePlace(trx, 'createBuilding', { ...base, footprint: pentagon }, ADMIN, fewCorners), 'TOO_MANY_VERTICES');
      expect(tooMany).toMatchObject({ field: 'input.footprint', message: 'input.footprint: the footprint has 5 vertices; the limit is 4 (simplify the footprint)' });
      const area = problem(await mutatePlace(trx, 'createKeyPlace', { name: '广场', kind: 'OTHER', location: at(0.5, 0.5), area: pentagon }, ADMIN, fewCorners), 'TOO_MANY_VERTICES');
      expect(area.message).toBe('input.area: the area has 5 vertices; the limit is 4 (simplify the area)');
    }));

  it("an explicit code does not use up the automatic ones: the lowest number never used comes next, until all 9999 are", () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const a1 = f.grids.A1.code; // BA1 is …0001, BA3 …0002
      const create = (input: object = {}) => mutatePlace(trx, 'createBuilding', { name: '新楼', kind: 'OTHER', location: at(0.6, 0.6), ...input }, user('DISPATCHER', a1));
      expect((await create({ code: `${a1}9999` })).building.code).toBe(`${a1}9999`);
      expect((await create({ code: `${a1}0004` })).building.code).toBe(`${a1}0004`);
      const third = (await create()).building;
      expect(third.code).toBe(`${a1}0003`);
      expect((await mutatePlace(trx, 'retireBuilding', { id: third.id, expectedVersion: 1 })).__typename).toBe('BuildingSuccess');
      expect((await create()).building.code).toBe(`${a1}0005`);
      // Every number taken (…0006 to …9998 by SQL): only then is there none left, and the answer says so.
      const p = at(0.7, 0.7);
      await trx.raw(
        `INSERT INTO building (code, name, kind, community_id, location)
         SELECT ? || lpad(n::text, 4, '0'), '占号楼', 'OTHER', ?, ST_SetSRID(ST_MakePoint(?, ?), 4326) FROM generate_series(6, 9998) n`,
        [a1, f.grids.A1.id, p.lng, p.lat],
      );
      expect(problem(await create(), 'BAD_CODE')).toMatchObject({
        field: 'input.code',
        message: expect.stringMatching(new RegExp(`^code: all 9999 codes of 测试A1 \\(${a1}\\) \\(${a1}0001–${a1}9999\\) have been used, retired buildings' included`)),
      });
    }));

  it('keeps the community it was registered under: after a boundary edit carried it away its updates still pass, and a retired community is still read', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      // BA3, registered in A1, now lies in B1 (as if a boundary edit had moved the line between them past it).
      const there = at(2.5, 0.3);
      await trx.raw(`UPDATE building SET location = ST_SetSRID(ST_MakePoint(?, ?), 4326) WHERE id = ?`, [there.lng, there.lat, dbId(f.buildings.BA3.id)]);
      const renamed = await mutatePlace(trx, 'updateBuilding', { id: f.buildings.BA3.id, expectedVersion: 1, name: '商业楼B座', location: there });
      expect(renamed.building).toMatchObject({ name: '商业楼B座', version: 2, community: { code: f.grids.A1.code }, grid: { code: f.grids.MB1a.code } });
      const before = await placeSnapshot(trx);
      const moved = await mutatePlace(trx, 'updateBuilding', { id: f.buildings.BA3.id, expectedVersion: 2, location: at(2.6, 0.3) });
      expect(problem(moved, 'BAD_VALUE').message).toMatch(new RegExp(`lies in 测试B1 \\(${f.grids.B1.code}\\), outside the community the building is registered in`));
      expect(await placeSnapshot(trx)).toBe(before);
      // B1 retired (its grids first): BB, registered there, still reads its community.
      for (const key of ['MB1a', 'MB1b', 'GB1', 'B1'] as const) {
        const r = await query(trx, `mutation($input: RetireGridInput!) { retireGrid(input: $input) { __typename } }`, { input: { id: gid(f.grids[key].id), expectedVersion: 1, reason: '撤销' } }, ADMIN);
        expect([key, r.retireGrid.__typename]).toEqual([key, 'RetireGridSuccess']);
      }
      const { building } = await query(trx, `query($id: ID!) { building(id: $id) { code community { code validTo } grid { code } } }`, { id: f.buildings.BB.id });
      expect(building).toEqual({ code: f.buildings.BB.code, community: { code: f.grids.B1.code, validTo: expect.any(String) }, grid: { code: f.grids.B.code } });
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
      expect((await query(trx, `query($id: ID!) { keyPlace(id: $id) { name retiredAt } }`, { id })).keyPlace).toEqual({ name: '测试中学', retiredAt: expect.any(String) });
      expect((await query(trx, `{ keyPlaces(filter: { gridCode: "${f.districtCode}" }) { nodes { name } } }`)).keyPlaces.nodes).toEqual([{ name: '东区农贸市场' }]);
    }));
});

describe('dedicated grids of key places', () => {
  it('are linked only within the editor\'s jurisdiction and over the place (within 100 m); a move keeps the place near its own', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      // A dedicated grid of street B along its border with street A: [2.0, 2.1] × [0.45, 0.55].
      const drawn = await query(trx, `mutation($input: CreateGridInput!) { createGrid(input: $input) { ... on CreateGridSuccess { grid { id code } } } }`, {
        input: { name: '卫生站专属网格', level: 'DEDICATED', parentId: gid(f.grids.B1.id), boundary: square(2.05, 0.5, 0.05), reason: '专属网格' },
      }, ADMIN);
      const grid = drawn.createGrid.grid;
      const before = await placeSnapshot(trx);
      // At (1.99, 0.5), in street A, 9.6 m from that grid: a DISPATCHER of A may write there, not link B's grid.
      const input = { name: '卫生站', kind: 'HOSPITAL', location: at(1.99, 0.5), dedicatedGridId: grid.id };
      const across = await mutatePlace(trx, 'createKeyPlace', input, user('DISPATCHER', f.grids.A.code));
      expect(across.problems).toEqual([
        expect.objectContaining({ code: 'OUTSIDE_JURISDICTION', field: 'input.dedicatedGridId', message: `dedicatedGridId: the dedicated grid 卫生站专属网格 (${grid.code}) lies outside your jurisdiction (${f.grids.A.code})` }),
      ]);
      const linkedFar = await mutatePlace(trx, 'updateKeyPlace', { id: f.keyPlaces.market.id, expectedVersion: 1, dedicatedGridId: gid(f.grids.SCHOOL.id) });
      const { rows } = await trx.raw(`SELECT ST_Distance(g.boundary::geography, k.location::geography) AS d FROM grid g, key_place k WHERE g.id = ? AND k.id = ?`, [f.grids.SCHOOL.id, dbId(f.keyPlaces.market.id)]);
      expect(problem(linkedFar, 'BAD_VALUE')).toMatchObject({ field: 'input.dedicatedGridId', message: expect.stringContaining(`lies ${Number(rows[0].d).toFixed(1)} m from the dedicated grid 测试SCHOOL`) });
      const movedAway = await mutatePlace(trx, 'updateKeyPlace', { id: f.keyPlaces.school.id, expectedVersion: 1, location: at(1.5, 1.5), area: null });
      expect(problem(movedAway, 'BAD_VALUE')).toMatchObject({ field: 'input.location', message: expect.stringMatching(/m from the dedicated grid 测试SCHOOL .* the place is linked to/) });
      expect(await placeSnapshot(trx)).toBe(before);
      // Whoever holds street B may link it, and a place 9.6 m outside it is near enough.
      const linked = await mutatePlace(trx, 'createKeyPlace', input, user('DISPATCHER', f.districtCode));
      expect(linked.keyPlace).toMatchObject({ dedicatedGrid: { code: grid.code }, grid: { code: f.grids.GA3.code } });
      const nearby = await mutatePlace(trx, 'updateKeyPlace', { id: f.keyPlaces.school.id, expectedVersion: 1, location: at(0.45, 1.0), area: null });
      expect(nearby.keyPlace).toMatchObject({ version: 2, dedicatedGrid: { code: f.grids.SCHOOL.code } });
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

describe('node(id)', () => {
  it('returns buildings, houses and key places', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const ids = [f.buildings.BB.id, f.houses.h201.id, f.keyPlaces.market.id];
      const nodes = await Promise.all(ids.map(async (id) => (await query(trx, `query($id: ID!) { node(id: $id) { __typename id } }`, { id })).node));
      expect(nodes).toEqual([{ __typename: 'Building', id: ids[0] }, { __typename: 'House', id: ids[1] }, { __typename: 'KeyPlace', id: ids[2] }]);
    }));
});
