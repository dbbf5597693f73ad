import { GraphQLError } from 'graphql';
import { formatError } from '../src/graphql/apollo';
import { signToken } from '../src/modules/auth/jwt';
import { startApp, type App } from '../src/server';
import { testDb, closeTestDb } from './support/db';
import { testDatabaseUrl } from './support/env';
import { proxyDatabase } from './support/proxy';
import { silentLog, testConfig } from './support/graphql';

const started: App[] = [];

async function start(env: Record<string, string> = {}): Promise<App> {
  const app = await startApp(testConfig({ DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', JWT_SECRET: 's'.repeat(32), ...env }), silentLog, {
    onProgress: () => {},
  });
  started.push(app);
  return app;
}

afterAll(async () => {
  await Promise.all(started.map((a) => a.stop()));
  await closeTestDb();
});

async function post(app: App, query: string, variables: object = {}, headers: Record<string, string> = {}) {
  const res = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  // The tests read whatever the server answered, field by field.
  const body: any = await res.json();
  return { status: res.status, headers: res.headers, body };
}

describe('HTTP surface', () => {
  let app: App;
  beforeAll(async () => {
    app = await start();
  });

  it('answers health and readiness probes, and echoes or assigns a request id', async () => {
    const base = app.url.replace('/graphql', '');
    const health = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'probe-1' } });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(health.headers.get('x-request-id')).toBe('probe-1');
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toMatch(/the API is at \/graphql/);
  });

  it('resolves a position over HTTP as a mobile client would', async () => {
    // A point surely inside one demo micro-grid (PostGIS picks it), sent as the phone would send it.
    const { rows } = await testDb().raw(
      `SELECT code, ST_X(p) AS lng, ST_Y(p) AS lat FROM (SELECT code, ST_PointOnSurface(boundary) AS p FROM grid
       WHERE level = 'MICRO_GRID' AND code LIKE '130105%' ORDER BY code LIMIT 1 OFFSET 100) s`,
    );
    const { status, body } = await post(
      app,
      `query($lng: Float!, $lat: Float!) { resolveLocation(lng: $lng, lat: $lat) { grid { code level } chain { level } responsibleWorkers { name phone } } }`,
      { lng: rows[0].lng, lat: rows[0].lat },
    );
    expect(status).toBe(200);
    expect(body.data.resolveLocation.grid).toEqual({ code: rows[0].code, level: 'MICRO_GRID' });
    expect(body.data.resolveLocation.chain.map((g: any) => g.level)).toEqual(['DISTRICT', 'STREET', 'COMMUNITY', 'GRID', 'MICRO_GRID']);
    expect(body.data.resolveLocation.responsibleWorkers[0].phone).toMatch(/^1[3-9]\d\*{4}\d{4}$/);
  });

  it('refuses a bad bearer token with 401 UNAUTHENTICATED and accepts a good one', async () => {
    const bad = await post(app, '{ me { role } }', {}, { authorization: 'Bearer not.a.token' });
    expect(bad.status).toBe(401);
    expect(bad.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const token = await signToken(testConfig({ JWT_SECRET: 's'.repeat(32) }).jwt, { subject: 'li', role: 'DISPATCHER', grid: '130105001' });
    const good = await post(app, '{ me { subject role jurisdiction { name } } }', {}, { authorization: `Bearer ${token}` });
    expect(good.body).toEqual({ data: { me: { subject: 'li', role: 'DISPATCHER', jurisdiction: { name: '革新街街道' } } } });
  });

  it('answers BAD_USER_INPUT with a 200 and a message, with a stack trace outside production', async () => {
    const { body } = await post(app, '{ resolveLocation(lng: 38.05, lat: 114.46) { approximate } }');
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].extensions.stacktrace).toBeDefined();
  });

  it('finishes a request in flight when stopping, then refuses connections', async () => {
    const stopping = await start();
    const inFlight = post(stopping, '{ grids(first: 100) { totalCount nodes { code boundary } } }');
    await new Promise((r) => setTimeout(r, 5));
    const stopped = stopping.stop();
    const { status, body } = await inFlight;
    expect(status).toBe(200);
    expect(body.data.grids.nodes).toHaveLength(100);
    await stopped;
    await expect(fetch(stopping.url.replace('/graphql', '/healthz'))).rejects.toThrow();
  });
});

describe('production mode', () => {
  let app: App;
  beforeAll(async () => {
    app = await start({ NODE_ENV: 'production', PII_KEY: Buffer.alloc(32, 7).toString('base64') });
  });

  it('turns introspection off', async () => {
    const { body } = await post(app, '{ __schema { types { name } } }');
    expect(body.errors[0].message).toMatch(/introspection/i);
    expect(body.data).toBeUndefined();
  });

  it('sends no stack traces', async () => {
    const { body } = await post(app, '{ resolveLocation(lng: 38.05, lat: 114.46) { approximate } }');
    expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'lat' });
  });

  it('never sends database error text to a client', () => {
    const dbError = Object.assign(new Error('relation "grid" does not exist'), { code: '42P01', severity: 'ERROR' });
    const wrapped = new GraphQLError(dbError.message, { originalError: dbError, path: ['grids'] });
    const formatted = { message: wrapped.message, path: ['grids'], extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    const prod = formatError(formatted, wrapped, testConfig({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(32), PII_KEY: Buffer.alloc(32, 7).toString('base64') }), silentLog);
    expect(prod).toEqual({ message: 'Internal server error', path: ['grids'], locations: undefined, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    // Client errors pass through unchanged in production too.
    const input = { message: 'first must be between 1 and 100 (got 0)', extensions: { code: 'BAD_USER_INPUT' } };
    expect(formatError(input, new GraphQLError(input.message), testConfig({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(32), PII_KEY: Buffer.alloc(32, 7).toString('base64') }), silentLog)).toBe(input);
  });
});

describe('a database outage', () => {
  it('answers 503 with Retry-After on /readyz and on GraphQL, while /healthz stays up', async () => {
    const proxy = await proxyDatabase(testDatabaseUrl());
    const app = await start({ DATABASE_URL: proxy.url, DB_ACQUIRE_TIMEOUT_MS: '500' });
    const base = app.url.replace('/graphql', '');
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await post(app, '{ grids(first: 1) { nodes { code } } }')).status).toBe(200);

    await proxy.cut();
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('5');
    expect(await ready.json()).toEqual({ status: 'unavailable', reason: 'database unreachable' });
    const query = await post(app, '{ grids(first: 1) { nodes { code } } }');
    expect(query.status).toBe(503);
    expect(query.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(query.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(query.body.errors[0].message).toMatch(/database is unavailable|every database connection is busy/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
