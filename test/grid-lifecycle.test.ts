import { toGlobalId } from '../src/graphql/relay';
import { createEditFixture, pt, removeEditFixture, square, type EditFixture } from './fixtures/edit';
import { closeTestDb, testDb, withRollback, instantBetweenWrites } from './support/db';
import { execute, ok, user } from './support/graphql';
import { mutate, snapshot } from './support/edits';

afterAll(closeTestDb);

const gid = (id: string) => toGlobalId('Grid', id);
const editorOf = (f: EditFixture) => user('GIS_EDITOR', f.code);
const placeGrid = async (db: Parameters<typeof snapshot>[0], placeId: string) =>
  (await db.raw('SELECT g.code FROM building p LEFT JOIN grid g ON g.id = p.grid_id WHERE p.id = ?', [placeId])).rows[0]?.code;

describe('updateGridBoundary', () => {
  it('writes a new version, keeps the old one in the history, and re-resolves the places in the changed area', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      expect(await placeGrid(trx, f.places.P1)).toBe(f.codes.C);
      // G2 grows over the free half of C above y = 1 ... and M1's parent G1 keeps M1 inside: untouched.
      const r = await mutate(trx, 'updateGridBoundary', { id: gid(f.ids.G2), boundary: square(0, 1, 2, 2), expectedVersion: 1, reason: '扩大网格' }, editorOf(f), '... on UpdateGridBoundarySuccess { moved grid { version changedBy changeReason history { version validFrom validTo changedBy changeReason areaSqm } } }');
      expect(r.__typename).toBe('UpdateGridBoundarySuccess');
      expect(r.moved).toBe(1); // P2 now lies in G2
      expect(await placeGrid(trx, f.places.P2)).toBe(f.codes.G2);
      expect(await placeGrid(trx, f.places.P1)).toBe(f.codes.C);
      const { version, changedBy, changeReason, history } = r.grid;
      expect({ version, changedBy, changeReason }).toEqual({ version: 2, changedBy: 'test-gis_editor', changeReason: '扩大网格' });
      expect(history.map((h: any) => h.version)).toEqual([2, 1]);
      expect(history[1].validTo).toBe(history[0].validFrom);
      expect(history[0].validTo).toBeNull();
      expect(history[0].areaSqm).toBeCloseTo(history[1].areaSqm * 2, -3);
    }));

  it('answers a stale expectedVersion with a ConflictError naming the current version, who and when', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const first = await mutate(trx, 'updateGridBoundary', { id: gid(f.ids.G2), boundary: square(0, 1, 1.5, 2), expectedVersion: 1, reason: 'a' }, user('GIS_EDITOR', f.code));
      expect(first.__typename).toBe('UpdateGridBoundarySuccess');
      const before = await snapshot(trx);
      const stale = await mutate(trx, 'updateGridBoundary', { id: gid(f.ids.G2), boundary: square(0, 1, 2, 2), expectedVersion: 1, reason: 'b' }, { ...user('ADMIN'), subject: 'wang' });
      expect(stale).toMatchObject({ __typename: 'ConflictError', currentVersion: 2, changedBy: 'test-gis_editor', grid: { code: f.codes.G2, version: 2 } });
      expect(stale.message).toMatch(/is at version 2, not 1: test-gis_editor changed it at .*reload/);
      expect(await snapshot(trx)).toBe(before);
    }));

  it('refuses a boundary that would leave a child sticking out', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const before = await snapshot(trx);
      const r = await mutate(trx, 'updateGridBoundary', { id: gid(f.ids.G1), boundary: square(0, 0, 1, 0.5), expectedVersion: 1, reason: 'shrink' }, editorOf(f));
      expect(r.__typename).toBe('ValidationError');
      expect(r.problems!.map((p) => [p.code, p.grids])).toEqual([['CHILD_OUTSIDE', [{ code: f.codes.M1 }]]]);
      expect(await snapshot(trx)).toBe(before);
    }));

  it('lets exactly one of two racing edits of the same version win; the other gets the conflict', async () => {
    // Real commits on two connections, so the fixture is cleaned up by hand afterwards.
    const db = testDb();
    const f = await createEditFixture(db);
    try {
      const edit = (x1: number, who: string) =>
        mutate(db, 'updateGridBoundary', { id: gid(f.ids.G2), boundary: square(0, 1, x1, 2), expectedVersion: 1, reason: who }, { ...user('GIS_EDITOR', f.code), subject: who });
      const results = await Promise.all([edit(1.5, 'li'), edit(2, 'zhang')]);
      const kinds = results.map((r) => r.__typename).sort();
      expect(kinds).toEqual(['ConflictError', 'UpdateGridBoundarySuccess']);
      const loser = results.find((r) => r.__typename === 'ConflictError')!;
      const winner = results.indexOf(results.find((r) => r.__typename !== 'ConflictError')!) === 0 ? 'li' : 'zhang';
      expect(loser).toMatchObject({ currentVersion: 2, changedBy: winner });
      const { rows } = await db.raw('SELECT version, change_reason FROM grid WHERE id = ?', [f.ids.G2]);
      expect(rows[0]).toEqual({ version: 2, change_reason: winner });
    } finally {
      await removeEditFixture(db, f);
    }
  });
});

