import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config';
import { LOCK_FILE } from '../src/db/data-lock';
import { signToken } from '../src/modules/auth/jwt';
import { decodeLayer } from './support/mvt';

/**
 * The `npm start` path on the embedded PostgreSQL + PostGIS (PGlite), as a newcomer meets it: a real process on
 * a fresh DATA_DIR migrates and seeds the demo district, answers the README's examples (coverage included, which
 * once failed only here), refuses a second process on the same data directory, lets `npm run token` check codes
 * against it, stops on SIGTERM sent to the PID `npm start` was given, and on the next start finds its data.
 */
jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'grid-registry-embedded-'));
const run = promisify(execFile);

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function embeddedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  delete env.DATABASE_URL;
  delete env.JWT_SECRET;
  // The README's defaults (messages in DEFAULT_LOCALE's default, zh-CN), not the suite's English.
  delete env.DEFAULT_LOCALE;
  return env;
}

/** Starts the server as `npm start` does (`command` defaults to node itself), and waits for its ready line. */
function startEmbedded(command: [string, string[]] = [process.execPath, ['--import', 'tsx', 'src/main.ts']]): Promise<Running> {
  const child = spawn(command[0], command[1], { cwd: ROOT, env: embeddedEnv() });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "ready" line within 240 s:\n${out}`)), 240_000);
    child.stdout!.on('data', () => {
      const m = /Grid registry ready: (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], output: () => out });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready:\n${out}`));
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));
}

async function stop(running: Running): Promise<number | null> {
  running.child.kill('SIGTERM');
  return exited(running.child);
}

