import type { Knex } from 'knex';
import { toGlobalId } from '../src/graphql/relay';
import { ANONYMOUS } from '../src/modules/auth/viewer';
import { createIncidentFixture, incidentMutation, report, at, type IncidentFixture } from './fixtures/incident';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok, user } from './support/graphql';

/**
 * Incidents through GraphQL on PostGIS: routing (the walk up the chain, a grid without staff, the centre's queue),
 * the lifecycle's steps and refusals, escalation up the centres, duplicates within 250 m, SLA through the API,
 * jurisdiction, mediation, and boundary edits. Every test runs in a transaction that is rolled back.
 */
afterAll(closeTestDb);

const ADMIN = user('ADMIN');

async function withFixture(test: (db: Knex, f: IncidentFixture) => Promise<void>): Promise<void> {
  await withRollback(async (trx) => test(trx, await createIncidentFixture(trx)));
}

async function outbox(db: Knex, incidentGid: string): Promise<{ kind: string; worker_ids: string[]; grid_ids: string[] }[]> {
  const id = Buffer.from(incidentGid, 'base64url').toString().split(':')[1];
  const { rows } = await db.raw('SELECT kind, worker_ids, grid_ids FROM incident_outbox WHERE incident_id = ? ORDER BY id', [id]);
  return rows;
}

