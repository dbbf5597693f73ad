import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { DEV_JWT_SECRET } from '../src/config';
import { fromGlobalId, toGlobalId } from '../src/graphql/relay';
import { createAuthenticator } from '../src/modules/auth/authenticate';
import { InvalidTokenError, signToken } from '../src/modules/auth/jwt';
import type { Role } from '../src/generated/graphql';
import { startApp, type App } from '../src/server';
import { closeTestDb, testDb } from './support/db';
import { testDatabaseUrl } from './support/env';
import { silentLog, testConfig } from './support/graphql';

/**
 * Identity: bearer tokens (HS256 and an identity provider's RS256/ES256 key set), API keys of service
 * principals over HTTP, and `npm run token`. Every refusal must be a 401-class InvalidTokenError with a message
 * that says what is wrong, never a silent "whole deployment".
 */

const SECRET = 'identity-test-secret-0123456789abcdef';
const ISSUER = 'grid-registry';
const HOUR = 3600;
const now = () => Math.floor(Date.now() / 1000);
const enc = (s: string) => new TextEncoder().encode(s);
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

afterAll(closeTestDb);

interface HsOptions {
  /** Omit `iat` (undefined) or set it; default now. */
  iat?: number | null;
  /** Omit `exp` (null) or set it; default now + 1 h. */
  exp?: number | null;
  iss?: string;
  aud?: string;
  sub?: string | null;
  secret?: string;
}

