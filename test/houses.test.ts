import knexFactory, { type Knex } from 'knex';
import { lockGrids } from '../src/modules/grid/repo-edit';
import { ADMIN, createPlaceFixture, createRaceCommunity, dbId, mutatePlace, placeSnapshot, problem, removeRaceCommunity, runPlace } from './fixtures/place';
import { testDatabaseUrl } from './support/env';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok, user } from './support/graphql';

/**
 * Houses (实有房屋) through GraphQL: their checks, versions and listing (forged cursors refused), and place
 * writes racing on separate connections: codes and rooms taken at once, and the order place edits take their
 * locks in against a grid edit (grids first, then rows, as the grid edit does).
 */

afterAll(closeTestDb);

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
      expect(house.house).toMatchObject({ unit: 2, floor: 15, room: '1502', areaSqm: 120.25, use: 'RENTED', version: 1, retiredAt: null, grid: { code: f.grids.GA1.code }, building: { code: f.buildings.BA1.code } });
      const id = f.houses.h102.id;
      expect((await mutatePlace(trx, 'updateHouse', { id, expectedVersion: 1, use: 'VACANT' })).house).toMatchObject({ use: 'VACANT', version: 2 });
      expect(await mutatePlace(trx, 'updateHouse', { id, expectedVersion: 1, use: 'RENTED' })).toMatchObject({ __typename: 'VersionConflict', currentVersion: 2, node: { __typename: 'House', room: '102' } });
      expect(problem(await mutatePlace(trx, 'updateHouse', { id, expectedVersion: 2, room: '101' }), 'BAD_VALUE').subjects).toEqual([{ __typename: 'House', room: '101', version: 1 }]);
    }));

  it('are listed by unit, floor and room, page after page; a retired one is left out of the list but still read by id', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      await mutatePlace(trx, 'createHouse', { buildingId: f.buildings.BA1.id, unit: 1, floor: 3, room: '301', use: 'VACANT' });
      const page = async (after: string | null) =>
        ok(await execute(trx, `query($id: ID!, $after: String) { building(id: $id) { houses(first: 2, after: $after) { totalCount nodes { room } pageInfo { hasNextPage endCursor } } } }`, { id: f.buildings.BA1.id, after })).building.houses;
      const one = await page(null);
      expect(one).toMatchObject({ totalCount: 4, nodes: [{ room: '101' }, { room: '102' }], pageInfo: { hasNextPage: true } });
      const two = await page(one.pageInfo.endCursor);
      expect(two).toMatchObject({ nodes: [{ room: '301' }, { room: '201' }], pageInfo: { hasNextPage: false } });
      const retired = await mutatePlace(trx, 'retireHouse', { id: f.houses.h101.id, expectedVersion: 1 });
      expect(retired.house).toMatchObject({ room: '101', version: 2, retiredAt: expect.any(String) });
      expect((await page(null)).nodes).toEqual([{ room: '102' }, { room: '301' }]);
      const read = ok(await execute(trx, `query($id: ID!) { house(id: $id) { room retiredAt } }`, { id: f.houses.h101.id })).house;
      expect(read).toEqual({ room: '101', retiredAt: retired.house.retiredAt });
    }));

  it('a forged cursor is refused as BAD_USER_INPUT: a unit or floor not a whole number in range, a room holding NUL, an id not a uuid', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const id = dbId(f.houses.h101.id);
      const forged: unknown[][] = [
        [1e300, 1, '101', id],
        [1.5, 1, '101', id],
        [-1, 1, '101', id],
        [1, 1e300, '101', id],
        [1, -12, '101', id],
        [1, 1, '1\u00000', id],
        [1, 1, '1'.repeat(21), id],
        [1, 1, '', id],
        [1, 1, 101, id],
        [1, 1, '101', 'not-a-uuid'],
      ];
      for (const key of forged) {
        const after = Buffer.from(JSON.stringify(key)).toString('base64url');
        const r = await execute(trx, `query($id: ID!, $after: String) { building(id: $id) { houses(after: $after) { nodes { room } } } }`, { id: f.buildings.BA1.id, after });
        expect([key, r.errors?.map((e) => [e.extensions?.code, e.extensions?.field ?? null])]).toEqual([key, [['BAD_USER_INPUT', 'after']]]);
      }
      // The cursor of a house with neither unit nor floor (they sort first) is one of its own.
      const bare = await mutatePlace(trx, 'createHouse', { buildingId: f.buildings.BA1.id, room: '门卫室', use: 'OTHER' });
      const first = ok(await execute(trx, `query($id: ID!) { building(id: $id) { houses(first: 1) { nodes { room } pageInfo { endCursor } } } }`, { id: f.buildings.BA1.id })).building.houses;
      expect(first.nodes).toEqual([{ room: bare.house.room }]);
      const rest = ok(await execute(trx, `query($id: ID!, $after: String) { building(id: $id) { houses(after: $after) { nodes { room } } } }`, { id: f.buildings.BA1.id, after: first.pageInfo.endCursor }));
      expect(rest.building.houses.nodes.map((h: any) => h.room)).toEqual(['101', '102', '201']);
    }));
});

