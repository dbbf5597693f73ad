import type { Knex } from 'knex';
import { toGlobalId } from '../src/graphql/relay';
import { fromWgs84 } from '../src/geo/coordinates';
import { createEditFixture, pt, square, EDIT_UNIT, type EditFixture } from './fixtures/edit';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok, user } from './support/graphql';
import { mutate, snapshot, type Payload } from './support/edits';

afterAll(closeTestDb);

const gid = (id: string) => toGlobalId('Grid', id);
/** Metres in one fixture unit eastwards and northwards at 31° N. */
const UNIT_EAST_M = EDIT_UNIT * 111_320 * Math.cos((31 * Math.PI) / 180);
const UNIT_NORTH_M = EDIT_UNIT * 110_574;
const editorOf = (f: EditFixture) => user('GIS_EDITOR', f.code);

/** createGrid under community C of the fixture, with the given boundary and extra input. */
async function createIn(trx: Knex, f: EditFixture, boundary: unknown, extra: object = {}): Promise<Payload> {
  return mutate(trx, 'createGrid', { name: '新网格', level: 'GRID', parentId: gid(f.ids.C), boundary, ...extra }, editorOf(f), '... on CreateGridSuccess { moved grid { code version boundary areaSqm } }');
}

/** Asserts the edit was refused with these problem codes and that nothing in the database changed. */
async function expectRefused(trx: Knex, edit: () => Promise<Payload>, codes: string[]): Promise<Payload> {
  const before = await snapshot(trx);
  const payload = await edit();
  expect(payload.__typename).toBe('ValidationError');
  expect(payload.problems!.map((p) => p.code).sort()).toEqual([...codes].sort());
  expect(await snapshot(trx)).toBe(before);
  return payload;
}