async function graphql(url: string, query: string, variables: object = {}, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(body.errors)}`);
  return body.data;
}

// The command-line tools in English, as the README shows their output (LANG=en_US.UTF-8).
const npmCli = (script: string, args: string[]) =>
  run('npm', ['run', '--silent', script, '--', ...args], { cwd: ROOT, env: { ...embeddedEnv(), LANG: 'en_US.UTF-8', LC_ALL: '', LC_MESSAGES: '' } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

it('runs the README on a fresh data directory, guards it against a second process, and restarts on the same data', async () => {
  const first = await startEmbedded();
  try {
    expect(first.output()).toMatch(/demo district seeded/);
    const url = first.url;

    // The README's examples, as written there.
    const tree = await graphql(url, `query DistrictTree { grid(code: "130105") { name children(first: 20) { totalCount nodes { code name areaSqm
        children(level: COMMUNITY, first: 20) { nodes { code name responsibleWorkers { name phone } } } } } }
      community: grid(code: "130105001015") { name boundary(simplifyMeters: 5) centroid { lng lat } } }`);
    expect(tree.grid).toMatchObject({ name: '新华区', children: { totalCount: 15 } });
    const resolved = await graphql(
      url,
      `query($lng: Float!, $lat: Float!) { resolveLocation(lng: $lng, lat: $lat, crs: GCJ02) { grid { code level } chain { name } dedicatedGrids { name } responsibleWorkers { name phone } approximate } }`,
      { lng: 114.44796, lat: 38.03086 },
    );
    expect(resolved.resolveLocation).toMatchObject({ grid: { code: '130105001018001001', level: 'MICRO_GRID' }, dedicatedGrids: [{ name: '天骄第一小学专属网格' }], approximate: false });
    // The plain GET /resolve and a boundary in GCJ-02 (README: "The mobile resolve call", "Coordinates out").
    const plain = (await (await fetch(`${url.replace(/\/graphql$/, '')}/resolve?lng=114.44796&lat=38.03086&crs=GCJ02`)).json()) as { grid: { code: string } };
    expect(plain.grid.code).toBe('130105001018001001');
    const gcj = await graphql(url, `{ grid(code: "130105001018001001") { centroid(crs: GCJ02) { lng lat } } }`);
    expect(gcj.grid.centroid.lng).toBeCloseTo(114.44806, 4);
    expect(gcj.grid.centroid.lat).toBeCloseTo(38.03107, 4);
    const coverage = await graphql(url, `query Coverage { street: grid(code: "130105001") { name coverage(childLevel: MICRO_GRID, minAreaSqm: 1) {
        childCount coveredRatio gapAreaSqm overlapAreaSqm outsideAreaSqm gaps { areaSqm } overlaps { areaSqm } outside { areaSqm } } }
      district: grid(code: "130105") { staffing { gridCount staffedCount unstaffed(first: 20) { totalCount } } } }`);
    expect(coverage.street.coverage).toEqual({ childCount: 168, coveredRatio: 1, gapAreaSqm: 0, overlapAreaSqm: 0, outsideAreaSqm: 0, gaps: [], overlaps: [], outside: [] });
    expect(coverage.district.staffing).toEqual({ gridCount: 707, staffedCount: 702, unstaffed: { totalCount: 5 } });

    // `npm run token` checks the jurisdiction code against the running server (which holds the data directory).
    const token = await npmCli('token', ['--role', 'GIS_EDITOR', '--grid', '130105001015']);
    expect(token.code).toBe(0);
    const unknown = await npmCli('token', ['--role', 'GIS_EDITOR', '--grid', '130105001999']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/130105001999 is not the code of a current grid/);

    // The README's drawing example: a bow-tie refused with the place it crosses itself.
    const community = await graphql(url, '{ grid(code: "130105001015") { id } }');
    const draw = `mutation Draw($input: CreateGridInput!) { createGrid(input: $input) { __typename
      ... on ValidationError { problems { code location { lng lat } } } } }`;
    const bowTie = { type: 'Polygon', coordinates: [[[114.439, 38.043], [114.442, 38.045], [114.442, 38.043], [114.439, 38.045], [114.439, 38.043]]] };
    const refused = await graphql(url, draw, { input: { name: '革新街第10网格', level: 'GRID', parentId: community.grid.id, reason: '新建网格', boundary: bowTie } }, token.stdout.trim());
    expect(refused.createGrid).toEqual({ __typename: 'ValidationError', problems: [{ code: 'SELF_INTERSECTION', location: { lng: 114.4405, lat: 38.044 } }] });

    // The README's places examples: a community's dashboard, camera coverage for staff, nearby from a phone, a
    // building registered from a GCJ-02 position, a mistyped credit code.
    const dashboard = await graphql(url, `query CommunityDashboard { grid(code: "130105001018") { name
        inventory { buildingsByKind { kind count } housesByUse { kind count } keyPlacesByKind { kind count } organizationsByKind { kind count } }
        buildings(first: 5) { totalCount nodes { code name address kind floors houses(first: 1) { totalCount } grid { code name } } }
        keyPlaces(first: 10) { nodes { name kind dedicatedGrid { name } organization { name contactName contactPhone } } }
        organizations(filter: { kind: [COMMUNITY_COMMITTEE, PROPERTY_MANAGEMENT] }) { nodes { name kind creditCode contactPhone } } } }`);
    expect(dashboard.grid.inventory.keyPlacesByKind).toEqual([{ kind: 'SCHOOL', count: 1 }]);
    expect(dashboard.grid.keyPlaces.nodes[0]).toMatchObject({ name: '天骄第一小学', dedicatedGrid: { name: '天骄第一小学专属网格' } });
    expect(dashboard.grid.buildings.nodes[0].houses.totalCount).toBeGreaterThan(0);
    const dispatcher = (await npmCli('token', ['--role', 'DISPATCHER', '--grid', '130105001', '--sub', 'li.ming'])).stdout.trim();
    const cameras = await graphql(url, `{ grid(code: "130105001") { cameraCoverage { keyPlaceCount coveredKeyPlaceCount keyPlaceCoverage onlineCameraCount areaCoverage
        uncoveredKeyPlaces { nodes { name kind } } } inventory { facilitiesByKind { kind status count } } } }`, {}, dispatcher);
    expect(cameras.grid.cameraCoverage).toMatchObject({ keyPlaceCount: 5, coveredKeyPlaceCount: 4, keyPlaceCoverage: 0.8, uncoveredKeyPlaces: { nodes: [{ name: '天骄第一小学', kind: 'SCHOOL' }] } });
    const nearby = await graphql(url, `query Nearby($near: NearInput!) {
        keyPlaces(filter: { near: $near }, first: 5) { nodes { name kind distanceMeters grid { code name } } }
        organizations(filter: { near: $near, kind: [COMMUNITY_COMMITTEE, MEDIATION_COMMITTEE] }, first: 3) { nodes { name kind contactName contactPhone distanceMeters } }
        buildings(filter: { addressContains: "长征街", gridCode: "130105001015" }, first: 3) { totalCount nodes { code address } } }`,
      { near: { lng: 114.44796, lat: 38.03086, meters: 500, crs: 'GCJ02' } });
    expect(nearby.keyPlaces.nodes[0]).toMatchObject({ name: '天骄第一小学', grid: { code: '130105001018001001' } });
    expect(nearby.organizations.nodes[0].contactPhone).toMatch(/^\d{3}\*{4}\d{4}$/);
    expect(nearby.buildings.totalCount).toBeGreaterThan(0);
    const registered = await graphql(url, `mutation Register($input: CreateBuildingInput!) { createBuilding(input: $input) { __typename
        ... on BuildingSuccess { building { code community { code } grid { code } version } } ... on ValidationError { problems { code field message } } } }`,
      { input: { name: '革新街小区新建9号楼', kind: 'RESIDENTIAL', floors: 18, units: 2, address: '新华区革新街街道革新街社区长征街35号革新街小区9号楼',
                 location: { lng: 114.438027, lat: 38.028682 }, crs: 'GCJ02' } }, token.stdout.trim());
    expect(registered.createBuilding).toMatchObject({ __typename: 'BuildingSuccess', building: { community: { code: '130105001015' }, grid: { code: '130105001015003005' }, version: 1 } });
    const org = await graphql(url, `mutation Org($input: CreateOrganizationInput!) { createOrganization(input: $input) { __typename ... on ValidationError { problems { code field message } } } }`,
      { input: { name: '革新街便民服务有限公司', kind: 'ENTERPRISE', creditCode: '91130105MA0CXKQ71A', contactName: '王磊', contactPhone: '0311-8668 1234', location: { lng: 114.438027, lat: 38.028682 }, crs: 'GCJ02' } }, dispatcher);
    expect(org.createOrganization.problems).toEqual([{ code: 'BAD_VALUE', field: 'input.creditCode', message: expect.stringMatching(/校验码（第18位）应为J，而不是A/) }]);

    // The README's people examples: a grid worker's overdue visits and figures, a reveal with its audit row.
    const worker = (await npmCli('token', ['--role', 'GRID_WORKER', '--grid', '130105001019001', '--sub', 'worker-130105001019001'])).stdout.trim();
    const morning = await graphql(url, `query MyResidents {
        overdueVisits(first: 3) { totalCount nodes { person { id name idNumber phone age house { unit room building { code name } } } tag attentionLevel nextVisitDue daysOverdue } }
        people(filter: { tag: [SEVERE_MENTAL_DISORDER] }, first: 2) { totalCount nodes { name idNumber age tags { tag followUp { nextVisitDue daysOverdue } } } }
        grid(code: "130105001019001") { name population { total households housesOccupied housesVacant aged60Plus under18 byResidenceType { residenceType count } } } }`, {}, worker);
    expect(morning.overdueVisits.totalCount).toBeGreaterThan(0);
    expect(morning.overdueVisits.nodes[0].person.idNumber).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
    expect(morning.people.totalCount).toBeGreaterThan(0);
    expect(morning.grid.population.total).toBeGreaterThan(100);
    await expect(graphql(url, '{ people { totalCount } }')).rejects.toThrow(/FORBIDDEN/);
    const subject = morning.overdueVisits.nodes[0].person.id;
    const reveal = await graphql(url, `mutation { revealPerson(input: { id: "${subject}", fields: [ID_NUMBER, PHONE], reason: "核实身份：入户走访" }) {
        __typename ... on RevealedPerson { idNumber phone audit { id actor role action fields reason } } } }`, {}, dispatcher);
    expect(reveal.revealPerson).toMatchObject({ __typename: 'RevealedPerson', idNumber: expect.stringMatching(/^\d{17}[\dX]$/), audit: { actor: 'li.ming', role: 'DISPATCHER', action: 'REVEAL', fields: ['ID_NUMBER', 'PHONE'] } });
    const registeredPerson = await graphql(url, `mutation { registerPerson(input: { name: "钱秀兰", idNumber: "130105197506181266", phone: "139 0311 8765", residenceType: REGISTERED,
        house: { buildingCode: "1301050010190001", unit: 3, room: "201" }, household: { number: "TA0001-3201" } }) {
        __typename ... on PersonSuccess { person { id name gender age idNumber phone grid { code } household { number head { name } } } }
        ... on ValidationError { problems { field message } } } }`, {}, worker);
    expect(registeredPerson.registerPerson).toMatchObject({ __typename: 'PersonSuccess', person: { name: '钱秀兰', gender: 'FEMALE', idNumber: '130105********1266',
      phone: '139****8765', grid: { code: '130105001019001001' }, household: { number: 'TA0001-3201', head: { name: '钱秀兰' } } } });
    const admin = (await npmCli('token', ['--role', 'ADMIN'])).stdout.trim();
    const audit = await graphql(url, `{ auditLog(filter: { subjectId: "${subject}" }) { nodes { actor action fields reason } } }`, {}, admin);
    expect(audit.auditLog.nodes).toEqual([{ actor: 'li.ming', action: 'REVEAL', fields: ['ID_NUMBER', 'PHONE'], reason: '核实身份：入户走访' }]);

    // The README's incidents: a worker's report routed to the grid's worker, a duplicate from 12345 merged into it,
    // the steps to the end (one refused out of turn), a dispute escalated twice, an upload attached to a report.
    const zhangHua = (await npmCli('token', ['--role', 'DISPATCHER', '--grid', '130105001018', '--sub', 'zhang.hua'])).stdout.trim();
    const patrol = (await npmCli('token', ['--role', 'GRID_WORKER', '--grid', '130105001018001', '--sub', 'worker-130105001018001'])).stdout.trim();
    const REPORT = `mutation Report($input: ReportIncidentInput!) { reportIncident(input: $input) { __typename ... on ReportIncidentSuccess { trackingCode
        possibleDuplicates { trackingCode title } incident { id version status level grid { code } centre { code name } assignee { name } timeline { action toStatus actor } sla { status dueAt } } }
        ... on ValidationError { problems { field message } } } }`;
    const hazard = { category: 'SAFETY_HAZARD', title: '天骄小区3号楼楼道堆放杂物堵塞消防通道', channel: 'GRID_WORKER_APP', location: { lng: 114.44796, lat: 38.03086 }, crs: 'GCJ02' };
    const reported = (await graphql(url, REPORT, { input: { ...hazard, photos: [{ url: 'https://img.example.cn/incidents/a1.jpg', contentType: 'image/jpeg', bytes: 182340 }] } }, patrol)).reportIncident;
    expect(reported).toMatchObject({ __typename: 'ReportIncidentSuccess', possibleDuplicates: [], incident: { version: 3, status: 'ASSIGNED', level: 'GRID',
      grid: { code: '130105001018001001' }, centre: { code: '130105001018', name: '天骄社区居委会' }, assignee: { name: '汪文莉' }, sla: { status: 'GREEN' } } });
    const ID = reported.incident.id;
    const call = (await graphql(url, REPORT, { input: { ...hazard, channel: 'HOTLINE_12345', reporter: { name: '赵女士', phone: '13903118765' } } }, zhangHua)).reportIncident;
    expect(call).toMatchObject({ incident: { status: 'REPORTED' }, possibleDuplicates: [{ trackingCode: reported.trackingCode }] });
    const step = async (mutation: string, input: string, token: string) =>
      (await graphql(url, `mutation { ${mutation}(input: { ${input} }) { __typename ... on IncidentSuccess { incident { status version level centre { name } assignee { name } } }
        ... on ValidationError { problems { code message } } } }`, {}, token))[mutation];
    expect(await step('mergeIncident', `id: "${call.incident.id}", expectedVersion: 1, intoId: "${ID}"`, zhangHua)).toMatchObject({ incident: { status: 'MERGED' } });
    await step('recordProgress', `id: "${ID}", expectedVersion: 3, note: "已到现场，通知物业清理"`, patrol);
    await step('resolveIncident', `id: "${ID}", expectedVersion: 4, note: "杂物已清理，消防通道畅通"`, patrol);
    expect((await step('closeIncident', `id: "${ID}", expectedVersion: 5`, dispatcher)).problems[0].message).toBe(
      '事件当前状态为 RESOLVED，不能执行 closeIncident；RESOLVED 状态下可执行的操作为：verifyIncident、reopenIncident、recategorizeIncident');
    await step('verifyIncident', `id: "${ID}", expectedVersion: 5, satisfaction: SATISFIED, note: "电话回访，居民满意"`, dispatcher);
    expect(await step('closeIncident', `id: "${ID}", expectedVersion: 6`, dispatcher)).toMatchObject({ incident: { status: 'CLOSED', version: 7 } });
    const dispute = (await graphql(url, REPORT, { input: { category: 'DISPUTE_NEIGHBOR', title: '楼上漏水，邻里协商不成', channel: 'HOTLINE_12345', location: hazard.location, crs: 'GCJ02' } }, zhangHua)).reportIncident.incident;
    const queue = await graphql(url, `query Queue { grid(code: "130105001018") { name incidentQueue { totalCount nodes { id trackingCode title status channel sla { status dueAt } } } } }`, {}, zhangHua);
    expect(queue.grid.incidentQueue.nodes.map((n: { id: string }) => n.id)).toEqual([dispute.id]);
    const [wang] = (await graphql(url, '{ grid(code: "130105001018001") { workers { id name } } }', {}, zhangHua)).grid.workers;
    await step('acceptIncident', `id: "${dispute.id}", expectedVersion: 1`, zhangHua);
    await step('assignIncident', `id: "${dispute.id}", expectedVersion: 2, workerId: "${wang.id}"`, zhangHua);
    await step('recordMediationSession', `id: "${dispute.id}", expectedVersion: 3, mediator: "汪文莉", heldAt: "2026-11-27T10:00:00+08:00", place: "天骄社区调解室", attendees: ["赵女士", "楼上住户孙先生"]`, patrol);
    expect(await step('escalateIncident', `id: "${dispute.id}", expectedVersion: 4, reason: "双方分歧大，需社区调委会介入"`, patrol)).toMatchObject({ incident: { status: 'ESCALATED', level: 'COMMUNITY', centre: { name: '天骄社区居委会' } } });
    expect(await step('escalateIncident', `id: "${dispute.id}", expectedVersion: 5, reason: "涉及物业责任，报街道"`, zhangHua)).toMatchObject({ incident: { level: 'STREET', centre: { name: '革新街街道' }, assignee: null } });
    const screen = await graphql(url, `query StreetScreen { incidents(filter: { awaitingDispatch: true }) { totalCount nodes { id trackingCode title status level centre { code } escalationCount } }
        late: incidents(filter: { open: true, slaStatus: [ORANGE, RED] }) { totalCount nodes { trackingCode sla { status breachedAt reasons { label } } } } }`, {}, dispatcher);
    // The dispute first (newest), then the demo year's cases still waiting in the street's queues; its late ones.
    expect(screen.incidents.nodes[0]).toEqual(expect.objectContaining({ id: dispute.id, level: 'STREET', centre: { code: '130105001' }, escalationCount: 2 }));
    for (const n of screen.incidents.nodes) expect(['REPORTED', 'ACCEPTED', 'ESCALATED']).toContain(n.status);
    for (const n of screen.late.nodes) expect(['ORANGE', 'RED']).toContain(n.sla.status);
    // The README's demo year (district-wide, as ADMIN): closed cases, a few open, some of them late.
    const year = await graphql(url, `{ all: incidents { totalCount } open: incidents(filter: { open: true }) { totalCount }
        red: incidents(filter: { open: true, slaStatus: [RED] }) { totalCount } }`, {}, admin);
    expect(year.all.totalCount).toBeGreaterThan(9_000);
    expect(year.open.totalCount).toBeGreaterThan(50);
    expect(year.red.totalCount).toBeGreaterThan(0);
    const late = await graphql(url, `{ incident(id: "${dispute.id}") { late: sla(at: "2099-01-15T00:00:00+08:00") { status reasons { code label } } } }`, {}, dispatcher);
    expect(late.incident.late).toEqual({ status: 'RED', reasons: [{ code: 'RESOLUTION_OVERDUE', label: '超过办结期限' }] });
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    const upload = await fetch(url.replace('/graphql', '/uploads'), { method: 'POST', body: png, headers: { authorization: `Bearer ${patrol}`, 'content-type': 'image/png' } });
    expect(upload.status).toBe(201);
    const photo = (await upload.json()) as { id: string };
    const withPhoto = (await graphql(url, REPORT, { input: { ...hazard, category: 'LIVELIHOOD', title: '路灯不亮', photos: [{ uploadId: photo.id }] } }, patrol)).reportIncident;
    expect(withPhoto.__typename).toBe('ReportIncidentSuccess');
    expect((await fetch(url.replace('/graphql', `/uploads/${photo.id}`), { headers: { authorization: `Bearer ${dispatcher}` } })).status).toBe(200);
    // The README's resident report (anonymous) and Open311 request, each followed by its tracking code.
    const resident = (await graphql(url, `mutation($input: ResidentReportInput!) { reportIncidentAsResident(input: $input) { __typename
        ... on ResidentReportSuccess { trackingCode incident { status updates { summary } } } } }`,
      { input: { category: 'SAFETY_HAZARD', title: '3号楼楼道灯坏了，晚上看不见', location: hazard.location, crs: 'GCJ02', name: '赵女士', phone: '13903118765' } })).reportIncidentAsResident;
    expect(resident).toMatchObject({ __typename: 'ResidentReportSuccess', incident: { status: 'ASSIGNED', updates: [{ summary: '已登记' }, { summary: '已受理' }, { summary: '已分派给网格员 汪*' }] } });
    // The README's call-back: the assignee finds it (phone masked) and reveals the number, with its audit row.
    const called = (await graphql(url, `{ incidents(filter: { assignedToMe: true, channel: [RESIDENT_QR] }, first: 1) { nodes { id reporter { name phone } } } }`, {}, patrol)).incidents.nodes[0];
    expect(called.reporter).toEqual({ name: '赵女士', phone: '139****8765' });
    const revealed = (await graphql(url, `mutation($id: ID!) { revealIncidentContacts(input: { id: $id, reason: "回访核实报告人电话" }) { __typename
        ... on RevealedIncidentContacts { reporterPhone audit { action subjectType fields reason } } } }`, { id: called.id }, patrol)).revealIncidentContacts;
    expect(revealed).toEqual({ __typename: 'RevealedIncidentContacts', reporterPhone: '13903118765', audit: { action: 'REVEAL', subjectType: 'incident', fields: ['PHONE'], reason: '回访核实报告人电话' } });
    const open311 = url.replace('/graphql', '/open311/v2');
    const filed = (await (await fetch(`${open311}/requests.json`, { method: 'POST', body: new URLSearchParams({ service_code: 'SAFETY_HAZARD', lat: '38.03005', long: '114.44171', description: '小区东门消防通道被私家车堵塞' }) })).json()) as { service_request_id: string }[];
    expect(await (await fetch(`${open311}/requests/${filed[0].service_request_id}.json`)).json()).toEqual([expect.objectContaining({ status: 'open', status_notes: '已登记', service_code: 'SAFETY_HAZARD' })]);

    // The export the README imports back.
    const res = await fetch(url.replace('/graphql', '/export/grids.geojson?level=COMMUNITY&ancestor=130105001'));
    fs.writeFileSync(path.join(dataDir, 'communities.geojson'), await res.text());
    // The README's GIS examples: a conditional GET, a compressed GCJ-02 bbox export, the GCJ-02 file it imports back.
    const exportUrl = (query: string) => url.replace('/graphql', `/export/grids.geojson?${query}`);
    const again = await fetch(exportUrl('level=COMMUNITY&ancestor=130105001'), { headers: { 'if-none-match': res.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
    const school = await fetch(exportUrl('level=MICRO_GRID&bbox=114.445,38.028,114.450,38.032&crs=GCJ02&precision=6'), { headers: { 'accept-encoding': 'br' } });
    expect([school.headers.get('content-encoding'), ((await school.json()) as { features: unknown[] }).features.length]).toEqual(['br', 17]);
    fs.writeFileSync(path.join(dataDir, 'communities-gcj.geojson'), await (await fetch(exportUrl('level=COMMUNITY&ancestor=130105001&crs=GCJ02'))).text());

    // The README's map layers, on PGlite too (tiles encoded in the API: its PostGIS has no ST_AsMVT).
    const base = url.replace('/graphql', '');
    const layers = (await (await fetch(`${base}/tiles`)).json()) as { layers: { id: string }[] };
    expect(layers.layers.map((l) => l.id)).toEqual(['districts', 'streets', 'communities', 'grids', 'micro-grids', 'dedicated-grids', 'buildings', 'key-places']);
    const tile = await fetch(`${base}/tiles/micro-grids/15/26800/12636.mvt`);
    expect(tile.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
    expect(decodeLayer(await tile.arrayBuffer(), 'micro-grids', { z: 15, x: 26800, y: 12636 }).map((f) => f.properties.code)).toContain('130105001018001001');
    const items = (await (await fetch(`${base}/ogc/collections/micro-grids/items?parentCode=130105001018001&limit=2`)).json()) as { numberMatched: number; numberReturned: number };
    expect(items).toMatchObject({ numberMatched: 5, numberReturned: 2 });
    // The README's incidents layer: a centre's open incidents with their map properties, none of their free text.
    const staffOnly = { headers: { authorization: `Bearer ${dispatcher}` } };
    const open = (await (await fetch(`${base}/ogc/collections/incidents/items?limit=1`, staffOnly)).json()) as { features: { properties: object }[] };
    expect(Object.keys(open.features[0].properties).sort()).toEqual(['category', 'categoryName', 'gridCode', 'level', 'reportedAt', 'severity', 'slaStatus', 'status', 'trackingCode']);
    expect((await fetch(`${base}/ogc/collections/incidents/items?slaStatus=RED&limit=1000`, staffOnly)).status).toBe(200);
    expect((await fetch(`${base}/tiles/incidents/15/26800/12636.mvt`)).status).toBe(403);
    const places = (await (await fetch(`${base}/ogc/collections/key-places/items?bbox=114.43,38.02,114.46,38.04`)).json()) as { features: { properties: { name: string } }[] };
    expect(places.features.map((f) => f.properties.name)).toContain('天骄第一小学');

    // A second process on the same data directory is refused, naming the holder.
    const second = await npmCli('import', [path.join(dataDir, 'communities.geojson'), '--level', 'COMMUNITY', '--mode', 'UPSERT', '--dry-run']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`in use by process ${first.child.pid} .*serving ${url.replace(/[./]/g, '\\$&')}`));
  } finally {
    expect(await stop(first)).toBe(0);
  }
  expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);

  // Stopped: the people import of the README, with its refused row (nothing written, exit code 1).
  const csv = path.join(dataDir, 'people.csv');
  fs.writeFileSync(
    csv,
    '姓名,性别,公民身份号码,联系电话,人口类型,楼栋编码,单元,房号,户号,与户主关系\n' +
      '赵建国,男,130105198804121231,13903118765,户籍,1301050010190001,2,101,TA0001-2101,户主\n' +
      '孙丽,女,130105199009301246,,户籍,1301050010190001,2,101,TA0001-2101,配偶\n' +
      '赵子轩,男,130105201601201253,,户籍,1301050010190001,2,101,TA0001-2101,子\n',
  );
  const people = await npmCli('import:people', [csv]);
  expect(people.code).toBe(1);
  expect(people.stdout).toMatch(/refused: nothing written — people.csv \(csv, utf-8\): 3 rows in [\d.]+ s \(\d+ rows\/s\): 2 accepted, 1 refused; 1 new households/);
  expect(people.stdout).toMatch(/row 4, column 公民身份号码: ID number: the check character should be 2, not 3/);

  // Stopped: the import CLI may open the data directory (the README's dry run: nothing changes).
  const dry = await npmCli('import', [path.join(dataDir, 'communities.geojson'), '--level', 'COMMUNITY', '--mode', 'UPSERT', '--dry-run']);
  expect(dry.stdout).toMatch(/dry run: nothing written in [\d.]+ s — 6 features: 0 create, 0 update, 6 unchanged, 0 refused/);
  expect(dry.code).toBe(0);
  // The README's GIS round trips: a GCJ-02 export comes back unchanged; a renamed grid is the one update listed.
  const gcj = await npmCli('import', [path.join(dataDir, 'communities-gcj.geojson'), '--level', 'COMMUNITY', '--mode', 'UPSERT', '--crs', 'GCJ02', '--dry-run']);
  expect(gcj.stdout).toMatch(/6 features: 0 create, 0 update, 6 unchanged, 0 refused/);
  const edited = JSON.parse(fs.readFileSync(path.join(dataDir, 'communities.geojson'), 'utf8'));
  edited.features[0].properties.name = '市委西院社区';
  fs.writeFileSync(path.join(dataDir, 'edited.geojson'), JSON.stringify(edited));
  const details = await npmCli('import', [path.join(dataDir, 'edited.geojson'), '--level', 'COMMUNITY', '--mode', 'UPSERT', '--dry-run', '--details']);
  expect(details.stdout).toMatch(/0 create, 1 update, 5 unchanged, 0 refused[^]*feature 0 \(130105001002\): update name "市委西院居委会" → "市委西院社区"/);

  // `npm start`, stopped by SIGTERM to the PID the process manager started: npm's, not node's.
  const viaNpm = await startEmbedded(['npm', ['start']]);
  expect(viaNpm.output()).not.toMatch(/demo district seeded/);
  const r = await graphql(viaNpm.url, '{ resolveLocation(lng: 114.46, lat: 38.05) { grid { code } } }');
  expect(r.resolveLocation.grid.code).toMatch(/^130105/);
  process.kill(viaNpm.child.pid!, 'SIGTERM');
  expect(await exited(viaNpm.child)).toBe(0);
  await expect(fetch(viaNpm.url.replace('/graphql', '/healthz'))).rejects.toThrow();
  expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
});

it('takes over a lock left by a process that died', async () => {
  // A lock naming a process that no longer exists (killed with SIGKILL, say) does not block the next start.
  fs.writeFileSync(path.join(dataDir, LOCK_FILE), JSON.stringify({ pid: 2 ** 22 + 7, hostname: os.hostname(), command: 'main.ts', since: '2026-01-01T00:00:00Z' }));
  const running = await startEmbedded();
  try {
    const token = await signToken(loadConfig({}).jwt, { subject: 'worker-130105001018001', role: 'GRID_WORKER', grid: '130105001018001' });
    const me = await graphql(running.url, '{ me { worker { name account assignments { grid { code } } } } }', {}, token);
    expect(me.me.worker).toMatchObject({ account: null, assignments: [{ grid: { code: '130105001018001' } }] });
  } finally {
    expect(await stop(running)).toBe(0);
  }
});