describe('retireGrid', () => {
  it('refuses while the grid has children or workers, naming them', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const before = await snapshot(trx);
      for (const [key, what] of [['G1', /1 current child grid/], ['G2', /1 assigned worker/]] as const) {
        const r = await mutate(trx, 'retireGrid', { id: gid(f.ids[key]), expectedVersion: 1, reason: '撤销' }, editorOf(f));
        expect(r.problems!.map((p) => p.code)).toEqual(['HAS_DEPENDANTS']);
        expect(r.problems![0].message).toMatch(what);
      }
      expect(await snapshot(trx)).toBe(before);
    }));

  it('ends a grid: validTo set, the code free again, its places re-resolved upwards', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const r = await mutate(trx, 'retireGrid', { id: gid(f.ids.M1), expectedVersion: 1, reason: '合并到网格' }, editorOf(f), '... on RetireGridSuccess { moved grid { validTo version } }');
      expect(r.__typename).toBe('RetireGridSuccess');
      expect(r.grid.validTo).not.toBeNull();
      expect(r.moved).toBe(1);
      expect(await placeGrid(trx, f.places.P3)).toBe(f.codes.G1);
      const again = ok(await execute(trx, `{ grid(code: "${f.codes.M1}") { code } }`));
      expect(again.grid).toBeNull();
    }));
});

describe('updateGrid', () => {
  it('renames, and recodes a grid with its descendants following as new versions', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const newCode = `${f.codes.C}007`;
      const r = await mutate(trx, 'updateGrid', { id: gid(f.ids.G1), name: '新名字', code: newCode, expectedVersion: 1, reason: '重新编码' }, editorOf(f), '... on UpdateGridSuccess { grid { name code version children { nodes { code version } } } }');
      expect(r.grid).toEqual({ name: '新名字', code: newCode, version: 2, children: { nodes: [{ code: `${newCode}001`, version: 2 }] } });
    }));

  it('refuses an empty change and a malformed code', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const none = await mutate(trx, 'updateGrid', { id: gid(f.ids.G1), expectedVersion: 1 }, editorOf(f));
      expect(none.problems!.map((p) => p.code)).toEqual(['BAD_VALUE']);
      const bad = await mutate(trx, 'updateGrid', { id: gid(f.ids.G1), code: '9', expectedVersion: 1 }, editorOf(f));
      expect(bad.problems!.map((p) => p.code)).toEqual(['BAD_CODE']);
    }));
});