describe('createGrid', () => {
  it('draws a grid in the free part of its community: next code, version 1, places re-resolved', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const r = await createIn(trx, f, square(1, 0, 2, 1), { reason: '新建' });
      expect(r.__typename).toBe('CreateGridSuccess');
      expect(r.grid).toMatchObject({ code: `${f.codes.C}003`, version: 1 });
      expect(r.moved).toBe(1); // P1 now lies in the new grid rather than directly in C
      const { rows } = await trx.raw('SELECT g.code FROM building p JOIN grid g ON g.id = p.grid_id WHERE p.id = ?', [f.places.P1]);
      expect(rows[0].code).toBe(`${f.codes.C}003`);
    }));

  it('reports every problem at once: a bow-tie, a bad name and a level that cannot sit under the parent', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const bowTie = { type: 'Polygon', coordinates: [[pt(1, 0), pt(2, 1), pt(2, 0), pt(1, 1), pt(1, 0)]] };
      const r = await expectRefused(
        trx,
        () => mutate(trx, 'createGrid', { name: '  ', level: 'MICRO_GRID', parentId: gid(f.ids.C), boundary: bowTie }, editorOf(f)),
        ['BAD_NAME', 'LEVEL_MISMATCH', 'SELF_INTERSECTION'],
      );
      const kink = r.problems!.find((p) => p.code === 'SELF_INTERSECTION')!;
      expect(kink.location!.lng).toBeCloseTo(pt(1.5, 0.5)[0], 9);
      expect(kink.location!.lat).toBeCloseTo(pt(1.5, 0.5)[1], 9);
      expect(kink.location).toEqual({ lng: 121.015, lat: 31.005 }); // rounded to 1e-9°, no floating-point tail
      expect(kink).toMatchObject({ field: 'boundary', ring: 0, vertex: 0 });
      expect(kink.message).toMatch(/crosses itself at 121\.015, 31\.005/);
      expect(r.problems!.find((p) => p.code === 'LEVEL_MISMATCH')!.message).toMatch(/under a COMMUNITY go: GRID, DEDICATED/);
    }));

  it.each([
    ['an unclosed ring', { type: 'Polygon', coordinates: [[pt(1, 0), pt(2, 0), pt(2, 1), pt(1, 1)]] }, 'RING_NOT_CLOSED', /not closed: it starts at \[121\.01, 31\] but ends at \[121\.01, 31\.01\]/],
    ['a 3-position ring', { type: 'Polygon', coordinates: [[pt(1, 0), pt(2, 0), pt(1, 0)]] }, 'RING_TOO_SHORT', /at least 4 positions/],
    ['swapped lon/lat', { type: 'Polygon', coordinates: [[[31, 121.01], [31, 121.02], [31.01, 121.02], [31, 121.01]]] }, 'SWAPPED_AXES x4', /coordinates\[0\]\[0\].*looks like a longitude/],
    ['a point', { type: 'Point', coordinates: pt(1, 1) }, 'NOT_POLYGON', /must be a GeoJSON Polygon or MultiPolygon/],
  ])('refuses %s with a located problem', (_name, boundary, code, message) =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      // "CODE xN": the problem is reported once per offending vertex.
      const [name, times] = code.split(' x');
      const r = await expectRefused(trx, () => createIn(trx, f, boundary), Array(Number(times ?? 1)).fill(name));
      expect(r.problems![0].message).toMatch(message as RegExp);
    }),
  );

  it('refuses more vertices than the limit, saying how many', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const ring = Array.from({ length: 20_000 }, (_, i) => {
        const a = (2 * Math.PI * i) / 20_000;
        return pt(1.5 + 0.4 * Math.cos(a), 1 + 0.4 * Math.sin(a));
      });
      const r = await expectRefused(trx, () => createIn(trx, f, { type: 'Polygon', coordinates: [[...ring, ring[0]]] }), ['TOO_MANY_VERTICES']);
      expect(r.problems![0].message).toMatch(/20000 vertices; the limit is 10000/);
    }));

  it('normalises a clockwise shell and repeated points instead of refusing them', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const clockwiseWithRepeats = { type: 'Polygon', coordinates: [[pt(1, 0), pt(1, 1), pt(1, 1), pt(2, 1), pt(2, 0), pt(2, 0), pt(1, 0)]] };
      const r = await createIn(trx, f, clockwiseWithRepeats);
      expect(r.__typename).toBe('CreateGridSuccess');
      const ring: number[][] = r.grid.boundary.coordinates[0][0];
      expect(ring).toHaveLength(5);
      const signedArea = ring.slice(0, -1).reduce((s, [x1, y1], i) => s + (x1 * ring[i + 1][1] - ring[i + 1][0] * y1), 0);
      expect(signedArea).toBeGreaterThan(0); // counter-clockwise, as RFC 7946 wants
    }));

  it('accepts a hole touching its shell at one point and refuses one running along it', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const shell = [pt(1, 0), pt(2, 0), pt(2, 1), pt(1, 1), pt(1, 0)];
      const touchingAtPoint = { type: 'Polygon', coordinates: [shell, [pt(1, 0.5), pt(1.5, 0.7), pt(1.5, 0.3), pt(1, 0.5)]] };
      expect((await createIn(trx, f, touchingAtPoint)).__typename).toBe('CreateGridSuccess');
      const alongEdge = { type: 'Polygon', coordinates: [[pt(1, 1), pt(2, 1), pt(2, 2), pt(1, 2), pt(1, 1)], [pt(1, 1.2), pt(1, 1.6), pt(1.5, 1.4), pt(1, 1.2)]] };
      const r = await expectRefused(trx, () => createIn(trx, f, alongEdge), ['SELF_INTERSECTION']);
      expect(r.problems![0].location).not.toBeNull();
    }));

  it('converts GCJ-02 input to WGS-84 before storing it', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const wgs = [pt(1.1, 0.1), pt(1.9, 0.1), pt(1.9, 0.9), pt(1.1, 0.9), pt(1.1, 0.1)];
      const gcj = wgs.map(([lng, lat]) => fromWgs84({ lng, lat }, 'GCJ02')).map((p) => [p.lng, p.lat]);
      const r = await createIn(trx, f, { type: 'Polygon', coordinates: [gcj] }, { crs: 'GCJ02' });
      expect(r.__typename).toBe('CreateGridSuccess');
      const stored: number[][] = r.grid.boundary.coordinates[0][0];
      stored.forEach(([lng, lat], i) => {
        expect(Math.abs(lng - wgs[i][0])).toBeLessThan(5e-6);
        expect(Math.abs(lat - wgs[i][1])).toBeLessThan(5e-6);
      });
    }));

  it('refuses a polygon crossing its parent edge, saying how much is outside; clipToParent fits it', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const crossing = square(1, 0, 2.5, 1); // half a unit into K
      const r = await expectRefused(trx, () => createIn(trx, f, crossing), ['OUTSIDE_PARENT']);
      const outside = r.problems![0];
      // 0.5 × 1 units ≈ 477 m × 1,109 m ≈ 529,000 m²
      expect(outside.areaSqm).toBeGreaterThan(5.1e5);
      expect(outside.areaSqm).toBeLessThan(5.4e5);
      expect(outside.location!.lng).toBeGreaterThan(pt(2, 0)[0]);
      const clipped = await createIn(trx, f, crossing, { options: { clipToParent: true } });
      expect(clipped.__typename).toBe('CreateGridSuccess');
      expect(clipped.grid.areaSqm).toBeCloseTo(outside.areaSqm! * 2, -4);
    }));

  // G1 ends at x = 1; a new grid starting a little to the left overlaps it by a strip 1 unit (1,109 m) tall.
  const strip = (sqm: number) => square(1 - sqm / UNIT_NORTH_M / UNIT_EAST_M, 0, 2, 1);

  it('accepts an overlap with a sibling of about 1 m² (a digitising sliver)', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      expect((await createIn(trx, f, strip(1))).__typename).toBe('CreateGridSuccess');
    }));

  it('refuses an overlap with a sibling of about 500 m², naming the sibling and the area', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const r = await expectRefused(trx, () => createIn(trx, f, strip(500)), ['OVERLAPS_SIBLING']);
      expect(r.problems![0].grids).toEqual([{ code: f.codes.G1 }]);
      expect(r.problems![0].areaSqm).toBeGreaterThan(450);
      expect(r.problems![0].areaSqm).toBeLessThan(550);
      expect(r.problems![0].message).toMatch(/overlaps 编辑G1 \(\d+\) by \d+ m²/);
    }));

  it('snaps a boundary drawn a few metres off its neighbours onto their edges', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const off = 3 / UNIT_EAST_M; // 3 m east, in fixture units
      const sloppy = { type: 'Polygon', coordinates: [[pt(1 - off, 0), pt(2 + off, 0), pt(2 + off, 1), pt(1 - off, 1), pt(1 - off, 0)]] };
      await expectRefused(trx, () => createIn(trx, f, sloppy), ['OUTSIDE_PARENT', 'OVERLAPS_SIBLING']);
      const snapped = await createIn(trx, f, sloppy, { options: { snapToleranceMeters: 5 } });
      expect(snapped.problems ?? []).toEqual([]);
      expect(snapped.__typename).toBe('CreateGridSuccess');
      expect(snapped.grid.boundary.coordinates[0][0]).toContainEqual(pt(1, 0));
    }));

  it('checks codes: the format under the parent, and codes already in use', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const bad = await expectRefused(trx, () => createIn(trx, f, square(1, 0, 2, 1), { code: '123' }), ['BAD_CODE']);
      expect(bad.problems![0].message).toMatch(new RegExp(`parent's code ${f.codes.C} followed by 3 digits`));
      const taken = await expectRefused(trx, () => createIn(trx, f, square(1, 0, 2, 1), { code: f.codes.G1 }), ['CODE_TAKEN']);
      expect(taken.problems![0].grids).toEqual([{ code: f.codes.G1 }]);
    }));

  it('needs an editor token within the jurisdiction', () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const query = `mutation($input: CreateGridInput!) { createGrid(input: $input) { __typename } }`;
      const input = { name: 'x', level: 'GRID', parentId: gid(f.ids.C), boundary: square(1, 0, 2, 1) };
      const cases = [
        [undefined, 'UNAUTHENTICATED'],
        [user('VIEWER', f.code), 'FORBIDDEN'],
        [user('DISPATCHER', f.code), 'FORBIDDEN'],
        [user('GIS_EDITOR', '130105'), 'FORBIDDEN'],
      ] as const;
      for (const [viewer, code] of cases) {
        const before = await snapshot(trx);
        const r = await execute(trx, query, { input }, viewer ? { viewer } : {});
        expect(r.errors?.[0].extensions?.code).toBe(code);
        expect(await snapshot(trx)).toBe(before);
      }
      const admin = ok(await execute(trx, query, { input }, { viewer: user('ADMIN') }));
      expect(admin.createGrid.__typename).toBe('CreateGridSuccess');
    }));
});
