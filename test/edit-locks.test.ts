import knexFactory, { type Knex } from 'knex';
import { fromGlobalId, toGlobalId } from '../src/graphql/relay';
import { ADMIN, facilityEdit } from './fixtures/facility';
import { mutateOrganization } from './fixtures/organization';
import { insertRaceTree, rect, removeRaceTree, rpt } from './fixtures/race';
import { testDatabaseUrl } from './support/env';
import { execute, ok, type Result } from './support/graphql';

/**
 * Facility and organisation edits against concurrent edits, on real connections with committed data: a facility
 * attached to a building being retired, and the order locks are taken in (the grids of a record's position
 * before its row, as grid edits take them). A third connection holds what the edits need, so each step is
 * reached for certain before the next one starts (the test waits for the database to report the edit blocked).
 *
 * The trees lie in the race fixtures' area at x 50–57, which no other test draws in.
 */

let db: Knex;
const districts: string[] = [];

beforeAll(() => {
  db = knexFactory({ client: 'pg', connection: testDatabaseUrl(), pool: { min: 0, max: 8 } });
});

afterAll(async () => {
  if (districts.length) {
    const inTree = `grid_id IN (SELECT id FROM grid WHERE id = ANY(?::uuid[]) OR ancestor_ids && ?::uuid[])`;
    for (const table of ['facility', 'organization', 'building']) await db.raw(`DELETE FROM ${table} WHERE ${inTree}`, [districts, districts]);
    await removeRaceTree(db, districts);
  }
  await db.destroy();
});

/** District D = street S = [x, x+2]×[0,2], communities C1 and C2 its halves. */
async function tree(x: number) {
  const t = await insertRaceTree(db, [
    ['D', 'DISTRICT', null, rect(x, 0, x + 2, 2)],
    ['S', 'STREET', 'D', rect(x, 0, x + 2, 2)],
    ['C1', 'COMMUNITY', 'S', rect(x, 0, x + 1, 2)],
    ['C2', 'COMMUNITY', 'S', rect(x + 1, 0, x + 2, 2)],
  ]);
  districts.push(...t.districtIds);
  return t;
}

const position = (x: number, y: number) => {
  const [lng, lat] = rpt(x, y);
  return { lng, lat };
};

/** Polls `done` until it holds or ten seconds have passed (then the test goes on and its assertions decide). */
async function waitUntil(done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** How many connections wait on `pid`, directly or queued behind one that does. */
async function waitingOn(pid: number): Promise<number> {
  const { rows } = await db.raw(
    `WITH b AS (SELECT pid, pg_blocking_pids(pid) AS by FROM pg_stat_activity WHERE datname = current_database())
     SELECT count(*)::int AS n FROM b WHERE ?::int = ANY(by) OR by && ARRAY(SELECT pid FROM b WHERE ?::int = ANY(by))`,
    [pid, pid],
  );
  return rows[0].n;
}

/** A transaction on its own connection, and its backend's pid. */
async function holder(): Promise<{ trx: Knex.Transaction; pid: number }> {
  const trx = await db.transaction();
  const { rows } = await trx.raw('SELECT pg_backend_pid() AS pid');
  return { trx, pid: rows[0].pid };
}

/** Whether another transaction could lock the row now (false: an edit holds it). */
async function rowFree(table: string, id: string): Promise<boolean> {
  try {
    await db.transaction((trx) => trx.raw(`SELECT 1 FROM ${table} WHERE id = ? FOR UPDATE NOWAIT`, [id]));
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === '55P03') return false;
    throw err;
  }
}

const payload = (r: Result, field: string) => ok(r)[field];

