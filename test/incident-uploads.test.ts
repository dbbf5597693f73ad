import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signToken } from '../src/modules/auth/jwt';
import { sniffImage } from '../src/modules/incident/uploads';
import { startApp, type App } from '../src/server';
import { closeTestDb } from './support/db';
import { testDatabaseUrl } from './support/env';
import { silentLog, testConfig } from './support/graphql';
import { removeIncidents } from './support/incidents';

/**
 * Photos as files over plain HTTP: `POST /uploads` (staff only, size- and type-checked by the file's own first
 * bytes, stored under UPLOAD_DIR), attached to an incident by `photos: [{ uploadId }]` (once), and served by
 * `GET /uploads/<id>` to whoever may read that incident. The report is committed in the demo district, and removed
 * at the end.
 */
const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incident-uploads-'));
const env = { DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', JWT_SECRET: 'u'.repeat(32), UPLOAD_DIR: uploadDir, UPLOAD_MAX_BYTES: '4096' };
let app: App;
let base: string;

beforeAll(async () => {
  app = await startApp(testConfig(env), silentLog, { onProgress: () => {} });
  base = app.url.replace('/graphql', '');
});

/** The incidents this file committed, removed at the end. */
const committed: string[] = [];

afterAll(async () => {
  if (app) await removeIncidents(app.db.knex, committed);
  await app?.stop();
  await closeTestDb();
  fs.rmSync(uploadDir, { recursive: true, force: true });
});

const token = (role: string, grid: string, subject: string) =>
  signToken(testConfig(env).jwt, { subject, role: role as 'GRID_WORKER', grid });

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

function upload(body: Buffer, headers: Record<string, string>) {
  return fetch(`${base}/uploads`, { method: 'POST', body, headers });
}

/** A GraphQL answer, read field by field. */
type Answer = { data: any };

async function graphql(query: string, variables: object, auth: string): Promise<Answer> {
  const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as Answer;
}

it('reads an image type from its first bytes', () => {
  expect(sniffImage(PNG)).toBe('image/png');
  expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe('image/jpeg');
  expect(sniffImage(Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 ', 'latin1'))).toBe('image/webp');
  expect(sniffImage(Buffer.from('\u0000\u0000\u0000\u0018ftypheic\u0000\u0000', 'latin1'))).toBe('image/heic');
  expect(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
});

it('takes a photo from staff, attaches it to one report, and serves it to whoever may read the incident', async () => {
  const worker = await token('GRID_WORKER', '130105001018001', 'worker-130105001018001');
  const auth = { authorization: `Bearer ${worker}` };
  expect((await upload(PNG, { 'content-type': 'image/png' })).status).toBe(401);
  const svg = await upload(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), { ...auth, 'content-type': 'image/png' });
  expect(svg.status).toBe(415);
  expect(((await svg.json()) as { error: string }).error).toMatch(/not a image\/jpeg, image\/png/);
  const lying = await upload(PNG, { ...auth, 'content-type': 'image/jpeg' });
  expect(lying.status).toBe(415);
  expect((await upload(Buffer.alloc(5000, 1), { ...auth, 'content-type': 'image/png' })).status).toBe(413);

  const created = await upload(PNG, { ...auth, 'content-type': 'image/png' });
  expect(created.status).toBe(201);
  const file = (await created.json()) as { id: string; url: string; contentType: string; bytes: number };
  expect(file).toMatchObject({ contentType: 'image/png', bytes: PNG.length, url: expect.stringMatching(new RegExp(`/uploads/${file.id}$`)) });
  expect(fs.readFileSync(path.join(uploadDir, file.id))).toEqual(PNG);
  expect(fs.readdirSync(uploadDir).filter((f) => f.endsWith('.part'))).toEqual([]);

  const report = `mutation($input: ReportIncidentInput!) { reportIncident(input: $input) { __typename
    ... on ReportIncidentSuccess { incident { id photos { url contentType bytes seq } } } ... on ValidationError { problems { field message } } } }`;
  const input = { category: 'OTHER', title: '上传照片测试', channel: 'GRID_WORKER_APP', location: { lng: 114.44171, lat: 38.03005 }, photos: [{ uploadId: file.id }] };
  const first = await graphql(report, { input }, worker);
  committed.push(first.data.reportIncident.incident.id);
  expect(first.data.reportIncident.incident.photos).toEqual([{ url: file.url, contentType: 'image/png', bytes: PNG.length, seq: 1 }]);
  const again = await graphql(report, { input }, worker);
  expect(again.data.reportIncident).toMatchObject({ __typename: 'ValidationError', problems: [{ field: 'input.photos[0].uploadId' }] });

  const served = await fetch(file.url.replace(/^.*\/uploads\//, `${base}/uploads/`), { headers: auth });
  expect(served.status).toBe(200);
  expect(served.headers.get('content-type')).toBe('image/png');
  expect(served.headers.get('x-content-type-options')).toBe('nosniff');
  expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG);
  const elsewhere = await token('DISPATCHER', '130105003', 'dispatcher-elsewhere');
  expect((await fetch(`${base}/uploads/${file.id}`, { headers: { authorization: `Bearer ${elsewhere}` } })).status).toBe(403);
  expect((await fetch(`${base}/uploads/${file.id}`)).status).toBe(403);
  expect((await fetch(`${base}/uploads/not-an-id`, { headers: auth })).status).toBe(404);
});
