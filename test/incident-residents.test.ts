import type { Knex } from 'knex';
import { maskName, maskNamesIn } from '../src/modules/incident/masking';
import { createIncidentFixture, at, incidentMutation, type IncidentFixture } from './fixtures/incident';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok, testConfig } from './support/graphql';

/**
 * Residents' own reports (扫码 / 随手拍) without an account, and the public lookup by tracking code: what it shows
 * (status, public notes with names masked) and what it never shows (the reporter, phones, internal notes), the
 * checks a report goes through, and the per-client limits. Every GraphQL test runs in a transaction rolled back.
 */
afterAll(closeTestDb);

describe('maskName', () => {
  it.each([
    ['张三', '张*'],
    ['张三丰', '张*'],
    ['欧阳娜娜', '欧阳*'],
    ['司马光', '司马*'],
    ['欧阳', '欧*'],
    ['王', '*'],
    ['阿依古丽·买买提', '阿*'],
    ['John Smith', 'J* S*'],
    ['Mary-Jane O. Watson', 'M* J* O* W*'],
    ['  李四  ', '李*'],
    ['', ''],
  ])('%s → %s', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });

  it('masks the names an incident knows, longest first, and phone and ID numbers, in free text', () => {
    const text = '欧阳娜娜与欧阳的纠纷已由张三调解，John Smith 到场；电话13903118765，座机0311-86681234，身份证130105199001011234';
    expect(maskNamesIn(text, ['欧阳娜娜', '欧阳', '张三', 'John Smith', null, '王'])).toBe(
      '欧阳*与欧*的纠纷已由张*调解，J* S* 到场；电话139****8765，座机0311-****1234，身份证130105********1234',
    );
  });
});

const REPORT = `mutation($input: ResidentReportInput!) { reportIncidentAsResident(input: $input) { __typename
  ... on ResidentReportSuccess { trackingCode incident { trackingCode status open category { code name } title slaStatus expectedAt updates { action status summary note } } }
  ... on ValidationError { problems { field message } } } }`;
const TRACK = `query($code: String!) { incidentByTrackingCode(code: $code) { trackingCode status open title slaStatus expectedAt reportedAt updatedAt
  category { code } updates { at action status summary note } } }`;

async function withFixture(test: (db: Knex, f: IncidentFixture) => Promise<void>): Promise<void> {
  await withRollback(async (trx) => test(trx, await createIncidentFixture(trx)));
}

const residentInput = (extra: object = {}) => ({ category: 'SAFETY_HAZARD', title: '楼道堆放杂物，张三丰家门口', location: at(0.5, 0.5), name: '张三丰', phone: '13903118765', ...extra });

/** Public summaries are in the request's language: Chinese here (the suite's default is English). */
const zh = testConfig({ DEFAULT_LOCALE: 'zh-CN' });

