import http from 'node:http';
import { buildSchema, parse } from 'graphql';
import { classifyError } from '../src/errors';
import { encodeCursor } from '../src/graphql/relay';
import { queryCost } from '../src/graphql/query-cost';
import { loadTypeDefs } from '../src/graphql/schema';
import { ConcurrencyGate } from '../src/limits/concurrency';
import { RateLimiter } from '../src/limits/rate-limit';
import { signToken } from '../src/modules/auth/jwt';
import { startApp, type App } from '../src/server';
import { createFixture } from './fixtures/grid';
import { closeTestDb, testDb, withRollback } from './support/db';
import { testDatabaseUrl } from './support/env';
import { execute, ok, silentLog, testConfig, user } from './support/graphql';

/**
 * The limits that keep one request from taking the process down or the pool from everyone else: query cost,
 * graphql-armor's token, directive and character limits, input size caps, the response cap, the request
 * deadline, the statement and pool-acquire timeouts, the per-client rate limit and the cap on expensive work.
 */
afterAll(closeTestDb);

const SECRET = 's'.repeat(32);
const started: App[] = [];
afterAll(async () => {
  await Promise.all(started.map((a) => a.stop()));
});

async function start(env: Record<string, string> = {}): Promise<App> {
  const config = testConfig({ DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', JWT_SECRET: SECRET, ...env });
  const app = await startApp(config, silentLog, { onProgress: () => {} });
  started.push(app);
  return app;
}

async function post(app: App, query: string, variables: object = {}, headers: Record<string, string> = {}) {
  const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  // The tests read whatever the server answered, field by field.
  const body: any = await res.json();
  return { status: res.status, headers: res.headers, body };
}

const base = (app: App) => app.url.replace('/graphql', '');

/** The query of the report: four aliases of children → parent → children … with `first` left at its default. */
const CRASH = `{ ${['a', 'b', 'c', 'd']
  .map((alias) => `${alias}: grid(code: "130105") { children { nodes { parent { children { nodes { parent { children { nodes { boundary workers { phone } } } } } } } } } }`)
  .join(' ')} }`;

const README_QUERIES = {
  districtTree: `query DistrictTree { grid(code: "130105") { name children(first: 20) { totalCount nodes { code name areaSqm
      children(level: COMMUNITY, first: 20) { nodes { code name responsibleWorkers { name phone } } } } } }
    community: grid(code: "130105001015") { name boundary(simplifyMeters: 5) centroid { lng lat } } }`,
  gridsInView: `query GridsInView($bbox: [Float!]) { grids(filter: { level: GRID, bbox: $bbox }, first: 100) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id code name boundary(simplifyMeters: 2) } } }`,
  coverage: `query Coverage { street: grid(code: "130105001") { name coverage(childLevel: MICRO_GRID, minAreaSqm: 1) {
      childCount coveredRatio gapAreaSqm overlapAreaSqm outsideAreaSqm gaps { areaSqm centroid { lng lat } boundary }
      overlaps { a { code name } b { code name } areaSqm boundary } outside { grid { code name } areaSqm boundary } } }
    district: grid(code: "130105") { staffing { gridCount staffedCount ratio unstaffed(first: 20) { totalCount nodes { code name workers { name status } } } } } }`,
  /** A district dashboard: district → streets → communities with their workers, 20 a page. */
  dashboard: `{ grid(code: "130105") { name staffing { ratio } children(first: 20) { nodes { code name staffing { ratio }
      children(first: 20) { nodes { code name workers { name phone } responsibleWorkers { name phone } } } } } } }`,
};

describe('query cost', () => {
  const schema = buildSchema(loadTypeDefs());
  const cost = (q: string, v: Record<string, unknown> = {}) => queryCost(schema, parse(q), v);

  it('refuses the crash query before running anything, saying what it costs', () =>
    withRollback(async (trx) => {
      const r = await execute(trx, CRASH);
      expect(r.errors).toHaveLength(1);
      expect(r.errors![0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', maxCost: 5000 });
      expect(r.errors![0].extensions!.cost).toBeGreaterThan(300_000);
      expect(r.errors![0].message).toMatch(/^the query's cost is \d+; the limit is 5000 \(MAX_QUERY_COST\)/);
      expect(r.statements).toBe(0);
    }));

  it('counts default page sizes and page sizes given as variables, not just literals', () => {
    const nested = (first: string) => `query($n: Int) { grids${first} { nodes { children${first} { nodes { children${first} { nodes { code } } } } } } }`;
    // 20 (the default) or $n each level: 20 × 20 × 20 in every form, whatever the literal says.
    expect(cost(nested(''))).toBe(cost(nested('(first: 20)')));
    expect(cost(nested('(first: $n)'), { n: 20 })).toBe(cost(nested('(first: 20)')));
    expect(cost(nested('(first: $n)'), { n: 100 })).toBeGreaterThan(1_000_000);
    expect(cost(nested('(first: $n)'), { n: 2 })).toBeLessThan(50);
  });

  it('lets the README queries and a district dashboard through, well under the limit', () =>
    withRollback(async (trx) => {
      const costs = Object.fromEntries(Object.entries(README_QUERIES).map(([k, q]) => [k, cost(q, { bbox: [114.4, 38.0, 114.5, 38.1] })]));
      expect(costs).toEqual({ districtTree: 854, gridsInView: 1201, coverage: 646, dashboard: 1662 });
      for (const [name, q] of Object.entries(README_QUERIES)) {
        const r = await execute(trx, q, { bbox: [114.44, 38.03, 114.45, 38.04] });
        expect([name, r.errors ?? []]).toEqual([name, []]);
      }
    }));

  it('refuses a variable page size over the limit the same way as a literal one', () =>
    withRollback(async (trx) => {
      const q = `query($n: Int) { grids(first: $n) { nodes { children(first: $n) { nodes { children(first: $n) { nodes { code } } } } } } }`;
      expect((await execute(trx, q, { n: 100 })).errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(ok(await execute(trx, q, { n: 2 })).grids.nodes).toHaveLength(2);
    }));
});

describe("graphql-armor's limits on the query text", () => {
  it('refuses more than 1,000 tokens, 50 directives or 15,000 characters, before anything runs', () =>
    withRollback(async (trx) => {
      const tokens = `{ ${Array.from({ length: 400 }, (_, i) => `f${i}: __typename`).join(' ')} }`;
      const directives = `{ grid(code: "130105") { ${Array.from({ length: 51 }, () => 'code @include(if: true)').join(' ')} } }`;
      const characters = `{ __typename } ${'#'.repeat(15_001)}`;
      const cases = [
        [tokens, 'GRAPHQL_PARSE_FAILED', /more that 1000 tokens/],
        [directives, 'GRAPHQL_VALIDATION_FAILED', /Directives limit of 50 exceeded, found 51/],
        [characters, 'GRAPHQL_VALIDATION_FAILED', /the query has 15016 characters; the limit is 15000 \(MAX_QUERY_CHARACTERS\)/],
      ] as const;
      for (const [query, code, message] of cases) {
        const r = await execute(trx, query);
        expect(r.errors?.[0].extensions?.code).toBe(code);
        expect(r.errors?.[0].message).toMatch(message);
        expect(r.statements).toBe(0);
      }
    }));
});

describe('input size caps and bad input', () => {
  it('refuses a huge nameContains, a huge intersects polygon and a huge split line with BAD_USER_INPUT, running nothing', () =>
    withRollback(async (trx) => {
      const ring = Array.from({ length: 20_000 }, (_, i) => [114.4 + 0.05 * Math.cos(i / 3183), 38.0 + 0.05 * Math.sin(i / 3183)]);
      const polygon = { type: 'Polygon', coordinates: [[...ring, ring[0]]] };
      const cases = [
        [`query($f: GridFilter) { grids(filter: $f) { totalCount } }`, { f: { nameContains: '网'.repeat(1_000_000) } }, /filter.nameContains has 1000000 characters; grid names have at most 100/],
        [`query($f: GridFilter) { grids(filter: $f) { totalCount } }`, { f: { intersects: polygon } }, /filter.intersects has more than 2000 vertices and parts \(MAX_FILTER_VERTICES\)/],
      ] as const;
      for (const [query, variables, message] of cases) {
        const r = await execute(trx, query, variables);
        expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
        expect(r.errors?.[0].message).toMatch(message);
        expect(r.statements).toBe(0);
      }
      const f = await createFixture(trx);
      const split = await execute(
        trx,
        `mutation($input: SplitGridInput!) { splitGrid(input: $input) { __typename } }`,
        { input: { id: Buffer.from(`Grid:${f.grids.GA1.id}`).toString('base64url'), line: { type: 'LineString', coordinates: ring }, names: ['a', 'b'], expectedVersion: 1 } },
        { viewer: user('ADMIN') },
      );
      expect(split.errors?.[0].message).toMatch(/input.line has more than 2000 vertices and parts/);
    }));

  it('lists at most 100 problems of a boundary and counts the rest; a 400,000-position boundary gets one problem', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const create = `mutation($input: CreateGridInput!) { createGrid(input: $input) { __typename ... on ValidationError { message problemCount problems { code } } } }`;
      const input = (coordinates: number[][]) => ({ name: 'x', level: 'MICRO_GRID', parentId: Buffer.from(`Grid:${f.grids.GA1.id}`).toString('base64url'), boundary: { type: 'Polygon', coordinates: [coordinates] } });
      // 9,000 positions, every one out of range.
      const outOfRange = Array.from({ length: 9_000 }, (_, i) => [200 + i * 1e-6, 30]);
      const many = ok(await execute(trx, create, { input: input([...outOfRange, outOfRange[0]]) }, { viewer: user('ADMIN') })).createGrid;
      expect(many.__typename).toBe('ValidationError');
      expect(many.problemCount).toBe(9_001);
      expect(many.problems).toHaveLength(100);
      expect(many.message).toMatch(/^9001 problems found \(the first 100 are listed\); nothing was changed/);
      const huge = Array.from({ length: 300_000 }, (_, i) => [120 + i * 1e-9, 30]);
      const r = ok(await execute(trx, create, { input: input([...huge, huge[0]]) }, { viewer: user('ADMIN') })).createGrid;
      expect(r).toMatchObject({ problemCount: 1, problems: [{ code: 'TOO_MANY_VERTICES' }] });
      expect(r.message).toMatch(/the boundary has 300000 vertices; the limit is 10000/);
      // A million empty parts weigh as much as a million vertices.
      const empties = { ...input([]), boundary: { type: 'MultiPolygon', coordinates: [[[[120, 30], [120.001, 30], [120.001, 30.001], [120, 30]]], ...Array(200_000).fill([])] } };
      const parts = ok(await execute(trx, create, { input: empties }, { viewer: user('ADMIN') })).createGrid;
      expect(parts).toMatchObject({ problemCount: 1, problems: [{ code: 'TOO_MANY_VERTICES' }] });
      // And past a million values in all, the variables are refused before anything reads them.
      const tooMany = await execute(trx, create, { input: input(Array.from({ length: 400_000 }, () => [120, 30])) }, { viewer: user('ADMIN') });
      expect(tooMany.errors?.[0].message).toMatch(/the variables hold more than 1000000 values/);
    }));

  it('answers a NUL character, a forged cursor and an impossible date with BAD_USER_INPUT, never an internal error', () =>
    withRollback(async (trx) => {
      const cases = [
        [`query($n: String) { grids(filter: { nameContains: $n }) { totalCount } }`, { n: 'a\u0000b' }, /variables.n contains a NUL character/],
        [`{ grids(filter: { nameContains: "a\\u0000b" }) { totalCount } }`, {}, /string literal in the query .* contains a NUL character/],
        [`query($a: String) { grids(after: $a) { totalCount } }`, { a: encodeCursor(['130105', 'not-a-uuid']) }, /after is not a grid cursor/],
        [`query($a: String) { grid(code: "130105") { children(after: $a) { totalCount } } }`, { a: encodeCursor(['1301%', '00000000-0000-0000-0000-000000000000']) }, /after is not a grid cursor/],
        [`query($a: String) { grids(after: $a) { totalCount } }`, { a: 'bm90IGpzb24' }, /after is not a cursor returned by this connection/],
        [`query($t: DateTime) { grid(code: "130105", asOf: $t) { code } }`, { t: '2026-02-30T00:00:00Z' }, /2026-02 has no day 30/],
        [`query($t: DateTime) { grid(code: "130105", asOf: $t) { code } }`, { t: '1' }, /must be an RFC 3339 date-time/],
        [`query($t: DateTime) { grid(code: "130105", asOf: $t) { code } }`, { t: '-271821-04-20T00:00:00Z' }, /must be an RFC 3339 date-time/],
        [`query($t: DateTime) { grid(code: "130105", asOf: $t) { code } }`, { t: '0001-01-01T00:00:00+23:59' }, /is before 0001 in UTC/],
        [`query($t: DateTime) { grid(code: "130105", asOf: $t) { code } }`, { t: '9999-12-31T23:59:59.999-23:59' }, /is after 9999 in UTC/],
        [`{ resolveLocation(lng: -180, lat: -90, crs: BD09) { approximate } }`, {}, /converts to .* outside the WGS-84 range/],
      ] as const;
      for (const [query, variables, message] of cases) {
        const r = await execute(trx, query, variables);
        expect([query, r.errors?.[0].extensions?.code]).toEqual([query, 'BAD_USER_INPUT']);
        expect(r.errors?.[0].message).toMatch(message);
      }
      // Written into the query instead, a bad value fails validation (GraphQL checks literals before running).
      const literal = await execute(trx, `{ grid(code: "130105", asOf: "2026-02-30T00:00:00Z") { code } }`);
      expect(literal.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(literal.errors?.[0].message).toMatch(/2026-02 has no day 30/);
    }));

  it('maps what PostgreSQL refuses as input (class 22) to BAD_USER_INPUT, in words that never show the statement', async () => {
    const err = await testDb().raw(`/* secretStatement */ SELECT 'nope'::uuid`).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/secretStatement/); // the driver's message carries the SQL
    const classified = classifyError(err)!;
    expect(classified.extensions.code).toBe('BAD_USER_INPUT');
    expect(classified.message).toBe('a value in the request is not valid: it is not of the expected type (a malformed id or number?)');
  });

  it('refuses names that are blank, invisible or spoofed', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const square = { type: 'Polygon', coordinates: [[[120.0021, 30.0021], [120.0029, 30.0021], [120.0029, 30.0029], [120.0021, 30.0029], [120.0021, 30.0021]]] };
      const create = `mutation($input: CreateGridInput!) { createGrid(input: $input) { __typename ... on ValidationError { problems { code message } } } }`;
      for (const [name, message] of [
        ['\u200b', /has no letter or digit/],
        ['网格\u202e1', /bidirectional override/],
        ['网格\u0007', /control character/],
      ] as const) {
        const r = ok(await execute(trx, create, { input: { name, level: 'MICRO_GRID', parentId: Buffer.from(`Grid:${f.grids.GA1.id}`).toString('base64url'), boundary: square } }, { viewer: user('ADMIN') })).createGrid;
        expect(r.problems[0]).toEqual({ code: 'BAD_NAME', message: expect.stringMatching(message) });
      }
    }));
});

describe('the response size cap', () => {
  it('stops a query whose boundaries would exceed MAX_RESPONSE_BYTES with RESPONSE_TOO_LARGE', () =>
    withRollback(async (trx) => {
      const config = testConfig({ MAX_RESPONSE_BYTES: '20000' });
      const r = await execute(trx, `{ grids(filter: { level: COMMUNITY }, first: 50) { nodes { code boundary } } }`, {}, { config });
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limitBytes: 20000 });
      expect(r.errors?.[0].message).toMatch(/would exceed 0 MB \(MAX_RESPONSE_BYTES\): ask for fewer fields or smaller pages/);
      expect(ok(await execute(trx, `{ grids(filter: { level: COMMUNITY }, first: 2) { nodes { code boundary(simplifyMeters: 50) } } }`, {}, { config })).grids.nodes).toHaveLength(2);
    }));
});

