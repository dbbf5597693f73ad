import knexFactory, { type Knex } from 'knex';
import { toGlobalId } from '../src/graphql/relay';
import type { Viewer } from '../src/modules/auth/viewer';
import { insertRaceTree, polyline, rect, removeRaceTree, type RaceSpec, type RaceTree } from './fixtures/race';
import { PAYLOAD_FIELDS, type Payload } from './support/edits';
import { testDatabaseUrl } from './support/env';
import { execute, ok, user, type Result } from './support/graphql';

/**
 * Invariants that only concurrent edits can break, proved by racing real requests on separate connections:
 * the requests are started together and each runs its own transaction, as on the server. Without the
 * advisory write locks (repo-edit.ts `lockGrids`), every racer would check against a database that does not
 * yet hold the others' writes, and several would pass (or collide on a code and fail with an internal error):
 * with `lockGrids` stubbed out, every test here but the merge-versus-split one fails. Everything is committed,
 * so each test inserts its own tree (fresh district codes) and removes it afterwards, whatever happened.
 */

const RACERS = 20;

// The shared test pool (testDb) has 4 connections: it would queue the racers and so serialise them before the
// code under test gets the chance. This pool has one connection per racer, and a little room for the reads a
// request makes outside its transaction (payload fields resolved after the commit).
let db: Knex;

beforeAll(async () => {
  db = knexFactory({ client: 'pg', connection: testDatabaseUrl(), pool: { min: 0, max: RACERS + 2 } });
  // `execute` listens to the pool's queries (to count statements) while each racer runs.
  db.setMaxListeners(RACERS + 10);
  // Open the connections up front, and have each load PostGIS (a new backend takes a while on its first
  // geometry call): otherwise the racers are staggered by their connections' start-up, and the first one
  // would often commit before the others even reach their checks, with or without the locks.
  await Promise.all(Array.from({ length: RACERS }, () => db.raw(`SELECT ST_Area(ST_MakeEnvelope(0, 0, 1, 1, 4326)::geography), pg_sleep(0.1)`)));
  // Likewise the GraphQL server, built on its first operation.
  ok(await execute(db, '{ __typename }'));
});

afterAll(() => db?.destroy());

const gid = (id: string) => toGlobalId('Grid', id);
const admin = user('ADMIN');

const CONFLICT_FIELDS = `... on ConflictError { message currentVersion grid { code version } }`;

/** Runs a grid mutation through the real pipeline on the racing pool; the result may carry errors. */
function send(mutation: string, input: object, viewer: Viewer, selection: string): Promise<Result> {
  const type = mutation === 'mergeGrids' ? 'MergeGridsInput' : `${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Input`;
  return execute(db, `mutation($input: ${type}!) { ${mutation}(input: $input) { ${PAYLOAD_FIELDS} ${CONFLICT_FIELDS} ${selection} } }`, { input }, { viewer });
}

const IMPORT = `mutation($input: ImportGridsInput!) { importGrids(input: $input) {
  __typename
  ... on ValidationError { problems { code message } }
  ... on ImportGridsReport { written created refused features { index code action problems { code message } grid { code } } }
} }`;

/**
 * Starts every call at once and waits for all of them, even when one throws: no request may still be
 * writing when the assertions, and then the clean-up, run.
 */
