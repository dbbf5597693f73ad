import { signToken } from '../src/modules/auth/jwt';
import { startApp, type App } from '../src/server';
import { closeTestDb } from './support/db';
import { testDatabaseUrl } from './support/env';
import { silentLog, testConfig } from './support/graphql';

/**
 * Open311 GeoReport v2 over plain HTTP (fetch), as an Open311 client would use it: services.json lists the
 * categories, POST requests.json files a resident's report (form-encoded), and requests/<id>.json follows it while
 * a dispatcher accepts, assigns, resolves, verifies and closes it through GraphQL; errors in the spec's format.
 * The report is committed in the demo district (grid 130105001018001, community centre 130105001018).
 */
const env = { DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', JWT_SECRET: 'o'.repeat(32), RESIDENT_REPORTS_PER_HOUR: '3' };
let app: App;
let base: string;

beforeAll(async () => {
  app = await startApp(testConfig(env), silentLog, { onProgress: () => {} });
  base = `${app.url.replace('/graphql', '')}/open311/v2`;
});

afterAll(async () => {
  await app?.stop();
  await closeTestDb();
});

const ZH = { 'accept-language': 'zh-CN' };
const EN = { 'accept-language': 'en' };
const AT = { lat: '38.03005', long: '114.44171' };

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/${path}`, { headers: { ...ZH, ...headers } });
  return { status: res.status, body: await res.json() };
}

async function post(form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: any; retryAfter: string | null }> {
  const res = await fetch(`${base}/requests.json`, { method: 'POST', body: new URLSearchParams(form), headers: { ...ZH, ...headers } });
  return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after') };
}

async function graphql(query: string, variables: object, token: string): Promise<any> {
  const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  const answer = (await res.json()) as { data?: any; errors?: unknown[] };
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  return answer.data;
}

it('lists the active categories as services', async () => {
  const { status, body } = await get('services.json');
  expect(status).toBe(200);
  expect(body.find((s: any) => s.service_code === 'SAFETY_HAZARD')).toMatchObject({ service_name: '安全隐患', metadata: false, type: 'realtime' });
  expect(body.find((s: any) => s.service_code === 'DISPUTE_NEIGHBOR')).toMatchObject({ service_name: '邻里', group: '矛盾纠纷' });
  for (const s of body) expect(Object.keys(s).sort()).toEqual(['description', 'group', 'keywords', 'metadata', 'service_code', 'service_name', 'type']);
});

it('files a report and follows it from open to closed while a dispatcher handles it through GraphQL', async () => {
  const filed = await post({ service_code: 'SAFETY_HAZARD', ...AT, description: '小区东门消防通道被私家车堵塞\n已持续两天', first_name: '三丰', last_name: '张', phone: '13903118765', email: 'z@example.cn', media_url: 'https://img.example.cn/a1.jpg' });
  expect(filed.status).toBe(200);
  const [{ service_request_id: id, token }] = filed.body;
  expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
  expect(token).toBe(id);
  const follow = async () => {
    const { status, body } = await get(`requests/${id}.json`);
    expect(status).toBe(200);
    expect(body).toHaveLength(1);
    return body[0];
  };
  const first = await follow();
  expect(first).toMatchObject({ service_request_id: id, status: 'open', service_code: 'SAFETY_HAZARD', service_name: '安全隐患', description: '小区东门消防通道被私家车堵塞', status_notes: '已登记', lat: 38.03005, long: 114.44171 });
  expect(new Date(first.expected_datetime).getTime() - new Date(first.requested_datetime).getTime()).toBe(30 * 86_400_000);

  // The community's dispatcher finds it in the queue (channel OPEN311 waits there) and handles it.
  const dispatcher = await signToken(testConfig(env).jwt, { subject: 'dispatcher-open311-test', role: 'DISPATCHER', grid: '130105001018' });
  const queue = await graphql(`{ grid(code: "130105001018") { incidentQueue(first: 100) { nodes { id trackingCode version channel reporter { name phone } } } }
    worker: grid(code: "130105001018001") { workers { id } } }`, {}, dispatcher);
  const incident = queue.grid.incidentQueue.nodes.find((n: any) => n.trackingCode === id);
  expect(incident).toMatchObject({ channel: 'OPEN311', reporter: { name: '张三丰', phone: '139****8765' } });
  let version = incident.version;
  const step = async (mutation: string, input: object) => {
    const data = await graphql(`mutation($input: ${mutation[0].toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { __typename ... on IncidentSuccess { incident { version } } } }`, { input: { id: incident.id, expectedVersion: version, ...input } }, dispatcher);
    expect(data[mutation].__typename).toBe('IncidentSuccess');
    version = data[mutation].incident.version;
    return follow();
  };
  expect(await step('acceptIncident', { note: '内部：转网格员' })).toMatchObject({ status: 'open', status_notes: '已受理' });
  expect((await step('assignIncident', { workerId: queue.worker.workers[0].id })).status_notes).toMatch(/^已分派给网格员 \S\*$/);
  expect(await step('resolveIncident', { note: '车辆已挪走，通道畅通。感谢张三丰反映' })).toMatchObject({ status: 'open', status_notes: '已办结: 车辆已挪走，通道畅通。感谢张*反映' });
  await step('verifyIncident', { satisfaction: 'SATISFIED' });
  const closed = await step('closeIncident', {});
  expect(closed).toMatchObject({ status: 'closed', status_notes: '已归档', expected_datetime: null });
  expect(JSON.stringify(closed)).not.toMatch(/张三丰|13903118765|z@example/);

  // The same through requests.json: by id for anyone, filtered for staff.
  expect((await get(`requests.json?service_request_id=${id},000000000000`)).body.map((r: any) => r.service_request_id)).toEqual([id]);
  const since = new Date(Date.now() - 3_600_000).toISOString();
  const listed = await get(`requests.json?service_code=SAFETY_HAZARD&status=closed&start_date=${encodeURIComponent(since)}`, { authorization: `Bearer ${dispatcher}` });
  expect(listed.status).toBe(200);
  expect(listed.body.map((r: any) => r.service_request_id)).toContain(id);
  const open = await get(`requests.json?status=open&start_date=${encodeURIComponent(since)}`, { authorization: `Bearer ${dispatcher}` });
  expect(open.body.map((r: any) => r.service_request_id)).not.toContain(id);
  expect((await get(`tokens/${id}.json`)).body).toEqual([{ service_request_id: id, token: id }]);
});

it('answers errors in the spec\'s format with their HTTP status', async () => {
  const missing = await post({ description: 'x' });
  expect(missing.status).toBe(400);
  expect(missing.body).toEqual([
    // In the caller's language (the requests here ask for zh-CN): service_code / lat/long named as sent.
    { code: 400, description: expect.stringMatching(/^service_code：必须填写/) },
    { code: 400, description: expect.stringMatching(/^lat\/long：必须填写/) },
  ]);
  expect((await post({ description: 'x' }, EN)).body[0].description).toMatch(/^service_code: required/);
  const addressOnly = await post({ service_code: 'OTHER', address_string: '革新街1号' }, EN);
  expect(addressOnly.body[0].description).toMatch(/address_string alone cannot be routed/);
  const badCode = await post({ service_code: 'NO_SUCH_SERVICE', ...AT, phone: '12345' }, EN);
  expect(badCode.status).toBe(400);
  expect(badCode.body.map((e: any) => e.description.split(':')[0])).toEqual(['phone']);
  const unknownService = await post({ service_code: 'NO_SUCH_SERVICE', ...AT }, EN);
  expect(unknownService.body).toEqual([{ code: 400, description: expect.stringMatching(/^service_code: .*NO_SUCH_SERVICE/) }]);
  const multipart = new FormData();
  multipart.set('service_code', 'OTHER');
  const res = await fetch(`${base}/requests.json`, { method: 'POST', body: multipart });
  expect(res.status).toBe(415);
  expect(await res.json()).toEqual([{ code: 415, description: expect.stringContaining('application/x-www-form-urlencoded') }]);
  const json = await fetch(`${base}/requests.json`, { method: 'POST', body: JSON.stringify({ service_code: 'OTHER', lat: 38.03005 }), headers: { 'content-type': 'application/json' } });
  expect(await json.json()).toEqual([{ code: 400, description: expect.stringMatching(/^lat\/long: required/) }]);
  const broken = await fetch(`${base}/requests.json`, { method: 'POST', body: '{"service_code":', headers: { 'content-type': 'application/json' } });
  expect({ status: broken.status, body: await broken.json() }).toEqual({ status: 400, body: [{ code: 400, description: 'the body is not valid JSON' }] });
  const huge = await post({ service_code: 'OTHER', ...AT, description: '长'.repeat(40_000) }, EN);
  expect(huge).toMatchObject({ status: 413, body: [{ code: 413, description: expect.stringContaining('64 KiB') }] });
  expect(await get('services.xml', EN)).toMatchObject({ status: 400, body: [{ code: 400, description: expect.stringContaining('JSON only') }] });
  expect(await get('nothing.json')).toMatchObject({ status: 404, body: [{ code: 404 }] });
  expect(await get('requests/000000000000.json')).toEqual({ status: 200, body: [] });
  expect(await get('requests.json', EN)).toMatchObject({ status: 403, body: [{ code: 403, description: expect.stringContaining('service_request_id') }] });
  const dispatcher = await signToken(testConfig(env).jwt, { subject: 'dispatcher-open311-test', role: 'DISPATCHER', grid: '130105001018' });
  const badDate = await get('requests.json?start_date=yesterday&status=pending', { authorization: `Bearer ${dispatcher}`, ...EN });
  expect(badDate).toMatchObject({ status: 400, body: [{ code: 400, description: expect.stringMatching(/^start_date/) }, { code: 400, description: expect.stringMatching(/^status/) }] });
});

it('counts an anonymous POST against RESIDENT_REPORTS_PER_HOUR (3 here), like reportIncidentAsResident', async () => {
  // The two earlier tests' reports that reached the resident path already count (same address).
  let last = await post({ service_code: 'NO_SUCH_SERVICE', ...AT });
  for (let i = 0; i < 5 && last.status !== 429; i++) last = await post({ service_code: 'NO_SUCH_SERVICE', ...AT });
  expect(last.status).toBe(429);
  expect(last.body).toEqual([{ code: 429, description: expect.stringContaining('RESIDENT_REPORTS_PER_HOUR') }]);
  expect(Number(last.retryAfter)).toBeGreaterThan(0);
});

it('counts lookups by service_request_id against TRACKING_LOOKUPS_PER_MINUTE (30 by default), found or not', async () => {
  let last = await get('requests/000000000000.json');
  for (let i = 0; i < 40 && last.status !== 429; i++) last = await get(`requests.json?service_request_id=00000000000${i % 10}`);
  expect(last).toMatchObject({ status: 429, body: [{ code: 429, description: expect.stringContaining('TRACKING_LOOKUPS_PER_MINUTE') }] });
});
