import area from '@turf/area';
import type { Knex } from 'knex';
import { createCoverageFixture, at as cat, rect, SLIVER } from './fixtures/coverage';
import { createFixture, at } from './fixtures/grid';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok } from './support/graphql';

afterAll(closeTestDb);

const COVERAGE = /* GraphQL */ `query($code: String, $level: GridLevel, $min: Float) { grid(code: $code) {
  coverage(childLevel: $level, minAreaSqm: $min) {
    childLevel areaSqm coveredSqm coveredRatio childCount
    gaps { boundary areaSqm centroid { lng lat } } gapAreaSqm
    overlaps { a { code } b { code } boundary areaSqm } overlapAreaSqm
    outside { grid { code } boundary areaSqm } outsideAreaSqm
  } } }`;

async function coverage(db: Knex, code: string, vars: { level?: string; min?: number } = {}) {
  return ok(await execute(db, COVERAGE, { code, ...vars })).grid.coverage;
}

/** Expected areas come from turf (spherical), independent of PostGIS (spheroidal): they agree within 1%. */
const within1pct = (actual: number, expected: number) => {
  expect(actual).toBeGreaterThan(expected * 0.99);
  expect(actual).toBeLessThan(expected * 1.01);
};

/** [minLng, minLat, maxLng, maxLat] of a GeoJSON Polygon or MultiPolygon. */
function bbox(geometry: { type: string; coordinates: any }): number[] {
  const positions: number[][] = geometry.type === 'Polygon' ? geometry.coordinates.flat() : geometry.coordinates.flat(2);
  const lngs = positions.map((p) => p[0]);
  const lats = positions.map((p) => p[1]);
  return [Math.min(...lngs), Math.min(...lats), Math.max(...lngs), Math.max(...lats)];
}

const expectBbox = (geometry: any, corner0: { lng: number; lat: number }, corner1: { lng: number; lat: number }) =>
  bbox(geometry).forEach((v, i) => expect(v).toBeCloseTo([corner0.lng, corner0.lat, corner1.lng, corner1.lat][i], 9));

