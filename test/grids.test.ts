import { toGlobalId } from '../src/graphql/relay';
import { createFixture, at } from './fixtures/grid';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok, testConfig } from './support/graphql';

afterAll(closeTestDb);

const codes = (nodes: { code: string }[]) => nodes.map((n) => n.code);

describe('grid graph', () => {
  it('fetches a grid by code or by id with its parent, ancestors (root first) and children', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const query = `query($code: String, $id: ID) { grid(code: $code, id: $id) {
        id code name level version validFrom validTo areaSqm centroid { lng lat }
        parent { code } ancestors { code }
        children { totalCount nodes { code level } }
      } }`;
      const byCode = ok(await execute(trx, query, { code: f.grids.A1.code })).grid;
      expect(byCode).toMatchObject({ code: f.grids.A1.code, level: 'COMMUNITY', version: 1, validTo: null, parent: { code: f.grids.A.code } });
      expect(codes(byCode.ancestors)).toEqual([f.grids.D.code, f.grids.A.code]);
      expect(byCode.children.totalCount).toBe(5);
      expect(codes(byCode.children.nodes)).toEqual([f.grids.GA1, f.grids.GA2, f.grids.GA3, f.grids.GA4, f.grids.SCHOOL].map((g) => g.code));
      // A1 is 0.02° × 0.02° at 30° N: about 1,928 m × 2,212 m.
      expect(byCode.areaSqm).toBeGreaterThan(4.2e6);
      expect(byCode.areaSqm).toBeLessThan(4.35e6);
      expect(byCode.centroid.lng).toBeCloseTo(at(1, 1).lng, 9);
      expect(byCode.centroid.lat).toBeCloseTo(at(1, 1).lat, 9);
      expect(new Date(byCode.validFrom).getTime()).toBeLessThanOrEqual(Date.now());

      const byId = ok(await execute(trx, query, { id: byCode.id })).grid;
      expect(byId.code).toBe(f.grids.A1.code);
      expect(byCode.id).toBe(toGlobalId('Grid', f.grids.A1.id));
    }));

  it('refuses grid() with neither or both of id and code, and an id of another type', () =>
    withRollback(async (trx) => {
      for (const args of ['', 'id: "x", code: "1"']) {
        const r = await execute(trx, `{ grid${args ? `(${args})` : ''} { code } }`);
        expect(r.errors?.[0]).toMatchObject({ message: 'grid needs exactly one of id or code', extensions: { code: 'BAD_USER_INPUT' } });
      }
      const workerId = toGlobalId('GridWorker', '00000000-0000-4000-8000-000000000000');
      const r = await execute(trx, `{ grid(id: "${workerId}") { code } }`);
      expect(r.errors?.[0].message).toMatch(/id is not a Grid id/);
    }));

  it('returns null for an unknown code', () =>
    withRollback(async (trx) => {
      expect(ok(await execute(trx, '{ grid(code: "999999999999") { code } }')).grid).toBeNull();
    }));

  it('fetches any object by global id through node()', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const gridId = toGlobalId('Grid', f.grids.GA1.id);
      const workerId = toGlobalId('GridWorker', f.workers.W1.id);
      const q = `query($id: ID!) { node(id: $id) { __typename id ... on Grid { code } ... on GridWorker { name } } }`;
      expect(ok(await execute(trx, q, { id: gridId })).node).toEqual({ __typename: 'Grid', id: gridId, code: f.grids.GA1.code });
      expect(ok(await execute(trx, q, { id: workerId })).node).toEqual({ __typename: 'GridWorker', id: workerId, name: f.workers.W1.name });
      expect(ok(await execute(trx, q, { id: 'bm90LWFuLWlk' })).node).toBeNull();
    }));

  it('filters by level, parent, ancestor subtree, name, bbox and intersecting geometry', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const q = `query($filter: GridFilter) { grids(filter: $filter, first: 100) { totalCount nodes { code } } }`;
      const run = async (filter: object) => ok(await execute(trx, q, { filter })).grids;
      const D = toGlobalId('Grid', f.grids.D.id);
      const A1 = toGlobalId('Grid', f.grids.A1.id);

      const subtree = await run({ ancestorId: D });
      expect(subtree.totalCount).toBe(12);
      expect((await run({ ancestorId: D, level: 'GRID' })).nodes).toHaveLength(5);
      expect(codes((await run({ parentId: A1, level: 'GRID' })).nodes)).toEqual(
        [f.grids.GA1, f.grids.GA2, f.grids.GA3, f.grids.GA4].map((g) => g.code),
      );
      expect(codes((await run({ ancestorId: D, nameContains: 'mb1' })).nodes)).toEqual([f.grids.MB1a.code, f.grids.MB1b.code]);
      // "%" is a literal character in nameContains, not a wildcard.
      expect((await run({ ancestorId: D, nameContains: '%' })).totalCount).toBe(0);

      const sw = at(0.1, 0.1);
      const ne = at(0.2, 0.2);
      expect(codes((await run({ ancestorId: D, bbox: [sw.lng, sw.lat, ne.lng, ne.lat] })).nodes)).toEqual(
        [f.grids.A, f.grids.A1, f.grids.GA1].map((g) => g.code),
      );
      const line = { type: 'LineString', coordinates: [[at(0.5, 0.5).lng, at(0.5, 0.5).lat], [at(2.5, 0.5).lng, at(2.5, 0.5).lat]] };
      expect(codes((await run({ ancestorId: D, level: 'GRID', intersects: line })).nodes)).toEqual(
        [f.grids.GA1, f.grids.GA3, f.grids.GB1].map((g) => g.code),
      );
    }));

  it('explains a bad bbox or a bad GeoJSON filter', () =>
    withRollback(async (trx) => {
      const q = `query($filter: GridFilter) { grids(filter: $filter) { totalCount } }`;
      const short = await execute(trx, q, { filter: { bbox: [1, 2, 3] } });
      expect(short.errors?.[0].message).toMatch(/filter.bbox must be \[minLng, minLat, maxLng, maxLat\] \(got 3 numbers\)/);
      const inverted = await execute(trx, q, { filter: { bbox: [114.5, 38, 114.4, 38.1] } });
      expect(inverted.errors?.[0].message).toMatch(/minimum must not exceed maximum/);
      const geo = await execute(trx, q, { filter: { intersects: { type: 'Polygon', coordinates: [[[114.4, 38], [38.1, 114.5]]] } } });
      expect(geo.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(geo.errors?.[0].message).toMatch(/filter.intersects is not valid GeoJSON: coordinates\[0\]\[1\].*looks like a longitude/);
    }));

  it('pages with cursors: no row twice, none skipped, hasNextPage exact', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const q = `query($filter: GridFilter, $after: String) { grids(filter: $filter, first: 5, after: $after) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { code } } } }`;
      const filter = { ancestorId: toGlobalId('Grid', f.grids.D.id) };
      const seen: string[] = [];
      let after: string | null = null;
      const pages: boolean[] = [];
      do {
        const page: any = ok(await execute(trx, q, { filter, after })).grids;
        expect(page.totalCount).toBe(12);
        expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
        seen.push(...page.edges.map((e: any) => e.node.code));
        pages.push(page.pageInfo.hasNextPage);
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      expect(pages).toEqual([true, true, false]);
      expect(seen).toEqual([...seen].sort());
      expect(new Set(seen).size).toBe(12);
    }));

  it('refuses page sizes outside 1..100 and cursors it did not issue', () =>
    withRollback(async (trx) => {
      const big = await execute(trx, '{ grids(first: 500) { totalCount } }');
      expect(big.errors?.[0]).toMatchObject({ message: 'first must be between 1 and 100 (got 500)', extensions: { code: 'BAD_USER_INPUT' } });
      const zero = await execute(trx, '{ grids(first: 0) { totalCount } }');
      expect(zero.errors?.[0].message).toBe('first must be between 1 and 100 (got 0)');
      const cursor = await execute(trx, '{ grids(after: "bogus") { totalCount } }');
      expect(cursor.errors?.[0].message).toMatch(/after is not a cursor/);
    }));

  it('returns the boundary as GeoJSON, simplified on request', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const q = `query($code: String) { grid(code: $code) { exact: boundary simple: boundary(simplifyMeters: 5) } }`;
      const g = ok(await execute(trx, q, { code: f.grids.GA1.code })).grid;
      expect(g.exact.type).toBe('MultiPolygon');
      expect(g.exact.coordinates[0][0]).toHaveLength(5);
      expect(g.exact.coordinates[0][0][0]).toEqual([at(0, 0).lng, at(0, 0).lat]);
      expect(g.simple.type).toBe('MultiPolygon');
      const bad = await execute(trx, `{ grid(code: "${f.grids.GA1.code}") { boundary(simplifyMeters: -1) } }`);
      expect(bad.errors?.[0].message).toMatch(/simplifyMeters must be between 0 and 10000 \(got -1\)/);
    }));

  it('lists workers of a grid and the responsible workers up the chain', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const q = `query($code: String) { grid(code: $code) { workers { name status } responsibleWorkers { name } } }`;
      const ga2 = ok(await execute(trx, q, { code: f.grids.GA2.code })).grid;
      expect(ga2.workers).toEqual([{ name: f.workers.W2.name, status: 'ON_LEAVE' }]);
      expect(ga2.responsibleWorkers).toEqual([{ name: f.workers.W3.name }]);
      const mb = ok(await execute(trx, q, { code: f.grids.MB1a.code })).grid;
      expect(mb).toEqual({ workers: [], responsibleWorkers: [] });
    }));

  it('batches nested queries: streets → children → children → workers costs the same few statements at any size', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const nested = `query($filter: GridFilter, $n: Int) { grids(filter: $filter, first: $n) { nodes {
        code parent { code } responsibleWorkers { name }
        children(first: $n) { totalCount nodes { code ancestors { code }
          children(first: $n) { nodes { code workers { name phone assignments { grid { code } } } responsibleWorkers { name } } } } }
      } } }`;
      // Pages of 100 three levels deep are far over the default cost limit; this is about the loaders.
      const config = testConfig({ MAX_QUERY_COST: '100000000' });
      const run = (filter: object) => execute(trx, nested, { filter, n: 100 }, { config });
      // One district's streets (2 streets, 12 grids below) against the whole demo district (15 streets,
      // 116 communities, 707 grids): the statement count must not grow with the number of grids.
      const small = await run({ ancestorId: toGlobalId('Grid', f.grids.D.id), level: 'STREET' });
      const large = await run({ level: 'STREET' });
      ok(small);
      const streets = ok(large).grids.nodes;
      const grids = streets.flatMap((s: any) => s.children.nodes.flatMap((c: any) => c.children.nodes));
      expect(grids.length).toBeGreaterThan(500);
      expect(small.statements).toBeLessThanOrEqual(10);
      expect(large.statements).toBe(small.statements);
    }));

  it('refuses queries over the depth, cost or alias limits with a validation error naming the limit', () =>
    withRollback(async (trx) => {
      const deep = `{ grids { nodes { ${'children { nodes { '.repeat(8)} code ${'} } '.repeat(8)} } } }`;
      const costly = `{ grids(first: 100) { nodes { children(first: 100) { nodes { children(first: 100) { nodes { code } } } } } } }`;
      const aliases = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: grid(code: "1") { code }`).join(' ')} }`;
      for (const [query, message] of [
        [deep, /depth limit of 15/i],
        [costly, /the query's cost is \d+; the limit is 5000 \(MAX_QUERY_COST\)/],
        [aliases, /Aliases limit of 15 exceeded/],
      ] as const) {
        const r = await execute(trx, query);
        expect(r.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(r.errors?.[0].message).toMatch(message);
        expect(r.statements).toBe(0);
      }
    }));
});
