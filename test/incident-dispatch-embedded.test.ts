import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signToken } from '../src/modules/auth/jwt';
import { testConfig } from './support/graphql';
import { spawnServer, subscribe, wsClient, type ChildServer } from './support/live';

/**
 * Live dispatch on the embedded database (PGlite, what `npm start` runs): NOTIFY is heard in process, so a
 * worker's subscription receives the assignment of a report made over HTTP, and replays it with `since`.
 */
jest.setTimeout(300_000);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'grid-registry-dispatch-'));
const env = { DATA_DIR: dataDir, DATABASE_URL: '', PORT: '0', HOST: '127.0.0.1', JWT_SECRET: 'e'.repeat(32) };
const GRID = '130105001018001';
const ACCOUNT = `worker-${GRID}`; // the demo's primary worker of that grid
let app: ChildServer;

beforeAll(async () => {
  // PGlite cannot run inside jest's VM: the embedded server is a process of its own, as `npm start` runs it.
  app = await spawnServer({ ...env, NODE_ENV: 'development' }, 280_000);
}, 300_000);

afterAll(async () => {
  await app?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('delivers an assignment in process and replays it after a reconnect', async () => {
  const bearer = await signToken(testConfig({ JWT_SECRET: env.JWT_SECRET }).jwt, { subject: ACCOUNT, role: 'GRID_WORKER', grid: GRID });
  const client = wsClient(app.url, `Bearer ${bearer}`);
  const query = `subscription($since: ID) { myAssignments(since: $since) { cursor kind incident { id status } } }`;
  const live = subscribe(client, query);
  await new Promise((r) => setTimeout(r, 300));
  const res = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({
      query: `mutation { reportIncident(input: { category: "FIRE_SAFETY", title: "消防通道被堵", channel: GRID_WORKER_APP, location: { lng: 114.44171, lat: 38.03005 } }) { ... on ReportIncidentSuccess { incident { id } } } }`,
    }),
  });
  const id = ((await res.json()) as { data: { reportIncident: { incident: { id: string } } } }).data.reportIncident.incident.id;
  const got = await live.waitFor((d) => d.myAssignments.incident?.id === id);
  expect(got.myAssignments).toMatchObject({ kind: 'ASSIGN', incident: { status: 'ASSIGNED' } });
  live.stop();

  const before = String(BigInt(got.myAssignments.cursor) - 1n);
  const again = subscribe(client, query, { since: before });
  await again.waitFor((d) => d.myAssignments.cursor === got.myAssignments.cursor);
  again.stop();
  await client.dispose();
});
