import type { Knex } from 'knex';
import { buildSchema, isObjectType } from 'graphql';
import { fromGlobalId, toGlobalId } from '../src/graphql/relay';
import { loadTypeDefs } from '../src/graphql/schema';
import { LOCATED_KINDS, NODE_TYPES } from '../src/modules';
import { lockResolution } from '../src/modules/location/repo';
import { createEditFixture, pt, removeEditFixture, square, type EditFixture } from './fixtures/edit';
import { closeTestDb, testDb, withRollback, instantBetweenWrites } from './support/db';
import { execute, ok, user } from './support/graphql';
import { mutate, snapshot, type Payload } from './support/edits';

/**
 * The located-record mechanism (src/modules/location): one resolve rule for every record and for
 * `resolveLocation`, re-resolution of every registered kind by every grid edit, and no stale grid for a record
 * written while a boundary edit runs.
 */
afterAll(closeTestDb);

const gid = (id: string) => toGlobalId('Grid', id);
const editorOf = (f: EditFixture) => user('GIS_EDITOR', f.code);
const MOVED = '... on %s { moved movedByKind { kind count } }';
/** 50 m in fixture units (0.01° of longitude at 31° N is about 954 m). */
const M50 = 50 / 954;

/** One record of each point kind at a fixture position (SQL, below the modules' APIs: the trigger is the mechanism). */
async function recordsAt(db: Knex, f: EditFixture, x: number, y: number, tag: string) {
  const [lng, lat] = pt(x, y);
  const point = db.raw('ST_SetSRID(ST_MakePoint(?, ?), 4326)', [lng, lat]);
  const code = `${f.codes.C}${String(Math.floor(Math.random() * 9000) + 1000)}`;
  const [building] = await db('building').insert({ code, kind: 'RESIDENTIAL', name: `楼${tag}`, community_id: f.ids.C, location: point }).returning('id');
  const [keyPlace] = await db('key_place').insert({ kind: 'SCHOOL', name: `校${tag}`, location: point }).returning('id');
  const [facility] = await db('facility').insert({ kind: 'HYDRANT', name: `栓${tag}`, location: point }).returning('id');
  const [organization] = await db('organization').insert({ kind: 'ENTERPRISE', name: `企${tag}`, location: point }).returning('id');
  return { building: building.id, keyPlace: keyPlace.id, facility: facility.id, organization: organization.id, lng, lat };
}

async function gridsOf(db: Knex, ids: Record<string, string | number>) {
  const out: Record<string, { code: string | null; distance: number | null }> = {};
  for (const table of ['building', 'key_place', 'facility', 'organization'] as const) {
    const id = ids[table === 'key_place' ? 'keyPlace' : table];
    const { rows } = await db.raw(`SELECT g.code, t.grid_distance_m AS d FROM ${table} t LEFT JOIN grid g ON g.id = t.grid_id WHERE t.id = ?`, [id]);
    out[table] = { code: rows[0].code, distance: rows[0].d };
  }
  return out;
}

const counts = (r: Payload) =>
  Object.fromEntries((r.movedByKind as { kind: string; count: number }[]).filter((m) => m.count > 0).map((m) => [m.kind, m.count]));

describe('one resolve rule', () => {
  it('gives every kind of record the grid resolveLocation gives its position: inside, on shared edges and vertices, just outside, far outside', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const cases: [string, number, number][] = [
        ['inside M1', 0.5, 0.5],
        ['edge G1/G2 (M1 is deeper)', 0.5, 1],
        ['edge G2/free part of C', 1, 1.5],
        ['edge C/K: lowest code', 2, 0.5],
        ['vertex of C, K, S, D', 2, 2],
        ['50 m west of the district', -M50, 0.5],
        ['150 m west of the district', -3 * M50, 0.5],
      ];
      for (const [what, x, y] of cases) {
        const r = await recordsAt(trx, f, x, y, what);
        const resolved = ok(
          await execute(trx, 'query($lng: Float!, $lat: Float!) { resolveLocation(lng: $lng, lat: $lat) { grid { code } distanceMeters approximate } }', {
            lng: r.lng,
            lat: r.lat,
          }),
        ).resolveLocation;
        const expected = { code: resolved.grid?.code ?? null, distance: resolved.distanceMeters };
        const got = await gridsOf(trx, r);
        for (const [table, value] of Object.entries(got)) {
          expect({ what, table, code: value.code }).toEqual({ what, table, code: expected.code });
          if (expected.distance === null) expect(value.distance).toBeNull();
          else expect(value.distance).toBeCloseTo(expected.distance, 6);
        }
      }
      // The cases the rule is about, spelled out.
      const edge = await gridsOf(trx, await recordsAt(trx, f, 2, 0.5, 'x'));
      expect(edge.building.code).toBe(f.codes.C);
      const outside = await gridsOf(trx, await recordsAt(trx, f, -M50, 0.5, 'y'));
      expect(outside.facility.code).toBe(f.codes.M1);
      expect(outside.facility.distance).toBeGreaterThan(45);
      expect(outside.facility.distance).toBeLessThan(55);
    }));
});

