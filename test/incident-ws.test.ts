import type { Knex } from 'knex';
import WebSocket from 'ws';
import { toGlobalId } from '../src/graphql/relay';
import { signToken } from '../src/modules/auth/jwt';
import { startApp, type App } from '../src/server';
import { closeTestDb, testDb } from './support/db';
import { testDatabaseUrl } from './support/env';
import { silentLog, testConfig } from './support/graphql';
import { removeIncidents } from './support/incidents';
import { rawSocket, signedIn, subscribeMessage, type RawSocket } from './support/raw-ws';

/**
 * The subscription endpoint under pressure and over time: a socket closed when its token expires, per-client and
 * global socket caps, a cap on subscriptions per socket, message size, malformed frames, errors in the caller's
 * language, and `since` replay on the centres' screens. One in-process server on the test database; incidents are
 * reported in the demo district (committed) and removed at the end.
 */
const SECRET = 'w'.repeat(32);
const env = {
  DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', JWT_SECRET: SECRET,
  WS_MAX_CONNECTIONS_PER_CLIENT: '2', WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '2', WS_MAX_MESSAGE_BYTES: '4096',
};
const GRID = '130105001018001';
const COMMUNITY = GRID.slice(0, 12);
const POINT = { lng: 114.44171, lat: 38.03005 };
let app: App;
let db: Knex;
const sockets: RawSocket[] = [];
const committed: string[] = [];

beforeAll(async () => {
  app = await startApp(testConfig(env), silentLog, { onProgress: () => {}, scheduler: { intervalMs: 3_600_000 } });
  db = testDb();
});

afterAll(async () => {
  for (const s of sockets) s.socket.terminate();
  await removeIncidents(db, committed);
  await app?.stop();
  await closeTestDb();
});

const token = (role: string, grid: string, subject: string, expiresIn = '1h') => signToken(testConfig(env).jwt, { subject, role: role as 'GRID_WORKER', grid }, expiresIn);
const bearer = async (role: string, grid: string, subject: string, expiresIn?: string) => ({ authorization: `Bearer ${await token(role, grid, subject, expiresIn)}` });
const track = (s: RawSocket) => (sockets.push(s), s);
const open = async (params: Record<string, unknown>, headers: Record<string, string> = {}) => track(await signedIn(app.url, params, headers));
const gridId = async (code: string) => toGlobalId('Grid', (await db('grid').where({ code }).whereNull('valid_to').first('id')).id);
const lastOutboxId = async (): Promise<string> => (await db.raw(`SELECT coalesce(max(id), 0)::text AS id FROM incident_outbox`)).rows[0].id;
const SCREEN = `subscription($g: ID!, $since: ID) { gridIncidents(gridId: $g, since: $since) { cursor kind incident { id } } }`;
const ALERTS = `subscription($g: ID!, $since: ID) { slaAlerts(gridId: $g, since: $since) { cursor kind incident { id } } }`;

async function report(title: string): Promise<string> {
  const res = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await bearer('GRID_WORKER', GRID, `ws-reporter-${GRID}`)) },
    body: JSON.stringify({
      query: `mutation($input: ReportIncidentInput!) { reportIncident(input: $input) { ... on ReportIncidentSuccess { incident { id } } } }`,
      variables: { input: { category: 'SAFETY_HAZARD', title, channel: 'GRID_WORKER_APP', location: POINT } },
    }),
  });
  const id = ((await res.json()) as { data: { reportIncident: { incident: { id: string } } } }).data.reportIncident.incident.id;
  committed.push(id);
  return id;
}

/** The first error of a refused subscription: graphql-ws sends a refusal of the subscribe resolver as `next`, others as `error`. */
const errorOf = (m: any) => (m.type === 'error' ? m.payload[0] : m.payload.errors?.[0]) ?? { extensions: {}, message: JSON.stringify(m) };

