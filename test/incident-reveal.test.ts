import type { Knex } from 'knex';
import { toGlobalId } from '../src/graphql/relay';
import { createIncidentFixture, report, type IncidentFixture } from './fixtures/incident';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok, user } from './support/graphql';
import type { Viewer } from '../src/modules/auth/viewer';

/**
 * revealIncidentContacts: a resident reporter's and named parties' sealed phones open with a reason, for staff
 * within the incident's jurisdiction and its assignee, with exactly one audit row written in the same transaction;
 * everywhere else they stay masked. Each test runs in a transaction that is rolled back.
 */
afterAll(closeTestDb);

const REVEAL = `mutation($input: RevealIncidentContactsInput!) { revealIncidentContacts(input: $input) {
  __typename
  ... on RevealedIncidentContacts { incident { id reporter { phone } parties { phone } } reporterPhone parties { phone party { name role } }
    audit { action subjectType subjectId fields reason actor } }
  ... on ValidationError { problems { field message } }
  ... on NotFoundError { id } } }`;

const reveal = (db: Knex, viewer: Viewer, id: string, reason = '回访核实当事人联系方式') => execute(db, REVEAL, { input: { id, reason } }, { viewer });
const auditRows = async (db: Knex, incidentGid: string) =>
  (await db.raw(`SELECT actor, role, action, subject_type, fields, reason FROM audit_log WHERE subject_id = ?`, [Buffer.from(incidentGid, 'base64url').toString().split(':')[1]])).rows;

async function hotlineCall(db: Knex, f: IncidentFixture): Promise<string> {
  const payload = await report(db, f.dispatcher('C1'), 0.5, 0.5, {
    channel: 'HOTLINE_12345',
    reporter: { name: '张三', phone: '13903118765' },
    parties: [
      { role: 'APPLICANT', name: '李四', phone: '13800138000' },
      { role: 'RESPONDENT', name: '王五' },
    ],
  });
  expect(payload.__typename).toBe('ReportIncidentSuccess');
  return payload.incident.id;
}

describe('revealIncidentContacts', () => {
  it('opens the reporter and party phones for a dispatcher of the centre, writing one audit row; masked elsewhere', async () => {
    await withRollback(async (db) => {
      const f = await createIncidentFixture(db);
      const id = await hotlineCall(db, f);
      const dispatcher = f.dispatcher('C1');
      const got = ok(await reveal(db, dispatcher, id)).revealIncidentContacts;
      expect(got).toMatchObject({
        __typename: 'RevealedIncidentContacts',
        reporterPhone: '13903118765',
        parties: [
          { phone: '13800138000', party: { name: '李四', role: 'APPLICANT' } },
          { phone: null, party: { name: '王五', role: 'RESPONDENT' } },
        ],
        // The incident itself still answers masked values.
        incident: { id, reporter: { phone: '139****8765' }, parties: [{ phone: '138****8000' }, { phone: null }] },
        audit: { action: 'REVEAL', subjectType: 'incident', subjectId: id, fields: ['PHONE'], reason: '回访核实当事人联系方式', actor: dispatcher.subject },
      });
      expect(await auditRows(db, id)).toEqual([{ actor: dispatcher.subject, role: 'DISPATCHER', action: 'REVEAL', subject_type: 'incident', fields: ['PHONE'], reason: '回访核实当事人联系方式' }]);
      // The audit log lists it under the incident's id, for an ADMIN of the district.
      const log = ok(await execute(db, `query($s: ID) { auditLog(filter: { subjectId: $s }) { nodes { subjectId action } } }`, { s: id }, { viewer: user('ADMIN', f.grids.D.code) }));
      expect(log.auditLog.nodes).toEqual([{ subjectId: id, action: 'REVEAL' }]);
    });
  });

  it('lets the assignee reveal, and refuses staff outside the incident\'s grids, viewers and anonymous callers', async () => {
    await withRollback(async (db) => {
      const f = await createIncidentFixture(db);
      const qr = await report(db, f.workers.W2.viewer, 0.5, 0.5, { channel: 'RESIDENT_QR', reporter: { name: '赵六', phone: '13912345678' } });
      const id = qr.incident.id;
      expect(qr.incident.assignee.name).toBe(f.workers.W1.name);
      // The assignee, even with a token scoped elsewhere.
      const assignee = { ...f.workers.W1.viewer, jurisdictionCode: f.grids.G4.code };
      expect(ok(await reveal(db, assignee, id)).revealIncidentContacts.reporterPhone).toBe('13912345678');
      for (const [viewer, code] of [
        [f.dispatcher('C2'), 'FORBIDDEN'],
        [f.workers.W5.viewer, 'FORBIDDEN'],
        [user('VIEWER', f.grids.D.code), 'FORBIDDEN'],
        [{ kind: 'anonymous' }, 'FORBIDDEN'],
      ] as [Viewer, string][]) {
        const refused = await reveal(db, viewer, id);
        expect(refused.errors?.[0].extensions?.code).toBe(code);
      }
      expect(await auditRows(db, id)).toHaveLength(1);
    });
  });

  it('wants a reason, finds unknown incidents, and writes nothing when there is nothing to reveal', async () => {
    await withRollback(async (db) => {
      const f = await createIncidentFixture(db);
      const id = await hotlineCall(db, f);
      const short = ok(await reveal(db, f.dispatcher('C1'), id, ' 看 ')).revealIncidentContacts;
      expect(short).toMatchObject({ __typename: 'ValidationError', problems: [{ field: 'input.reason' }] });
      const missing = ok(await reveal(db, f.dispatcher('C1'), toGlobalId('Incident', '00000000-0000-7000-8000-000000000000'))).revealIncidentContacts;
      expect(missing.__typename).toBe('NotFoundError');
      const staffReport = (await report(db, f.workers.W1.viewer, 0.5, 0.5)).incident.id;
      const nothing = ok(await reveal(db, f.dispatcher('C1'), staffReport)).revealIncidentContacts;
      expect(nothing).toMatchObject({ __typename: 'ValidationError', problems: [{ field: 'input.id', message: expect.stringMatching(/no sealed phone/) }] });
      expect(await auditRows(db, id)).toEqual([]);
      expect(await auditRows(db, staffReport)).toEqual([]);
    });
  });
});
