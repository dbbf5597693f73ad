import fs from 'node:fs';
import path from 'node:path';
import type { Role } from '../src/generated/graphql';
import { signToken } from '../src/modules/auth/jwt';
import { negotiateLocale, type Locale } from '../src/i18n';
import { startApp, type App } from '../src/server';
import { closeTestDb, testDb } from './support/db';
import { testDatabaseUrl } from './support/env';
import { silentLog, testConfig } from './support/graphql';

/**
 * Messages in the caller's language (Accept-Language: zh-CN or en, else DEFAULT_LOCALE, zh-CN): the same
 * request asked in each gets each, for the GraphQL error families (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT,
 * rate and query limits), the grid editing problems and payload messages (ValidationError, NotFoundError,
 * ConflictError), and the plain /resolve route. Messages not yet in the catalogue stay English, behind the
 * Chinese name of their code.
 */
const SECRET = 's'.repeat(32);
const started: App[] = [];
let app: App;

async function start(env: Record<string, string> = {}): Promise<App> {
  // DEFAULT_LOCALE as a deployment has it (the suite's testConfig says en).
  const config = testConfig({ DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', JWT_SECRET: SECRET, DEFAULT_LOCALE: 'zh-CN', ...env });
  const started_ = await startApp(config, silentLog, { onProgress: () => {} });
  started.push(started_);
  return started_;
}

beforeAll(async () => {
  app = await start();
});

afterAll(async () => {
  await Promise.all(started.map((a) => a.stop()));
  await closeTestDb();
});

type Answer = { status: number; body: { data?: Record<string, Record<string, unknown>>; errors?: { message: string; extensions: { code: string } }[] } };

async function post(target: App, query: string, variables: object, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

/** The same request in both languages: the first error's code and message in each. */
async function inBoth(query: string, variables: object = {}, headers: Record<string, string> = {}, target = app) {
  const zh = await post(target, query, variables, { ...headers, 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' });
  const en = await post(target, query, variables, { ...headers, 'accept-language': 'en-US,en;q=0.9' });
  expect(zh.body.errors?.[0].extensions.code).toBe(en.body.errors?.[0].extensions.code);
  return { code: en.body.errors?.[0].extensions.code, zh: zh.body.errors?.[0].message ?? '', en: en.body.errors?.[0].message ?? '', zhBody: zh.body, enBody: en.body };
}

const token = (role: Role, grid: string | null) =>
  signToken(testConfig({ JWT_SECRET: SECRET }).jwt, { subject: `i18n-${role.toLowerCase()}`, role, ...(grid ? { grid } : {}) });

describe('GraphQL errors in zh-CN and en', () => {
  it('BAD_USER_INPUT', async () => {
    const r = await inBoth('{ resolveLocation(lng: 200, lat: 38) { approximate } }');
    expect(r.code).toBe('BAD_USER_INPUT');
    expect(r.en).toBe('lng must be within -180..180 (got 200)');
    expect(r.zh).toBe('lng 必须在 -180..180 之间（收到 200）');
  });

  it('UNAUTHENTICATED', async () => {
    const r = await inBoth('{ __typename }', {}, { authorization: 'Bearer not.a.token' });
    expect(r.code).toBe('UNAUTHENTICATED');
    expect(r.en).toBe('the bearer token is not a JWT');
    expect(r.zh).toBe('令牌不是 JWT');
    const anonymous = await inBoth('mutation { createApiKey(input: { name: "x", operations: [READ_GRIDS] }) { __typename } }');
    expect(anonymous.en).toMatch(/^to manage API keys you need a bearer token/);
    expect(anonymous.zh).toMatch(/^管理 API 密钥需要登录令牌/);
  });

  it('FORBIDDEN, role and jurisdiction', async () => {
    const viewer = { authorization: `Bearer ${await token('VIEWER', null)}` };
    const retire = 'mutation($id: ID!) { retireGrid(input: { id: $id, expectedVersion: 1, reason: "x" }) { __typename } }';
    const id = await gridId('130105001015001');
    const role = await inBoth(retire, { id }, viewer);
    expect(role.code).toBe('FORBIDDEN');
    expect(role.en).toBe('to edit grids you need role ADMIN or GIS_EDITOR; yours is VIEWER');
    expect(role.zh).toBe('修改网格需要角色 ADMIN 或 GIS_EDITOR；您的角色是 VIEWER');
    const editor = { authorization: `Bearer ${await token('GIS_EDITOR', '130105003')}` };
    const place = await inBoth(retire, { id }, editor);
    expect(place.code).toBe('FORBIDDEN');
    expect(place.en).toMatch(/lies outside your jurisdiction \(130105003\)$/);
    expect(place.zh).toMatch(/不在您的管辖范围（130105003）内$/);
  });

  it('query limits: cost, depth', async () => {
    const cost = await inBoth('{ grids(first: 100) { nodes { children(first: 100) { nodes { children(first: 100) { nodes { code } } } } } } }');
    expect(cost.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(cost.en).toMatch(/^the query's cost is \d+; the limit is 5000 \(MAX_QUERY_COST\)/);
    expect(cost.zh).toMatch(/^查询开销为 \d+，上限为 5000（MAX_QUERY_COST）/);
    const deep = await inBoth(`{ grid(code: "130105") { ${'parent { '.repeat(16)}code${' }'.repeat(16)} } }`);
    expect(deep.en).toMatch(/Query depth limit of 15 exceeded/);
    expect(deep.zh).toMatch(/^查询嵌套深度为 \d+ 层，上限为 15（MAX_QUERY_DEPTH）/);
  });

  it('rate limits (429)', async () => {
    const limited = await start({ RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST: '1' });
    await post(limited, '{ __typename }', {}, {});
    const zh = await post(limited, '{ __typename }', {}, { 'accept-language': 'zh-CN' });
    const en = await post(limited, '{ __typename }', {}, { 'accept-language': 'en' });
    expect([zh.status, en.status]).toEqual([429, 429]);
    expect(en.body.errors![0].message).toMatch(/^too many requests: the limit is 1 a minute per client/);
    expect(zh.body.errors![0].message).toMatch(/^请求过于频繁：每个客户端每分钟最多 1 次/);
  });

  it('falls back to DEFAULT_LOCALE, and keeps English behind the Chinese name of the code where the catalogue has no entry', async () => {
    const none = await post(app, '{ resolveLocation(lng: 200, lat: 38) { approximate } }', {}, {});
    expect(none.body.errors![0].message).toMatch(/必须在/);
    const other = await post(app, '{ resolveLocation(lng: 200, lat: 38) { approximate } }', {}, { 'accept-language': 'fr-FR, en;q=0.5' });
    expect(other.body.errors![0].message).toMatch(/must be within/);
    const unknown = await inBoth('{ zzz }');
    expect(unknown.en).toBe('Cannot query field "zzz" on type "Query".');
    expect(unknown.zh).toBe('查询无效：Cannot query field "zzz" on type "Query".');
  });
});

describe('payload messages of grid edits in zh-CN and en', () => {
  const DRAW = `mutation($input: CreateGridInput!) { createGrid(input: $input) { __typename
    ... on ValidationError { message problems { code message } } ... on NotFoundError { message } } }`;
  const bowTie = { type: 'Polygon', coordinates: [[[114.439, 38.043], [114.442, 38.045], [114.442, 38.043], [114.439, 38.045], [114.439, 38.043]]] };

  it('a refused boundary: ValidationError and its problems', async () => {
    const editor = { authorization: `Bearer ${await token('GIS_EDITOR', '130105001')}` };
    const input = { name: '革新街第10网格', level: 'GRID', parentId: await gridId('130105001015'), reason: '新建网格', boundary: bowTie };
    const r = await inBoth(DRAW, { input }, editor);
    const en = r.enBody.data!.createGrid as { message: string; problems: { code: string; message: string }[] };
    const zh = r.zhBody.data!.createGrid as typeof en;
    expect(en.problems[0]).toEqual({ code: 'SELF_INTERSECTION', message: 'boundary: The outer ring crosses itself at 114.4405, 38.044 (the edge from vertex 0)' });
    expect(zh.problems[0]).toEqual({ code: 'SELF_INTERSECTION', message: 'boundary：外环在 114.4405, 38.044 处自相交（从顶点 0 出发的边）' });
    expect(en.message).toBe('1 problem found; nothing was changed: boundary: The outer ring crosses itself at 114.4405, 38.044 (the edge from vertex 0)');
    expect(zh.message).toBe('发现 1 个问题；没有做任何修改：boundary：外环在 114.4405, 38.044 处自相交（从顶点 0 出发的边）');
    // Level, name and code problems of the same request.
    const bad = await inBoth(DRAW, { input: { ...input, level: 'STREET', name: ' ', code: '999' } }, editor);
    const zhProblems = (bad.zhBody.data!.createGrid as typeof en).problems.map((p) => p.message);
    expect(zhProblems).toEqual(expect.arrayContaining(['level：STREET 不能放在 COMMUNITY 之下；COMMUNITY 之下只能是：GRID, DEDICATED', 'name：名称为空']));
  });

  it('NotFoundError and ConflictError', async () => {
    const editor = { authorization: `Bearer ${await token('GIS_EDITOR', '130105001')}` };
    const missing = await inBoth(DRAW, { input: { name: 'x', level: 'GRID', parentId: 'R3JpZDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA', boundary: bowTie } }, editor);
    expect((missing.enBody.data!.createGrid as { message: string }).message).toBe('no current parent grid has id R3JpZDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA');
    expect((missing.zhBody.data!.createGrid as { message: string }).message).toBe('没有 id 为 R3JpZDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA 的现有上级网格');
    const rename = `mutation($input: UpdateGridInput!) { updateGrid(input: $input) { __typename ... on ConflictError { message currentVersion } } }`;
    const stale = await inBoth(rename, { input: { id: await gridId('130105001015001'), name: '改名', expectedVersion: 999, reason: '测试' } }, editor);
    const en = stale.enBody.data!.updateGrid as { __typename: string; message: string };
    expect(en.__typename).toBe('ConflictError');
    expect(en.message).toMatch(/^革新街第1网格 \(130105001015001\) is at version \d+, not 999: /);
    expect((stale.zhBody.data!.updateGrid as { message: string }).message).toMatch(/^革新街第1网格 \(130105001015001\) 当前是第 \d+ 版，不是第 999 版：/);
  });
});

describe('the plain /resolve route in zh-CN and en', () => {
  it('names the missing parameter in the language asked', async () => {
    const base = app.url.replace(/\/graphql$/, '');
    const zh = await fetch(`${base}/resolve?lng=114.4`, { headers: { 'accept-language': 'zh-CN' } });
    const en = await fetch(`${base}/resolve?lng=114.4`, { headers: { 'accept-language': 'en' } });
    expect(await zh.json()).toEqual({ error: '缺少查询参数 lat，例如 /resolve?lng=114.44796&lat=38.03086', code: 'BAD_USER_INPUT', field: 'lat' });
    expect(await en.json()).toEqual({ error: 'query parameter lat is required, e.g. /resolve?lng=114.44796&lat=38.03086', code: 'BAD_USER_INPUT', field: 'lat' });
    const range = await fetch(`${base}/resolve?lng=200&lat=38`);
    expect(((await range.json()) as { error: string }).error).toBe('lng 必须在 -180..180 之间（收到 200）');
  });
});

describe('the catalogue', () => {
  it('has each key once across its files, with a different text per language', () => {
    const dir = path.resolve(__dirname, '../src/i18n/messages');
    const seen = new Map<string, string>();
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const exported = require(path.join(dir, file)) as Record<string, Record<string, Record<string, (p: Record<string, string>) => string>>>;
      for (const group of Object.values(exported)) {
        for (const [key, entry] of Object.entries(group)) {
          expect([key, seen.get(key)]).toEqual([key, undefined]);
          seen.set(key, file);
          const params = new Proxy({}, { get: () => '1' }) as Record<string, string>;
          // Action and role names may be the same words in both; everything else must read differently.
          if (!key.startsWith('action.') && key !== 'auth.roles') expect([key, entry.en(params)]).not.toEqual([key, entry['zh-CN'](params)]);
        }
      }
    }
    expect(seen.size).toBeGreaterThan(150);
  });
});

describe('Accept-Language negotiation', () => {
  it('takes the supported language of highest weight', () => {
    expect(negotiateLocale(undefined, 'zh-CN')).toBe('zh-CN');
    expect(negotiateLocale('en', 'zh-CN')).toBe('en');
    expect(negotiateLocale('zh-TW,zh;q=0.9', 'en')).toBe('zh-CN');
    expect(negotiateLocale('fr;q=1, en;q=0.3, zh;q=0.7', 'en')).toBe('zh-CN');
    expect(negotiateLocale('en;q=0, zh-CN;q=0.1', 'en')).toBe('zh-CN');
    expect(negotiateLocale('de, *;q=0.5', 'en')).toBe('en');
    // `*` is every language the header does not name: the default when it names none, the other one when it refuses one.
    const wildcards: [header: string, fallback: Locale, expected: Locale][] = [
      ['*', 'zh-CN', 'zh-CN'],
      ['*', 'en', 'en'],
      ['en;q=0, *', 'en', 'zh-CN'],
      ['en;q=0.3, *', 'en', 'zh-CN'],
      ['en, *', 'zh-CN', 'en'],
      ['*;q=0', 'en', 'en'],
      ['zh;q=0.5, en;q=0.5', 'en', 'zh-CN'],
    ];
    for (const [header, fallback, expected] of wildcards) expect([header, negotiateLocale(header, fallback)]).toEqual([header, expected]);
    expect(negotiateLocale('x'.repeat(10_000), 'zh-CN')).toBe('zh-CN');
  });
});

async function gridId(code: string): Promise<string> {
  const { rows } = await testDb().raw('SELECT id FROM grid WHERE code = ? AND valid_to IS NULL', [code]);
  return Buffer.from(`Grid:${rows[0].id}`).toString('base64url');
}