describe('over time', () => {
  it('closes a socket with 4401 when its bearer token expires', async () => {
    const s = await open(await bearer('DISPATCHER', COMMUNITY, 'ws-expiring', '2s'));
    s.send(subscribeMessage('1', SCREEN, { g: await gridId(COMMUNITY) }));
    expect(await s.closed).toEqual({ code: 4401, reason: expect.stringMatching(/expired/) });
  });

  it('replays a centre screen and its SLA alerts since a cursor, each with only its own kinds', async () => {
    const before = await lastOutboxId();
    const id = await report('消防栓被圈占（离线时）');
    const community = await gridId(COMMUNITY);
    const dbId = Buffer.from(id, 'base64url').toString().split(':')[1];
    // A breach the scheduler would announce (its own test moves the clock; here it is written as the scheduler does).
    await db.raw(`INSERT INTO incident_outbox (incident_id, event_seq, kind, grid_ids) SELECT ?, 1, 'SLA_ORANGE', ARRAY[g.id] FROM grid g WHERE g.code = ? AND g.valid_to IS NULL`, [dbId, COMMUNITY]);
    const s = await open(await bearer('DISPATCHER', COMMUNITY, 'ws-screen'));
    s.send(subscribeMessage('screen', SCREEN, { g: community, since: before }));
    s.send(subscribeMessage('alerts', ALERTS, { g: community, since: before }));
    const kinds = (sub: string) => s.messages.filter((m) => m.id === sub && m.type === 'next').map((m) => m.payload.data?.[sub === 'screen' ? 'gridIncidents' : 'slaAlerts'].kind);
    await s.message((m) => m.id === 'screen' && m.payload?.data?.gridIncidents.kind === 'SLA_ORANGE');
    await s.message((m) => m.id === 'alerts' && m.payload?.data?.slaAlerts.kind === 'SLA_ORANGE');
    expect(kinds('screen')).toEqual(expect.arrayContaining(['REPORT', 'ASSIGN', 'SLA_ORANGE']));
    expect(kinds('alerts')).toEqual(['SLA_ORANGE']);
    s.send({ id: 'screen', type: 'complete' });
    s.send(subscribeMessage('bad', SCREEN, { g: community, since: 'yesterday' }));
    expect(errorOf(await s.message((m) => m.id === 'bad' && m.type !== 'complete')).extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('caps', () => {
  it('holds a client to WS_MAX_CONNECTIONS_PER_CLIENT sockets, counting them down as they close', async () => {
    const params = await bearer('GRID_WORKER', GRID, 'ws-many-sockets');
    const [first] = [await open(params), await open(params)];
    const third = track(await rawSocket(app.url));
    third.send({ type: 'connection_init', payload: params });
    expect(await third.closed).toEqual({ code: 4429, reason: expect.stringMatching(/at most 2/) });
    // Another client is not affected; a closed socket makes room.
    await open(await bearer('GRID_WORKER', GRID, 'ws-other-client'));
    first.socket.close();
    await first.closed;
    await open(params);
  });

  it('holds a socket to WS_MAX_SUBSCRIPTIONS_PER_CONNECTION subscriptions, and frees a place when one completes', async () => {
    const before = await lastOutboxId();
    await report('楼道电动车充电（订阅上限）');
    const s = await open(await bearer('ADMIN', '130105', 'ws-subscriptions'));
    const community = await gridId(COMMUNITY);
    s.send(subscribeMessage('1', SCREEN, { g: community }));
    s.send(subscribeMessage('2', SCREEN, { g: community }));
    s.send(subscribeMessage('3', SCREEN, { g: community }));
    const refused = await s.message((m) => m.id === '3');
    expect(refused).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'RATE_LIMITED' }, message: expect.stringMatching(/at most 2 subscriptions/) }] });
    s.send({ id: '1', type: 'complete' });
    s.send(subscribeMessage('4', SCREEN, { g: community, since: before }));
    expect(await s.message((m) => m.id === '4')).toMatchObject({ type: 'next', payload: { data: { gridIncidents: { kind: 'REPORT' } } } });
  });

  it('refuses sockets past WS_MAX_CONNECTIONS at the upgrade with 503', async () => {
    const small = await startApp(testConfig({ ...env, WS_MAX_CONNECTIONS: '2' }), silentLog, { onProgress: () => {}, scheduler: { intervalMs: 3_600_000 } });
    try {
      const held = [await rawSocket(small.url), await rawSocket(small.url)];
      const refused = await new Promise<number>((resolve) => {
        const ws = new WebSocket(small.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => undefined);
      });
      expect(refused).toBe(503);
      for (const h of held) h.socket.terminate();
    } finally {
      await small.stop();
    }
  });
});

describe('hostile input', () => {
  it('closes a socket that sends an oversized message, malformed frames, or subscribes before signing in', async () => {
    const big = await open(await bearer('GRID_WORKER', GRID, 'ws-hostile-1'));
    big.send(subscribeMessage('1', `subscription { myAssignments { cursor } } # ${'x'.repeat(5000)}`));
    expect((await big.closed).code).toBe(1009);

    const garbage = track(await rawSocket(app.url));
    garbage.send({ type: 'connection_init', payload: await bearer('GRID_WORKER', GRID, 'ws-hostile-2') });
    await garbage.message((m) => m.type === 'connection_ack');
    garbage.send('not json {');
    expect((await garbage.closed).code).toBe(4400);

    const early = track(await rawSocket(app.url));
    early.send(subscribeMessage('1', 'subscription { myAssignments { cursor } }'));
    expect((await early.closed).code).toBe(4401);

    const twice = await open(await bearer('ADMIN', '130105', 'ws-hostile-3'));
    const community = await gridId(COMMUNITY);
    twice.send(subscribeMessage('same', SCREEN, { g: community }));
    twice.send(subscribeMessage('same', SCREEN, { g: community }));
    expect((await twice.closed).code).toBe(4409);
  });
});

describe('languages', () => {
  const outsiderRefusal = async (params: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const s = await open(params, headers);
    s.send(subscribeMessage('1', SCREEN, { g: await gridId(COMMUNITY) }));
    const error = errorOf(await s.message((m) => m.id === '1' && m.type !== 'complete'));
    s.socket.close();
    await s.closed;
    expect(error.extensions.code).toBe('FORBIDDEN');
    return error.message as string;
  };

  it('answers errors in the language of the connection params, else of the upgrade request, else DEFAULT_LOCALE', async () => {
    const outsider = await bearer('GRID_WORKER', '130105003', 'ws-outsider');
    const english = await outsiderRefusal(outsider);
    const fromParams = await outsiderRefusal({ ...outsider, 'accept-language': 'zh-CN' });
    const fromHeader = await outsiderRefusal(outsider, { 'accept-language': 'zh-CN,zh;q=0.9' });
    expect(english).toMatch(/^[\x20-\x7e]+$/);
    expect(fromParams).toMatch(/[\u4e00-\u9fff]/);
    expect(fromHeader).toBe(fromParams);
  });
});
