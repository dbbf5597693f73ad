import type { Knex } from 'knex';
import { createContext } from '../src/context';
import { toGlobalId } from '../src/graphql/relay';
import type { Viewer } from '../src/modules/auth/viewer';
import {
  ADMIN, at, createCamera, createFacilityFixture, databaseId, facilityEdit, fid, insertBuilding, project, runFacility,
  type FacilityFixture, type Point,
} from './fixtures/facility';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok, silentLog, testConfig, user, type Result } from './support/graphql';

/**
 * Facilities (物): who may create, edit and retire them (ADMIN and DISPATCHER within their jurisdiction), who
 * may read them (staff within their jurisdiction), validation, version conflicts, the building link, `near`
 * against PostGIS distances, and the inventory rolled up over a subtree.
 */

afterAll(closeTestDb);

const errorCodes = (r: Result) => r.errors?.map((e) => e.extensions?.code);
const camera = (bearing = 90) => ({ bearing, fieldOfView: 60, rangeMeters: 100, category: 'TRAFFIC' });
const newCamera = (p: Point, name = '路口东') => ({ name, kind: 'CAMERA', location: p, camera: camera() });

/** Everything about facilities: a refused write leaves it exactly as it was. */
async function facilitySnapshot(db: Knex): Promise<string> {
  const { rows } = await db.raw(`SELECT count(*) AS n, md5(string_agg(concat_ws('|', id, name, status, version, updated_at, retired_at,
    building_id, bearing, grid_id, ST_AsEWKB(location)), ',' ORDER BY id)) AS rows FROM facility`);
  return JSON.stringify(rows[0]);
}

const LIST = `query($filter: FacilityFilter, $first: Int, $after: String) {
  facilities(filter: $filter, first: $first, after: $after) {
    totalCount nodes { id name kind status distanceMeters grid { code } } pageInfo { hasNextPage endCursor } } }`;
const list = (db: Knex, viewer: Viewer, filter: object = {}, page: object = {}) => execute(db, LIST, { filter, ...page }, { viewer });
const names = (r: Result) => ok(r).facilities.nodes.map((n: { name: string }) => n.name).sort();

describe('createFacility: roles and jurisdiction', () => {
  const KEY: Viewer = { kind: 'service', keyId: 'k', subject: 'apikey:cams', name: 'cams', operations: ['READ_FACILITIES', 'EDIT_GRIDS'], jurisdictionCode: null };
  it.each<[string, string, (f: FacilityFixture) => Viewer]>([
    ['an ADMIN of the whole deployment', 'ok', () => ADMIN],
    ['an ADMIN of the street', 'ok', (f) => user('ADMIN', f.grids.S1.code)],
    ['a DISPATCHER of the street', 'ok', (f) => user('DISPATCHER', f.grids.S1.code)],
    ['a DISPATCHER of the community', 'ok', (f) => user('DISPATCHER', f.grids.C1.code)],
    ['a GIS_EDITOR of the street', 'FORBIDDEN', (f) => user('GIS_EDITOR', f.grids.S1.code)],
    ['a GRID_WORKER of the street', 'FORBIDDEN', (f) => user('GRID_WORKER', f.grids.S1.code)],
    ['a VIEWER', 'FORBIDDEN', () => user('VIEWER')],
    ['an anonymous caller', 'UNAUTHENTICATED', () => ({ kind: 'anonymous' })],
    ['a DISPATCHER of another street', 'FORBIDDEN', (f) => user('DISPATCHER', f.grids.S2.code)],
    ['an API key (no operation grants it)', 'FORBIDDEN', () => KEY],
  ])('%s → %s', (_who, expected, viewer) =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      const before = await facilitySnapshot(trx);
      const r = await runFacility(trx, 'createFacility', newCamera(at(0.5, 0.5)), viewer(f));
      if (expected !== 'ok') {
        expect(errorCodes(r)).toEqual([expected]);
        expect(await facilitySnapshot(trx)).toBe(before);
        return;
      }
      const payload = ok(r).createFacility;
      expect(payload.facility).toMatchObject({ kind: 'CAMERA', status: 'ONLINE', version: 1, grid: { code: f.grids.C1.code } });
      const { rows } = await trx.raw('SELECT updated_by FROM facility WHERE id = ?', [databaseId(payload.facility.id)]);
      const v = viewer(f);
      expect(rows[0].updated_by).toBe('subject' in v ? v.subject : null);
    }),
  );

  it('leaves a facility outside every grid to someone with the whole deployment', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      const outside = at(-1, 1); // 0.01° (about 960 m) west of the district
      expect(errorCodes(await runFacility(trx, 'createFacility', newCamera(outside), user('DISPATCHER', f.code)))).toEqual(['FORBIDDEN']);
      expect((await facilityEdit(trx, 'createFacility', newCamera(outside))).facility.grid).toBeNull();
    }));
});