describe('grid edits re-resolve every registered kind', () => {
  it('a boundary edit moves the records (and the houses of moved buildings) in the changed area, counted by kind', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const r = await recordsAt(trx, f, 1.5, 1.6, 'a');
      await trx('house').insert([
        { building_id: r.building, room: '101', use: 'RENTED' },
        { building_id: r.building, room: '102', use: 'VACANT' },
      ]);
      const res = await mutate(trx, 'updateGridBoundary', { id: gid(f.ids.G2), boundary: square(0, 1, 2, 2), expectedVersion: 1, reason: '扩大' }, editorOf(f), MOVED.replace('%s', 'UpdateGridBoundarySuccess'));
      // P2 of the fixture is a building in the same area.
      expect(counts(res)).toEqual({ Building: 2, House: 2, KeyPlace: 1, Facility: 1, Organization: 1 });
      expect(res.moved).toBe(7);
      expect(res.movedByKind.map((m: { kind: string }) => m.kind)).toEqual(LOCATED_KINDS.map((k) => k.kind));
      expect(Object.values(await gridsOf(trx, r)).map((g) => g.code)).toEqual([f.codes.G2, f.codes.G2, f.codes.G2, f.codes.G2]);
    }));

  it('a refused edit leaves every located record where it was', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      await recordsAt(trx, f, 0.5, 0.5, 'b');
      const before = await snapshot(trx);
      const res = await mutate(trx, 'updateGridBoundary', { id: gid(f.ids.G1), boundary: square(0, 0, 1, 0.5), expectedVersion: 1, reason: 'x' }, editorOf(f));
      expect(res.__typename).toBe('ValidationError');
      expect(await snapshot(trx)).toBe(before);
    }));

  it('split, merge, move and import each report what moved, by kind', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const north = await recordsAt(trx, f, 1.5, 1.6, 'n');
      const south = await recordsAt(trx, f, 1.5, 0.4, 's');
      const created = await mutate(trx, 'createGrid', { name: '待拆分', level: 'GRID', parentId: gid(f.ids.C), boundary: square(1, 0, 2, 2) }, editorOf(f), '... on CreateGridSuccess { moved movedByKind { kind count } grid { id code } }');
      expect(counts(created)).toEqual({ Building: 4, KeyPlace: 2, Facility: 2, Organization: 2 }); // P1, P2 + ours
      const line = { type: 'LineString', coordinates: [pt(0.9, 1), pt(2.1, 1)] };
      const split = await mutate(trx, 'splitGrid', { id: created.grid.id, line, names: ['北', '南'], expectedVersion: 1, reason: '拆分' }, editorOf(f), `${MOVED.replace('%s', 'SplitGridSuccess')} ... on SplitGridSuccess { grids { id code } }`);
      expect(counts(split)).toEqual({ Building: 4, KeyPlace: 2, Facility: 2, Organization: 2 });
      expect((await gridsOf(trx, north)).organization.code).toBe(split.grids[0].code);
      expect((await gridsOf(trx, south)).organization.code).toBe(split.grids[1].code);
      const merged = await mutate(trx, 'mergeGrids', { ids: split.grids.map((g: { id: string }) => g.id), expectedVersions: [1, 1], name: '合', reason: '合并' }, editorOf(f), `${MOVED.replace('%s', 'MergeGridsSuccess')} ... on MergeGridsSuccess { grid { id code } }`);
      expect(counts(merged)).toEqual({ Building: 4, KeyPlace: 2, Facility: 2, Organization: 2 });
      // Moving the merged grid to K: the boundary stays, so nothing changes grid (the report says so, by kind).
      const moved = await mutate(trx, 'moveGrid', { id: merged.grid.id, newParentId: gid(f.ids.K), expectedVersion: 1, reason: '调整' }, editorOf(f), MOVED.replace('%s', 'MoveGridSuccess'));
      expect(moved.__typename).toBe('MoveGridSuccess');
      expect(moved.moved).toBe(0);
      expect(moved.movedByKind.every((m: { count: number }) => m.count === 0)).toBe(true);
      // An import shrinking G2 to its northern half hands the records in the southern half back to C.
      const inG2 = await recordsAt(trx, f, 0.5, 1.2, 'g');
      const feature = { type: 'Feature', geometry: square(0, 1.5, 1, 2), properties: { code: f.codes.G2, name: '编辑G2', parentCode: f.codes.C } };
      const imported = ok(
        await execute(
          trx,
          'mutation($input: ImportGridsInput!) { importGrids(input: $input) { ... on ImportGridsReport { written updated moved movedByKind { kind count } } } }',
          { input: { featureCollection: { type: 'FeatureCollection', features: [feature] }, level: 'GRID', mode: 'UPSERT', reason: '导入' } },
          { viewer: editorOf(f) },
        ),
      ).importGrids;
      expect(imported).toMatchObject({ written: true, updated: 1, moved: 4 });
      expect(counts(imported)).toEqual({ Building: 1, KeyPlace: 1, Facility: 1, Organization: 1 });
      expect((await gridsOf(trx, inG2)).key_place.code).toBe(f.codes.C);
    }));
});