describe('moveGrid', () => {
  it('moves a grid to the neighbouring community with its area: both communities get new versions', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const r = await mutate(trx, 'moveGrid', { id: gid(f.ids.G1), newParentId: gid(f.ids.K), expectedVersion: 1, reason: '区划调整' }, editorOf(f), '... on MoveGridSuccess { code grid { parent { code } ancestors { code } children { nodes { code } } } }');
      expect(r.__typename).toBe('MoveGridSuccess');
      expect(r.code).toBe(`${f.codes.K}001`);
      expect(r.grid.parent.code).toBe(f.codes.K);
      expect(r.grid.children.nodes).toEqual([{ code: `${f.codes.K}001001` }]);
      const q = `query($c: String, $k: String) { c: grid(code: $c) { version areaSqm } k: grid(code: $k) { version areaSqm } }`;
      const { c, k } = ok(await execute(trx, q, { c: f.codes.C, k: f.codes.K }));
      expect([c.version, k.version]).toEqual([2, 2]);
      expect(k.areaSqm / c.areaSqm).toBeCloseTo(5 / 3, 2); // C (4 unit squares) lost 1 to K (4): 3 and 5
      // The tiling still holds: the moved grid lies in K, and C and K do not overlap.
      const { rows } = await trx.raw(
        `SELECT ST_CoveredBy(g.boundary, k.boundary) AS inside, ST_Area(ST_Intersection(c.boundary, k.boundary)::geography) AS overlap
         FROM grid g, grid c, grid k WHERE g.id = ? AND c.id = ? AND k.id = ?`,
        [f.ids.G1, f.ids.C, f.ids.K],
      );
      expect(rows[0]).toEqual({ inside: true, overlap: 0 });
    }));

  it('refuses a parent of the wrong level', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const r = await mutate(trx, 'moveGrid', { id: gid(f.ids.G1), newParentId: gid(f.ids.S), expectedVersion: 1 }, editorOf(f));
      expect(r.problems!.map((p) => p.code)).toEqual(['LEVEL_MISMATCH']);
    }));
});

describe('splitGrid and mergeGrids', () => {
  it('splits a grid along a line into two that tile it exactly, then merges them back', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const created = await mutate(trx, 'createGrid', { name: '待拆分', level: 'GRID', parentId: gid(f.ids.C), boundary: square(1, 0, 2, 2) }, editorOf(f), '... on CreateGridSuccess { grid { id code version areaSqm } }');
      const whole = created.grid;
      const line = { type: 'LineString', coordinates: [pt(0.9, 1), pt(2.1, 1)] }; // west to east: left is north
      const split = await mutate(trx, 'splitGrid', { id: whole.id, line, names: ['北半', '南半'], expectedVersion: 1, reason: '拆分' }, editorOf(f), '... on SplitGridSuccess { moved grids { id code name version areaSqm } retired { validTo } }');
      expect(split.__typename).toBe('SplitGridSuccess');
      const [north, south] = split.grids;
      expect([north.name, south.name]).toEqual(['北半', '南半']);
      expect(north.areaSqm + south.areaSqm).toBeCloseTo(whole.areaSqm, 0);
      expect(split.retired.validTo).not.toBeNull();
      expect(await placeGrid(trx, f.places.P2)).toBe(north.code);
      expect(await placeGrid(trx, f.places.P1)).toBe(south.code);

      const merged = await mutate(trx, 'mergeGrids', { ids: [north.id, south.id], expectedVersions: [1, 1], name: '合并', reason: '合并' }, editorOf(f), '... on MergeGridsSuccess { moved grid { code areaSqm } retired { code } }');
      expect(merged.__typename).toBe('MergeGridsSuccess');
      expect(merged.grid.areaSqm).toBeCloseTo(whole.areaSqm, 0);
      expect(merged.retired.map((g: any) => g.code)).toEqual([north.code, south.code]);
      expect(merged.moved).toBe(2);
    }));

  it('refuses a line that does not cut the grid in two, and grids that do not touch', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const before = await snapshot(trx);
      const miss = await mutate(trx, 'splitGrid', { id: gid(f.ids.M1), line: { type: 'LineString', coordinates: [pt(3, 0), pt(3, 2)] }, names: ['a', 'b'], expectedVersion: 1 }, editorOf(f));
      expect(miss.problems!.map((p) => p.code)).toEqual(['BAD_SPLIT_LINE']);
      expect(await snapshot(trx)).toBe(before);
      const make = (name: string, b: object) =>
        mutate(trx, 'createGrid', { name, level: 'GRID', parentId: gid(f.ids.C), boundary: b }, editorOf(f), '... on CreateGridSuccess { grid { id } }');
      const a = (await make('甲', square(1, 0, 1.4, 0.4))).grid.id;
      const b = (await make('乙', square(1.6, 1.6, 2, 2))).grid.id;
      const afterCreates = await snapshot(trx);
      const apart = await mutate(trx, 'mergeGrids', { ids: [a, b], expectedVersions: [1, 1], name: 'x' }, editorOf(f));
      expect(apart.problems!.map((p) => p.code)).toEqual(['NOT_MERGEABLE']);
      expect(apart.problems![0].message).toMatch(/2 separate parts/);
      const busy = await mutate(trx, 'mergeGrids', { ids: [gid(f.ids.G1), gid(f.ids.G2)], expectedVersions: [1, 1], name: 'x' }, editorOf(f));
      expect(busy.problems!.map((p) => p.code)).toEqual(['HAS_DEPENDANTS', 'HAS_DEPENDANTS']);
      expect(await snapshot(trx)).toBe(afterCreates);
    }));
});