async function race<T>(calls: (() => Promise<T>)[]): Promise<T[]> {
  const settled = await Promise.allSettled(calls.map((call) => call()));
  const thrown = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (thrown) throw thrown.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** The payloads of the racing mutations. A GraphQL error (INTERNAL_SERVER_ERROR above all) fails the test, shown in full. */
function payloads(results: Result[], mutation: string): Payload[] {
  expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
  return results.map((r) => r.data[mutation]);
}

const typenames = (all: Payload[]) => all.map((p) => p.__typename).sort();
const problemSummary = (p: Payload) => p.problems?.map((x) => ({ code: x.code, grids: x.grids.map((g) => g.code) }));

/** Inserts a committed fixture tree, runs the test, and removes the tree (and all the test wrote below it). */
async function withTree<K extends string>(spec: RaceSpec<K>[], test: (tree: RaceTree<K>) => Promise<void>): Promise<void> {
  const tree = await insertRaceTree(db, spec);
  try {
    await test(tree);
  } finally {
    await removeRaceTree(db, tree.districtIds);
  }
}

/** District D = street S = community C = [0,w]×[0,h], and the grids given under C (keys G1, G2, ...). */
function oneCommunity(w: number, h: number, grids: object[] = []): RaceSpec<string>[] {
  return [
    ['D', 'DISTRICT', null, rect(0, 0, w, h)],
    ['S', 'STREET', 'D', rect(0, 0, w, h)],
    ['C', 'COMMUNITY', 'S', rect(0, 0, w, h)],
    ...grids.map((g, i): RaceSpec<string> => [`G${i + 1}`, 'GRID', 'C', g]),
  ];
}

/** Codes of the current children of a grid, in order. */
async function currentChildren(parentId: string): Promise<string[]> {
  const { rows } = await db.raw(`SELECT code FROM grid WHERE parent_id = ? AND valid_to IS NULL ORDER BY code`, [parentId]);
  return rows.map((r: { code: string }) => r.code);
}

/** Pairs of current regular children of a grid whose interiors overlap: the invariant every race here is about. */
async function overlappingChildren(parentId: string): Promise<string[][]> {
  const { rows } = await db.raw(
    `SELECT a.code AS a, b.code AS b FROM grid a
     JOIN grid b ON b.parent_id = a.parent_id AND b.level = a.level AND a.id < b.id AND b.valid_to IS NULL
     WHERE a.parent_id = ? AND a.valid_to IS NULL AND a.level <> 'DEDICATED' AND ST_Relate(a.boundary, b.boundary, '2********')`,
    [parentId],
  );
  return rows.map((r: { a: string; b: string }) => [r.a, r.b].sort());
}

describe('racing edits under one parent', () => {
  it('createGrid: of 20 grids drawn at once on the same spot of a community, exactly one is created and 19 are told they overlap it', () =>
    withTree(oneCommunity(4, 4), async (t) => {
      const editor = user('GIS_EDITOR', t.codes.D);
      const results = await race(
        Array.from({ length: RACERS }, (_, i) => () =>
          send('createGrid', { name: `抢占${i}`, level: 'GRID', parentId: gid(t.ids.C), boundary: rect(1, 1, 3, 3), reason: 'race' }, editor, '... on CreateGridSuccess { grid { code } }'),
        ),
      );
      const all = payloads(results, 'createGrid');
      expect(typenames(all)).toEqual(['CreateGridSuccess', ...Array(RACERS - 1).fill('ValidationError')]);
      const winner = all.find((p) => p.__typename === 'CreateGridSuccess')!.grid.code;
      expect(winner).toBe(`${t.codes.C}001`);
      for (const loser of all.filter((p) => p.__typename === 'ValidationError')) {
        expect(problemSummary(loser)).toEqual([{ code: 'OVERLAPS_SIBLING', grids: [winner] }]);
      }
      expect(await currentChildren(t.ids.C)).toEqual([winner]);
      const { grid } = ok(await execute(db, `query($code: String) { grid(code: $code) { coverage { childCount overlapAreaSqm } } }`, { code: t.codes.C }, { viewer: editor }));
      expect(grid.coverage).toEqual({ childCount: 1, overlapAreaSqm: 0 });
    }));

  it('createGrid: 20 disjoint grids drawn at once without codes all get created, with 20 distinct consecutive codes', () =>
    withTree(oneCommunity(5, 4), async (t) => {
      const editor = user('GIS_EDITOR', t.codes.D);
      // A 5 × 4 lattice of unit squares filling C.
      const results = await race(
        Array.from({ length: RACERS }, (_, i) => () =>
          send('createGrid', { name: `格${i}`, level: 'GRID', parentId: gid(t.ids.C), boundary: rect(i % 5, Math.floor(i / 5), (i % 5) + 1, Math.floor(i / 5) + 1), reason: 'race' }, editor, '... on CreateGridSuccess { grid { code } }'),
        ),
      );
      const all = payloads(results, 'createGrid');
      expect(typenames(all)).toEqual(Array(RACERS).fill('CreateGridSuccess'));
      const codes = all.map((p) => p.grid.code).sort();
      const expected = Array.from({ length: RACERS }, (_, i) => `${t.codes.C}${String(i + 1).padStart(3, '0')}`);
      expect(codes).toEqual(expected);
      expect(await currentChildren(t.ids.C)).toEqual(expected);
      expect(await overlappingChildren(t.ids.C)).toEqual([]);
    }));

  it('splitGrid: two sibling grids split at once both succeed, and their 4 new grids get 4 distinct new codes', () =>
    withTree(oneCommunity(4, 2, [rect(0, 0, 2, 2), rect(2, 0, 4, 2)]), async (t) => {
      const editor = user('GIS_EDITOR', t.codes.D);
      const split = (key: string, x: number) => () =>
        send('splitGrid', { id: gid(t.ids[key]), line: polyline([x, -0.5], [x, 2.5]), names: [`${key}甲`, `${key}乙`], expectedVersion: 1, reason: 'race' }, editor, '... on SplitGridSuccess { grids { code } retired { code } }');
      const all = payloads(await race([split('G1', 1), split('G2', 3)]), 'splitGrid');
      expect(typenames(all)).toEqual(['SplitGridSuccess', 'SplitGridSuccess']);
      const codes = all.flatMap((p) => p.grids.map((g: { code: string }) => g.code)).sort();
      // 001 and 002 are the retired grids' codes, never handed out again.
      expect(codes).toEqual(['003', '004', '005', '006'].map((s) => `${t.codes.C}${s}`));
      expect(await currentChildren(t.ids.C)).toEqual(codes);
      expect(await overlappingChildren(t.ids.C)).toEqual([]);
    }));

  it('mergeGrids: two disjoint pairs of neighbours merged at once both succeed, with distinct new codes', () =>
    withTree(oneCommunity(4, 2, [rect(0, 0, 1, 2), rect(1, 0, 2, 2), rect(2, 0, 3, 2), rect(3, 0, 4, 2)]), async (t) => {
      const editor = user('GIS_EDITOR', t.codes.D);
      const merge = (a: string, b: string) => () =>
        send('mergeGrids', { ids: [gid(t.ids[a]), gid(t.ids[b])], expectedVersions: [1, 1], name: `${a}${b}合并`, reason: 'race' }, editor, '... on MergeGridsSuccess { grid { code } retired { code } }');
      const all = payloads(await race([merge('G1', 'G2'), merge('G3', 'G4')]), 'mergeGrids');
      expect(typenames(all)).toEqual(['MergeGridsSuccess', 'MergeGridsSuccess']);
      const codes = all.map((p) => p.grid.code).sort();
      expect(codes).toEqual([`${t.codes.C}005`, `${t.codes.C}006`]);
      expect(await currentChildren(t.ids.C)).toEqual(codes);
      expect(await overlappingChildren(t.ids.C)).toEqual([]);
    }));

  it('mergeGrids racing a split of one of the same grids: exactly one wins, the other is told the grid is gone (never an internal error)', () =>
    withTree(oneCommunity(4, 2, [rect(0, 0, 2, 2), rect(2, 0, 4, 2)]), async (t) => {
      // Guarded twice: the parent's lock orders the two, and the compare-and-set on G2's version would still
      // refuse the later one without it. What must never happen is a third outcome: an internal error.
      const editor = user('GIS_EDITOR', t.codes.D);
      const [merged, split] = await race([
        () => send('mergeGrids', { ids: [gid(t.ids.G1), gid(t.ids.G2)], expectedVersions: [1, 1], name: '合并', reason: 'race' }, editor, '... on MergeGridsSuccess { grid { code } }'),
        () => send('splitGrid', { id: gid(t.ids.G2), line: polyline([3, -0.5], [3, 2.5]), names: ['西', '东'], expectedVersion: 1, reason: 'race' }, editor, '... on SplitGridSuccess { grids { code } }'),
      ]);
      const [m] = payloads([merged], 'mergeGrids');
      const [s] = payloads([split], 'splitGrid');
      const refusal = ['NotFoundError', 'ConflictError'];
      if (m.__typename === 'MergeGridsSuccess') {
        expect(refusal).toContain(s.__typename);
        expect(await currentChildren(t.ids.C)).toEqual([m.grid.code]);
      } else {
        expect(s.__typename).toBe('SplitGridSuccess');
        expect(refusal).toContain(m.__typename);
        expect(await currentChildren(t.ids.C)).toEqual([t.codes.G1, ...s.grids.map((g: { code: string }) => g.code)].sort());
      }
      expect(await overlappingChildren(t.ids.C)).toEqual([]);
    }));

  it('importGrids: two imports of overlapping features under one community at once: exactly one is written, the other refused with OVERLAPS_SIBLING', () =>
    withTree(oneCommunity(4, 2), async (t) => {
      const editor = user('GIS_EDITOR', t.codes.D);
      const importOne = (name: string, boundary: object) => () =>
        execute(db, IMPORT, { input: { featureCollection: { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: boundary, properties: { name, parentCode: t.codes.C } }] }, level: 'GRID', reason: 'race' } }, { viewer: editor });
      const all = payloads(await race([importOne('导入甲', rect(0, 0, 2, 2)), importOne('导入乙', rect(1, 0, 3, 2))]), 'importGrids');
      expect(typenames(all)).toEqual(['ImportGridsReport', 'ImportGridsReport']);
      const written = all.filter((r) => r.written);
      const refused = all.filter((r) => !r.written);
      expect(written).toHaveLength(1);
      expect(written[0]).toMatchObject({ created: 1, refused: 0, features: [{ action: 'CREATE', code: `${t.codes.C}001`, grid: { code: `${t.codes.C}001` } }] });
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatchObject({ created: 0, refused: 1, features: [{ action: 'REFUSED', grid: null }] });
      expect(refused[0].features[0].problems.map((p: { code: string }) => p.code)).toEqual(['OVERLAPS_SIBLING']);
      expect(await currentChildren(t.ids.C)).toEqual([`${t.codes.C}001`]);
      expect(await overlappingChildren(t.ids.C)).toEqual([]);
    }));
});

