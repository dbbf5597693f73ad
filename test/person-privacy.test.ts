import { randomInt, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { toGlobalId } from '../src/graphql/relay';
import type { Role } from '../src/generated/graphql';
import type { AuthenticatedViewer, Viewer } from '../src/modules/auth/viewer';
import { makeIdNumber } from '../src/modules/person/id-number';
import { idNumberIndex, cipherFor, SEALED } from '../src/modules/person/sealing';
import { insertHousehold, insertPerson } from '../src/modules/person/repo';
import { at } from './fixtures/grid';
import { createPlaceFixture, dbId, type PlaceFixture } from './fixtures/place';
import { closeTestDb, instantBetweenWrites, withRollback } from './support/db';
import { execute, ok, testConfig, user } from './support/graphql';

/**
 * Protection of the population registry: `revealPerson` (clear values, one audit row in the same transaction,
 * refused to anyone without the role or outside the jurisdiction), `erasePerson` (no personal value left in
 * any table, the statistics' fields kept), the append-only audit log (refused UPDATE, DELETE and TRUNCATE on
 * the application's own connection) and `auditLog` (ADMIN only, filters, keyset pages, scoped ADMINs).
 * People are inserted below the API (insertPerson), sealed as registerPerson seals them.
 */
afterAll(closeTestDb);

const config = testConfig();
const cipher = cipherFor(config);

/** A viewer with an account name of its own, so its audit rows are told apart from every other test's. */
function staff(role: Role, jurisdictionCode: string | null = null): AuthenticatedViewer {
  return { ...user(role, jurisdictionCode), subject: `privacy-${role.toLowerCase()}-${randomUUID().slice(0, 8)}` };
}

/** A random birth date and sequence, so no two tests (nor parallel test files) register the same ID number. */
function freshIdNumber(gender: 'MALE' | 'FEMALE'): { idNumber: string; birthDate: string } {
  const birthDate = `${1950 + randomInt(50)}-${String(1 + randomInt(12)).padStart(2, '0')}-${String(1 + randomInt(28)).padStart(2, '0')}`;
  return { idNumber: makeIdNumber('110101', birthDate, randomInt(1000), gender), birthDate };
}

interface Resident {
  id: string;
  globalId: string;
  name: string;
  idNumber: string;
  birthDate: string;
  phone: string;
  permit: string;
  address: string;
  details: string;
  note: string;
  tenantName: string;
  householdId: string;
}

/**
 * A floating resident of house 1-101 (grid GA1) with every personal value: ID number, phone, permit, a special
 * group tag with details, a visit with a note, two tenant registrations (one linked, one only by ID number),
 * a gate passage.
 */
async function resident(db: Knex, f: PlaceFixture, name = '张三丰'): Promise<Resident> {
  const { idNumber, birthDate } = freshIdNumber('MALE');
  const phone = `139${String(randomInt(1e8)).padStart(8, '0')}`;
  const permit = `JZZ${randomInt(1e9)}`;
  const address = '河北省保定市竞秀区朝阳南大街99号';
  const houseId = dbId(f.houses.h101.id);
  const householdId = await insertHousehold(db, `P${randomInt(1e9)}`, houseId, 'test');
  const id = await insertPerson(
    db,
    cipher,
    {
      name,
      gender: 'MALE',
      birthDate,
      birthYear: Number(birthDate.slice(0, 4)),
      ethnicity: '汉族',
      idNumber,
      phone,
      residenceType: 'FLOATING',
      registeredAddress: address,
      houseId,
      householdId,
      relationToHead: 'HEAD',
      movedInOn: '2025-03-01',
      arrivedOn: '2025-03-01',
      arrivalReason: '务工',
      permitNumber: permit,
      permitExpiresOn: '2027-03-01',
    },
    'test',
  );
  const details = `2019年因盗窃罪判处有期徒刑三年-${name}`;
  const { rows: tags } = await db.raw(
    `INSERT INTO person_tag (person_id, tag, since, details_sealed, attention_level, visit_interval_days, next_visit_due)
     VALUES (?, 'RELEASED_PRISONER', '2024-01-01', ?, 'MEDIUM', 30, '2026-12-01') RETURNING id`,
    [id, cipher.seal(details, SEALED.tagDetails)],
  );
  await db.raw(`INSERT INTO person_tag (person_id, tag) VALUES (?, 'LOW_INCOME')`, [id]);
  const note = `走访${name}，电话${phone}，情况稳定`;
  await db.raw(`INSERT INTO visit (person_id, person_tag_id, visited_at, note_sealed) VALUES (?, ?, now(), ?)`, [id, tags[0].id, cipher.seal(note, SEALED.visitNote)]);
  const tenantName = `${name}`;
  const submission = cipher.seal(JSON.stringify({ name, idNumber, phone }), SEALED.tenantSubmission);
  const registration = [dbId(f.buildings.BA1.id), 1, '101', tenantName, 'MALE', Number(birthDate.slice(0, 4)), idNumberIndex(cipher, idNumber), '110101********0000', '139****0000', submission];
  await db.raw(
    `INSERT INTO tenant_registration (building_id, unit, room, name, gender, birth_year, id_number_index, id_number_masked, phone_masked, submission_sealed, status, person_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'CONFIRMED', ?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', NULL)`,
    [...registration, id, ...registration],
  );
  const point = db.raw('ST_SetSRID(ST_MakePoint(?, ?), 4326)', [at(0.5, 0.5).lng, at(0.5, 0.5).lat]);
  const [gate] = await db('facility').insert({ kind: 'GATE', name: '1号楼门禁', location: point }).returning('id');
  await db('gate_passage').insert({ gate_id: gate.id, person_id: id, at: new Date(), allowed: true });
  return { id, globalId: toGlobalId('Person', id), name, idNumber, birthDate, phone, permit, address, details, note, tenantName, householdId };
}

const REVEAL = /* GraphQL */ `mutation($input: RevealPersonInput!) { revealPerson(input: $input) {
  __typename
  ... on RevealedPerson { person { id name idNumber phone } idNumber phone birthDate permitNumber groupDetails { tag details }
    audit { id at actor role action subjectType subjectId fields reason requestId detail } }
  ... on ValidationError { message problems { code field message } }
  ... on NotFoundError { message id }
} }`;

const ERASE = /* GraphQL */ `mutation($input: ErasePersonInput!) { erasePerson(input: $input) {
  __typename
  ... on PersonSuccess { person { id name erased idNumber version } }
  ... on ValidationError { message problems { code field message } }
  ... on NotFoundError { message id }
} }`;

const AUDIT_LOG = /* GraphQL */ `query($filter: AuditFilter, $first: Int, $after: String) { auditLog(filter: $filter, first: $first, after: $after) {
  nodes { id at actor role action subjectType subjectId fields reason detail }
  edges { cursor }
  pageInfo { hasNextPage endCursor }
} }`;

const reveal = (db: Knex, input: object, viewer: Viewer) => execute(db, REVEAL, { input }, { viewer, config });
const erase = (db: Knex, input: object, viewer: Viewer) => execute(db, ERASE, { input }, { viewer, config });
const auditLog = (db: Knex, viewer: Viewer, variables: Record<string, unknown> = {}) => execute(db, AUDIT_LOG, variables, { viewer, config });
const auditCount = async (db: Knex): Promise<number> => Number((await db.raw('SELECT count(*) AS n FROM audit_log')).rows[0].n);
const codes = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.map((e) => e.extensions?.code);

/** Every value of the rows as text (bytea as its bytes read as UTF-8, and as hex), for searching. */
function texts(rows: Record<string, unknown>[]): string[] {
  return rows.flatMap((row) =>
    Object.entries(row).flatMap(([column, value]) => {
      if (value === null || value === undefined) return [];
      if (Buffer.isBuffer(value)) return [`${column}=${value.toString('utf8')}`, `${column}=${value.toString('hex')}`, `${column}=${value.toString('latin1')}`];
      return [`${column}=${value instanceof Date ? value.toISOString() : String(value)}`];
    }),
  );
}

describe('revealPerson', () => {
  it('returns the clear values asked for, and writes exactly one audit row in the same transaction', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const p = await resident(trx, f);
      const admin = staff('ADMIN');
      const before = await auditCount(trx);
      const all = ok(await reveal(trx, { id: p.globalId, fields: ['ID_NUMBER', 'PHONE', 'BIRTH_DATE', 'PERMIT_NUMBER', 'GROUP_DETAILS'], reason: '  核实身份：办理居住证续签  ' }, admin)).revealPerson;
      expect(await auditCount(trx)).toBe(before + 1);
      expect(all).toMatchObject({
        __typename: 'RevealedPerson',
        person: { id: p.globalId, name: p.name, idNumber: `110101********${p.idNumber.slice(-4)}`, phone: `${p.phone.slice(0, 3)}****${p.phone.slice(-4)}` },
        idNumber: p.idNumber,
        phone: p.phone,
        birthDate: p.birthDate,
        permitNumber: p.permit,
        groupDetails: [
          { tag: 'RELEASED_PRISONER', details: p.details },
          { tag: 'LOW_INCOME', details: null },
        ],
        audit: {
          actor: admin.subject,
          role: 'ADMIN',
          action: 'REVEAL',
          subjectType: 'person',
          subjectId: p.globalId,
          fields: ['ID_NUMBER', 'PHONE', 'BIRTH_DATE', 'PERMIT_NUMBER', 'GROUP_DETAILS'],
          reason: '核实身份：办理居住证续签',
          requestId: 'test',
          detail: null,
        },
      });
      const { rows } = await trx.raw('SELECT id::text, actor, action, subject_id, fields FROM audit_log WHERE subject_id = ?', [p.id]);
      expect(rows).toEqual([{ id: all.audit.id, actor: admin.subject, action: 'REVEAL', subject_id: p.id, fields: ['ID_NUMBER', 'PHONE', 'BIRTH_DATE', 'PERMIT_NUMBER', 'GROUP_DETAILS'] }]);

      // Only what was asked comes back; a worker of the person's grid and a dispatcher of the district may reveal.
      const worker = staff('GRID_WORKER', f.grids.GA1.code);
      const one = ok(await reveal(trx, { id: p.globalId, fields: ['PHONE'], reason: '电话回访' }, worker)).revealPerson;
      expect(one).toMatchObject({ phone: p.phone, idNumber: null, birthDate: null, permitNumber: null, groupDetails: null, audit: { actor: worker.subject, role: 'GRID_WORKER', fields: ['PHONE'] } });
      const dispatcher = staff('DISPATCHER', f.districtCode);
      expect(ok(await reveal(trx, { id: p.globalId, fields: ['ID_NUMBER'], reason: '核实身份' }, dispatcher)).revealPerson.idNumber).toBe(p.idNumber);
      expect(await auditCount(trx)).toBe(before + 3);
    }));

  it('is FORBIDDEN to VIEWER, GIS_EDITOR, anonymous callers and anyone outside the jurisdiction, and writes nothing', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const p = await resident(trx, f);
      const before = await auditCount(trx);
      const input = { id: p.globalId, fields: ['ID_NUMBER'], reason: '核实身份' };
      const refused: [string, Viewer][] = [
        ['VIEWER', staff('VIEWER')],
        ['GIS_EDITOR', staff('GIS_EDITOR')],
        ['anonymous', { kind: 'anonymous' }],
        ['worker of GA3', staff('GRID_WORKER', f.grids.GA3.code)],
        ['dispatcher of street B', staff('DISPATCHER', f.grids.B.code)],
        ['ADMIN of street B', staff('ADMIN', f.grids.B.code)],
      ];
      for (const [who, viewer] of refused) {
        const r = await reveal(trx, input, viewer);
        expect([who, r.data?.revealPerson ?? null, codes(r)]).toEqual([who, null, ['FORBIDDEN']]);
        expect(JSON.stringify(r)).not.toContain(p.idNumber);
      }
      expect(await auditCount(trx)).toBe(before);
    }));

  it('refuses a short reason, no fields, a field twice, an erased person; an unknown id is NotFoundError; none writes a row', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const p = await resident(trx, f);
      const admin = staff('ADMIN');
      const before = await auditCount(trx);
      const bad = ok(await reveal(trx, { id: p.globalId, fields: [], reason: '  看 ' }, admin)).revealPerson;
      expect(bad.__typename).toBe('ValidationError');
      expect(bad.problems.map((x: any) => [x.field, x.message])).toEqual([
        ['input.reason', expect.stringMatching(/at least 4 characters; got 1/)],
        ['input.fields', expect.stringMatching(/name at least one value/)],
      ]);
      const twice = ok(await reveal(trx, { id: p.globalId, fields: ['PHONE', 'ID_NUMBER', 'PHONE'], reason: 'x'.repeat(501) }, admin)).revealPerson;
      expect(twice.problems.map((x: any) => [x.field, x.message])).toEqual([
        ['input.reason', expect.stringMatching(/at most 500 characters; got 501/)],
        ['input.fields', expect.stringMatching(/PHONE given more than once/)],
      ]);
      const missing = toGlobalId('Person', randomUUID());
      expect(ok(await reveal(trx, { id: missing, fields: ['PHONE'], reason: '核实身份' }, admin)).revealPerson).toMatchObject({ __typename: 'NotFoundError', id: missing });
      expect(codes(await reveal(trx, { id: toGlobalId('House', dbId(f.houses.h101.id)), fields: ['PHONE'], reason: '核实身份' }, admin))).toEqual(['BAD_USER_INPUT']);
      expect(await auditCount(trx)).toBe(before);
      expect(ok(await erase(trx, { id: p.globalId, reason: '本人申请删除' }, admin)).erasePerson.__typename).toBe('PersonSuccess');
      const afterErase = await auditCount(trx);
      const gone = ok(await reveal(trx, { id: p.globalId, fields: ['PHONE'], reason: '核实身份' }, admin)).revealPerson;
      expect(gone).toMatchObject({ __typename: 'ValidationError', problems: [{ field: 'input.id', message: expect.stringMatching(/erased.*nothing to reveal/) }] });
      expect(await auditCount(trx)).toBe(afterErase);
    }));
});