describe('validation', () => {
  const expectProblems = async (trx: Knex, input: object, fields: string[]) => {
    const before = await facilitySnapshot(trx);
    const payload = await facilityEdit(trx, 'createFacility', input);
    expect(payload.__typename).toBe('ValidationError');
    expect(payload.problems.map((p: { field: string }) => p.field).sort()).toEqual([...fields].sort());
    expect(await facilitySnapshot(trx)).toBe(before);
    return payload;
  };

  it('lists every problem at once and writes nothing', () =>
    withRollback(async (trx) => {
      await createFacilityFixture(trx);
      await expectProblems(trx, { name: ' ', kind: 'CAMERA', location: { lng: 200, lat: 30 } }, ['input.name', 'input.location', 'input.camera']);
      const bad = { bearing: 360, fieldOfView: 0, rangeMeters: 5001, category: 'TRAFFIC' };
      const r = await expectProblems(trx, { ...newCamera(at(0.5, 0.5)), camera: bad }, ['input.camera.bearing', 'input.camera.fieldOfView', 'input.camera.rangeMeters']);
      expect(r.problems[0].message).toMatch(/less than 360 \(got 360\)/);
      await expectProblems(trx, { name: '东门', kind: 'GATE', location: at(0.5, 0.5), camera: camera() }, ['input.camera']);
      // A view with no sector to draw (its edges meeting in one point) is refused, not an internal error.
      for (const [view, field, message] of [
        [{ fieldOfView: 1e-300 }, 'input.camera.fieldOfView', /at least 0.5 and at most 360/],
        [{ fieldOfView: 0.49 }, 'input.camera.fieldOfView', /at least 0.5 and at most 360/],
        [{ rangeMeters: 0.99 }, 'input.camera.rangeMeters', /at least 1 and at most 5000/],
      ] as const) {
        const refused = await expectProblems(trx, { ...newCamera(at(0.5, 0.5)), camera: { ...camera(), ...view } }, [field]);
        expect(refused.problems[0].message).toMatch(message);
      }
      await expectProblems(trx, { name: '东门', kind: 'GATE', location: at(0.5, 0.5), buildingId: toGlobalId('Grid', '00000000-0000-4000-8000-000000000000') }, ['input.buildingId']);
    }));

  it('takes the narrowest view and the shortest range allowed; the sector function answers null below them rather than failing', () =>
    withRollback(async (trx) => {
      await createFacilityFixture(trx);
      const narrow = await facilityEdit(trx, 'createFacility', { ...newCamera(at(0.5, 0.5)), camera: { ...camera(), fieldOfView: 0.5, rangeMeters: 1 } });
      const { rows } = await trx.raw(`SELECT GeometryType(sector) AS type FROM facility WHERE id = ?`, [databaseId(narrow.facility.id)]);
      expect(rows[0].type).toBe('POLYGON');
      const sectors = await trx.raw(`SELECT camera_sector(p, 10, 1e-300, 100) IS NULL AS pin, camera_sector(p, 10, 30, 0.5) IS NULL AS short
        FROM (SELECT ST_SetSRID(ST_MakePoint(122, 30), 4326) AS p) s`);
      expect(sectors.rows[0]).toEqual({ pin: true, short: true });
    }));

  it('ties a facility to a current building within 200 m of it, and says how far it is otherwise', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      const b = await insertBuilding(trx, f.grids.C1, '1号楼', at(0.5, 0.5));
      const buildingId = toGlobalId('Building', b);
      const far = await expectProblems(trx, { ...newCamera(await project(trx, at(0.5, 0.5), 250, 90)), buildingId }, ['input.buildingId']);
      expect(far.problems[0].message).toMatch(/lies 250 m from building \d{16} \(1号楼\).*within 200 m/);
      expect(far.problems[0].subjects).toEqual([{ id: buildingId }]);
      const near = await facilityEdit(trx, 'createFacility', { ...newCamera(await project(trx, at(0.5, 0.5), 150, 90), '1号楼东墙'), buildingId });
      expect(near.facility.building).toEqual({ id: buildingId });
      // Moving it away from its building is refused too; detaching it is not.
      const moved = await facilityEdit(trx, 'updateFacility', { id: near.facility.id, expectedVersion: 1, location: await project(trx, at(0.5, 0.5), 300, 0) });
      expect(moved.problems.map((p: { field: string }) => p.field)).toEqual(['input.location']);
      const detached = await facilityEdit(trx, 'updateFacility', { id: near.facility.id, expectedVersion: 1, buildingId: null });
      expect(detached.facility).toMatchObject({ building: null, version: 2 });
    }));

  it('lists a building\'s facilities for staff of its grid only', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      const buildingId = toGlobalId('Building', await insertBuilding(trx, f.grids.C1, '2号楼', at(0.5, 0.5)));
      await facilityEdit(trx, 'createFacility', { name: '2号楼大门', kind: 'GATE', location: at(0.5, 0.5), buildingId });
      await facilityEdit(trx, 'createFacility', { name: '别处消防栓', kind: 'HYDRANT', location: at(0.5, 0.6) });
      const q = `query($id: ID!) { node(id: $id) { ... on Building { facilities { totalCount nodes { name } } } } }`;
      expect(ok(await execute(trx, q, { id: buildingId }, { viewer: user('GRID_WORKER', f.grids.S1.code) })).node.facilities)
        .toEqual({ totalCount: 1, nodes: [{ name: '2号楼大门' }] });
      expect(errorCodes(await execute(trx, q, { id: buildingId }, { viewer: user('GRID_WORKER', f.grids.S2.code) }))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await execute(trx, q, { id: buildingId }))).toEqual(['UNAUTHENTICATED']);
    }));
});