describe('a facility attached to a building while the building is retired', () => {
  it('waits for a retire already queued and is refused: no current facility is left on a retired building', async () => {
    const t = await tree(50);
    const at = position(50.5, 1);
    const { rows } = await db.raw(
      `INSERT INTO building (code, name, kind, community_id, location)
       VALUES (?, '竞态楼', 'PUBLIC', ?, ST_SetSRID(ST_MakePoint(?::float8, ?::float8), 4326)) RETURNING id`,
      [`${t.codes.C1}0001`, t.ids.C1, at.lng, at.lat],
    );
    const buildingId = rows[0].id;
    // The holder keeps the building's row the way every edit of it does. The retire queues for the row first; then the
    // facility, which must not read the building as current (and insert under it) while the retire is pending.
    const h = await holder();
    let results: Result[];
    try {
      await h.trx.raw('SELECT 1 FROM building WHERE id = ? FOR UPDATE', [buildingId]);
      const retire = execute(db, `mutation($input: RetireBuildingInput!) { retireBuilding(input: $input) { __typename } }`,
        { input: { id: toGlobalId('Building', buildingId), expectedVersion: 1 } }, { viewer: ADMIN });
      await waitUntil(async () => (await waitingOn(h.pid)) >= 1);
      const attach = execute(db, `mutation($input: CreateFacilityInput!) { createFacility(input: $input) { __typename ... on ValidationError { problems { field } } } }`,
        { input: { name: '竞态门', kind: 'GATE', location: at, buildingId: toGlobalId('Building', buildingId) } }, { viewer: ADMIN });
      await waitUntil(async () => (await waitingOn(h.pid)) >= 2);
      await h.trx.commit();
      results = await Promise.all([retire, attach]);
    } finally {
      if (!h.trx.isCompleted()) await h.trx.rollback();
    }
    const [retired, attached] = [payload(results[0], 'retireBuilding'), payload(results[1], 'createFacility')];
    // The retire was first in the queue: it goes through, and the facility finds no current building.
    expect([retired.__typename, attached]).toEqual(['BuildingSuccess', { __typename: 'ValidationError', problems: [{ field: 'input.buildingId' }] }]);
    const { rows: orphans } = await db.raw(
      `SELECT count(*)::int AS n FROM facility f JOIN building b ON b.id = f.building_id WHERE b.id = ? AND b.retired_at IS NOT NULL AND f.retired_at IS NULL`,
      [buildingId],
    );
    expect(orphans[0].n).toBe(0);
  });
});

/**
 * A grid edit locks its grids and then updates the records lying there: an edit that locked a record's row and
 * then waited for a grid lock could deadlock with it. The holder takes the lock a grid edit of C1 would take.
 */
describe.each([
  ['a facility', 'facility', 'updateFacility', 'Facility'],
  ['an organisation', 'organization', 'updateOrganization', 'Organization'],
] as const)('an edit of %s under a grid edit', (_what, table, mutation, type) => {
  it('waits for the grid of its position without holding its row, then moves it', async () => {
    const x = table === 'facility' ? 53 : 56;
    const t = await tree(x);
    const id: string =
      table === 'facility'
        ? (await facilityEdit(db, 'createFacility', { name: '锁序门', kind: 'GATE', location: position(x + 0.5, 1) })).facility.id
        : (await mutateOrganization(db, 'createOrganization', { name: '锁序单位', kind: 'ENTERPRISE', location: position(x + 0.5, 1) })).organization.id;
    const dbId = fromGlobalId(id)!.id;
    const h = await holder();
    let result: Result;
    try {
      await h.trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`grid:${t.ids.C1}`]);
      const edit = execute(db, `mutation($input: ${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { __typename } }`,
        { input: { id, expectedVersion: 1, location: position(x + 1.5, 1) } }, { viewer: ADMIN });
      await waitUntil(async () => (await waitingOn(h.pid)) >= 1);
      expect(await waitingOn(h.pid)).toBe(1);
      expect(await rowFree(table, dbId)).toBe(true);
      await h.trx.commit();
      result = await edit;
    } finally {
      if (!h.trx.isCompleted()) await h.trx.rollback();
    }
    expect(payload(result, mutation).__typename).toBe(`${type}Success`);
    const { rows } = await db.raw(`SELECT grid_id, version FROM ${table} WHERE id = ?`, [dbId]);
    expect(rows[0]).toEqual({ grid_id: t.ids.C2, version: 2 });
  });
});