describe('personal values at rest', () => {
  it('the stored person row holds no clear ID number, phone or permit number (every column read directly); the sealed ones open', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const p = await resident(trx, f);
      const { rows } = await trx.raw('SELECT * FROM person WHERE id = ?', [p.id]);
      expect(rows).toHaveLength(1);
      const found = texts(rows);
      for (const secret of [p.idNumber, p.phone, p.permit, p.idNumber.slice(6, 14) + p.idNumber.slice(14, 17)]) {
        expect(found.filter((t) => t.includes(secret))).toEqual([]);
      }
      // And in no other table of the person: tags, visits, tenant registrations hold sealed values only.
      for (const table of ['person_tag', 'visit', 'tenant_registration']) {
        const other = (await trx.raw(`SELECT * FROM ${table} WHERE person_id = ?`, [p.id])).rows;
        expect(other.length).toBeGreaterThan(0);
        for (const secret of [p.idNumber, p.phone, p.details, p.note]) expect([table, texts(other).filter((t) => t.includes(secret))]).toEqual([table, []]);
      }
      const row = rows[0];
      expect(cipher.open(row.id_number_sealed, SEALED.idNumber)).toBe(p.idNumber);
      expect(cipher.open(row.phone_sealed, SEALED.phone)).toBe(p.phone);
      expect(cipher.open(row.permit_sealed, SEALED.permit)).toBe(p.permit);
      expect(row.id_number_index).toEqual(idNumberIndex(cipher, p.idNumber));
    }));
});