describe('updateFacility and retireFacility', () => {
  it('bumps the version per edit, refuses a stale one, keeps a RETIRED-status device listed, re-draws the sector', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      const id = fid(await createCamera(trx, { name: '西口', at: at(0.5, 0.5), bearing: 0, fov: 60, range: 100 }));
      const before = await facilitySnapshot(trx);
      const stale = await facilityEdit(trx, 'updateFacility', { id, expectedVersion: 2, name: '西口2' });
      expect(stale).toMatchObject({ __typename: 'VersionConflict', currentVersion: 1, node: { id } });
      expect(await facilitySnapshot(trx)).toBe(before);
      const dispatcher = user('DISPATCHER', f.grids.S1.code);
      expect((await facilityEdit(trx, 'updateFacility', { id, expectedVersion: 1, name: '西口新' }, dispatcher)).facility).toMatchObject({ name: '西口新', version: 2 });
      const retiredStatus = await facilityEdit(trx, 'updateFacility', { id, expectedVersion: 2, status: 'RETIRED', camera: camera(180) }, dispatcher);
      expect(retiredStatus.facility).toMatchObject({ status: 'RETIRED', version: 3, camera: { bearing: 180 } });
      expect(names(await list(trx, dispatcher))).toEqual(['西口新']);
      const { rows } = await trx.raw(`SELECT ST_Equals(sector, camera_sector(location, 180, 60, 100)) AS redrawn, updated_by FROM facility WHERE id = ?`, [databaseId(id)]);
      expect(rows[0]).toEqual({ redrawn: true, updated_by: 'test-dispatcher' });
      const read = ok(await execute(trx, `query($id: ID!) { facility(id: $id) { location { lng lat } camera { sector } } }`, { id }, { viewer: dispatcher })).facility;
      expect(read.camera.sector.type).toBe('Polygon');
      expect(read.camera.sector.coordinates[0][0]).toEqual([read.location.lng, read.location.lat]); // the apex
    }));

  it('refuses edits outside the jurisdiction (the facility\'s grid and, for a move, the new one) and camera views on other kinds', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      const id = fid(await createCamera(trx, { name: '北口', at: at(0.5, 0.5), bearing: 0, fov: 60, range: 100 }));
      const gate = (await facilityEdit(trx, 'createFacility', { name: '南门', kind: 'GATE', location: at(0.6, 0.5) })).facility.id;
      const s1 = user('DISPATCHER', f.grids.S1.code);
      const before = await facilitySnapshot(trx);
      expect(errorCodes(await runFacility(trx, 'updateFacility', { id, expectedVersion: 1, name: 'x' }, user('DISPATCHER', f.grids.S2.code)))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await runFacility(trx, 'updateFacility', { id, expectedVersion: 1, location: at(2.5, 0.5) }, s1))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await runFacility(trx, 'retireFacility', { id, expectedVersion: 1 }, user('GRID_WORKER', f.grids.S1.code)))).toEqual(['FORBIDDEN']);
      expect((await facilityEdit(trx, 'updateFacility', { id: gate, expectedVersion: 1, camera: camera() }, s1)).problems[0].field).toBe('input.camera');
      expect((await facilityEdit(trx, 'updateFacility', { id: gate, expectedVersion: 1 }, s1)).problems[0].message).toMatch(/nothing to change/);
      expect(await facilitySnapshot(trx)).toBe(before);
      expect((await facilityEdit(trx, 'updateFacility', { id, expectedVersion: 1, location: at(1.5, 0.5) }, s1)).facility.grid.code).toBe(f.grids.C2.code);
    }));

  it('retires a facility out of every list, answers a stale or repeated retire, and still reads it by id', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      const id = fid(await createCamera(trx, { name: '东口', at: at(0.5, 0.5), bearing: 0, fov: 60, range: 100 }));
      const worker = user('GRID_WORKER', f.grids.S1.code);
      expect(ok(await list(trx, worker)).facilities.totalCount).toBe(1);
      expect((await facilityEdit(trx, 'retireFacility', { id, expectedVersion: 7 })).__typename).toBe('VersionConflict');
      expect((await facilityEdit(trx, 'retireFacility', { id, expectedVersion: 1 })).facility).toMatchObject({ status: 'RETIRED', version: 2 });
      expect(ok(await list(trx, worker)).facilities.totalCount).toBe(0);
      expect((await facilityEdit(trx, 'retireFacility', { id, expectedVersion: 2 })).__typename).toBe('NotFoundError');
      expect((await facilityEdit(trx, 'updateFacility', { id, expectedVersion: 2, name: 'x' })).__typename).toBe('NotFoundError');
      expect(ok(await execute(trx, `query($id: ID!) { facility(id: $id) { name status } }`, { id }, { viewer: worker })).facility).toEqual({ name: '东口', status: 'RETIRED' });
    }));
});