describe('a record written while a boundary edit runs', () => {
  it('waits for the edit and gets the grid the edit gave its position (lockResolution)', async () => {
    const db = testDb();
    const f = await createEditFixture(db);
    const [lng, lat] = pt(1.5, 1.5);
    const edit = await db.transaction();
    try {
      // The edit: the locks a boundary edit of G2 takes (G2 and its parent C exclusively), the new boundary,
      // not committed yet.
      await edit.raw(`SELECT pg_advisory_xact_lock_shared(hashtextextended('grid:root', 0))`);
      for (const id of [f.ids.C, f.ids.G2]) await edit.raw(`SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, [`grid:${id}`]);
      await edit.raw(`UPDATE grid SET boundary = ST_Multi(ST_GeomFromGeoJSON(?)), version = version + 1 WHERE id = ?`, [JSON.stringify(square(0, 1, 2, 2)), f.ids.G2]);
      // The record: resolves to C (the edit is not visible), then waits on C's lock until the edit commits.
      const writing = db.transaction(async (trx) => {
        const resolution = await lockResolution(trx, { lng, lat });
        const [row] = await trx('facility').insert({ kind: 'AED', name: '并发', location: trx.raw('ST_SetSRID(ST_MakePoint(?, ?), 4326)', [lng, lat]) }).returning(['id', 'grid_id']);
        return { resolution, row };
      });
      await new Promise((r) => setTimeout(r, 300));
      await edit.commit();
      const { resolution, row } = await writing;
      expect(resolution.gridId).toBe(f.ids.G2);
      expect(row.grid_id).toBe(f.ids.G2);
      await db('facility').where({ id: row.id }).delete();
    } finally {
      if (!edit.isCompleted()) await edit.rollback();
      await removeEditFixture(db, f);
    }
  });
});

describe('a record written outside every grid', () => {
  it('waits for any grid edit under way, since one anywhere nearby may claim its position', async () => {
    const db = testDb();
    const f = await createEditFixture(db);
    const [lng, lat] = pt(-M50, 0.5); // 50 m west of the district: resolved to the nearest grid
    const edit = await db.transaction();
    try {
      // Any grid edit holds the top of the tree shared (here: one of another grid entirely).
      await edit.raw(`SELECT pg_advisory_xact_lock_shared(hashtextextended('grid:root', 0))`);
      let done = false;
      const writing = db.transaction(async (trx) => {
        const resolution = await lockResolution(trx, { lng, lat });
        done = true;
        return resolution;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false);
      await edit.commit();
      expect((await writing).gridId).toBe(f.ids.M1);
    } finally {
      if (!edit.isCompleted()) await edit.rollback();
      await removeEditFixture(db, f);
    }
  });
});

describe('the module registry', () => {
  it('can load every type that implements Node, and every located kind has the columns the mechanism needs', async () => {
    const schema = buildSchema(loadTypeDefs());
    const nodeTypes = Object.values(schema.getTypeMap())
      .filter((t) => isObjectType(t) && t.getInterfaces().some((i) => i.name === 'Node'))
      .map((t) => t.name)
      .sort();
    expect([...NODE_TYPES.keys()].sort()).toEqual(nodeTypes);
    for (const k of LOCATED_KINDS) {
      const { rows } = await testDb().raw('SELECT column_name FROM information_schema.columns WHERE table_name = ?', [k.table]);
      const columns = rows.map((r: { column_name: string }) => r.column_name);
      // Without a `live` condition the current rows are those not retired.
      const current = k.live ? [] : ['retired_at'];
      const needed = k.shape === 'point' ? ['location', 'grid_id', 'grid_distance_m', 'grid_resolved_at', ...current] : [k.foreignKey, ...current];
      expect({ kind: k.kind, missing: needed.filter((c) => !columns.includes(c)) }).toEqual({ kind: k.kind, missing: [] });
    }
  });
});

describe('a dedicated overlay grid', () => {
  it('lists, counts and covers the records its boundary covers (nothing resolves to an overlay)', () =>
    withRollback(async (trx) => {
      const { rows } = await trx.raw(
        `SELECT d.code, count(k.id)::int AS n FROM grid d JOIN key_place k ON k.retired_at IS NULL AND ST_Covers(d.boundary, k.location)
         WHERE d.level = 'DEDICATED' AND d.valid_to IS NULL AND d.code LIKE '130105%' GROUP BY d.code ORDER BY d.code LIMIT 1`,
      );
      expect(rows).toHaveLength(1);
      const { code, n } = rows[0];
      const d = ok(
        await execute(
          trx,
          `query($code: String!) { grid(code: $code) { keyPlaces(first: 100) { totalCount nodes { dedicatedGrids { code } } }
             inventory { keyPlacesByKind { count } } cameraCoverage { keyPlaceCount } } }`,
          { code },
          { viewer: user('ADMIN') },
        ),
      ).grid;
      expect(d.keyPlaces.totalCount).toBe(n);
      expect(d.keyPlaces.nodes.every((k: { dedicatedGrids: { code: string }[] }) => k.dedicatedGrids.some((g) => g.code === code))).toBe(true);
      expect(d.inventory.keyPlacesByKind.reduce((s: number, k: { count: number }) => s + k.count, 0)).toBe(n);
      expect(d.cameraCoverage.keyPlaceCount).toBe(n);
    }));
});

describe('records as of a past instant', () => {
  it('are tied to the grids in force then, and a record that did not exist then is absent', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const t0 = (await instantBetweenWrites(trx)).toISOString();
      const late = await recordsAt(trx, f, 1.5, 0.2, 'late');
      const res = await mutate(trx, 'updateGridBoundary', { id: gid(f.ids.G2), boundary: square(0, 1, 2, 2), expectedVersion: 1, reason: '扩大' }, editorOf(f));
      expect(res.__typename).toBe('UpdateGridBoundarySuccess');
      const Q = `query($c: String!, $t: DateTime) { grid(code: $c, asOf: $t) { buildings(first: 50) { nodes { id grid { code version } } } } }`;
      const names = async (code: string, t?: string) =>
        ok(await execute(trx, Q, { c: code, t })).grid.buildings.nodes.map((b: { id: string; grid: { code: string; version: number } }) => [
          fromGlobalId(b.id)!.id,
          b.grid.code,
          b.grid.version,
        ]);
      const thenInC = await names(f.codes.C, t0);
      expect(thenInC).toEqual(expect.arrayContaining([[f.places.P1, f.codes.C, 1], [f.places.P2, f.codes.C, 1]]));
      expect(thenInC.map((r: string[]) => r[0])).not.toContain(late.building);
      expect(await names(f.codes.G2, t0)).toEqual([]);
      expect(await names(f.codes.G2)).toEqual([[f.places.P2, f.codes.G2, 2]]);
    }));
});

describe('near lists', () => {
  it('page through records at exactly the same distance (cameras on one pole) once each, in id order', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await recordsAt(trx, f, 3.5, 1.5, `同杆${i}`)).organization);
      const [lng, lat] = pt(3.5, 1.5);
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const page: any = ok(
          await execute(trx, 'query($near: NearInput!, $after: String) { organizations(filter: { near: $near }, first: 2, after: $after) { nodes { id distanceMeters } pageInfo { hasNextPage endCursor } } }', {
            near: { lng, lat, meters: 10 },
            after,
          }),
        ).organizations;
        seen.push(...page.nodes.map((n: { id: string }) => fromGlobalId(n.id)!.id));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      expect(seen).toEqual([...ids].sort());
    }));
});