describe('the audit log is append-only', () => {
  it('refuses UPDATE, DELETE and TRUNCATE on the application’s own connection', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const p = await resident(trx, f);
      const audit = ok(await reveal(trx, { id: p.globalId, fields: ['PHONE'], reason: '电话回访' }, staff('ADMIN'))).revealPerson.audit;
      // Each statement in a savepoint of its own, so the refusal does not end the test's transaction.
      const attempt = (sql: string, bindings: Knex.RawBinding[] = []) => trx.transaction((sp) => sp.raw(sql, bindings));
      await expect(attempt(`UPDATE audit_log SET reason = 'nothing happened' WHERE id = ?`, [audit.id])).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/append-only: UPDATE/) });
      await expect(attempt(`UPDATE audit_log SET actor = 'someone else' WHERE subject_id = ?`, [p.id])).rejects.toMatchObject({ code: '42501' });
      await expect(attempt('DELETE FROM audit_log WHERE id = ?', [audit.id])).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/append-only: DELETE/) });
      await expect(attempt('TRUNCATE audit_log')).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/append-only: TRUNCATE/) });
      const { rows } = await trx.raw('SELECT reason, actor FROM audit_log WHERE id = ?', [audit.id]);
      expect(rows).toEqual([{ reason: '电话回访', actor: audit.actor }]);
    }));
});

