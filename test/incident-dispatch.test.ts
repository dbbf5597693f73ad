import knexFactory, { type Knex } from 'knex';
import pino from 'pino';
import { fromGlobalId, toGlobalId } from '../src/graphql/relay';
import { signToken } from '../src/modules/auth/jwt';
import { LiveDispatch } from '../src/modules/incident/live';
import type { AssignmentNotice, Notifier } from '../src/modules/incident/notifier';
import { SlaScheduler } from '../src/modules/incident/scheduler';
import { startApp, type App } from '../src/server';
import { closeTestDb, testDb } from './support/db';
import { testDatabaseUrl } from './support/env';
import { silentLog, testConfig } from './support/graphql';
import { spawnServer, subscribe, wsClient, type ChildServer } from './support/live';

/**
 * Live dispatch across two API instances on one database: this process (A) and a second one spawned with
 * `node --import tsx src/main.ts` (B). Reports go to B over HTTP; workers and centres listen on A over graphql-ws.
 * The incidents are committed in the demo district (a worker's own grid 130105001018001).
 */
const SECRET = 'd'.repeat(32);
const env = { DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', JWT_SECRET: SECRET, MAX_QUERY_DEPTH: '8' };
const GRID = '130105001018001';
const COMMUNITY = GRID.slice(0, 12);
const POINT = { lng: 114.44171, lat: 38.03005 };
let a: App;
let b: ChildServer;
let db: Knex;
const clients: ReturnType<typeof wsClient>[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([startApp(testConfig(env), silentLog, { onProgress: () => {}, scheduler: { intervalMs: 3_600_000 } }), spawnServer({ ...env, PORT: '0' })]);
  db = testDb();
}, 90_000);

afterAll(async () => {
  for (const c of clients) await c.dispose();
  await b?.stop();
  await a?.stop();
  await closeTestDb();
});

const token = (role: string, grid: string, subject: string) => signToken(testConfig(env).jwt, { subject, role: role as 'GRID_WORKER', grid });
const client = (url: string, bearer?: string) => {
  const c = wsClient(url, bearer ? `Bearer ${bearer}` : undefined);
  clients.push(c);
  return c;
};

async function report(title: string, channel = 'GRID_WORKER_APP'): Promise<string> {
  const bearer = await token(channel === 'GRID_WORKER_APP' ? 'GRID_WORKER' : 'DISPATCHER', channel === 'GRID_WORKER_APP' ? GRID : COMMUNITY, `reporter-${GRID}`);
  const res = await fetch(b.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({
      query: `mutation($input: ReportIncidentInput!) { reportIncident(input: $input) { __typename ... on ReportIncidentSuccess { incident { id } } } }`,
      variables: { input: { category: 'SAFETY_HAZARD', title, channel, location: POINT } },
    }),
  });
  const body = (await res.json()) as { data: { reportIncident: { __typename: string; incident: { id: string } } } };
  expect(body.data.reportIncident.__typename).toBe('ReportIncidentSuccess');
  return body.data.reportIncident.incident.id;
}

const lastOutboxId = async (): Promise<string> => (await db.raw(`SELECT coalesce(max(id), 0)::text AS id FROM incident_outbox`)).rows[0].id;
const gridId = async (code: string): Promise<string> => toGlobalId('Grid', (await db('grid').where({ code }).whereNull('valid_to').first('id')).id);
const dbIdOf = (globalId: string) => fromGlobalId(globalId)!.id;

const ASSIGNMENTS = `subscription($since: ID) { myAssignments(since: $since) { cursor kind at incident { id title status } } }`;

/** The account of whoever the routing picked for reports in GRID (the grid's primary worker). */
async function assigneeAccount(incidentId: string): Promise<string> {
  const row = await db('incident as i').join('grid_worker as w', 'w.id', 'i.assignee_worker_id').where('i.id', dbIdOf(incidentId)).first('w.account');
  expect(row?.account).toBeTruthy();
  return row.account;
}