describe('racing moves into one community', () => {
  /**
   * Grids of different communities of one district never overlap (their communities do not), so two grids
   * that would overlap each other under their new parent come from different districts, which the registry
   * does not check against each other (and which the fixtures here stack on the same spot). Every district,
   * street and community is [0,4]×[0,2], so each moving grid lies inside the new parent C already: the move
   * takes its area along, and here that changes nothing of C's shape.
   */
  const stacked = (extra: RaceSpec<string>[]): RaceSpec<string>[] => [
    ...(['1', '2', '3'] as const).flatMap((n): RaceSpec<string>[] => [
      [`D${n}`, 'DISTRICT', null, rect(0, 0, 4, 2)],
      [`S${n}`, 'STREET', `D${n}`, rect(0, 0, 4, 2)],
      [`C${n}`, 'COMMUNITY', `S${n}`, rect(0, 0, 4, 2)],
    ]),
    ...extra,
  ];

  it('moveGrid: two grids from two other districts moved at once into one community where they would overlap: exactly one moves, the other gets OVERLAPS_SIBLING', () =>
    withTree(stacked([['Ga', 'GRID', 'C1', rect(0, 0, 2, 1)], ['Gb', 'GRID', 'C2', rect(1, 0, 3, 1)]]), async (t) => {
      const move = (key: string) => () =>
        send('moveGrid', { id: gid(t.ids[key]), newParentId: gid(t.ids.C3), expectedVersion: 1, reason: 'race' }, admin, '... on MoveGridSuccess { code grid { parent { code } } }');
      const all = payloads(await race([move('Ga'), move('Gb')]), 'moveGrid');
      expect(typenames(all)).toEqual(['MoveGridSuccess', 'ValidationError']);
      const winner = all.find((p) => p.__typename === 'MoveGridSuccess')!;
      expect(winner).toMatchObject({ code: `${t.codes.C3}001`, grid: { parent: { code: t.codes.C3 } } });
      expect(problemSummary(all.find((p) => p.__typename === 'ValidationError')!)).toEqual([{ code: 'OVERLAPS_SIBLING', grids: [`${t.codes.C3}001`] }]);
      expect(await currentChildren(t.ids.C3)).toEqual([`${t.codes.C3}001`]);
      expect(await overlappingChildren(t.ids.C3)).toEqual([]);
      // The loser stayed where it was, untouched.
      const loserKey = all[0].__typename === 'MoveGridSuccess' ? 'Gb' : 'Ga';
      const { rows } = await db.raw(`SELECT code, version FROM grid WHERE id = ?`, [t.ids[loserKey]]);
      expect(rows[0]).toEqual({ code: t.codes[loserKey], version: 1 });
    }));

  it('moveGrid from another district racing a createGrid under the same new parent, where they would overlap: exactly one lands there, the other gets OVERLAPS_SIBLING', () =>
    withTree(stacked([['Ga', 'GRID', 'C1', rect(0, 0, 2, 1)]]), async (t) => {
      // The new grid asks for its own code, so the two cannot collide on a code (001, which the move takes):
      // only the locks keep them from both landing in C3.
      const code = `${t.codes.C3}009`;
      const [moved, created] = await race([
        () => send('moveGrid', { id: gid(t.ids.Ga), newParentId: gid(t.ids.C3), expectedVersion: 1, reason: 'race' }, admin, '... on MoveGridSuccess { code }'),
        () => send('createGrid', { name: '新画', level: 'GRID', parentId: gid(t.ids.C3), code, boundary: rect(1, 0, 3, 1), reason: 'race' }, admin, '... on CreateGridSuccess { grid { code } }'),
      ]);
      const [m] = payloads([moved], 'moveGrid');
      const [c] = payloads([created], 'createGrid');
      const moveWon = m.__typename === 'MoveGridSuccess';
      expect([m.__typename, c.__typename]).toEqual(moveWon ? ['MoveGridSuccess', 'ValidationError'] : ['ValidationError', 'CreateGridSuccess']);
      const landed = moveWon ? `${t.codes.C3}001` : code;
      expect(problemSummary(moveWon ? c : m)).toEqual([{ code: 'OVERLAPS_SIBLING', grids: [landed] }]);
      expect(await currentChildren(t.ids.C3)).toEqual([landed]);
      expect(await overlappingChildren(t.ids.C3)).toEqual([]);
    }));
});