describe('erasePerson', () => {
  it('leaves no personal value in person, person_tag, visit or tenant_registration, keeps what statistics count, and is audited', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const p = await resident(trx, f);
      const neighbour = await resident(trx, f, '李四');
      const admin = staff('ADMIN', f.grids.A.code);
      const before = (await trx.raw('SELECT gender, birth_year, residence_type, house_id, household_id, status, relation_to_head, version FROM person WHERE id = ?', [p.id])).rows[0];
      const beforeCount = await auditCount(trx);
      const erased = ok(await erase(trx, { id: p.globalId, reason: ' 本人依法申请删除 ' }, admin)).erasePerson;
      expect(erased).toEqual({ __typename: 'PersonSuccess', person: { id: p.globalId, name: null, erased: true, idNumber: null, version: before.version + 1 } });
      expect(await auditCount(trx)).toBe(beforeCount + 1);

      const secrets = [p.name, p.idNumber, p.phone, p.permit, p.address, p.details, p.note, p.birthDate, p.idNumber.slice(6, 17)];
      const person = (await trx.raw('SELECT * FROM person WHERE id = ?', [p.id])).rows;
      const tables: [string, Record<string, unknown>[]][] = [['person', person]];
      for (const table of ['person_tag', 'visit', 'gate_passage']) tables.push([table, (await trx.raw(`SELECT * FROM ${table} WHERE person_id = ?`, [p.id])).rows]);
      // The registration linked to the person and the one carrying only their ID number.
      tables.push(['tenant_registration', (await trx.raw('SELECT * FROM tenant_registration WHERE building_id = ? AND (person_id = ? OR person_id IS NULL) AND erased_at IS NOT NULL', [dbId(f.buildings.BA1.id), p.id])).rows]);
      for (const [table, rows] of tables) {
        expect(rows.length).toBeGreaterThan(0);
        const found = texts(rows).filter((t) => secrets.some((s) => t.includes(s)));
        expect([table, found]).toEqual([table, []]);
        // No sealed value, blind index or masked form is left at all (they are what erasure removes).
        const kept = rows.flatMap((r) => Object.entries(r).filter(([c, v]) => v !== null && /_(sealed|index|masked)$/.test(c)).map(([c]) => c));
        expect([table, kept]).toEqual([table, []]);
      }
      const registrations = tables.find(([t]) => t === 'tenant_registration')![1];
      expect(registrations).toHaveLength(2);
      expect(registrations.map((r) => [r.name, r.status, r.erased_at instanceof Date])).toEqual(
        expect.arrayContaining([[null, 'CONFIRMED', true], [null, 'REJECTED', true]]),
      );

      // What statistics count is kept: gender, birth year, residence type, house, household, status, tags.
      const after = (await trx.raw('SELECT gender, birth_year, residence_type, house_id, household_id, status, relation_to_head, version, erased_at FROM person WHERE id = ?', [p.id])).rows[0];
      expect(after).toEqual({ ...before, version: before.version + 1, erased_at: expect.any(Date) });
      const tags = (await trx.raw('SELECT tag, removed_at, attention_level FROM person_tag WHERE person_id = ? ORDER BY tag', [p.id])).rows;
      expect(tags).toEqual([
        { tag: 'LOW_INCOME', removed_at: null, attention_level: null },
        { tag: 'RELEASED_PRISONER', removed_at: null, attention_level: 'MEDIUM' },
      ]);
      const read = ok(await execute(trx, `query($id: ID!) { person(id: $id) { name erased idNumber phone birthYear gender residenceType status version household { id } tags { tag hasDetails } } }`, { id: p.globalId }, { viewer: admin, config })).person;
      expect(read).toMatchObject({ name: null, erased: true, idNumber: null, phone: null, birthYear: Number(p.birthDate.slice(0, 4)), gender: 'MALE', residenceType: 'FLOATING', status: 'LIVING_HERE', version: before.version + 1, household: { id: toGlobalId('Household', p.householdId) } });
      expect(read.tags).toEqual(expect.arrayContaining([{ tag: 'RELEASED_PRISONER', hasDetails: false }, { tag: 'LOW_INCOME', hasDetails: false }]));
      // The blind index is gone: the ID number finds nobody.
      const byId = ok(await execute(trx, `query($n: String!) { people(filter: { idNumber: $n, status: [LIVING_HERE, MOVED_OUT, DECEASED] }) { totalCount } }`, { n: p.idNumber }, { viewer: admin, config }));
      expect(byId.people.totalCount).toBe(0);

      // The audit row names every value that existed; its detail holds counts, no value.
      const entry = ok(await auditLog(trx, admin, { filter: { subjectId: p.globalId, action: ['ERASE'] } })).auditLog.nodes;
      expect(entry).toEqual([
        expect.objectContaining({ actor: admin.subject, role: 'ADMIN', action: 'ERASE', subjectId: p.globalId, fields: ['ID_NUMBER', 'PHONE', 'BIRTH_DATE', 'PERMIT_NUMBER', 'GROUP_DETAILS'], reason: '本人依法申请删除' }),
      ]);
      expect(JSON.parse(entry[0].detail)).toEqual({ tags: 1, visits: 1, tenantRegistrations: 2 });

      // Erasing twice is refused and writes nothing; the neighbour was not touched.
      const again = ok(await erase(trx, { id: p.globalId, reason: '本人依法申请删除' }, admin)).erasePerson;
      expect(again).toMatchObject({ __typename: 'ValidationError', problems: [{ field: 'input.id', message: expect.stringMatching(/already erased/) }] });
      expect(await auditCount(trx)).toBe(beforeCount + 1);
      const other = (await trx.raw('SELECT name, id_number_sealed IS NOT NULL AS sealed, erased_at FROM person WHERE id = ?', [neighbour.id])).rows[0];
      expect(other).toEqual({ name: '李四', sealed: true, erased_at: null });
    }));

  it('is for ADMINs within their jurisdiction only; a short reason is refused; nothing is written when refused', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const p = await resident(trx, f);
      const before = await auditCount(trx);
      const input = { id: p.globalId, reason: '本人申请删除' };
      for (const viewer of [staff('DISPATCHER'), staff('GRID_WORKER', f.grids.GA1.code), staff('VIEWER'), staff('GIS_EDITOR'), staff('ADMIN', f.grids.B.code), { kind: 'anonymous' } as Viewer]) {
        const r = await erase(trx, input, viewer);
        expect([viewer.kind === 'user' ? viewer.role : 'anonymous', codes(r)]).toEqual([viewer.kind === 'user' ? viewer.role : 'anonymous', ['FORBIDDEN']]);
      }
      const short = ok(await erase(trx, { id: p.globalId, reason: 'no' }, staff('ADMIN'))).erasePerson;
      expect(short).toMatchObject({ __typename: 'ValidationError', problems: [{ field: 'input.reason' }] });
      expect(await auditCount(trx)).toBe(before);
      const { rows } = await trx.raw('SELECT name, erased_at FROM person WHERE id = ?', [p.id]);
      expect(rows).toEqual([{ name: p.name, erased_at: null }]);
    }));
});

