import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { getIntrospectionQuery } from 'graphql';
import { loadConfig } from '../src/config';
import { originPolicy, parseCorsOrigins } from '../src/http/cors';
import { startApp, type App } from '../src/server';
import { closeTestDb } from './support/db';
import { testDatabaseUrl } from './support/env';
import { silentLog, testConfig } from './support/graphql';

/**
 * What a browser on another origin meets: CORS (CORS_ORIGINS, preflights, Vary: Origin), compressed GraphQL
 * answers (gzip / brotli by Accept-Encoding, above COMPRESSION_MIN_BYTES), and the query page served from the
 * project itself at GET /graphql (GraphiQL bundled from npm by `npm run build:web`: nothing from a CDN).
 */
const ROOT = path.resolve(__dirname, '..');
const started: App[] = [];

async function start(env: Record<string, string> = {}): Promise<App> {
  const app = await startApp(testConfig({ DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', ...env }), silentLog, { onProgress: () => {} });
  started.push(app);
  return app;
}

afterAll(async () => {
  await Promise.all(started.map((a) => a.stop()));
  await closeTestDb();
});

const base = (app: App) => app.url.replace(/\/graphql$/, '');
const json = { 'content-type': 'application/json' };

describe('CORS', () => {
  let app: App;
  beforeAll(async () => {
    app = await start();
  });

  it('answers a preflight from a development origin (any localhost port) for /graphql and the plain routes', async () => {
    for (const route of ['/graphql', '/resolve', '/export/grids.geojson']) {
      const res = await fetch(`${base(app)}${route}`, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
      const allowed = res.headers.get('access-control-allow-headers')!.toLowerCase();
      for (const h of ['authorization', 'content-type', 'accept-language']) expect(allowed).toContain(h);
      expect(res.headers.get('vary')).toMatch(/Origin/);
    }
  });

  it('refuses a preflight from an origin not listed, naming the setting, and adds no CORS headers to its requests', async () => {
    const preflight = await fetch(`${base(app)}/graphql`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(((await preflight.json()) as { error: string }).error).toMatch(/CORS_ORIGINS/);
    const post = await fetch(app.url, { method: 'POST', headers: { ...json, origin: 'https://evil.example.com' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
    expect(post.headers.get('vary')).toMatch(/Origin/);
  });

  it('puts the allowed origin and Vary: Origin on the real request, and exposes the request id', async () => {
    const res = await fetch(app.url, { method: 'POST', headers: { ...json, origin: 'http://127.0.0.1:8080' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8080');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id/);
    expect(res.headers.get('vary')).toMatch(/Origin/);
  });

  it('takes CORS_ORIGINS from the configuration: listed origins, wildcard subdomains; none by default in production', async () => {
    const listed = await start({ CORS_ORIGINS: 'https://map.example.gov.cn, https://*.intranet.example.gov.cn' });
    const ask = (origin: string) =>
      fetch(`${base(listed)}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } }).then((r) => r.status);
    expect(await ask('https://map.example.gov.cn')).toBe(204);
    expect(await ask('https://gis.intranet.example.gov.cn')).toBe(204);
    expect(await ask('http://localhost:5173')).toBe(403);
    expect(await ask('https://map.example.gov.cn.evil.com')).toBe(403);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), PII_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' }).corsOrigins).toEqual([]);
    expect(loadConfig({}).corsOrigins).toEqual(['http://localhost:*', 'http://127.0.0.1:*', 'http://[::1]:*']);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://map.example.gov.cn/path' })).toThrow(/CORS_ORIGINS "https:\/\/map.example.gov.cn\/path" is not an origin/);
  });

  it('matches origins exactly, port wildcards included', () => {
    const policy = originPolicy(['http://localhost:*', 'https://map.example.gov.cn']);
    expect(policy('http://localhost:3000')).toBe('listed');
    expect(policy('http://localhost')).toBe('listed');
    expect(policy('http://localhost.evil.com')).toBeNull();
    expect(policy('https://map.example.gov.cn:8443')).toBeNull();
    expect(policy('null')).toBeNull();
    expect(originPolicy(['*'])('https://anything.example')).toBe('any');
    expect(parseCorsOrigins('none')).toEqual({ origins: [] });
  });
});

describe('compression of /graphql answers', () => {
  let app: App;
  beforeAll(async () => {
    app = await start();
  });
  const query = JSON.stringify({ query: '{ grids(filter: { level: GRID }, first: 30) { nodes { code name boundary } } }' });

  it('compresses a large answer with brotli or gzip as the client asks, to the same JSON', async () => {
    const plain = await fetch(app.url, { method: 'POST', headers: { ...json, 'accept-encoding': 'identity' }, body: query });
    const plainText = await plain.text();
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(JSON.parse(plainText).data.grids.nodes).toHaveLength(30);
    // fetch would decompress by itself: read the raw bytes through node:http instead.
    for (const [encoding, decode] of [
      ['br', brotliDecompressSync],
      ['gzip', gunzipSync],
    ] as const) {
      const raw = await rawPost(app.url, query, { 'accept-encoding': encoding });
      expect(raw.headers['content-encoding']).toBe(encoding);
      expect(String(raw.headers.vary).split(/,\s*/)).toEqual(expect.arrayContaining(['Accept', 'Accept-Encoding']));
      expect(raw.body.length).toBeLessThan(Buffer.byteLength(plainText) / 2);
      expect(decode(raw.body).toString('utf8')).toBe(plainText);
    }
    expect((await rawPost(app.url, query, { 'accept-encoding': 'gzip, br;q=0.5' })).headers['content-encoding']).toBe('gzip');
  });

  it('leaves small answers (under COMPRESSION_MIN_BYTES) as they are', async () => {
    const raw = await rawPost(app.url, JSON.stringify({ query: '{ __typename }' }), { 'accept-encoding': 'gzip, br' });
    expect(raw.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(raw.body.toString('utf8'))).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('the query page at GET /graphql', () => {
  beforeAll(() => {
    // CI builds it in `npm ci` (prepare); a checkout that skipped that builds it here.
    if (!fs.existsSync(path.join(ROOT, 'web/dist/graphiql/index.html'))) execFileSync('npm', ['run', '--silent', 'build:web'], { cwd: ROOT, stdio: 'ignore' });
  });

  it('serves GraphiQL from this server to a browser: the page, its bundled assets, nothing from elsewhere', async () => {
    const app = await start();
    const page = await fetch(app.url, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    // The page and the JSON share the URL: a cache keys them by Accept (and the page's compression by Accept-Encoding).
    expect(page.headers.get('vary')?.split(/,\s*/)).toEqual(expect.arrayContaining(['Accept', 'Accept-Encoding']));
    const html = await page.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) expect(src).toMatch(/^\/web\/assets\/[\w.-]+$/);
    const script = sources.find((s) => s.endsWith('.js'))!;
    const asset = await rawGet(`${base(app)}${script}`, { 'accept-encoding': 'br' });
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toMatch(/immutable/);
    expect(asset.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(asset.body).toString('utf8')).toMatch(/GraphiQL|graphiql/);
    // A GraphQL GET with a query is still GraphQL, and JSON clients still get JSON.
    const get = await fetch(`${app.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'text/html, application/json', 'apollo-require-preflight': 'true' } });
    expect(await get.json()).toEqual({ data: { __typename: 'Query' } });
    expect((await fetch(`${base(app)}/web/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${base(app)}/web/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
  });

  it("answers the page's introspection (the schema docs), which the cost limit does not count", async () => {
    const app = await start();
    const res = await fetch(app.url, { method: 'POST', headers: json, body: JSON.stringify({ query: getIntrospectionQuery() }) });
    const body = (await res.json()) as { data?: { __schema: { types: unknown[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data!.__schema.types.length).toBeGreaterThan(50);
    // GraphiQL's own variant (other options, its own operation name, no subscription type) is the standard query too.
    const graphiql = getIntrospectionQuery({ inputValueDeprecation: true, schemaDescription: true })
      .replace('query IntrospectionQuery', 'query GraphiQLIntrospection')
      .replace('subscriptionType { name }', '');
    const page = await fetch(app.url, { method: 'POST', headers: json, body: JSON.stringify({ query: graphiql }) });
    expect(((await page.json()) as { errors?: unknown }).errors).toBeUndefined();
    // A hand-written one that multiplies the schema under aliases is counted, and refused by its cost.
    const nested = 'fields { name type { name ofType { name ofType { name fields { name type { name ofType { name } } } } } } }';
    const heavy = `{ ${Array.from({ length: 6 }, (_, i) => `a${i}: __schema { types { ${nested} } }`).join(' ')} }`;
    const refused = (await (await fetch(app.url, { method: 'POST', headers: json, body: JSON.stringify({ query: heavy }) })).json()) as {
      errors?: { extensions: Record<string, unknown> }[];
    };
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', maxCost: expect.any(Number) });
  });

  it('is off in production unless QUERY_PAGE turns it on (and with it introspection)', async () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), PII_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=' };
    const off = await start(production);
    const refused = await fetch(off.url, { headers: { accept: 'text/html' } });
    expect(refused.status).toBe(404);
    expect(JSON.stringify(await refused.json())).toMatch(/QUERY_PAGE/);
    const introspect = (target: App) =>
      fetch(target.url, { method: 'POST', headers: json, body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }) }).then((r) => r.json());
    expect(JSON.stringify(await introspect(off))).toMatch(/introspection is not allowed/i);
    const on = await start({ ...production, QUERY_PAGE: 'true' });
    expect((await fetch(on.url, { headers: { accept: 'text/html' } })).status).toBe(200);
    expect(await introspect(on)).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });
});

async function rawPost(url: string, body: string, headers: Record<string, string>) {
  return rawRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, body);
}

async function rawGet(url: string, headers: Record<string, string>) {
  return rawRequest(url, { method: 'GET', headers });
}

function rawRequest(url: string, options: { method: string; headers: Record<string, string> }, body?: string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = http.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