describe('myAssignments across instances', () => {
  it('replays what a reconnecting worker missed, then delivers an assignment committed on the other instance', async () => {
    const before = await lastOutboxId();
    const missed = await report('消防通道堵塞（离线时）');
    const account = await assigneeAccount(missed);
    const worker = client(a.url, await token('GRID_WORKER', GRID, account));
    const seen = subscribe(worker, ASSIGNMENTS, { since: before });
    const replayed = await seen.waitFor((d) => d.myAssignments.incident?.id === missed);
    expect(replayed.myAssignments.kind).toBe('ASSIGN');

    const live = await report('消防通道堵塞（在线时）');
    const got = await seen.waitFor((d) => d.myAssignments.incident?.id === live, 5_000);
    expect(got.myAssignments).toMatchObject({ kind: 'ASSIGN', incident: { status: 'ASSIGNED', title: '消防通道堵塞（在线时）' } });
    expect(BigInt(got.myAssignments.cursor)).toBeGreaterThan(BigInt(replayed.myAssignments.cursor));
    // Delivered once each, in commit order.
    const ids = seen.next.map((d) => d.myAssignments.cursor);
    expect(new Set(ids).size).toBe(ids.length);
    seen.stop();
  });

  it('keeps delivering after the instance LISTEN connections are cut, catching up on what was committed meanwhile', async () => {
    const first = await report('电动车楼道充电');
    const account = await assigneeAccount(first);
    const seen = subscribe(client(a.url, await token('GRID_WORKER', GRID, account)), ASSIGNMENTS);
    await new Promise((r) => setTimeout(r, 300));
    // Both instances' listeners lose their connections; a report is committed before they are back.
    await db.raw(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'grid-registry listener' AND datname = current_database()`);
    const during = await report('监听断开期间的分派');
    await seen.waitFor((d) => d.myAssignments.incident?.id === during, 10_000);
    seen.stop();
  });

  it('delivers a notice heard while the pool was exhausted, once a connection is free again', async () => {
    // A hub of its own on a pool of one connection that waits 100 ms for it: held by a transaction, every read fails.
    const url = testDatabaseUrl();
    const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 100 });
    const failures: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void failures.push(line) });
    const hub = await new LiveDispatch(knex, log).start({ knex, kind: 'postgres', ping: async () => undefined, close: () => knex.destroy() }, url);
    const heard: string[] = [];
    hub.subscribe((n) => void heard.push(n.incidentId));
    let release = () => {};
    const held = knex.transaction((trx) => trx.raw('SELECT 1').then(() => new Promise<void>((resolve) => (release = resolve))));
    try {
      const id = dbIdOf(await report('连接池占满时的分派'));
      while (!failures.some((l) => l.includes('could not read outbox notices'))) await new Promise((r) => setTimeout(r, 50));
      expect(heard).not.toContain(id);
      release();
      await held;
      while (!heard.includes(id)) await new Promise((r) => setTimeout(r, 50));
    } finally {
      release();
      await hub.stop();
      await knex.destroy();
    }
  });
});

describe('jurisdiction and limits on subscriptions', () => {
  const SCREEN = `subscription($g: ID!) { gridIncidents(gridId: $g) { cursor kind incident { id status } } }`;

  it('shows a centre its subtree and refuses anonymous callers and other grids', async () => {
    const community = await gridId(COMMUNITY);
    const dispatcher = client(a.url, await token('DISPATCHER', COMMUNITY, `dispatcher-${COMMUNITY}`));
    const screen = subscribe(dispatcher, SCREEN, { g: community });
    await new Promise((r) => setTimeout(r, 300));
    const id = await report('小区门口占道经营');
    await screen.waitFor((d) => d.gridIncidents.incident?.id === id);

    const anonymous = subscribe(client(a.url), SCREEN, { g: community });
    await expect(anonymous.waitFor(() => true)).rejects.toMatchObject({ errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })] });
    const outsider = subscribe(client(a.url, await token('GRID_WORKER', GRID, `worker-${GRID}`)), SCREEN, { g: community });
    await expect(outsider.waitFor(() => true)).rejects.toMatchObject({ errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })] });
  });

  it('answers a subscription sent over HTTP with where to send it', async () => {
    const res = await fetch(a.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'subscription { myAssignments { cursor } }' }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { message: string }[] }).errors[0].message).toMatch(/WebSocket/);
  });

  it('refuses a bad credential at connection time', async () => {
    const bad = subscribe(client(a.url, 'not-a-token'), ASSIGNMENTS);
    await expect(bad.waitFor(() => true)).rejects.toBeTruthy();
  });

  it('applies the HTTP query limits and serves only subscriptions', async () => {
    const bearer = await token('ADMIN', '130105', 'admin-dispatch');
    const deep = `subscription { gridIncidents(gridId: "x") { incident { reportedGrid { parent { parent { parent { parent { parent { parent { name } } } } } } } } } }`;
    const tooDeep = subscribe(client(a.url, bearer), deep);
    await expect(tooDeep.waitFor(() => true)).rejects.toMatchObject({ errors: [expect.objectContaining({ message: expect.stringMatching(/depth/i) })] });
    const aliases = `subscription { myAssignments { ${Array.from({ length: 20 }, (_, i) => `a${i}: cursor`).join(' ')} } }`;
    await expect(subscribe(client(a.url, bearer), aliases).waitFor(() => true)).rejects.toMatchObject({ errors: [expect.objectContaining({ message: expect.stringMatching(/alias/i) })] });
    await expect(subscribe(client(a.url, bearer), `query { __typename }`).waitFor(() => true)).rejects.toMatchObject({ errors: [expect.objectContaining({ message: expect.stringMatching(/only subscriptions/) })] });
  });
});

describe('the SLA scheduler', () => {
  it('announces each breach once, to slaAlerts subscribers, and hands unseen assignments to the notifier', async () => {
    const admin = client(a.url, await token('ADMIN', '130105', 'admin-sla'));
    const alerts = subscribe(admin, `subscription($g: ID!) { slaAlerts(gridId: $g) { cursor kind incident { id } } }`, { g: await gridId(COMMUNITY) });
    await new Promise((r) => setTimeout(r, 300));
    const queued = await report('热线：楼道堆放杂物', 'HOTLINE_12345'); // waits unassigned: orange after 24 h
    const unseen = await report('无人在线的分派'); // assigned to a worker with no open app
    const sent: AssignmentNotice[] = [];
    const notifier: Notifier = { name: 'test', send: async (n) => void sent.push(n) };
    const scheduler = new SlaScheduler(a.db.knex, silentLog, notifier);
    const start = new Date();
    const alertRows = () => db('incident_sla_alert').where('incident_id', dbIdOf(queued)).orderBy('colour');

    // Seconds later: the assignment no socket took goes to the notifier, once (here, or in the other instance's
    // scheduler if its real clock got there first); nothing is late yet.
    expect(await scheduler.tick(new Date(start.getTime() + 10_000))).toMatchObject({ ran: true });
    const deliveries = await db('incident_delivery as d').join('incident_outbox as o', 'o.id', 'd.outbox_id').where('o.incident_id', dbIdOf(unseen)).select('d.via');
    expect(deliveries).toEqual([{ via: 'NOTIFIER' }]);
    expect(sent.filter((n) => n.incidentId === dbIdOf(unseen)).length).toBeLessThanOrEqual(1);
    expect(await alertRows()).toEqual([]);

    await scheduler.tick(new Date(start.getTime() + 25 * 3600_000));
    expect(await alertRows()).toMatchObject([{ colour: 'ORANGE' }]);
    await alerts.waitFor((d) => d.slaAlerts.incident?.id === queued && d.slaAlerts.kind === 'SLA_ORANGE');

    await scheduler.tick(new Date(start.getTime() + 26 * 3600_000));
    expect(await alertRows()).toHaveLength(1);
    expect(sent.filter((n) => n.incidentId === dbIdOf(unseen)).length).toBeLessThanOrEqual(1);
    // An assignment a socket took is never handed to the notifier.
    const delivered = await db('incident_delivery').where({ via: 'SOCKET' }).pluck('outbox_id');
    expect(delivered.length).toBeGreaterThan(0);
    expect(sent.filter((n) => delivered.map(String).includes(n.cursor))).toEqual([]);

    await scheduler.tick(new Date(start.getTime() + 30.5 * 24 * 3600_000));
    expect((await alertRows()).map((r: { colour: string }) => r.colour)).toEqual(['ORANGE', 'RED']);
    await alerts.waitFor((d) => d.slaAlerts.incident?.id === queued && d.slaAlerts.kind === 'SLA_RED');
    expect(alerts.next.filter((d) => d.slaAlerts.incident?.id === queued)).toHaveLength(2);
  });
});