describe('auditLog', () => {
  it('lists newest first in keyset pages, filtered by actor, subject, action and time', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const p = await resident(trx, f);
      const q = await resident(trx, f, '王五');
      const admin = staff('ADMIN');
      const worker = staff('GRID_WORKER', f.grids.GA1.code);
      const t0 = await instantBetweenWrites(trx);
      const ids: string[] = [];
      const doReveal = async (who: AuthenticatedViewer, person: Resident, reason: string) =>
        ids.push(ok(await reveal(trx, { id: person.globalId, fields: ['PHONE'], reason }, who)).revealPerson.audit.id);
      await doReveal(admin, p, '第一次核实');
      await doReveal(worker, p, '第二次核实');
      const t1 = await instantBetweenWrites(trx);
      await doReveal(worker, q, '第三次核实');
      await doReveal(admin, q, '第四次核实');
      await doReveal(worker, p, '第五次核实');
      expect(ok(await erase(trx, { id: q.globalId, reason: '本人申请删除' }, admin)).erasePerson.__typename).toBe('PersonSuccess');
      const t2 = await instantBetweenWrites(trx);

      const reasons = async (filter: object, first = 50) => ok(await auditLog(trx, admin, { filter, first })).auditLog.nodes.map((n: any) => n.reason);
      expect(await reasons({ actor: worker.subject })).toEqual(['第五次核实', '第三次核实', '第二次核实']);
      expect(await reasons({ subjectId: p.globalId })).toEqual(['第五次核实', '第二次核实', '第一次核实']);
      expect(await reasons({ subjectId: q.globalId, action: ['ERASE'] })).toEqual(['本人申请删除']);
      expect(await reasons({ subjectId: q.globalId, action: ['REVEAL'], actor: admin.subject })).toEqual(['第四次核实']);
      expect(await reasons({ subjectId: p.globalId, from: t0.toISOString(), to: t1.toISOString() })).toEqual(['第二次核实', '第一次核实']);
      expect(await reasons({ subjectId: p.globalId, from: t1.toISOString() })).toEqual(['第五次核实']);

      // Pages of two over both people's rows: every row once, in the order of the whole list.
      const filter = { from: t0.toISOString(), to: t2.toISOString() };
      const whole = ok(await auditLog(trx, admin, { filter, first: 50 })).auditLog.nodes;
      expect(whole.map((n: any) => n.reason)).toEqual(['本人申请删除', '第五次核实', '第四次核实', '第三次核实', '第二次核实', '第一次核实']);
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 5; page++) {
        const r: any = ok(await auditLog(trx, admin, { filter, first: 2, after })).auditLog;
        seen.push(...r.nodes.map((n: any) => n.id));
        after = r.pageInfo.endCursor;
        if (!r.pageInfo.hasNextPage) break;
      }
      expect(seen).toEqual(whole.map((n: any) => n.id));
      // One person's rows a page of one at a time.
      const single: string[] = [];
      after = null;
      do {
        const r: any = ok(await auditLog(trx, admin, { filter: { subjectId: p.globalId }, first: 1, after })).auditLog;
        single.push(...r.nodes.map((n: any) => n.reason));
        after = r.pageInfo.hasNextPage ? r.pageInfo.endCursor : null;
      } while (after && single.length < 10);
      expect(single).toEqual(['第五次核实', '第二次核实', '第一次核实']);
      expect(whole.find((n: any) => n.reason === '第一次核实')).toMatchObject({ id: ids[0], actor: admin.subject, role: 'ADMIN', action: 'REVEAL', subjectType: 'person', subjectId: p.globalId, fields: ['PHONE'], detail: null });
    }));

  it('is ADMIN only; a scoped ADMIN sees their own rows and those about people in their jurisdiction; bad arguments are BAD_USER_INPUT', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const p = await resident(trx, f);
      const worker = staff('GRID_WORKER', f.grids.GA1.code);
      ok(await reveal(trx, { id: p.globalId, fields: ['PHONE'], reason: '电话回访' }, worker));
      for (const viewer of [worker, staff('DISPATCHER'), staff('VIEWER'), staff('GIS_EDITOR'), { kind: 'anonymous' } as Viewer]) {
        expect(codes(await auditLog(trx, viewer))).toEqual(['FORBIDDEN']);
      }
      const about = { filter: { subjectId: p.globalId } };
      const rowsFor = async (viewer: Viewer) => ok(await auditLog(trx, viewer, about)).auditLog.nodes.map((n: any) => n.actor);
      expect(await rowsFor(staff('ADMIN'))).toEqual([worker.subject]);
      expect(await rowsFor(staff('ADMIN', f.grids.A.code))).toEqual([worker.subject]);
      expect(await rowsFor(staff('ADMIN', f.grids.GA1.code))).toEqual([worker.subject]);
      const elsewhere = staff('ADMIN', f.grids.B.code);
      expect(await rowsFor(elsewhere)).toEqual([]);
      // A scoped ADMIN's own rows are theirs to see wherever the subject lies (an ADMIN of A reveals, then is given B).
      const adminOfA = staff('ADMIN', f.grids.A.code);
      ok(await reveal(trx, { id: p.globalId, fields: ['ID_NUMBER'], reason: '核实身份' }, adminOfA));
      expect(await rowsFor({ ...adminOfA, jurisdictionCode: f.grids.B.code })).toEqual([adminOfA.subject]);

      const bad: [Record<string, unknown>, string][] = [
        [{ filter: { subjectId: toGlobalId('House', dbId(f.houses.h101.id)) } }, 'filter.subjectId'],
        [{ filter: { subjectId: 'nonsense' } }, 'filter.subjectId'],
        [{ filter: { actor: '  ' } }, 'filter.actor'],
        [{ filter: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } }, 'filter.from'],
        [{ first: 0 }, 'first'],
        [{ first: 101 }, 'first'],
        [{ after: Buffer.from(JSON.stringify(['1 OR 1=1'])).toString('base64url') }, 'after'],
        [{ after: 'garbage' }, 'after'],
      ];
      for (const [variables, field] of bad) {
        const r = await auditLog(trx, staff('ADMIN'), variables);
        expect([field, r.errors?.map((e) => [e.extensions?.code, e.extensions?.field])]).toEqual([field, [['BAD_USER_INPUT', field]]]);
      }
    }));
});