/** An HS256 token built with jose directly, so the test does not trust the code under test to build it. */
async function hs(claims: Record<string, unknown>, o: HsOptions = {}): Promise<string> {
  const t = now();
  const jwt = new SignJWT(claims as JWTPayload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuer(o.iss ?? ISSUER);
  if (o.sub !== null) jwt.setSubject(o.sub ?? 'li.ming');
  if (o.iat !== null) jwt.setIssuedAt(o.iat ?? t);
  if (o.exp !== null) jwt.setExpirationTime(o.exp ?? t + HOUR);
  if (o.aud) jwt.setAudience(o.aud);
  return jwt.sign(enc(o.secret ?? SECRET));
}

/** An unsigned token (`alg: none`) with otherwise perfect claims. */
function unsigned(claims: Record<string, unknown>): string {
  const t = now();
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'li.ming', iss: ISSUER, iat: t, exp: t + HOUR, ...claims })}.`;
}

describe('bearer tokens (HS256): the claims table', () => {
  const authenticator = createAuthenticator(testConfig({ JWT_SECRET: SECRET }).jwt, testDb(), silentLog);
  const withAudience = createAuthenticator(testConfig({ JWT_SECRET: SECRET, JWT_AUDIENCE: 'grid-api' }).jwt, testDb(), silentLog);

  type Case = [label: string, token: () => Promise<string> | string, message: RegExp, audience?: boolean];
  const refused: Case[] = [
    ['grid is a number', () => hs({ role: 'ADMIN', grid: 130105001 }), /claim "grid"/],
    ['grid is an array', () => hs({ role: 'ADMIN', grid: ['130105001'] }), /claim "grid"/],
    ['grid is null', () => hs({ role: 'ADMIN', grid: null }), /claim "grid"/],
    ['grid is ""', () => hs({ role: 'ADMIN', grid: '' }), /claim "grid" must be a grid code/],
    ['grid has 7 digits (1301050)', () => hs({ role: 'ADMIN', grid: '1301050' }), /claim "grid" must be a grid code/],
    ['grid is well-formed but no such grid (130105999)', () => hs({ role: 'ADMIN', grid: '130105999' }), /130105999, which is not a current grid/],
    ['role is unknown', () => hs({ role: 'SUPERUSER' }), /claim "role"/],
    ['role is lower case', () => hs({ role: 'admin' }), /claim "role"/],
    ['role is missing', () => hs({ grid: '130105001' }), /claim "role"/],
    ['exp is missing', () => hs({ role: 'VIEWER' }, { exp: null }), /claim "exp" is missing/],
    ['exp is 48 h after iat (limit 24 h)', () => hs({ role: 'VIEWER' }, { iat: now(), exp: now() + 48 * HOUR }), /valid for 48 h.*24 h \(JWT_MAX_LIFETIME_HOURS\)/],
    ['no iat, exp 48 h from now', () => hs({ role: 'VIEWER' }, { iat: null, exp: now() + 48 * HOUR }), /JWT_MAX_LIFETIME_HOURS/],
    // exp − iat is 1 h, but the token is usable for the next 48 h: a future-dated iat must not lengthen it.
    ['iat in the future: exp − iat = 1 h, but valid for 48 h from now', () => hs({ role: 'VIEWER' }, { iat: now() + 47 * HOUR, exp: now() + 48 * HOUR }), /iat|JWT_MAX_LIFETIME_HOURS/],
    ['sub is missing', () => hs({ role: 'VIEWER' }, { sub: null }), /claim "sub" is missing/],
    ['sub is empty', () => hs({ role: 'VIEWER', sub: '' }, { sub: null }), /claim "sub"/],
    ['sub holds a control character (a NUL)', () => hs({ role: 'VIEWER', sub: 'li\u0000ming' }, { sub: null }), /claim "sub" holds a control character/],
    ['issuer is wrong', () => hs({ role: 'VIEWER' }, { iss: 'someone-else' }), /claim "iss" is not accepted/],
    ['audience is missing when JWT_AUDIENCE is configured', () => hs({ role: 'VIEWER' }), /claim "aud" is missing/, true],
    ['audience is wrong when JWT_AUDIENCE is configured', () => hs({ role: 'VIEWER' }, { aud: 'other-api' }), /claim "aud" is not accepted/, true],
    ['token has expired', () => hs({ role: 'VIEWER' }, { iat: now() - 2 * HOUR, exp: now() - HOUR }), /expired/],
    ['alg is "none" (unsigned)', () => unsigned({ role: 'ADMIN' }), /signed with none are not accepted.*HS256/],
    ['signed with another secret', () => hs({ role: 'ADMIN' }, { secret: 'x'.repeat(40) }), /SIGNATURE_VERIFICATION_FAILED/],
    ['not a JWT at all', () => 'not-a-token', /not a JWT/],
  ];

  // Rows as objects: a row shorter than the callback's arity would make jest pass `done` as the last argument.
  const rows = refused.map(([label, token, message, audience]) => ({ label, token, message, audience: audience ?? false }));
  it.each(rows)('refuses a token when $label', async ({ token, message, audience }) => {
    const auth = audience ? withAudience : authenticator;
    const attempt = auth.authenticate(`Bearer ${await token()}`);
    await expect(attempt).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('accepts a token with grid "130105001" (a seeded street): jurisdictionCode set, name optional', async () => {
    const viewer = await authenticator.authenticate(`Bearer ${await hs({ role: 'DISPATCHER', grid: '130105001' })}`);
    expect(viewer).toEqual({ kind: 'user', subject: 'li.ming', name: null, role: 'DISPATCHER', jurisdictionCode: '130105001' });
  });

  it('accepts a token without grid: jurisdictionCode null (the whole deployment), with a name', async () => {
    const viewer = await authenticator.authenticate(`Bearer ${await hs({ role: 'ADMIN', name: '李明' })}`);
    expect(viewer).toEqual({ kind: 'user', subject: 'li.ming', name: '李明', role: 'ADMIN', jurisdictionCode: null });
  });

  it('accepts a token of exactly the maximum lifetime, and the right audience when one is configured', async () => {
    const t = now();
    await expect(authenticator.authenticate(`Bearer ${await hs({ role: 'VIEWER' }, { iat: t, exp: t + 24 * HOUR })}`)).resolves.toMatchObject({ role: 'VIEWER' });
    await expect(withAudience.authenticate(`Bearer ${await hs({ role: 'VIEWER' }, { aud: 'grid-api' })}`)).resolves.toMatchObject({ role: 'VIEWER' });
  });

  it('refuses a malformed Authorization header rather than treating the caller as anonymous', async () => {
    await expect(authenticator.authenticate('Basic dXNlcjpwYXNz')).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(authenticator.authenticate(undefined)).resolves.toEqual({ kind: 'anonymous' });
  });
});

describe('bearer tokens from an identity provider (JWKS: RS256, ES256)', () => {
  let server: http.Server;
  let jwksUrl: string;
  let rsa: { privateKey: Key; kid: string };
  let ec: { privateKey: Key; kid: string };
  let stranger: { privateKey: Key; kid: string };
  let fetches = 0;

  beforeAll(async () => {
    const rsaPair = await generateKeyPair('RS256');
    const ecPair = await generateKeyPair('ES256');
    const strangerPair = await generateKeyPair('RS256');
    const jwk = async (key: Key, kid: string, alg: string): Promise<JWK> => ({ ...(await exportJWK(key)), kid, alg, use: 'sig' });
    const keys = [await jwk(rsaPair.publicKey, 'rsa-1', 'RS256'), await jwk(ecPair.publicKey, 'ec-1', 'ES256')];
    rsa = { privateKey: rsaPair.privateKey, kid: 'rsa-1' };
    ec = { privateKey: ecPair.privateKey, kid: 'ec-1' };
    stranger = { privateKey: strangerPair.privateKey, kid: 'stranger-1' };
    server = http.createServer((_req, res) => {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Config with the key set and no JWT_SECRET (NODE_ENV test). */
  const jwksConfig = (env: Record<string, string> = {}) => testConfig({ JWT_JWKS_URL: jwksUrl, ...env }).jwt;

  async function signed(key: { privateKey: Key; kid: string }, alg: 'RS256' | 'ES256', claims: Record<string, unknown>, aud?: string, kid = key.kid) {
    const jwt = new SignJWT(claims as JWTPayload).setProtectedHeader({ alg, kid }).setSubject('idp-user').setIssuer(ISSUER).setIssuedAt().setExpirationTime('1h');
    if (aud) jwt.setAudience(aud);
    return jwt.sign(key.privateKey);
  }

  it('accepts tokens signed with either key of the set, with their claims', async () => {
    const auth = createAuthenticator(jwksConfig(), testDb(), silentLog);
    await expect(auth.authenticate(`Bearer ${await signed(rsa, 'RS256', { role: 'GIS_EDITOR', grid: '130105001', name: '王芳' })}`)).resolves.toEqual({
      kind: 'user',
      subject: 'idp-user',
      name: '王芳',
      role: 'GIS_EDITOR',
      jurisdictionCode: '130105001',
    });
    await expect(auth.authenticate(`Bearer ${await signed(ec, 'ES256', { role: 'VIEWER' })}`)).resolves.toEqual({
      kind: 'user',
      subject: 'idp-user',
      name: null,
      role: 'VIEWER',
      jurisdictionCode: null,
    });
    expect(fetches).toBeGreaterThan(0); // the keys really came from the key set
  });

  it('refuses a token signed by a key not in the set (unknown kid, or a known kid with the wrong key)', async () => {
    const auth = createAuthenticator(jwksConfig(), testDb(), silentLog);
    const unknownKid = auth.authenticate(`Bearer ${await signed(stranger, 'RS256', { role: 'ADMIN' })}`);
    await expect(unknownKid).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(unknownKid).rejects.toThrow(/NO_MATCHING_KEY/);
    const impostor = auth.authenticate(`Bearer ${await signed(stranger, 'RS256', { role: 'ADMIN' }, undefined, rsa.kid)}`);
    await expect(impostor).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(impostor).rejects.toThrow(/SIGNATURE_VERIFICATION_FAILED/);
  });

  it('still applies the claims schema to identity-provider tokens', async () => {
    const auth = createAuthenticator(jwksConfig(), testDb(), silentLog);
    const attempt = auth.authenticate(`Bearer ${await signed(rsa, 'RS256', { role: 'ADMIN', grid: 130105 })}`);
    await expect(attempt).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(attempt).rejects.toThrow(/claim "grid"/);
  });

  it('refuses HS256 tokens when no JWT_SECRET is configured (not even one signed with the published development key)', async () => {
    const auth = createAuthenticator(jwksConfig(), testDb(), silentLog);
    for (const secret of [DEV_JWT_SECRET, SECRET]) {
      const attempt = auth.authenticate(`Bearer ${await hs({ role: 'ADMIN' }, { secret })}`);
      await expect(attempt).rejects.toBeInstanceOf(InvalidTokenError);
      await expect(attempt).rejects.toThrow(/HS256 are not accepted here \(accepted: RS256, ES256\)/);
    }
  });

  it('enforces the audience when JWT_AUDIENCE is set', async () => {
    const auth = createAuthenticator(jwksConfig({ JWT_AUDIENCE: 'grid-api' }), testDb(), silentLog);
    const missing = auth.authenticate(`Bearer ${await signed(rsa, 'RS256', { role: 'VIEWER' })}`);
    await expect(missing).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(missing).rejects.toThrow(/claim "aud" is missing/);
    const wrong = auth.authenticate(`Bearer ${await signed(ec, 'ES256', { role: 'VIEWER' }, 'other-api')}`);
    await expect(wrong).rejects.toThrow(/claim "aud" is not accepted/);
    await expect(auth.authenticate(`Bearer ${await signed(ec, 'ES256', { role: 'VIEWER' }, 'grid-api')}`)).resolves.toMatchObject({ role: 'VIEWER' });
  });
});

describe('API keys over HTTP', () => {
  let app: App;
  const config = testConfig({ DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', JWT_SECRET: SECRET });
  const created: string[] = [];
  const tokens: Record<string, string> = {};
  let point: { lng: number; lat: number; code: string };
  /**
   * A community of street 130105001 and one of another street. The demo district has no street 130105002 (the
   * real codes skip 002 and 010), so the other street is 130105003.
   */
  let own: { id: string; code: string; x: number; y: number };
  let foreign: { id: string; code: string; x: number; y: number };

  const bearer = (role: Role, grid: string | null, subject: string) => signToken(config.jwt, { subject, role, grid });

  async function post(query: string, variables: object, authorization?: string) {
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body: any = await res.json();
    return { status: res.status, body };
  }

  const CREATE = /* GraphQL */ `
    mutation($input: CreateApiKeyInput!) {
      createApiKey(input: $input) {
        __typename
        ... on CreateApiKeySuccess { key apiKey { id name prefix operations jurisdictionCode createdBy revokedAt } }
        ... on ValidationError { message problems { code field } }
      }
    }`;

  async function createKey(authorization: string, input: object) {
    const res = await post(CREATE, { input }, authorization);
    const payload = res.body.data?.createApiKey;
    if (payload?.__typename === 'CreateApiKeySuccess') created.push(fromGlobalId(payload.apiKey.id)!.id);
    return res;
  }

  const CREATE_GRID = /* GraphQL */ `
    mutation($input: CreateGridInput!) {
      createGrid(input: $input) { __typename ... on ValidationError { message problems { code } } }
    }`;

  /** A bow-tie (self-intersecting) boundary of ~10 m around a point: refused by validation, after authorization. */
  const bowTie = (x: number, y: number) => {
    const d = 0.0001;
    return { type: 'Polygon', coordinates: [[[x, y], [x + d, y + d], [x + d, y], [x, y + d], [x, y]]] };
  };

  /** Grids and versions under a community: what a refused createGrid must leave unchanged. */
  async function gridsUnder(code: string): Promise<string> {
    const { rows } = await testDb().raw(
      `SELECT (SELECT count(*) FROM grid WHERE code LIKE ? || '%') AS grids,
              (SELECT count(*) FROM grid_version v JOIN grid g ON g.id = v.grid_id WHERE g.code LIKE ? || '%') AS versions`,
      [code, code],
    );
    return JSON.stringify(rows[0]);
  }

  beforeAll(async () => {
    app = await startApp(config, silentLog, { onProgress: () => {} });
    tokens.admin = `Bearer ${await bearer('ADMIN', null, 'identity-admin')}`;
    tokens.scopedAdmin = `Bearer ${await bearer('ADMIN', '130105001', 'identity-admin-001')}`;
    tokens.dispatcher = `Bearer ${await bearer('DISPATCHER', null, 'identity-dispatcher')}`;
    const db = testDb();
    const { rows: points } = await db.raw(
      `SELECT code, ST_X(p) AS lng, ST_Y(p) AS lat FROM (SELECT code, ST_PointOnSurface(boundary) AS p FROM grid
       WHERE level = 'MICRO_GRID' AND code LIKE '130105001%' AND valid_to IS NULL ORDER BY code LIMIT 1) s`,
    );
    point = points[0];
    const community = async (street: string) => {
      const { rows } = await db.raw(
        `SELECT id, code, ST_X(p) AS x, ST_Y(p) AS y FROM (SELECT id, code, ST_PointOnSurface(boundary) AS p FROM grid
         WHERE level = 'COMMUNITY' AND code LIKE ? || '%' AND valid_to IS NULL ORDER BY code LIMIT 1) s`,
        [street],
      );
      return { ...rows[0], id: toGlobalId('Grid', rows[0].id) };
    };
    own = await community('130105001');
    foreign = await community('130105003');
  });

  afterAll(async () => {
    if (created.length) await testDb().raw('DELETE FROM api_key WHERE id = ANY(?::uuid[])', [created]);
    await app?.stop();
  });

  let resolver: { key: string; id: string; prefix: string };

  it('an ADMIN creates a key: the key is in the answer this once, only its SHA-256 is stored', async () => {
    const { status, body } = await createKey(tokens.admin, { name: 'identity-test resolver', operations: ['RESOLVE_LOCATION'], jurisdictionCode: '130105001' });
    expect(status).toBe(200);
    const payload = body.data.createApiKey;
    expect(payload.__typename).toBe('CreateApiKeySuccess');
    expect(payload.key).toMatch(/^grk_[0-9a-f]{10}_[A-Za-z0-9_-]{43}$/);
    expect(payload.apiKey).toMatchObject({
      name: 'identity-test resolver',
      operations: ['RESOLVE_LOCATION'],
      jurisdictionCode: '130105001',
      createdBy: 'identity-admin',
      revokedAt: null,
    });
    expect(payload.key.startsWith(`${payload.apiKey.prefix}_`)).toBe(true);
    resolver = { key: payload.key, id: payload.apiKey.id, prefix: payload.apiKey.prefix };

    const { rows } = await testDb().raw('SELECT * FROM api_key WHERE id = ?', [fromGlobalId(resolver.id)!.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].secret_hash).toBe(createHash('sha256').update(resolver.key).digest('hex'));
    expect(JSON.stringify(rows[0])).not.toContain(resolver.key.slice(resolver.prefix.length + 1));
  });

  it('apiKeys lists the key with its prefix and without the key itself', async () => {
    const { body } = await post('{ apiKeys { id name prefix operations jurisdictionCode jurisdiction { code } } }', {}, tokens.admin);
    const mine = body.data.apiKeys.find((k: any) => k.id === resolver.id);
    expect(mine).toEqual({ id: resolver.id, name: 'identity-test resolver', prefix: resolver.prefix, operations: ['RESOLVE_LOCATION'], jurisdictionCode: '130105001', jurisdiction: { code: '130105001' } });
    expect(JSON.stringify(body)).not.toContain(resolver.key);
    // The type has no field that could carry it.
    const asked = await post('{ apiKeys { key } }', {}, tokens.admin);
    expect(asked.status).toBe(400);
    expect(asked.body.errors[0].message).toMatch(/Cannot query field "key" on type "ApiKey"/);
  });

  it('a RESOLVE_LOCATION key may resolveLocation, and nothing else', async () => {
    const auth = `ApiKey ${resolver.key}`;
    const resolved = await post('query($lng: Float!, $lat: Float!) { resolveLocation(lng: $lng, lat: $lat) { grid { code } } }', { lng: point.lng, lat: point.lat }, auth);
    expect(resolved.status).toBe(200);
    expect(resolved.body.errors).toBeUndefined();
    expect(resolved.body.data.resolveLocation.grid.code).toBe(point.code);

    const grids = await post('{ grids(first: 1) { nodes { code } } }', {}, auth);
    expect(grids.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(grids.body.errors[0].message).toMatch(/may not read grids: its operations are RESOLVE_LOCATION/);

    // Nor by following fields out of the resolution: the tree around it, boundaries, history, workers' posts.
    for (const selection of ['chain { children(first: 3) { totalCount } }', 'grid { boundary }', 'grid { history { version } }', 'chain { parent { code } }', 'responsibleWorkers { assignments { isPrimary } }']) {
      const beyond = await post(`query($lng: Float!, $lat: Float!) { resolveLocation(lng: $lng, lat: $lat) { ${selection} } }`, { lng: point.lng, lat: point.lat }, auth);
      expect([selection, beyond.body.errors?.[0].extensions.code]).toEqual([selection, 'FORBIDDEN']);
    }

    const before = await gridsUnder(own.code);
    const create = await post(CREATE_GRID, { input: { name: '新网格', level: 'GRID', parentId: own.id, boundary: bowTie(own.x, own.y) } }, auth);
    expect(create.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(create.body.errors[0].message).toMatch(/may not draw grids: its operations are RESOLVE_LOCATION/);
    expect(await gridsUnder(own.code)).toBe(before);

    const manage = await createKey(auth, { name: 'identity-test by a key', operations: ['READ_GRIDS'], jurisdictionCode: '130105001' });
    expect(manage.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('refuses a malformed key and an unknown well-formed one with 401', async () => {
    const malformed = await post('{ resolveLocation(lng: 114.46, lat: 38.05) { approximate } }', {}, 'ApiKey not-a-key');
    expect(malformed.status).toBe(401);
    expect(malformed.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(malformed.body.errors[0].message).toMatch(/malformed/);

    const unknown = await post('{ resolveLocation(lng: 114.46, lat: 38.05) { approximate } }', {}, `ApiKey grk_0123456789_${'A'.repeat(43)}`);
    expect(unknown.status).toBe(401);
    expect(unknown.body.errors[0].message).toMatch(/unknown API key/);

    // The real prefix with a wrong secret.
    const forged = await post('{ resolveLocation(lng: 114.46, lat: 38.05) { approximate } }', {}, `ApiKey ${resolver.prefix}_${'B'.repeat(43)}`);
    expect(forged.status).toBe(401);
    expect(forged.body.errors[0].message).toMatch(/unknown API key/);
  });

  it('an EDIT_GRIDS key scoped to 130105001 passes authorization under its own street and is FORBIDDEN under another street', async () => {
    const { body } = await createKey(tokens.admin, { name: 'identity-test editor', operations: ['EDIT_GRIDS'], jurisdictionCode: '130105001' });
    const auth = `ApiKey ${body.data.createApiKey.key}`;

    const before = await gridsUnder(own.code);
    const inside = await post(CREATE_GRID, { input: { name: '新网格', level: 'GRID', parentId: own.id, boundary: bowTie(own.x, own.y) } }, auth);
    expect(inside.status).toBe(200);
    expect(inside.body.errors).toBeUndefined();
    expect(inside.body.data.createGrid.__typename).toBe('ValidationError');
    expect(inside.body.data.createGrid.problems.map((p: any) => p.code)).toContain('SELF_INTERSECTION');
    expect(await gridsUnder(own.code)).toBe(before);

    const beforeForeign = await gridsUnder(foreign.code);
    const outside = await post(CREATE_GRID, { input: { name: '新网格', level: 'GRID', parentId: foreign.id, boundary: bowTie(foreign.x, foreign.y) } }, auth);
    expect(outside.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(outside.body.errors[0].message).toMatch(new RegExp(`${foreign.code}.*outside your jurisdiction \\(130105001\\)`));
    expect(await gridsUnder(foreign.code)).toBe(beforeForeign);
  });

  it('only ADMINs create keys, each within their own jurisdiction', async () => {
    const count = async () => Number((await testDb().raw("SELECT count(*) AS n FROM api_key WHERE name LIKE 'identity-test%'")).rows[0].n);
    const before = await count();

    const dispatcher = await createKey(tokens.dispatcher, { name: 'identity-test dispatcher', operations: ['RESOLVE_LOCATION'] });
    expect(dispatcher.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(dispatcher.body.errors[0].message).toMatch(/need role ADMIN; yours is DISPATCHER/);

    // 130105002 is well-formed but no street has it in the demo district; 130105003 is a real one.
    for (const code of ['130105002', '130105003']) {
      const otherStreet = await createKey(tokens.scopedAdmin, { name: 'identity-test other street', operations: ['RESOLVE_LOCATION'], jurisdictionCode: code });
      expect(otherStreet.body.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(otherStreet.body.errors[0].message).toMatch(new RegExp(`a key for ${code} lies outside your jurisdiction \\(130105001\\)`));
    }

    const whole = await createKey(tokens.scopedAdmin, { name: 'identity-test whole deployment', operations: ['RESOLVE_LOCATION'] });
    expect(whole.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(whole.body.errors[0].message).toMatch(/a key for the whole deployment lies above your jurisdiction \(130105001\)/);

    const malformed = await createKey(tokens.scopedAdmin, { name: 'identity-test malformed', operations: ['RESOLVE_LOCATION'], jurisdictionCode: '1301050' });
    expect(malformed.body.errors[0].extensions.code).toBe('FORBIDDEN');

    expect(await count()).toBe(before);

    // Within their jurisdiction they may; a code of no current grid is a validation problem.
    const within = await createKey(tokens.scopedAdmin, { name: 'identity-test community', operations: ['READ_GRIDS'], jurisdictionCode: own.code });
    expect(within.body.data.createApiKey.__typename).toBe('CreateApiKeySuccess');
    const missing = await createKey(tokens.admin, { name: 'identity-test no such grid', operations: ['READ_GRIDS'], jurisdictionCode: '130105999' });
    expect(missing.body.data.createApiKey).toMatchObject({ __typename: 'ValidationError', problems: [{ code: 'BAD_CODE', field: 'input.jurisdictionCode' }] });
    expect(await count()).toBe(before + 1);
  });

  it('a revoked key is refused (401) on the very next request', async () => {
    const auth = `ApiKey ${resolver.key}`;
    const q = '{ resolveLocation(lng: 114.46, lat: 38.05) { approximate } }';
    expect((await post(q, {}, auth)).status).toBe(200); // in the authenticator's cache now
    const { body } = await post(
      'mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { __typename ... on RevokeApiKeySuccess { apiKey { id revokedAt revokedBy } } } }',
      { input: { id: resolver.id } },
      tokens.admin,
    );
    expect(body.data.revokeApiKey).toMatchObject({ __typename: 'RevokeApiKeySuccess', apiKey: { id: resolver.id, revokedBy: 'identity-admin' } });
    expect(body.data.revokeApiKey.apiKey.revokedAt).not.toBeNull();
    const after = await post(q, {}, auth);
    expect(after.status).toBe(401);
    expect(after.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(after.body.errors[0].message).toMatch(new RegExp(`API key ${resolver.prefix} was revoked`));
  });
});

describe('npm run token', () => {
  const root = path.resolve(__dirname, '..');

  function token(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: testDatabaseUrl(), JWT_SECRET: SECRET, NODE_ENV: 'development', LOG_LEVEL: 'warn' };
    delete env.JWT_MAX_LIFETIME_HOURS;
    delete env.JWT_AUDIENCE;
    delete env.JWT_ISSUER;
    return new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/modules/auth/token-cli.ts', ...args], { cwd: root, env, encoding: 'utf8' }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  it('refuses what the API would refuse, exiting 2 with a message', async () => {
    const [missing, short, long] = await Promise.all([token('--grid', '130105999'), token('--grid', '1301050'), token('--expires', '48h')]);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toMatch(/130105999 is not the code of a current grid/);
    expect(short).toMatchObject({ code: 2, stdout: '' });
    expect(short.stderr).toMatch(/--grid must be a grid code/);
    expect(long).toMatchObject({ code: 2, stdout: '' });
    expect(long.stderr).toMatch(/48h is longer than the 24 h the API accepts \(JWT_MAX_LIFETIME_HOURS\)/);
  });

  it('prints a token the authenticator accepts', async () => {
    const { code, stdout, stderr } = await token('--role', 'ADMIN', '--grid', '130105001');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const jwt = stdout.trim();
    const claims = decodeJwt(jwt);
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(24 * HOUR);
    const viewer = await createAuthenticator(testConfig({ JWT_SECRET: SECRET }).jwt, testDb(), silentLog).authenticate(`Bearer ${jwt}`);
    expect(viewer).toEqual({ kind: 'user', subject: 'dev-user', name: null, role: 'ADMIN', jurisdictionCode: '130105001' });
  });
});