describe('as of a past instant', () => {
  it('answers grid, grids and resolveLocation with the boundaries in force then', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const before = (await instantBetweenWrites(trx)).toISOString();
      const r = await mutate(trx, 'updateGridBoundary', { id: gid(f.ids.G2), boundary: square(0, 1, 2, 2), expectedVersion: 1, reason: '扩大' }, editorOf(f));
      expect(r.__typename).toBe('UpdateGridBoundarySuccess');

      const q = `query($code: String, $t: DateTime, $c: ID) {
        then: grid(code: $code, asOf: $t) { version asOf areaSqm parent { code asOf } boundary }
        now: grid(code: $code) { version asOf areaSqm boundary }
        thenList: grids(filter: { parentId: $c, asOf: $t }) { totalCount nodes { code version } }
      }`;
      const d = ok(await execute(trx, q, { code: f.codes.G2, t: before, c: gid(f.ids.C) }));
      expect(d.then).toMatchObject({ version: 1, asOf: before, parent: { code: f.codes.C, asOf: before } });
      expect(d.now).toMatchObject({ version: 2, asOf: null });
      expect(d.now.areaSqm).toBeCloseTo(d.then.areaSqm * 2, -3);
      expect(d.then.boundary.coordinates[0][0]).toContainEqual(pt(1, 2));
      expect(d.now.boundary.coordinates[0][0]).toContainEqual(pt(2, 2));
      expect(d.thenList.nodes).toEqual([{ code: f.codes.G1, version: 1 }, { code: f.codes.G2, version: 1 }]);

      const resolve = `query($lng: Float!, $lat: Float!, $t: DateTime) { resolveLocation(lng: $lng, lat: $lat, asOf: $t) { grid { code version } chain { code } } }`;
      const [lng, lat] = pt(1.5, 1.5);
      const thenR = ok(await execute(trx, resolve, { lng, lat, t: before })).resolveLocation;
      const nowR = ok(await execute(trx, resolve, { lng, lat })).resolveLocation;
      expect(thenR.grid).toEqual({ code: f.codes.C, version: 1 });
      expect(thenR.chain.map((g: any) => g.code)).toEqual([f.codes.D, f.codes.S, f.codes.C]);
      expect(nowR.grid).toEqual({ code: f.codes.G2, version: 2 });
    }));

  it('finds nothing before a grid existed', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const d = ok(await execute(trx, `{ grid(code: "${f.codes.G1}", asOf: "2000-01-01T00:00:00Z") { code } }`));
      expect(d.grid).toBeNull();
    }));
});