describe('a resident reports and follows the report', () => {
  it('files an anonymous report, routes it, and shows its public notes only, with names masked', async () => {
    await withFixture(async (db, f) => {
      const filed = ok(await execute(db, REPORT, { input: residentInput() }, { config: zh })).reportIncidentAsResident;
      expect(filed.__typename).toBe('ResidentReportSuccess');
      expect(filed.trackingCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
      expect(filed.incident).toMatchObject({ status: 'ASSIGNED', open: true, category: { code: 'SAFETY_HAZARD' }, title: '楼道堆放杂物，张*家门口', slaStatus: 'GREEN' });
      expect(filed.incident.updates.map((u: any) => u.summary)).toEqual(['已登记', '已受理', `已分派给网格员 事*`]);

      // Staff see the reporter (name as given, phone masked; sealed at rest), channel RESIDENT_QR, actor RESIDENT.
      const { rows } = await db.raw('SELECT id, reporter_phone_sealed, reporter_phone_masked, reporter_name, channel FROM incident WHERE tracking_code = ?', [filed.trackingCode]);
      expect(rows[0]).toMatchObject({ reporter_phone_masked: '139****8765', reporter_name: '张三丰', channel: 'RESIDENT_QR' });
      expect(rows[0].reporter_phone_sealed.toString('latin1')).not.toContain('13903118765');
      const gid = Buffer.from(`Incident:${rows[0].id}`).toString('base64url');
      const dispatcher = f.dispatcher('C1');
      const staff = ok(await execute(db, `{ incident(id: "${gid}") { version channel reporter { subject role name phone } timeline { actor } } }`, {}, { viewer: dispatcher })).incident;
      expect(staff).toMatchObject({ channel: 'RESIDENT_QR', reporter: { subject: null, role: 'RESIDENT', name: '张三丰', phone: '139****8765' } });
      expect(staff.timeline[0].actor).toBe('RESIDENT');
      // The anonymous caller reads nothing of it but the public view.
      expect((await execute(db, `{ incident(id: "${gid}") { id } }`)).errors?.[0].extensions?.code).toBe('FORBIDDEN');

      // Internal notes stay internal; the resolution's note is public, with the names the incident knows masked.
      await incidentMutation(db, 'recordProgress', { id: gid, expectedVersion: staff.version, note: '内部：张三丰 13903118765 情绪激动，注意' }, f.workers.W1.viewer);
      await incidentMutation(db, 'resolveIncident', { id: gid, expectedVersion: staff.version + 1, note: '杂物已清理。感谢张三丰反映，网格员事件测试W1已回电13903118765' }, f.workers.W1.viewer);
      await incidentMutation(db, 'verifyIncident', { id: gid, expectedVersion: staff.version + 2, satisfaction: 'SATISFIED', note: '内部回访记录：张三丰满意' }, dispatcher);
      await incidentMutation(db, 'closeIncident', { id: gid, expectedVersion: staff.version + 3 }, dispatcher);

      const seen = await execute(db, TRACK, { code: filed.trackingCode.toLowerCase() }, { config: zh });
      const tracked = ok(seen).incidentByTrackingCode;
      expect(tracked).toMatchObject({ trackingCode: filed.trackingCode, status: 'CLOSED', open: false, expectedAt: null });
      expect(tracked.updates.map((u: any) => [u.action, u.status, u.summary, u.note])).toEqual([
        ['REPORT', 'REPORTED', '已登记', null],
        ['ACCEPT', 'ACCEPTED', '已受理', null],
        ['ASSIGN', 'ASSIGNED', '已分派给网格员 事*', null],
        ['RECORD_PROGRESS', 'IN_PROGRESS', '正在办理', null],
        ['RESOLVE', 'RESOLVED', '已办结', '杂物已清理。感谢张*反映，网格员事*已回电139****8765'],
        ['VERIFY', 'VERIFIED', '已回访', null],
        ['CLOSE', 'CLOSED', '已归档', null],
      ]);
      const text = JSON.stringify(seen);
      for (const secret of ['张三丰', '13903118765', f.workers.W1.name, '内部', '情绪激动', 'RESIDENT']) expect(text).not.toContain(secret);
    });
  });

  it('answers null for an unknown or malformed code, as for any code it does not have', async () => {
    await withFixture(async (db) => {
      for (const code of ['0000000000ZZ', 'not-a-code', '', 'x'.repeat(5000)]) {
        const result = await execute(db, TRACK, { code });
        expect(result.errors).toBeUndefined();
        expect(result.data?.incidentByTrackingCode).toBeNull();
      }
    });
  });

  it('checks a resident report like any other, and writes nothing when refused', async () => {
    await withFixture(async (db) => {
      const title = `拒绝测试 ${Date.now()}`;
      const refused = async (extra: object) => {
        const payload = ok(await execute(db, REPORT, { input: residentInput({ title, ...extra }) })).reportIncidentAsResident;
        expect(payload.__typename).toBe('ValidationError');
        return payload.problems.map((p: any) => p.field).sort();
      };
      expect(await refused({ phone: '12345', name: '   ' })).toEqual(['input.reporter.name', 'input.reporter.phone']);
      expect(await refused({ category: 'NO_SUCH_THING' })).toEqual(['input.category']);
      expect(await refused({ location: null })).toEqual(['input.location']);
      expect(await refused({ location: at(50, 50) })).toEqual(['input.location']);
      expect(await refused({ title: 'x'.repeat(101), description: 'y'.repeat(4001) })).toEqual(['input.description', 'input.title']);
      expect(await refused({ photos: [{ uploadId: '6f1c0000-0000-4000-8000-000000000000' }] })).toContain('input.photos');
      const { rows } = await db.raw('SELECT count(*)::int AS n FROM incident WHERE title = ?', [title]);
      expect(rows[0].n).toBe(0);
    });
  });

  it('takes an anonymous report without a name or phone, and refuses one on the staff mutation', async () => {
    await withFixture(async (db) => {
      const filed = ok(await execute(db, REPORT, { input: residentInput({ name: null, phone: null }) })).reportIncidentAsResident;
      expect(filed.__typename).toBe('ResidentReportSuccess');
      const staff = await execute(db, `mutation { reportIncident(input: { category: "OTHER", title: "t", channel: RESIDENT_QR, location: { lng: 119.005, lat: 32.005 } }) { __typename } }`);
      expect(staff.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    });
  });
});

describe('per-client limits', () => {
  it('refuses a client past RESIDENT_REPORTS_PER_HOUR, counting refused reports too', async () => {
    await withFixture(async (db) => {
      const config = testConfig({ RESIDENT_REPORTS_PER_HOUR: '2' });
      const first = ok(await execute(db, REPORT, { input: residentInput() }, { config })).reportIncidentAsResident;
      expect(first.__typename).toBe('ResidentReportSuccess');
      const second = ok(await execute(db, REPORT, { input: residentInput({ category: 'NOPE' }) }, { config })).reportIncidentAsResident;
      expect(second.__typename).toBe('ValidationError');
      const third = await execute(db, REPORT, { input: residentInput() }, { config });
      expect(third.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
      expect(third.errors?.[0].message).toContain('RESIDENT_REPORTS_PER_HOUR');
    });
  });

  it('refuses a client past TRACKING_LOOKUPS_PER_MINUTE, found or not', async () => {
    await withFixture(async (db) => {
      const config = testConfig({ TRACKING_LOOKUPS_PER_MINUTE: '3' });
      for (let i = 0; i < 3; i++) expect((await execute(db, TRACK, { code: `00000000000${i}` }, { config })).errors).toBeUndefined();
      const refused = await execute(db, TRACK, { code: '000000000009' }, { config });
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
      expect(refused.errors?.[0].message).toContain('TRACKING_LOOKUPS_PER_MINUTE');
    });
  });
});