describe('tiling coverage', () => {
  it('an exact tiling covers its parent fully: ratio 1, no gaps, overlaps or parts outside', () =>
    withRollback(async (trx) => {
      const f = await createCoverageFixture(trx);
      const c = await coverage(trx, f.grids.TILED.code);
      expect(c).toMatchObject({
        childLevel: 'COMMUNITY',
        childCount: 2,
        coveredRatio: 1,
        gaps: [],
        gapAreaSqm: 0,
        overlaps: [],
        overlapAreaSqm: 0,
        outside: [],
        outsideAreaSqm: 0,
      });
      within1pct(c.areaSqm, area(rect(0, 0, 2, 2)));
      expect(c.coveredSqm).toBe(c.areaSqm);
    }));

  it('reports a missing child area as one gap with its area and location', () =>
    withRollback(async (trx) => {
      const f = await createCoverageFixture(trx);
      const c = await coverage(trx, f.grids.GAPPY.code);
      expect(c.childCount).toBe(2);
      expect(c.gaps).toHaveLength(1);
      const [gap] = c.gaps;
      within1pct(gap.areaSqm, area(rect(3, 1, 4, 2)));
      expect(gap.boundary.type).toBe('Polygon');
      expectBbox(gap.boundary, cat(3, 1), cat(4, 2));
      expect(gap.centroid.lng).toBeCloseTo(cat(3.5, 1.5).lng, 7);
      expect(gap.centroid.lat).toBeCloseTo(cat(3.5, 1.5).lat, 7);
      expect(c.gapAreaSqm).toBeCloseTo(gap.areaSqm, 6);
      expect(c.coveredSqm + c.gapAreaSqm).toBeCloseTo(c.areaSqm, 6);
      within1pct(c.coveredRatio, 0.75);
      expect(c).toMatchObject({ overlaps: [], overlapAreaSqm: 0, outside: [], outsideAreaSqm: 0 });
    }));

  it('reports two overlapping children as a pair (lower code first) with the overlap and its area', () =>
    withRollback(async (trx) => {
      const f = await createCoverageFixture(trx);
      const c = await coverage(trx, f.grids.OVERLAP.code);
      expect(c.overlaps).toHaveLength(1);
      const [overlap] = c.overlaps;
      expect(overlap.a.code).toBe(f.grids.V1.code);
      expect(overlap.b.code).toBe(f.grids.V2.code);
      expect(overlap.boundary.type).toBe('MultiPolygon');
      expectBbox(overlap.boundary, cat(5, 0), cat(5.2, 2));
      within1pct(overlap.areaSqm, area(rect(5, 0, 5.2, 2)));
      expect(c.overlapAreaSqm).toBeCloseTo(overlap.areaSqm, 6);
      // Touching neighbours (T1|T2 elsewhere, here nothing else) are not overlaps; the overlap leaves no gap.
      expect(c).toMatchObject({ coveredRatio: 1, gaps: [], outside: [], outsideAreaSqm: 0 });
    }));

  it('reports a child sticking out of the parent with the part outside and its area', () =>
    withRollback(async (trx) => {
      const f = await createCoverageFixture(trx);
      const c = await coverage(trx, f.grids.OUTSIDE.code);
      expect(c.outside).toHaveLength(1);
      const [out] = c.outside;
      expect(out.grid.code).toBe(f.grids.X2.code);
      expect(out.boundary.type).toBe('MultiPolygon');
      expectBbox(out.boundary, cat(8, 0), cat(8.5, 2));
      within1pct(out.areaSqm, area(rect(8, 0, 8.5, 2)));
      expect(c.outsideAreaSqm).toBeCloseTo(out.areaSqm, 6);
      expect(c).toMatchObject({ coveredRatio: 1, gaps: [], overlaps: [], overlapAreaSqm: 0 });
    }));

  it('counts slivers below minAreaSqm in the totals but leaves them out of the lists', () =>
    withRollback(async (trx) => {
      const f = await createCoverageFixture(trx);
      // Each sliver is 1e-9° wide and 0.01° long: about 0.1 mm × 1.1 km ≈ 0.1 m².
      const sliverSqm = area(rect(9, 0, 9 + SLIVER, 1));
      expect(sliverSqm).toBeGreaterThan(0.05);
      expect(sliverSqm).toBeLessThan(0.2);

      const byDefault = await coverage(trx, f.grids.SLIVERS.code);
      expect(byDefault).toMatchObject({ childCount: 3, gaps: [], overlaps: [], outside: [] });
      expect(byDefault.gapAreaSqm).toBeGreaterThan(sliverSqm * 0.5);
      expect(byDefault.gapAreaSqm).toBeLessThan(sliverSqm * 1.5);
      expect(byDefault.overlapAreaSqm).toBeGreaterThan(sliverSqm * 0.5);
      expect(byDefault.overlapAreaSqm).toBeLessThan(sliverSqm * 1.5);
      expect(byDefault.coveredRatio).toBeLessThan(1);
      expect(byDefault.coveredRatio).toBeGreaterThan(0.9999999);

      const fine = await coverage(trx, f.grids.SLIVERS.code, { min: 0.01 });
      expect(fine.gaps).toHaveLength(1);
      expect(fine.gaps[0].areaSqm).toBeCloseTo(byDefault.gapAreaSqm, 9);
      expect(fine.gaps[0].centroid.lng).toBeCloseTo(cat(9, 0.5).lng, 7);
      expect(fine.overlaps.map((o: any) => [o.a.code, o.b.code])).toEqual([[f.grids.S1.code, f.grids.S3.code]]);
      expect(fine.gapAreaSqm).toBe(byDefault.gapAreaSqm);
    }));

  it('measures deeper levels than the direct children, never counting dedicated overlays', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const byStreet = await coverage(trx, f.grids.D.code);
      expect(byStreet).toMatchObject({ childLevel: 'STREET', childCount: 2, coveredRatio: 1, gaps: [], overlaps: [], outside: [] });

      const byGrid = await coverage(trx, f.grids.D.code, { level: 'GRID' });
      expect(byGrid).toMatchObject({ childLevel: 'GRID', childCount: 5, coveredRatio: 1, gaps: [], overlaps: [], outside: [] });
      // The school overlay (DEDICATED, inside GA1/GA2) would overlap them if it were counted.
      expect(byGrid.overlapAreaSqm).toBe(0);
      const community = await coverage(trx, f.grids.A1.code);
      expect(community).toMatchObject({ childLevel: 'GRID', childCount: 4, overlaps: [] });

      // Only street B is cut into micro-grids: street A's whole area is one gap.
      const byMicroGrid = await coverage(trx, f.grids.D.code, { level: 'MICRO_GRID' });
      expect(byMicroGrid.childCount).toBe(2);
      within1pct(byMicroGrid.coveredRatio, 1 / 3);
      expect(byMicroGrid.gaps).toHaveLength(1);
      within1pct(byMicroGrid.gaps[0].areaSqm, area({ type: 'Polygon', coordinates: [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]].map(([x, y]) => [at(x, y).lng, at(x, y).lat])] }));
      expect(byMicroGrid.gaps[0].centroid.lng).toBeCloseTo(at(1, 1).lng, 7);
      expect(byMicroGrid.gaps[0].centroid.lat).toBeCloseTo(at(1, 1).lat, 7);
    }));

  it('refuses a childLevel that is not a regular level below the grid, naming the allowed ones', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const refused = async (code: string, vars: { level?: string; min?: number }) => {
        const r = await execute(trx, COVERAGE, { code, ...vars });
        expect(r.errors).toHaveLength(1);
        expect(r.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
        expect(r.statements).toBeLessThanOrEqual(1); // the grid itself; nothing is measured
        return r.errors![0].message;
      };
      expect(await refused(f.grids.D.code, { level: 'DISTRICT' })).toBe(
        'childLevel must be a regular level below DISTRICT: one of STREET, COMMUNITY, GRID, MICRO_GRID (got DISTRICT)',
      );
      expect(await refused(f.grids.GA1.code, { level: 'COMMUNITY' })).toBe(
        'childLevel must be a regular level below GRID: one of MICRO_GRID (got COMMUNITY)',
      );
      expect(await refused(f.grids.A.code, { level: 'DEDICATED' })).toMatch(/one of COMMUNITY, GRID, MICRO_GRID \(got DEDICATED\)/);
      expect(await refused(f.grids.MB1a.code, {})).toMatch(/nothing lies below MICRO_GRID.*ask it of a DISTRICT, STREET, COMMUNITY or GRID/);
      expect(await refused(f.grids.SCHOOL.code, {})).toMatch(/a DEDICATED overlay has no grids below it/);
      expect(await refused(f.grids.D.code, { min: -1 })).toBe('minAreaSqm must be a number of m², 0 or more (got -1)');
    }));

  it('refuses coverage and staffing of a grid read as of a past instant (they describe the current state)', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const t = new Date().toISOString();
      for (const field of ['coverage { coveredRatio }', 'staffing { gridCount }']) {
        const r = await execute(trx, `query($code: String, $t: DateTime) { grid(code: $code, asOf: $t) { code ${field} } }`, { code: f.grids.D.code, t });
        const name = field.split(' ')[0];
        expect(r.errors).toHaveLength(1);
        expect(r.errors![0]).toMatchObject({
          path: ['grid', name],
          message: `${name} describes the current state only; ask it of ${f.grids.D.code} read without asOf`,
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
    }));

  it('computes the same coverage once per request, and overlaps only when asked', () =>
    withRollback(async (trx) => {
      const f = await createCoverageFixture(trx);
      const run = async (selection: string) => {
        const r = await execute(trx, `query($code: String) { grid(code: $code) { ${selection} } }`, { code: f.grids.GAPPY.code });
        ok(r);
        return r.statements;
      };
      // Each coverage statement runs with its own statement timeout: SAVEPOINT, SET LOCAL, the statement, RELEASE.
      const perStatement = 4;
      const once = await run('coverage { coveredRatio gaps { areaSqm } }');
      expect(await run('a: coverage { coveredRatio } b: coverage(minAreaSqm: 1) { gaps { areaSqm } }')).toBe(once);
      expect(await run('a: coverage { coveredRatio } b: coverage(minAreaSqm: 5) { gaps { areaSqm } }')).toBe(once + perStatement);
      expect(await run('coverage { coveredRatio overlapAreaSqm }')).toBe(once + perStatement);
      expect(await run('a: coverage { overlapAreaSqm } b: coverage { overlaps { areaSqm } }')).toBe(once);
    }));

  it('finds the seeded demo district exactly tiled by its streets and by its micro-grids', () =>
    withRollback(async (trx) => {
      const byStreet = await coverage(trx, '130105', { level: 'STREET' });
      expect(byStreet).toMatchObject({
        childCount: 15,
        coveredRatio: 1,
        gaps: [],
        gapAreaSqm: 0,
        overlaps: [],
        overlapAreaSqm: 0,
        outside: [],
        outsideAreaSqm: 0,
      });
      const byMicroGrid = await coverage(trx, '130105', { level: 'MICRO_GRID' });
      expect(byMicroGrid).toMatchObject({ childCount: 3500, coveredRatio: 1, gaps: [], overlaps: [], outside: [] });
    }));
});