describe('the stamps of an edit', () => {
  it('come from the clock, not the start of the transaction: an edit after the insert in one transaction is later', () =>
    withRollback(async (trx) => {
      await createFacilityFixture(trx);
      const id = fid(await createCamera(trx, { name: '时刻', at: at(0.5, 0.5), bearing: 0, fov: 60, range: 100 }));
      const stamps = async () => (await trx.raw('SELECT created_at, updated_at, retired_at FROM facility WHERE id = ?', [databaseId(id)])).rows[0];
      await facilityEdit(trx, 'updateFacility', { id, expectedVersion: 1, name: '时刻2' });
      const updated = await stamps();
      expect(updated.updated_at.getTime()).toBeGreaterThan(updated.created_at.getTime());
      await facilityEdit(trx, 'retireFacility', { id, expectedVersion: 2 });
      const retired = await stamps();
      expect(retired.retired_at.getTime()).toBeGreaterThan(updated.updated_at.getTime());
      expect(retired.updated_at).toEqual(retired.retired_at);
    }));
});

describe('reading facilities', () => {
  it('is for staff within their jurisdiction only', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      const inS1 = fid(await createCamera(trx, { name: 'S1 摄像头', at: at(1.5, 0.5), bearing: 0, fov: 60, range: 100 }));
      const inS2 = fid(await createCamera(trx, { name: 'S2 摄像头', at: at(2.5, 0.5), bearing: 0, fov: 60, range: 100 }));
      const worker = user('GRID_WORKER', f.grids.S1.code);
      expect(errorCodes(await list(trx, { kind: 'anonymous' }))).toEqual(['UNAUTHENTICATED']);
      expect(errorCodes(await list(trx, user('VIEWER')))).toEqual(['FORBIDDEN']);
      expect(names(await list(trx, worker))).toEqual(['S1 摄像头']);
      expect(names(await list(trx, user('DISPATCHER', f.code)))).toEqual(['S1 摄像头', 'S2 摄像头']);
      expect(errorCodes(await list(trx, worker, { gridCode: f.grids.S2.code }))).toEqual(['FORBIDDEN']);
      const one = `query($id: ID!) { facility(id: $id) { name } }`;
      expect(ok(await execute(trx, one, { id: inS1 }, { viewer: worker })).facility).toEqual({ name: 'S1 摄像头' });
      // A refusal does not name what the caller may not read.
      const refused = await execute(trx, one, { id: inS2 }, { viewer: worker });
      expect(refused.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([['FORBIDDEN', `that facility lies outside your jurisdiction (${f.grids.S1.code})`]]);
      const edit = await runFacility(trx, 'updateFacility', { id: inS2, expectedVersion: 1, name: 'x' }, user('DISPATCHER', f.grids.S1.code));
      expect(edit.errors?.map((e) => e.message)).toEqual([`that facility lies outside your jurisdiction (${f.grids.S1.code})`]);
      expect(errorCodes(await execute(trx, one, { id: inS1 }))).toEqual(['UNAUTHENTICATED']);
      const onGrid = `query($code: String!, $filter: FacilityFilter) { grid(code: $code) { facilities(filter: $filter) { totalCount } } }`;
      expect(ok(await execute(trx, onGrid, { code: f.grids.C2.code }, { viewer: worker })).grid.facilities.totalCount).toBe(1);
      expect(errorCodes(await execute(trx, onGrid, { code: f.grids.S2.code }, { viewer: worker }))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await execute(trx, onGrid, { code: f.grids.S1.code, filter: { gridCode: f.grids.C1.code } }, { viewer: worker }))).toEqual(['BAD_USER_INPUT']);
      const key: Viewer = { kind: 'service', keyId: 'k', subject: 'apikey:v', name: 'v', operations: ['READ_FACILITIES'], jurisdictionCode: f.grids.S2.code };
      expect(names(await list(trx, key))).toEqual(['S2 摄像头']);
    }));

  it('filters by kind, status and camera category', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      await createCamera(trx, { name: '在线', at: at(0.5, 0.5), bearing: 0, fov: 60, range: 100 });
      await createCamera(trx, { name: '离线', at: at(0.5, 0.6), bearing: 0, fov: 60, range: 100, status: 'OFFLINE' });
      await facilityEdit(trx, 'createFacility', { name: '消防栓', kind: 'HYDRANT', location: at(0.5, 0.7) });
      const v = user('DISPATCHER', f.code);
      expect(names(await list(trx, v, { kind: ['CAMERA'], status: ['ONLINE'] }))).toEqual(['在线']);
      expect(names(await list(trx, v, { kind: ['HYDRANT', 'GATE'] }))).toEqual(['消防栓']);
      expect(names(await list(trx, v, { cameraCategory: ['PUBLIC_SECURITY_HOTSPOT'] }))).toEqual(['在线', '离线']);
      expect(names(await list(trx, v, { cameraCategory: ['TRAFFIC'] }))).toEqual([]);
    }));

  it('near: the 10 nearest cameras within 500 m, nearest first, at the distances PostGIS measures on the spheroid', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      const p = at(2.5, 1.0);
      for (let i = 0; i < 16; i++) {
        await createCamera(trx, { name: `近 ${i}`, at: await project(trx, p, 35 * (i + 1) - 3 * (i % 4), (i * 137) % 360), bearing: 0, fov: 90, range: 50 });
      }
      await facilityEdit(trx, 'createFacility', { name: '最近的门', kind: 'GATE', location: await project(trx, p, 5, 0) });
      const { rows } = await trx.raw(
        `SELECT name, ST_Distance(location::geography, ST_SetSRID(ST_MakePoint(?, ?), 4326)::geography) AS d FROM facility
         WHERE kind = 'CAMERA' AND ST_DWithin(location::geography, ST_SetSRID(ST_MakePoint(?, ?), 4326)::geography, 500) ORDER BY d LIMIT 10`,
        [p.lng, p.lat, p.lng, p.lat],
      );
      const page = ok(await list(trx, user('DISPATCHER', f.grids.S2.code), { kind: ['CAMERA'], near: { ...p, meters: 500 } }, { first: 10 })).facilities;
      expect(page.nodes.map((n: { name: string }) => n.name)).toEqual(rows.map((r: { name: string }) => r.name));
      page.nodes.forEach((n: { distanceMeters: number }, i: number) => expect(n.distanceMeters).toBeCloseTo(rows[i].d, 6));
      expect(page.totalCount).toBe(14); // 35·i − 3·(i mod 4) ≤ 500 for the first 14
      const rest = ok(await list(trx, user('DISPATCHER', f.grids.S2.code), { kind: ['CAMERA'], near: { ...p, meters: 500 } }, { first: 10, after: page.pageInfo.endCursor })).facilities;
      expect(rest.nodes.map((n: { distanceMeters: number }) => n.distanceMeters)).toEqual([...rest.nodes.map((n: { distanceMeters: number }) => n.distanceMeters)].sort((a, b) => a - b));
      expect(rest.nodes).toHaveLength(4);
      expect(rest.nodes[0].distanceMeters).toBeGreaterThan(page.nodes[9].distanceMeters);
    }));

  it('a facility read by id after a near list in the same request carries no distance', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      const id = await createCamera(trx, { name: '近处', at: at(0.5, 0.5), bearing: 0, fov: 60, range: 100 });
      const ctx = createContext({ requestId: 't', viewer: user('DISPATCHER', f.code), db: trx, log: silentLog, config: testConfig() });
      const near = await ctx.services.facility.list({ near: { ...at(0.5, 0.6), meters: 500 } }, {});
      expect(near.rows.map((r) => [r.id, r.distance_m! > 0])).toEqual([[id, true]]);
      expect((await ctx.services.facility.byId(id))?.distance_m ?? null).toBeNull();
    }));
});