describe('routing', () => {
  it('assigns a grid worker app report to the primary worker of the grid at once, and notifies the others', async () => {
    await withFixture(async (db, f) => {
      const payload = await report(db, f.workers.W2.viewer, 0.5, 0.5);
      expect(payload.__typename).toBe('ReportIncidentSuccess');
      expect(payload.trackingCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
      const incident = payload.incident;
      expect(incident).toMatchObject({
        status: 'ASSIGNED', level: 'GRID', version: 3, assignee: { name: f.workers.W1.name },
        grid: { code: f.grids.G1.code }, reportedGrid: { code: f.grids.G1.code }, centre: { code: f.grids.C1.code, level: 'COMMUNITY' },
        reportedChain: [f.grids.D, f.grids.S1, f.grids.C1, f.grids.G1].map((g) => ({ code: g.code })),
        reporter: { subject: f.workers.W2.account, role: 'GRID_WORKER', name: null, phone: null },
      });
      expect(incident.timeline.map((e: any) => [e.action, e.fromStatus, e.toStatus, e.actor])).toEqual([
        ['REPORT', null, 'REPORTED', f.workers.W2.account],
        ['ACCEPT', 'REPORTED', 'ACCEPTED', 'SYSTEM'],
        ['ASSIGN', 'ACCEPTED', 'ASSIGNED', 'SYSTEM'],
      ]);
      const rows = await outbox(db, incident.id);
      expect(rows.find((r) => r.kind === 'ASSIGN')?.worker_ids).toEqual([f.workers.W1.id]);
      expect(rows.find((r) => r.kind === 'NOTIFY')?.worker_ids).toEqual([f.workers.W2.id]);
      expect(rows.find((r) => r.kind === 'REPORT')?.grid_ids.sort()).toEqual([f.grids.C1.id, f.grids.G1.id].sort());
    });
  });

  it('walks up the chain from a grid without staff, past a worker on leave, as resolveLocation does', async () => {
    await withFixture(async (db, f) => {
      const qr = (x: number, y: number) => report(db, f.workers.W1.viewer, x, y, { channel: 'RESIDENT_QR', reporter: { name: '张三', phone: '13903118765' } });
      const g2 = (await qr(0.5, 1.5)).incident;
      expect(g2).toMatchObject({ status: 'ASSIGNED', assignee: { name: f.workers.W3.name }, grid: { code: f.grids.G2.code } });
      expect(g2.reporter).toMatchObject({ name: '张三', phone: '139****8765' });
      const g4 = (await qr(2.5, 0.5)).incident;
      expect(g4).toMatchObject({ status: 'ASSIGNED', assignee: { name: f.workers.W5.name }, centre: { code: f.grids.C3.code } });
      const resolved = ok(await execute(db, `{ resolveLocation(lng: ${at(2.5, 0.5).lng}, lat: ${at(2.5, 0.5).lat}) { responsibleWorkers { name } } }`));
      expect(resolved.resolveLocation.responsibleWorkers).toEqual([{ name: f.workers.W5.name }]);
    });
  });

  it('leaves a report with nobody responsible up the chain, and every hotline call, in the centre\'s queue', async () => {
    await withFixture(async (db, f) => {
      const unstaffed = (await report(db, f.workers.W1.viewer, 1.5, 0.5)).incident;
      expect(unstaffed).toMatchObject({ status: 'REPORTED', assignee: null, centre: { code: f.grids.C2.code } });
      expect(unstaffed.timeline).toHaveLength(1);
      const hotline = (await report(db, f.dispatcher('C1'), 0.5, 0.5, { channel: 'HOTLINE_12345' })).incident;
      expect(hotline).toMatchObject({ status: 'REPORTED', assignee: null, centre: { code: f.grids.C1.code }, allowedActions: ['ACCEPT', 'REJECT', 'SUSPEND', 'MERGE', 'RECATEGORIZE'] });
      const queue = (code: string, viewer = f.dispatcher('S1')) =>
        execute(db, `{ grid(code: "${code}") { incidentQueue { totalCount nodes { id status } } } }`, {}, { viewer });
      expect(ok(await queue(f.grids.C2.code)).grid.incidentQueue.nodes.map((n: any) => n.id)).toEqual([unstaffed.id]);
      expect(ok(await queue(f.grids.C1.code)).grid.incidentQueue.nodes.map((n: any) => n.id)).toEqual([hotline.id]);
      // A community's dispatcher has no business with the other community's queue.
      expect((await queue(f.grids.C2.code, f.dispatcher('C1'))).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    });
  });

  it('refuses a position more than 100 m outside every grid', async () => {
    await withFixture(async (db, f) => {
      const payload = await report(db, ADMIN, -5, -5);
      expect(payload).toMatchObject({ __typename: 'ValidationError', problems: [{ field: 'input.location', message: expect.stringMatching(/outside every grid/) }] });
    });
  });
});

describe('the lifecycle', () => {
  it('runs the closed loop: accept, assign, progress, resolve, verify, close', async () => {
    await withFixture(async (db, f) => {
      const c1 = f.dispatcher('C1');
      let incident = (await report(db, c1, 0.5, 0.5, { channel: 'HOTLINE_12345', reporter: { name: '李四', phone: '0311-86681234' } })).incident;
      const step = async (mutation: string, input: object, viewer = c1) => {
        const payload = await incidentMutation(db, mutation, { id: incident.id, expectedVersion: incident.version, ...input }, viewer);
        expect(payload.__typename).toBe('IncidentSuccess');
        incident = payload.incident;
        return incident;
      };
      await step('acceptIncident', { note: '受理' });
      await step('assignIncident', { workerId: f.workers.W2.gid });
      expect(incident).toMatchObject({ status: 'ASSIGNED', assignee: { name: f.workers.W2.name } });
      await step('recordProgress', { note: '已到现场', location: at(0.5, 0.5), photos: [{ url: 'https://img.example.cn/a.jpg', contentType: 'image/jpeg', bytes: 120000 }] }, f.workers.W2.viewer);
      await step('resolveIncident', { note: '杂物已清理' }, f.workers.W2.viewer);
      await step('verifyIncident', { satisfaction: 'SATISFIED', note: '电话回访' });
      await step('closeIncident', {});
      expect(incident.status).toBe('CLOSED');
      expect(incident.allowedActions).toEqual([]);
      expect(incident.timeline.map((e: any) => `${e.action}:${e.toStatus}:${e.actorRole}`)).toEqual([
        'REPORT:REPORTED:DISPATCHER', 'ACCEPT:ACCEPTED:DISPATCHER', 'ASSIGN:ASSIGNED:DISPATCHER', 'RECORD_PROGRESS:IN_PROGRESS:GRID_WORKER',
        'RESOLVE:RESOLVED:GRID_WORKER', 'VERIFY:VERIFIED:DISPATCHER', 'CLOSE:CLOSED:DISPATCHER',
      ]);
      const details = ok(await execute(db, `{ incident(id: "${incident.id}") { satisfaction photos { url seq } acceptedAt assignedAt firstProgressAt resolvedAt closedAt
        timeline { location { lng lat } } sla { status dueAt } } }`, {}, { viewer: c1 })).incident;
      expect(details).toMatchObject({ satisfaction: 'SATISFIED', photos: [{ url: 'https://img.example.cn/a.jpg', seq: 4 }], sla: { status: 'GREEN', dueAt: null } });
      for (const k of ['acceptedAt', 'assignedAt', 'firstProgressAt', 'resolvedAt', 'closedAt']) expect(details[k]).not.toBeNull();
      expect(details.timeline[3].location.lng).toBeCloseTo(at(0.5, 0.5).lng, 9);
    });
  });

  it('refuses an illegal step naming the allowed ones, a stale version naming who changed it, and steps that are not the caller\'s', async () => {
    await withFixture(async (db, f) => {
      const incident = (await report(db, f.workers.W1.viewer, 0.5, 0.5)).incident;
      const base = { id: incident.id, expectedVersion: incident.version };
      const illegal = await incidentMutation(db, 'closeIncident', base, f.dispatcher('C1'));
      expect(illegal).toMatchObject({ __typename: 'ValidationError', problems: [{ code: 'ILLEGAL_TRANSITION', field: 'input.id' }] });
      expect(illegal.problems[0].message).toMatch(/^closeIncident cannot be applied to an incident that is ASSIGNED; from ASSIGNED the allowed steps are assignIncident, recordProgress, resolveIncident, escalateIncident/);
      await incidentMutation(db, 'recordProgress', { ...base, note: '处理中' }, f.workers.W1.viewer);
      const stale = await incidentMutation(db, 'recordProgress', { ...base, note: '又一次' }, f.workers.W1.viewer);
      expect(stale).toMatchObject({ __typename: 'VersionConflict', currentVersion: incident.version + 1, changedBy: f.workers.W1.account });
      // Another worker of the same grid is not the assignee; a dispatcher elsewhere is outside the jurisdiction.
      await expect(incidentMutation(db, 'resolveIncident', { id: incident.id, expectedVersion: incident.version + 1, note: '办结' }, f.workers.W2.viewer)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(incidentMutation(db, 'assignIncident', { id: incident.id, expectedVersion: incident.version + 1, workerId: f.workers.W2.gid }, f.dispatcher('C2'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(incidentMutation(db, 'acceptIncident', { id: toGlobalId('Incident', '00000000-0000-7000-8000-000000000000'), expectedVersion: 1 }, ADMIN)).resolves.toMatchObject({ __typename: 'NotFoundError' });
      await expect(incidentMutation(db, 'reportIncident', { category: 'OTHER', title: 'x', channel: 'WALK_IN', location: at(0.5, 0.5) }, ANONYMOUS)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });
  });

  it('reassigns only to active workers within the dispatcher\'s jurisdiction', async () => {
    await withFixture(async (db, f) => {
      const incident = (await report(db, f.workers.W1.viewer, 0.5, 0.5)).incident;
      const assign = (workerId: string, viewer = f.dispatcher('C1')) => incidentMutation(db, 'assignIncident', { id: incident.id, expectedVersion: incident.version, workerId }, viewer);
      expect((await assign(f.workers.W5.gid)).problems[0].message).toMatch(/works outside your jurisdiction/);
      expect((await assign(f.workers.W4.gid, f.dispatcher('D'))).problems[0].message).toMatch(/is ON_LEAVE/);
      expect((await assign(f.workers.W1.gid)).problems[0].message).toMatch(/already assigned to/);
      const moved = await assign(f.workers.W3.gid);
      expect(moved.incident).toMatchObject({ status: 'ASSIGNED', assignee: { name: f.workers.W3.name } });
      const rows = await outbox(db, incident.id);
      // The new assignee and the one it was taken from both hear of it.
      expect(rows[rows.length - 1].worker_ids.sort()).toEqual([f.workers.W1.id, f.workers.W3.id].sort());
    });
  });

  it('escalates grid → community → street → district, each level reassigning, and no further', async () => {
    await withFixture(async (db, f) => {
      let incident = (await report(db, f.workers.W1.viewer, 0.5, 0.5)).incident;
      const escalate = async (viewer: any) => {
        const p = await incidentMutation(db, 'escalateIncident', { id: incident.id, expectedVersion: incident.version, reason: '无法协调' }, viewer);
        if (p.incident) incident = p.incident;
        return p;
      };
      await escalate(f.workers.W1.viewer); // 吹哨 by the assignee
      expect(incident).toMatchObject({ status: 'ESCALATED', level: 'COMMUNITY', centre: { code: f.grids.C1.code }, assignee: null, escalationCount: 1 });
      await escalate(f.dispatcher('C1'));
      expect(incident).toMatchObject({ level: 'STREET', centre: { code: f.grids.S1.code } });
      // The community no longer owns it; the street assigns it.
      await expect(incidentMutation(db, 'assignIncident', { id: incident.id, expectedVersion: incident.version, workerId: f.workers.W1.gid }, f.dispatcher('C1'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const assigned = await incidentMutation(db, 'assignIncident', { id: incident.id, expectedVersion: incident.version, workerId: f.workers.W3.gid }, f.dispatcher('S1'));
      incident = assigned.incident;
      expect(incident).toMatchObject({ status: 'ASSIGNED', level: 'STREET', assignee: { name: f.workers.W3.name } });
      await escalate(f.workers.W3.viewer);
      expect(incident).toMatchObject({ level: 'DISTRICT', centre: { code: f.grids.D.code }, escalationCount: 3 });
      const top = await escalate(f.dispatcher('D'));
      expect(top).toMatchObject({ __typename: 'ValidationError', problems: [{ code: 'ILLEGAL_TRANSITION', message: expect.stringMatching(/already with the district centre.*transferIncident/) }] });
      expect(incident.timeline.filter((e: any) => e.action === 'ESCALATE').map((e: any) => [e.level, e.reason])).toEqual([
        ['COMMUNITY', '无法协调'], ['STREET', '无法协调'], ['DISTRICT', '无法协调'],
      ]);
    });
  });

  it('transfers to an organisation, suspends and resumes where it was, reopens an unsatisfied case, merges a duplicate', async () => {
    await withFixture(async (db, f) => {
      const c1 = f.dispatcher('C1');
      let incident = (await report(db, f.workers.W1.viewer, 0.5, 0.5)).incident;
      const step = async (mutation: string, input: object, viewer: any = c1) => {
        const p = await incidentMutation(db, mutation, { id: incident.id, expectedVersion: incident.version, ...input }, viewer);
        expect(p.__typename).toBe('IncidentSuccess');
        incident = p.incident;
      };
      await step('suspendIncident', { reason: '等待当事人返回' });
      expect(incident).toMatchObject({ status: 'SUSPENDED', allowedActions: ['RESUME', 'MERGE', 'RECATEGORIZE'], sla: { paused: true } });
      await step('resumeIncident', {});
      expect(incident).toMatchObject({ status: 'ASSIGNED', sla: { paused: false } });
      await step('transferIncident', { organizationId: toGlobalId('Organization', f.organizationId) });
      expect(incident).toMatchObject({ status: 'TRANSFERRED', transferredTo: { name: '事件测试街道城管科' }, assignee: null });
      await step('resolveIncident', { note: '城管已处理' });
      await step('verifyIncident', { satisfaction: 'UNSATISFIED' });
      await step('reopenIncident', { reason: '居民反映仍有杂物' });
      expect(incident.status).toBe('REOPENED');
      await step('assignIncident', { workerId: f.workers.W1.gid });
      const duplicate = (await report(db, f.workers.W2.viewer, 0.5, 0.5)).incident;
      const merged = await incidentMutation(db, 'mergeIncident', { id: duplicate.id, expectedVersion: duplicate.version, intoId: incident.id }, c1, 'status assignee { name } timeline { action } ... on Incident { mergedInto: id }');
      expect(merged.incident).toMatchObject({ status: 'MERGED', assignee: null });
      const into = await incidentMutation(db, 'mergeIncident', { id: incident.id, expectedVersion: incident.version, intoId: duplicate.id }, c1);
      expect(into.problems[0].message).toMatch(/is MERGED; merge into an open incident/);
    });
  });

  it('records a dispute\'s mediation: sessions, then an agreement or a referral, and refuses it for other categories', async () => {
    await withFixture(async (db, f) => {
      const worker = f.workers.W1.viewer;
      let incident = (await report(db, worker, 0.5, 0.5, { category: 'DISPUTE_NEIGHBOR', title: '邻里漏水纠纷', parties: [{ role: 'APPLICANT', name: '王五', phone: '13803118888' }, { role: 'RESPONDENT', organizationId: toGlobalId('Organization', f.organizationId) }] })).incident;
      const session = await incidentMutation(db, 'recordMediationSession', { id: incident.id, expectedVersion: incident.version, mediator: '赵调解员', heldAt: new Date(Date.now() - 3_600_000).toISOString(), place: '社区调解室', attendees: ['王五', '钱六'] }, worker);
      expect(session.__typename).toBe('IncidentSuccess');
      incident = session.incident;
      const outcome = await incidentMutation(db, 'recordMediationOutcome', { id: incident.id, expectedVersion: incident.version, outcome: 'FAILED', agreementTerms: '赔偿500元' }, worker);
      expect(outcome.problems.map((p: any) => p.field).sort()).toEqual(['input.agreementTerms', 'input.referral']);
      const referred = await incidentMutation(db, 'recordMediationOutcome', { id: incident.id, expectedVersion: incident.version, outcome: 'FAILED', referral: 'LITIGATION' }, worker);
      expect(referred.__typename).toBe('IncidentSuccess');
      const read = ok(await execute(db, `{ incident(id: "${incident.id}") { status parties { role name phone organization { name } }
          mediation { mediator outcome referral agreementTerms sessions { mediator place attendees } } timeline { action } } }`, {}, { viewer: worker })).incident;
      expect(read).toMatchObject({
        status: 'ASSIGNED',
        parties: [{ role: 'APPLICANT', name: '王五', phone: '138****8888', organization: null }, { role: 'RESPONDENT', name: null, organization: { name: '事件测试街道城管科' } }],
        mediation: { mediator: '赵调解员', outcome: 'FAILED', referral: 'LITIGATION', agreementTerms: null, sessions: [{ place: '社区调解室', attendees: ['王五', '钱六'] }] },
      });
      expect(read.timeline.map((e: any) => e.action).slice(-2)).toEqual(['MEDIATION_SESSION', 'MEDIATION_OUTCOME']);
      const hazard = (await report(db, worker, 0.5, 0.5)).incident;
      const refused = await incidentMutation(db, 'recordMediationSession', { id: hazard.id, expectedVersion: hazard.version, mediator: '赵', heldAt: new Date().toISOString(), place: '社区', attendees: [] }, worker);
      expect(refused.problems[0].message).toMatch(/not a dispute/);
    });
  });
});

describe('duplicates', () => {
  it('lists open incidents of the same category within 250 m, nearest first', async () => {
    await withFixture(async (db, f) => {
      const viewer = f.dispatcher('D');
      const metres = (m: number) => m / 111_320 / Math.cos((32 * Math.PI) / 180) / 0.01; // east, in fixture units
      const first = (await report(db, viewer, 0.5, 0.5, { category: 'FIRE_SAFETY', title: '消防通道堵塞' })).incident;
      const near = await report(db, viewer, 0.5 + metres(100), 0.5, { category: 'FIRE_SAFETY', title: '消防通道又堵' });
      expect(near.possibleDuplicates.map((d: any) => d.id)).toEqual([first.id]);
      const far = await report(db, viewer, 0.5 + metres(260), 0.5, { category: 'FIRE_SAFETY', title: '远处' });
      expect(far.possibleDuplicates.map((d: any) => d.id)).toEqual([near.incident.id]);
      const other = await report(db, viewer, 0.5, 0.5, { category: 'LIVELIHOOD', title: '路灯不亮' });
      expect(other.possibleDuplicates).toEqual([]);
      // Merged and closed incidents are no duplicates.
      await incidentMutation(db, 'mergeIncident', { id: near.incident.id, expectedVersion: near.incident.version, intoId: first.id }, viewer);
      const again = await report(db, viewer, 0.5 - metres(50), 0.5, { category: 'FIRE_SAFETY', title: '再次上报' });
      expect(again.possibleDuplicates.map((d: any) => d.id)).toEqual([first.id]);
      const read = ok(await execute(db, `{ incident(id: "${again.incident.id}") { possibleDuplicates { id } } }`, {}, { viewer })).incident;
      expect(read.possibleDuplicates.map((d: any) => d.id)).toEqual([first.id]);
    });
  });
});

describe('reading', () => {
  it('shows incidents to staff of their grids and to their assignee, and lists them by filter', async () => {
    await withFixture(async (db, f) => {
      const mine = (await report(db, f.workers.W1.viewer, 0.5, 0.5)).incident;
      const queued = (await report(db, f.workers.W1.viewer, 1.5, 0.5, { channel: 'VIDEO_PATROL' })).incident;
      const read = (id: string, viewer: any) => execute(db, `{ incident(id: "${id}") { id } }`, {}, { viewer });
      expect(ok(await read(mine.id, f.dispatcher('S1'))).incident.id).toBe(mine.id);
      expect((await read(mine.id, f.dispatcher('C2'))).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await read(mine.id, user('VIEWER'))).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await read(mine.id, ANONYMOUS)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      // The street assigns the queued one (in C2) to W1, who works on G1: W1 reads it although it lies outside G1.
      const accepted = await incidentMutation(db, 'acceptIncident', { id: queued.id, expectedVersion: queued.version }, f.dispatcher('S1'));
      await incidentMutation(db, 'assignIncident', { id: queued.id, expectedVersion: accepted.incident.version, workerId: f.workers.W1.gid }, f.dispatcher('S1'));
      expect(ok(await read(queued.id, f.workers.W1.viewer)).incident.id).toBe(queued.id);
      const list = async (filter: object, viewer: any) =>
        ok(await execute(db, `query($filter: IncidentFilter) { incidents(filter: $filter, first: 10) { totalCount nodes { id } } }`, { filter }, { viewer })).incidents;
      const mineList = await list({ assignedToMe: true }, f.workers.W1.viewer);
      expect(mineList.nodes.map((n: any) => n.id)).toEqual([queued.id, mine.id]);
      expect((await list({ gridId: toGlobalId('Grid', f.grids.C2.id) }, f.dispatcher('S1'))).nodes.map((n: any) => n.id)).toEqual([queued.id]);
      expect((await list({ status: ['ASSIGNED'], channel: ['VIDEO_PATROL'] }, f.dispatcher('D'))).nodes.map((n: any) => n.id)).toEqual([queued.id]);
      expect((await list({ slaStatus: ['ORANGE', 'RED'], gridId: toGlobalId('Grid', f.grids.D.id) }, f.dispatcher('D'))).totalCount).toBe(0);
      expect((await list({ slaStatus: ['GREEN'], gridId: toGlobalId('Grid', f.grids.D.id) }, f.dispatcher('D'))).totalCount).toBe(2);
      // A C2 dispatcher sees the incident in C2 but not the one in C1.
      expect((await list({}, f.dispatcher('C2'))).nodes.map((n: any) => n.id)).toEqual([queued.id]);
      const page = ok(await execute(db, `{ grid(code: "${f.grids.D.code}") { incidents(first: 1) { pageInfo { hasNextPage endCursor } nodes { id } } } }`, {}, { viewer: f.dispatcher('D') })).grid.incidents;
      expect(page).toMatchObject({ pageInfo: { hasNextPage: true }, nodes: [{ id: queued.id }] });
      const next = ok(await execute(db, `{ grid(code: "${f.grids.D.code}") { incidents(first: 1, after: "${page.pageInfo.endCursor}") { nodes { id } } } }`, {}, { viewer: f.dispatcher('D') }));
      expect(next.grid.incidents.nodes).toEqual([{ id: mine.id }]);
    });
  });

  it('answers the 13710 colour at any instant through the API, with the deadlines of a new category', async () => {
    await withFixture(async (db, f) => {
      const admin = ADMIN;
      const category = await execute(db, `mutation { setIncidentCategory(input: { code: "SAFETY_HAZARD_GAS", name: "燃气安全隐患", parentCode: "SAFETY_HAZARD", assignWithinHours: 1, firstProgressWithinHours: 2, resolveWithinDays: 3 }) {
          __typename ... on IncidentCategorySuccess { category { code parent { code } assignWithinHours resolveWithinDays } } } }`, {}, { viewer: admin });
      expect(ok(category).setIncidentCategory.category).toEqual({ code: 'SAFETY_HAZARD_GAS', parent: { code: 'SAFETY_HAZARD' }, assignWithinHours: 1, resolveWithinDays: 3 });
      const scoped = await execute(db, `mutation { setIncidentCategory(input: { code: "X_Y", name: "某类" }) { __typename } }`, {}, { viewer: user('ADMIN', f.grids.D.code) });
      expect(scoped.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const incident = (await report(db, f.dispatcher('C1'), 0.5, 0.5, { channel: 'HOTLINE_12345' })).incident;
      const reportedAt = Date.parse(ok(await execute(db, `{ incident(id: "${incident.id}") { reportedAt } }`, {}, { viewer: admin })).incident.reportedAt);
      const sla = async (hours: number) =>
        ok(await execute(db, `query($at: DateTime) { incident(id: "${incident.id}") { sla(at: $at) { status dueAt breachedAt reasons { code label } deadlines { kind dueAt } } } }`,
          { at: new Date(reportedAt + hours * 3_600_000).toISOString() }, { viewer: admin })).incident.sla;
      expect(await sla(2)).toMatchObject({ status: 'GREEN', dueAt: new Date(reportedAt + 24 * 3_600_000).toISOString() });
      expect(await sla(25)).toMatchObject({ status: 'ORANGE', reasons: [{ code: 'ASSIGNMENT_LATE', label: '未按时分配' }] });
      const moved = await incidentMutation(db, 'recategorizeIncident', { id: incident.id, expectedVersion: incident.version, category: 'SAFETY_HAZARD_GAS' }, f.dispatcher('C1'));
      expect(moved.incident.category.code).toBe('SAFETY_HAZARD_GAS');
      expect(await sla(2)).toMatchObject({ status: 'ORANGE', breachedAt: new Date(reportedAt + 3_600_000).toISOString() });
      expect(await sla(73)).toMatchObject({ status: 'RED' });
      const categories = ok(await execute(db, '{ incidentCategories { code name isDispute } }')).incidentCategories;
      expect(categories.filter((c: any) => c.code.startsWith('DISPUTE_')).slice(0, 2)).toEqual([{ code: 'DISPUTE_FAMILY', name: '婚姻家庭', isDispute: true }, { code: 'DISPUTE_NEIGHBOR', name: '邻里', isDispute: true }]);
      expect(categories.map((c: any) => c.code)).toEqual(expect.arrayContaining(['FIRE_SAFETY', 'PUBLIC_SECURITY', 'SAFETY_HAZARD', 'LIVELIHOOD', 'OTHER', 'SAFETY_HAZARD_GAS']));
    });
  });

  it('keeps the timeline immutable in the database', async () => {
    await withFixture(async (db, f) => {
      await report(db, f.workers.W1.viewer, 0.5, 0.5);
      await db.raw('SAVEPOINT before_update');
      await expect(db.raw(`UPDATE incident_event SET note = 'rewritten' WHERE actor = 'SYSTEM'`)).rejects.toThrow(/append-only/);
      await db.raw('ROLLBACK TO SAVEPOINT before_update');
      await expect(db.raw(`DELETE FROM incident_event WHERE actor = 'SYSTEM'`)).rejects.toThrow(/append-only/);
      await db.raw('ROLLBACK TO SAVEPOINT before_update');
    });
  });
});

describe('boundary edits', () => {
  it('re-resolve the responsible grid and centre of open incidents only; the reported grid stays', async () => {
    await withFixture(async (db, f) => {
      const open = (await report(db, f.dispatcher('D'), 0.9, 0.5, { channel: 'WALK_IN' })).incident;
      const closedOne = (await report(db, f.dispatcher('D'), 0.9, 0.6, { channel: 'WALK_IN' })).incident;
      await incidentMutation(db, 'rejectIncident', { id: closedOne.id, expectedVersion: closedOne.version, reason: '重复来访' }, f.dispatcher('D'));
      // C1 and G1 give up the strip x ∈ [0.8, 1] to C2 (G1 first: a child must lie inside its parent).
      const strip = (x0: number, x1: number, y0: number, y1: number) => ({ type: 'Polygon', coordinates: [[at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1), at(x0, y0)].map((p) => [p.lng, p.lat])] });
      const edit = async (key: 'G1' | 'G2' | 'C1' | 'C2', boundary: object) => {
        const r = ok(await execute(db, `mutation($input: UpdateGridBoundaryInput!) { updateGridBoundary(input: $input) { __typename ... on UpdateGridBoundarySuccess { movedByKind { kind count } } ... on ValidationError { problems { message } } } }`,
          { input: { id: toGlobalId('Grid', f.grids[key].id), boundary, expectedVersion: 1, reason: '调整' } }, { viewer: ADMIN }));
        expect(r.updateGridBoundary.__typename).toBe('UpdateGridBoundarySuccess');
        return r.updateGridBoundary.movedByKind;
      };
      await edit('G1', strip(0, 0.8, 0, 1));
      await edit('G2', strip(0, 0.8, 1, 2));
      await edit('C1', strip(0, 0.8, 0, 2));
      const moved = await edit('C2', strip(0.8, 2, 0, 2));
      expect(moved).toEqual(expect.arrayContaining([{ kind: 'Incident', count: 1 }]));
      const read = async (id: string) => ok(await execute(db, `{ incident(id: "${id}") { grid { code } reportedGrid { code } centre { code } } }`, {}, { viewer: ADMIN })).incident;
      expect(await read(open.id)).toEqual({ grid: { code: f.grids.C2.code }, reportedGrid: { code: f.grids.G1.code }, centre: { code: f.grids.C2.code } });
      expect(await read(closedOne.id)).toEqual({ grid: { code: f.grids.G1.code }, reportedGrid: { code: f.grids.G1.code }, centre: { code: f.grids.C1.code } });
    });
  });
});