describe('place writes racing on separate connections', () => {
  const RACERS = 10;
  let pool: Knex;
  beforeAll(async () => {
    pool = knexFactory({ client: 'pg', connection: testDatabaseUrl(), pool: { min: 0, max: RACERS + 2 } });
    pool.setMaxListeners(RACERS + 10);
    await Promise.all(Array.from({ length: RACERS }, () => pool.raw('SELECT ST_Area(ST_MakeEnvelope(0, 0, 1, 1, 4326)::geography)')));
  });
  afterAll(() => pool?.destroy());

  /** Polls `done` until it holds or a few seconds have passed (then the test goes on and its assertions decide). */
  async function waitUntil(done: () => Promise<boolean>, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  /**
   * A grid edit on its own connection, stopped half-way: community C locked exclusively (as an edit of it locks
   * it). `meanwhile` starts a place write; once that write waits for the grid edit (or has finished without
   * waiting), `relocate` runs in the grid edit (as relocateWithin re-resolves the rows inside), which commits.
   * The grid edit gives up first should the two ever wait for each other.
   */
  async function duringGridEdit<T>(gridId: string, meanwhile: () => Promise<T>, relocate: (trx: Knex.Transaction) => Promise<unknown>): Promise<T> {
    const gridEdit = await pool.transaction();
    try {
      const { rows } = await gridEdit.raw('SELECT pg_backend_pid() AS pid');
      await gridEdit.raw(`SET LOCAL deadlock_timeout = '10ms'`);
      await lockGrids(gridEdit, { exclusive: [gridId] });
      let settled = false;
      const write = meanwhile().finally(() => (settled = true));
      const blocked = async () => (await pool.raw(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE ?::int = ANY(pg_blocking_pids(pid))`, [rows[0].pid])).rows[0].n > 0;
      await waitUntil(async () => settled || (await blocked()));
      await relocate(gridEdit);
      await gridEdit.commit();
      return await write;
    } finally {
      if (!gridEdit.isCompleted()) await gridEdit.rollback();
    }
  }

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

  it('a building or key place edit waits for a grid edit of its grid without holding the row the grid edit re-resolves', async () => {
    const { grids, at: pt } = await createRaceCommunity(pool);
    try {
      const building = (await mutatePlace(pool, 'createBuilding', { name: '锁序楼', kind: 'OTHER', location: pt(0.3, 0.3) })).building;
      const place = (await mutatePlace(pool, 'createKeyPlace', { name: '锁序场所', kind: 'OTHER', location: pt(0.6, 0.6) })).keyPlace;
      const edits: [table: string, id: string, mutation: string, input: object][] = [
        ['building', building.id, 'updateBuilding', { id: building.id, expectedVersion: 1, location: pt(0.35, 0.3) }],
        ['key_place', place.id, 'updateKeyPlace', { id: place.id, expectedVersion: 1, location: pt(0.65, 0.6) }],
        ['building', building.id, 'retireBuilding', { id: building.id, expectedVersion: 2 }],
        ['key_place', place.id, 'retireKeyPlace', { id: place.id, expectedVersion: 2 }],
      ];
      for (const [table, id, mutation, input] of edits) {
        const r = await duringGridEdit(
          grids.C.id,
          () => runPlace(pool, mutation, input, ADMIN),
          (trx) => trx.raw(`UPDATE ${table} SET grid_resolved_at = clock_timestamp() WHERE id = ?`, [dbId(id)]),
        );
        expect([mutation, r.errors, r.data?.[mutation].__typename]).toEqual([mutation, undefined, expect.stringMatching(/Success$/)]);
      }
    } finally {
      await removeRaceCommunity(pool, grids);
    }
  });

  it("a house write waits for a grid edit of its building's grid, then answers to the grid the edit gave the building", async () => {
    const { grids, at: pt } = await createRaceCommunity(pool);
    try {
      const building = (await mutatePlace(pool, 'createBuilding', { name: '管辖楼', kind: 'OTHER', location: pt(0.5, 0.5) })).building;
      const dispatcherOfC = user('DISPATCHER', grids.C.code);
      // The edit leaves the building in the street, outside community C (what re-resolving writes when C gives the area up).
      const r = await duringGridEdit(
        grids.C.id,
        () => runPlace(pool, 'createHouse', { buildingId: building.id, room: '101', use: 'VACANT' }, dispatcherOfC),
        (trx) => trx.raw(`UPDATE building SET grid_id = ? WHERE id = ?`, [grids.S.id, dbId(building.id)]),
      );
      expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      const { rows } = await pool.raw(`SELECT count(*)::int AS n FROM house WHERE building_id = ?`, [dbId(building.id)]);
      expect(rows[0].n).toBe(0);
    } finally {
      await removeRaceCommunity(pool, grids);
    }
  });
});