const STAFFING = /* GraphQL */ `query($code: String, $first: Int, $after: String) { grid(code: $code) {
  staffing { gridCount staffedCount ratio
    unstaffed(first: $first, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { code } } } } }`;

async function staffing(db: Knex, code: string, vars: { first?: number; after?: string } = {}) {
  return ok(await execute(db, STAFFING, { code, ...vars })).grid.staffing;
}

describe('staffing (网格员覆盖率)', () => {
  it('counts GRID-level grids with an active worker of their own: only GA1 of five', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const codes = (keys: (keyof typeof f.grids)[]) => keys.map((k) => f.grids[k].code);
      // W2 on GA2 is on leave; W3 is active but on community A1, which staffs no grid of its own.
      expect(await staffing(trx, f.grids.D.code)).toEqual({
        gridCount: 5,
        staffedCount: 1,
        ratio: 0.2,
        unstaffed: {
          totalCount: 4,
          pageInfo: { hasNextPage: false, hasPreviousPage: false, endCursor: expect.any(String) },
          nodes: codes(['GA2', 'GA3', 'GA4', 'GB1']).map((code) => ({ code })),
        },
      });
      expect(await staffing(trx, f.grids.A1.code)).toMatchObject({ gridCount: 4, staffedCount: 1, ratio: 0.25 });
      expect(await staffing(trx, f.grids.GA1.code)).toMatchObject({ gridCount: 1, staffedCount: 1, ratio: 1, unstaffed: { totalCount: 0, nodes: [] } });
      expect(await staffing(trx, f.grids.GA2.code)).toMatchObject({ gridCount: 1, staffedCount: 0, ratio: 0, unstaffed: { nodes: [{ code: f.grids.GA2.code }] } });
      // Below the GRID level and for overlays there is nothing to staff: no ratio rather than a made-up one.
      for (const key of ['MB1a', 'SCHOOL'] as const) {
        expect(await staffing(trx, f.grids[key].code)).toMatchObject({ gridCount: 0, staffedCount: 0, ratio: null, unstaffed: { totalCount: 0, nodes: [] } });
      }
    }));

  it('pages the unstaffed grids with the same cursors as every grid connection', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const first = (await staffing(trx, f.grids.D.code, { first: 2 })).unstaffed;
      expect(first.nodes).toEqual([{ code: f.grids.GA2.code }, { code: f.grids.GA3.code }]);
      expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      expect(first.totalCount).toBe(4);
      const second = (await staffing(trx, f.grids.D.code, { first: 2, after: first.pageInfo.endCursor })).unstaffed;
      expect(second.nodes).toEqual([{ code: f.grids.GA4.code }, { code: f.grids.GB1.code }]);
      expect(second.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

      // A cursor from `grids` (GA3's) continues the list from the same place.
      const listed = ok(await execute(trx, `{ grids(filter: { nameContains: "测试GA3" }, first: 100) { edges { cursor node { code } } } }`));
      const ga3 = listed.grids.edges.find((e: any) => e.node.code === f.grids.GA3.code);
      expect((await staffing(trx, f.grids.D.code, { first: 2, after: ga3.cursor })).unstaffed.nodes).toEqual(second.nodes);

      const bad = await execute(trx, STAFFING, { code: f.grids.D.code, first: 2, after: 'bogus' });
      expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      expect(bad.errors?.[0].message).toMatch(/after is not a cursor/);
      const big = await execute(trx, STAFFING, { code: f.grids.D.code, first: 101 });
      expect(big.errors?.[0].message).toBe('first must be between 1 and 100 (got 101)');
    }));

  it("rolls up: a district's figures are the sums of its streets' (fixture and demo district)", () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const q = `query($code: String) { grid(code: $code) { staffing { gridCount staffedCount unstaffed(first: 100) { totalCount nodes { workers { status } } } }
        children(first: 100) { totalCount nodes { staffing { gridCount staffedCount unstaffed { totalCount } } } } } }`;
      for (const code of [f.grids.D.code, '130105']) {
        const d = ok(await execute(trx, q, { code })).grid;
        const streets = d.children.nodes.map((s: any) => s.staffing);
        expect(streets).toHaveLength(d.children.totalCount);
        const sum = (k: string) => streets.reduce((n: number, s: any) => n + s[k], 0);
        expect(d.staffing.gridCount).toBe(sum('gridCount'));
        expect(d.staffing.staffedCount).toBe(sum('staffedCount'));
        expect(d.staffing.unstaffed.totalCount).toBe(streets.reduce((n: number, s: any) => n + s.unstaffed.totalCount, 0));
      }
      // The demo seed: 707 grids, one full-time worker each, 5 of them on leave.
      const demo = ok(await execute(trx, q, { code: '130105' })).grid.staffing;
      expect(demo).toMatchObject({ gridCount: 707, staffedCount: 702 });
      expect(demo.unstaffed.totalCount).toBe(5);
      expect(demo.unstaffed.nodes.map((g: any) => g.workers.map((w: any) => w.status))).toEqual(Array(5).fill(['ON_LEAVE']));
    }));

  it('costs the same few statements for a page of 2 streets as for 17', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const q = `query($filter: GridFilter) { grids(filter: $filter, first: 100) { nodes { code
        staffing { gridCount staffedCount ratio unstaffed(first: 5) { totalCount nodes { code name } } } } } }`;
      const small = await execute(trx, q, { filter: { level: 'STREET', ancestorId: ok(await execute(trx, `{ grid(code: "${f.grids.D.code}") { id } }`)).grid.id } });
      const large = await execute(trx, q, { filter: { level: 'STREET' } });
      expect(ok(small).grids.nodes).toHaveLength(2);
      expect(ok(large).grids.nodes.length).toBeGreaterThanOrEqual(17);
      // The page, the counts of every street, the unstaffed grids of every street.
      expect(small.statements).toBe(3);
      expect(large.statements).toBe(small.statements);
    }));
});