describe('over HTTP, the process stays healthy', () => {
  it('answers the crash query 400 at once and keeps answering /healthz and resolveLocation', async () => {
    const app = await start();
    const crash = await post(app, CRASH);
    expect(crash.status).toBe(400);
    expect(crash.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await fetch(`${base(app)}/healthz`)).status).toBe(200);
    const r = await post(app, `{ resolveLocation(lng: 114.46, lat: 38.05) { grid { level } } }`);
    expect(r.body.data.resolveLocation.grid.level).toBe('MICRO_GRID');
  });

  it('answers 503 with Retry-After when every pooled connection is held, while /readyz (its own connection) says ready', async () => {
    const app = await start({ DB_POOL_MAX: '2', DB_ACQUIRE_TIMEOUT_MS: '300' });
    // Two statements that hold both pooled connections (knex runs a statement once it is awaited).
    const held = [app.db.knex.raw('SELECT pg_sleep(2)'), app.db.knex.raw('SELECT pg_sleep(2)')].map((q) => q.then(() => undefined));
    await new Promise((r) => setTimeout(r, 100));
    const busy = await post(app, '{ grids(first: 1) { nodes { code } } }');
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(busy.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(busy.body.errors[0].message).toMatch(/every database connection is busy/);
    expect((await fetch(`${base(app)}/readyz`)).status).toBe(200);
    await Promise.all(held);
    expect((await post(app, '{ grids(first: 1) { nodes { code } } }')).status).toBe(200);
  });

  it('sets the statement timeout on every pooled connection; a statement past it is a REQUEST_TIMEOUT', async () => {
    const app = await start({ DB_STATEMENT_TIMEOUT_MS: '200' });
    expect((await app.db.knex.raw('SHOW statement_timeout')).rows[0].statement_timeout).toBe('200ms');
    // and no JIT compilation (its cost guesses made a street's population figures compile for longer than they run)
    expect((await app.db.knex.raw('SHOW jit')).rows[0].jit).toBe('off');
    const err = await app.db.knex.raw('SELECT pg_sleep(1)').catch((e: unknown) => e);
    expect(classifyError(err)?.extensions.code).toBe('REQUEST_TIMEOUT');
  });

  it('stops a request at its deadline, cancelling its statements on the server', async () => {
    const app = await start({ REQUEST_TIMEOUT_MS: '100' });
    const r = await post(app, `{ grid(code: "130105") { coverage(childLevel: MICRO_GRID) { overlapAreaSqm coveredRatio } } }`);
    expect(r.status).toBe(200);
    expect(r.body.errors[0].extensions.code).toBe('REQUEST_TIMEOUT');
    // Cancelled while it ran, or (on a loaded machine) stopped before its next statement could start.
    expect(r.body.errors[0].message).toMatch(/past the request deadline and was cancelled|ran longer than 100 ms \(REQUEST_TIMEOUT_MS\) and was stopped/);
    // Nothing of it goes on running: the statements were cancelled (the same coverage, uncancelled, runs for
    // most of a second on these machines), so within a few hundred milliseconds none is active.
    const running = async () =>
      (await testDb().raw(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'grid-registry' AND state = 'active'
                         AND (query LIKE '%coverageTiling%' OR query LIKE '%coverageOverlaps%')`)).rows[0].n; // (not other files' camera coverage)
    let n = await running();
    for (let i = 0; i < 16 && n > 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      n = await running();
    }
    expect(n).toBe(0);
    expect((await post(app, `{ resolveLocation(lng: 114.46, lat: 38.05) { grid { level } } }`)).status).toBe(200);
  });

  it('limits requests per client with 429 and Retry-After; clients are told apart by token, else by address', async () => {
    const app = await start({ RATE_LIMIT_PER_MINUTE: '60', RATE_LIMIT_BURST: '3', TRUST_PROXY: 'true' });
    const q = '{ __typename }';
    const from = (ip: string) => ({ 'x-forwarded-for': `10.9.9.9, ${ip}` });
    for (let i = 0; i < 3; i++) expect((await post(app, q, {}, from('10.0.0.1'))).status).toBe(200);
    const limited = await post(app, q, {}, from('10.0.0.1'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(limited.body.errors[0].message).toMatch(/the limit is 60 a minute per client \(RATE_LIMIT_PER_MINUTE\)/);
    // Another address (the hop the proxy appended), and a signed-in user behind the same address, are other clients.
    expect((await post(app, q, {}, from('10.0.0.2'))).status).toBe(200);
    const token = await signToken({ secret: SECRET, issuer: 'grid-registry', audience: null }, { subject: 'li', role: 'VIEWER' });
    expect((await post(app, q, {}, { ...from('10.0.0.1'), authorization: `Bearer ${token}` })).status).toBe(200);
    // The export counts too.
    expect((await fetch(`${base(app)}/export/grids.geojson?level=DISTRICT`, { headers: from('10.0.0.1') })).status).toBe(429);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY is set', async () => {
    const app = await start({ RATE_LIMIT_PER_MINUTE: '60', RATE_LIMIT_BURST: '2' });
    const statuses = [];
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) statuses.push((await post(app, '{ __typename }', {}, { 'x-forwarded-for': ip })).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('refuses expensive work past the concurrency cap with 429 and Retry-After', async () => {
    const app = await start({ EXPENSIVE_MAX_CONCURRENT: '1' });
    // The district's coverage by micro-grids holds the one slot for most of a second.
    const long = post(app, `{ grid(code: "130105") { coverage(childLevel: MICRO_GRID) { overlapAreaSqm } } }`);
    await new Promise((r) => setTimeout(r, 150));
    const refused = await post(app, `{ grid(code: "130105001") { coverage { coveredRatio } } }`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(refused.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(refused.body.errors[0].message).toMatch(/expensive requests .* are running \(EXPENSIVE_MAX_CONCURRENT\)/);
    expect((await long).body.data.grid.coverage.overlapAreaSqm).toBe(0);
  });

  it('lets a client that stops reading an export hold nothing; the export resumes whole when it reads again', async () => {
    const app = await start({ EXPENSIVE_MAX_CONCURRENT: '1' });
    const stalled = await new Promise<http.IncomingMessage>((resolve) => http.get(new URL(`${base(app)}/export/grids.geojson`), resolve));
    expect(stalled.statusCode).toBe(200);
    stalled.pause();
    // Refused at most while a page is read from the database, then answered: the stalled export holds no
    // slot while it waits for its client (before, a few such clients kept every export and coverage out).
    const coverage = `{ grid(code: "130105001") { coverage { coveredRatio } } }`;
    let answer = await post(app, coverage);
    for (let i = 0; i < 50 && answer.status === 429; i++) {
      await new Promise((r) => setTimeout(r, 100));
      answer = await post(app, coverage);
    }
    expect(answer.status).toBe(200);
    expect(answer.body.data.grid.coverage.coveredRatio).toBe(1);
    // Its later pages waited for the slot; read now, the file is complete.
    const chunks: Buffer[] = [];
    stalled.on('data', (c: Buffer) => chunks.push(c));
    stalled.resume();
    await new Promise((r) => stalled.on('end', r));
    const fc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    expect(fc.features.length).toBeGreaterThan(4000);
  });
});

describe('rate limiter and concurrency gate', () => {
  it('refills a bucket at the configured rate and bounds the burst', () => {
    let now = 0;
    const limiter = new RateLimiter(60, 2, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')].map((d) => d.ok)).toEqual([true, true, false]);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    now += 1000;
    expect(limiter.take('a').ok).toBe(true);
    now += 60_000;
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')].map((d) => d.ok)).toEqual([true, true, false]);
    expect(new RateLimiter(0, 1).take('a').ok).toBe(true);
  });

  it('caps expensive work in all and per client, releasing a slot when the work ends or fails', async () => {
    const gate = new ConcurrencyGate(2, 1);
    let release!: () => void;
    const held = gate.run('coverage', 'a', () => new Promise<void>((r) => (release = r)));
    await expect(gate.run('export', 'a', async () => 1)).rejects.toThrow(/EXPENSIVE_MAX_PER_CLIENT/);
    expect(await gate.run('export', 'b', async () => 2)).toBe(2);
    const heldB = gate.run('coverage', 'b', () => new Promise<void>(() => {}));
    await expect(gate.run('export', 'c', async () => 3)).rejects.toThrow(/EXPENSIVE_MAX_CONCURRENT/);
    release();
    await held;
    await expect(gate.run('import', 'c', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await gate.run('import', 'c', async () => 4)).toBe(4);
    void heldB;
  });

  it('lets work already under way wait for a slot, up to a limit', async () => {
    const gate = new ConcurrencyGate(1, 1);
    let release!: () => void;
    const held = gate.run('coverage', 'a', () => new Promise<void>((r) => (release = r)));
    const waiting = gate.runWhenFree('export', 'b', async () => 'next page', 5000);
    await expect(gate.runWhenFree('export', 'c', async () => 'x', 50)).rejects.toThrow(/EXPENSIVE_MAX_CONCURRENT/);
    release();
    await held;
    expect(await waiting).toBe('next page');
  });
});

describe('the cost of a query text is worked out once', () => {
  it('reuses it for other coordinates, but not for another page size', () =>
    withRollback(async (trx) => {
      const q = `query($n: Int, $code: String, $show: Boolean!) { grid(code: $code) { code children(first: $n) { nodes { code name @include(if: $show) } } } }`;
      // The same text with a different $code costs the same; a different $n or $show is costed anew.
      expect((await execute(trx, q, { n: 100, code: '130105', show: true })).errors).toBeUndefined();
      expect((await execute(trx, q, { n: 100, code: '130105001', show: true })).errors).toBeUndefined();
      const big = `query($n: Int) { grids(first: $n) { nodes { children(first: $n) { nodes { children(first: $n) { nodes { code } } } } } } }`;
      expect((await execute(trx, big, { n: 2 })).errors).toBeUndefined();
      expect((await execute(trx, big, { n: 100 })).errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect((await execute(trx, big, { n: 2 })).errors).toBeUndefined();
    }));
});

describe('the cost cache cannot be poisoned', () => {
  it('costs a variable left out (its default applies) apart from one given as null', () =>
    withRollback(async (trx) => {
      const q = `query Q($n: Int = 100) { grids(first: $n) { nodes { code children(first: $n) { nodes { code workers { name } } } } } }`;
      expect((await execute(trx, q, {})).errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect((await execute(trx, q, { n: null })).errors).toBeUndefined(); // null: the field's default, 20
      expect((await execute(trx, q, {})).errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }));

  it('refuses variables nested absurdly deep with BAD_USER_INPUT, not a crashed stack', () =>
    withRollback(async (trx) => {
      let deep: unknown = 'x';
      for (let i = 0; i < 100_000; i++) deep = [deep];
      const r = await execute(trx, `query($g: GeoJSON) { grids(filter: { intersects: $g }) { totalCount } }`, { g: { type: 'Polygon', coordinates: deep } });
      expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0].message).toMatch(/variables.g.coordinates\[0\](\[0\])* is nested deeper than 64 levels/);
    }));
});

describe('expensive work within one request', () => {
  it('runs one piece at a time under one slot, so a page of coverages is not refused by itself', async () => {
    const app = await start({ EXPENSIVE_MAX_CONCURRENT: '1', EXPENSIVE_MAX_PER_CLIENT: '1' });
    const r = await post(app, `{ grid(code: "130105001") { children(first: 4) { nodes { coverage { coveredRatio overlapAreaSqm } } } } }`);
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.grid.children.nodes.map((n: { coverage: { coveredRatio: number } }) => n.coverage.coveredRatio)).toEqual([1, 1, 1, 1]);
  });
});