describe('Inventory.facilitiesByKind', () => {
  const INVENTORY = `query($code: String!) { grid(code: $code) { inventory { facilitiesByKind { kind status count } } } }`;
  const countsOf = async (trx: Knex, code: string, viewer: Viewer = ADMIN) => ok(await execute(trx, INVENTORY, { code }, { viewer })).grid.inventory.facilitiesByKind;
  type Count = { kind: string; status: string; count: number };
  const sum = (...lists: Count[][]) => {
    const m = new Map<string, number>();
    for (const c of lists.flat()) m.set(`${c.kind}/${c.status}`, (m.get(`${c.kind}/${c.status}`) ?? 0) + c.count);
    return [...m].map(([k, count]) => ({ kind: k.split('/')[0], status: k.split('/')[1], count })).sort((a, b) => (a.kind + a.status < b.kind + b.status ? -1 : 1));
  };

  it('rolls up to every ancestor: a street counts its communities plus what lies directly in it', () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      const add = (name: string, kind: string, x: number, y: number) => facilityEdit(trx, 'createFacility', { name, kind, location: at(x, y) });
      await createCamera(trx, { name: 'c1a', at: at(0.2, 0.2), bearing: 0, fov: 60, range: 100 });
      await createCamera(trx, { name: 'c1b', at: at(0.4, 0.2), bearing: 0, fov: 60, range: 100 });
      await add('c1 hydrant', 'HYDRANT', 0.6, 0.2);
      const gone = await add('c1 retired', 'AED', 0.8, 0.2);
      await facilityEdit(trx, 'retireFacility', { id: gone.facility.id, expectedVersion: 1 });
      await createCamera(trx, { name: 'c2', at: at(1.5, 0.2), bearing: 0, fov: 60, range: 100, status: 'OFFLINE' });
      await add('c2 gate', 'GATE', 1.5, 0.4);
      await add('c3 aed', 'AED', 2.5, 0.5);
      await createCamera(trx, { name: 'c4', at: at(3.5, 0.5), bearing: 0, fov: 60, range: 100 });
      await add('s2 hydrant', 'HYDRANT', 3.5, 1.5);
      await createCamera(trx, { name: 's2 camera', at: at(3.5, 1.6), bearing: 0, fov: 60, range: 100 });
      const [d, s1, s2, s3, c1, c2, c3, c4] = await Promise.all(['D', 'S1', 'S2', 'S3', 'C1', 'C2', 'C3', 'C4'].map((k) => countsOf(trx, f.grids[k as 'D'].code)));
      expect(s2).toEqual([
        { kind: 'AED', status: 'ONLINE', count: 1 },
        { kind: 'CAMERA', status: 'ONLINE', count: 2 },
        { kind: 'HYDRANT', status: 'ONLINE', count: 1 },
      ]);
      const direct = [{ kind: 'CAMERA', status: 'ONLINE', count: 1 }, { kind: 'HYDRANT', status: 'ONLINE', count: 1 }];
      expect(s2).toEqual(sum(c3, c4, direct));
      expect(s1).toEqual(sum(c1, c2));
      expect(c1).toEqual([{ kind: 'CAMERA', status: 'ONLINE', count: 2 }, { kind: 'HYDRANT', status: 'ONLINE', count: 1 }]);
      expect(s3).toEqual([]);
      expect(d).toEqual(sum(s1, s2, s3));
      // As of now, the grids and facilities in force now: the same figures.
      const asOf = `query($code: String!, $asOf: DateTime!) { grid(code: $code, asOf: $asOf) { inventory { facilitiesByKind { kind status count } } } }`;
      expect(ok(await execute(trx, asOf, { code: f.code, asOf: new Date().toISOString() }, { viewer: ADMIN })).grid.inventory.facilitiesByKind).toEqual(d);
      // Null, without an error, for callers who may not read facilities there.
      expect(await countsOf(trx, f.grids.S1.code, user('VIEWER'))).toBeNull();
      expect(await countsOf(trx, f.grids.S1.code, user('GRID_WORKER', f.grids.S2.code))).toBeNull();
      expect(await countsOf(trx, f.grids.S1.code, { kind: 'anonymous' })).toBeNull();
    }));
});
