import knexFactory, { type Knex } from 'knex';
import { ConfigError, loadConfig, type Config } from '../src/config';
import { cipherFor } from '../src/modules/person/sealing';
import { insertPerson } from '../src/modules/person/repo';
import { makeIdNumber } from '../src/modules/person/id-number';
import type { ServiceViewer, Viewer } from '../src/modules/auth/viewer';
import { startApp, type App } from '../src/server';
import { at } from './fixtures/grid';
import { createPlaceFixture, createRaceCommunity, dbId, removeRaceCommunity, type PlaceFixture } from './fixtures/place';
import { closeTestDb, testDb, withRollback } from './support/db';
import { testDatabaseUrl } from './support/env';
import { execute, ok, silentLog, testConfig, user } from './support/graphql';

/**
 * 一进一融一出: a tenant registers themselves from the building's QR code (anonymous, rate-limited, checked like every
 * person), a worker of the building's grid confirms (person registered, gate access granted) or rejects it, and
 * the gate system reports passages, which keep the access alive until it lapses TENANT_GATE_ACCESS_DAYS after the
 * last one (judged when read: the tests move the grant back in time and compare, nothing sleeps).
 */
afterAll(closeTestDb);

const DAY = 86_400_000;

const REGISTER = /* GraphQL */ `mutation($input: RegisterTenantInput!) { registerTenant(input: $input) { __typename
  ... on TenantRegistrationReceipt { reference status message }
  ... on ValidationError { message problems { code field message } }
  ... on NotFoundError { message id } } }`;

const REGISTRATION = `id status name gender idNumber phone unit room submittedAt decidedAt decidedBy rejectionReason building { code } house { room }`;

const PENDING = /* GraphQL */ `query($gridId: ID, $gridCode: String, $first: Int, $after: String) {
  pendingRegistrations(gridId: $gridId, gridCode: $gridCode, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ${REGISTRATION} } } }`;

const ACCESS = 'active grantedAt lastPassageAt expiresAt';
const PERSON = `id name residenceType status relationToHead idNumber phone house { room } household { number head { id } } residences { house { room } movedOutOn }
  floating { arrivedOn reason } gateAccess { ${ACCESS} building { code } }`;

const DECISION = `__typename
  ... on TenantRegistrationSuccess { registration { ${REGISTRATION} person { ${PERSON} } } }
  ... on ValidationError { message problems { code field message } }
  ... on NotFoundError { message id }`;
const CONFIRM = `mutation($input: ConfirmTenantInput!) { confirmTenant(input: $input) { ${DECISION} } }`;
const REJECT = `mutation($input: RejectTenantInput!) { rejectTenant(input: $input) { ${DECISION} } }`;

const PASSAGE = /* GraphQL */ `mutation($input: RecordGatePassageInput!) { recordGatePassage(input: $input) { __typename
  ... on GatePassageResult { allowed reason access { ${ACCESS} } }
  ... on ValidationError { problems { field message } }
  ... on NotFoundError { message } } }`;

const PERSON_QUERY = `query($id: ID!) { person(id: $id) { ${PERSON} } }`;

/** A valid ID number (GB 11643-1999) for a man born on `birthDate`. */
const idNumberOf = (sequence: number, birthDate = '1992-03-14') => makeIdNumber('410105', birthDate, sequence, 'MALE');

interface Setup {
  f: PlaceFixture;
  buildingId: string;
  /** A worker of BA1's grid (GA1), and of another grid (GB1). */
  worker: Viewer;
  otherWorker: Viewer;
  gateId: string;
  /** The gate system of street A (which holds GA1), and of street B. */
  gateKey: ServiceViewer;
  outsideKey: ServiceViewer;
}

async function setup(db: Knex): Promise<Setup> {
  const f = await createPlaceFixture(db);
  const buildingId = dbId(f.buildings.BA1.id);
  const gateId = await insertFacility(db, '1号楼门禁', 'GATE', buildingId);
  const key = (name: string, jurisdictionCode: string): ServiceViewer => ({
    kind: 'service',
    keyId: `k-${name}`,
    subject: `apikey:${name}`,
    name,
    operations: ['RECORD_GATE_PASSAGES'],
    jurisdictionCode,
  });
  return {
    f,
    buildingId,
    worker: user('GRID_WORKER', f.grids.GA1.code),
    otherWorker: user('GRID_WORKER', f.grids.GB1.code),
    gateId,
    gateKey: key('gates-a', f.grids.A.code),
    outsideKey: key('gates-b', f.grids.B.code),
  };
}

/** A facility of BA1 (SQL: the facility module's API is not what these tests are about). */
async function insertFacility(db: Knex, name: string, kind: string, buildingId: string): Promise<string> {
  const p = at(0.5, 0.5);
  const { rows } = await db.raw(
    `INSERT INTO facility (name, kind, building_id, location) VALUES (?, ?, ?, ST_SetSRID(ST_MakePoint(?, ?), 4326)) RETURNING id`,
    [name, kind, buildingId, p.lng, p.lat],
  );
  return rows[0].id;
}

const fid = (id: string) => Buffer.from(`Facility:${id}`).toString('base64url');

function tenant(s: Setup, overrides: Record<string, unknown> = {}) {
  return {
    buildingCode: s.f.buildings.BA1.code,
    unit: 1,
    room: '102',
    name: '王建国',
    gender: 'MALE',
    idNumber: idNumberOf(11),
    phone: '139 1234 5678',
    registeredAddress: '河南省周口市川汇区',
    reason: '务工',
    ...overrides,
  };
}

async function register(db: Knex, input: object, config?: Config) {
  return ok(await execute(db, REGISTER, { input }, { config })).registerTenant;
}

async function registered(db: Knex, input: object): Promise<string> {
  const receipt = await register(db, input);
  if (receipt.__typename !== 'TenantRegistrationReceipt') throw new Error(`registration refused: ${JSON.stringify(receipt)}`);
  return receipt.reference;
}

async function confirmed(db: Knex, s: Setup, id: string, extra: object = {}) {
  const payload = ok(await execute(db, CONFIRM, { input: { id, ...extra } }, { viewer: s.worker })).confirmTenant;
  if (payload.__typename !== 'TenantRegistrationSuccess') throw new Error(`confirmation refused: ${JSON.stringify(payload)}`);
  return payload.registration;
}

async function passage(db: Knex, viewer: Viewer, input: object, config?: Config) {
  return execute(db, PASSAGE, { input }, { viewer, config });
}

const fields = (payload: any) => payload.problems.map((p: any) => p.field).sort();

describe('registerTenant (anonymous, from the QR code)', () => {
  it('keeps the submission sealed and pending; a worker of the building grid lists it, one of another grid does not', () =>
    withRollback(async (db) => {
      const s = await setup(db);
      const receipt = await register(db, tenant(s));
      expect(receipt).toMatchObject({ __typename: 'TenantRegistrationReceipt', status: 'PENDING' });
      expect(receipt.message).toMatch(/网格员/);

      const mine = ok(await execute(db, PENDING, {}, { viewer: s.worker })).pendingRegistrations;
      expect(mine.totalCount).toBe(1);
      expect(mine.nodes[0]).toMatchObject({
        id: receipt.reference,
        status: 'PENDING',
        name: '王建国',
        gender: 'MALE',
        idNumber: `410105********${idNumberOf(11).slice(-4)}`,
        phone: '139****5678',
        unit: 1,
        room: '102',
        building: { code: s.f.buildings.BA1.code },
        house: { room: '102' },
      });
      const theirs = ok(await execute(db, PENDING, {}, { viewer: s.otherWorker })).pendingRegistrations;
      expect(theirs.totalCount).toBe(0);
      // Naming a grid outside one's jurisdiction, reading the node, or asking anonymously: refused.
      const named = await execute(db, PENDING, { gridCode: s.f.grids.GA1.code }, { viewer: s.otherWorker });
      expect(named.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const node = await execute(db, `query($id: ID!) { node(id: $id) { id } }`, { id: receipt.reference }, { viewer: s.otherWorker });
      expect(node.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const anonymous = await execute(db, PENDING, {});
      expect(anonymous.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      // A dispatcher of the district sees it through the grid's subtree.
      const district = ok(await execute(db, PENDING, { gridCode: s.f.grids.A.code }, { viewer: user('DISPATCHER', s.f.districtCode) }));
      expect(district.pendingRegistrations.nodes.map((n: any) => n.id)).toEqual([receipt.reference]);

      // Stored: masked values and a sealed submission, never the clear ID number or phone.
      const { rows } = await db.raw(`SELECT * FROM tenant_registration WHERE building_id = ?`, [s.buildingId]);
      expect(rows).toHaveLength(1);
      const stored = JSON.stringify(rows[0]) + rows[0].submission_sealed.toString('latin1');
      expect(stored).not.toContain(idNumberOf(11));
      expect(stored).not.toContain('13912345678');
      expect(rows[0].id_number_index).toBeInstanceOf(Buffer);

      // The same ID number again for the same building, while pending: refused, naming the field.
      const again = await register(db, tenant(s, { room: '101' }));
      expect(again.__typename).toBe('ValidationError');
      expect(again.problems).toEqual([expect.objectContaining({ field: 'input.idNumber', message: expect.stringMatching(/already submitted.*awaits confirmation/) })]);
    }));

  it('names every wrong field, lists the rooms the building has (no occupants), and answers NotFoundError for an unknown building', () =>
    withRollback(async (db) => {
      const s = await setup(db);
      const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
      const future = new Date(Date.now() + 8 * 3_600_000 + 3 * DAY).toISOString().slice(0, 10);
      const bad = await register(db, tenant(s, { idNumber: idNumberOf(11).slice(0, 17) + (idNumberOf(11).endsWith('1') ? '2' : '1'), phone: '12345', name: ' ', room: '103', unit: 0, arrivedOn: future }));
      expect(bad.__typename).toBe('ValidationError');
      expect(fields(bad)).toEqual(['input.arrivedOn', 'input.idNumber', 'input.name', 'input.phone', 'input.unit']);
      expect(bad.problems.find((p: any) => p.field === 'input.idNumber').message).toMatch(/check character should be/);
      expect(bad.problems.find((p: any) => p.field === 'input.arrivedOn').message).toContain(`today is ${today}`);

      const room = await register(db, tenant(s, { room: '103' }));
      expect(room.problems).toEqual([expect.objectContaining({ field: 'input.room' })]);
      expect(room.problems[0].message).toMatch(/has no house at unit 1, room 103.*1-101, 1-102, 2-201/);

      const required = await register(db, tenant(s, { idNumber: '', phone: ' ' }));
      expect(fields(required)).toEqual(['input.idNumber', 'input.phone']);
      expect(required.problems.map((p: any) => p.message).join(' ')).toMatch(/is required.*is required/);

      expect(await register(db, tenant(s, { buildingCode: '13010500101' }))).toMatchObject({ problems: [expect.objectContaining({ field: 'input.buildingCode' })] });
      expect(await register(db, tenant(s, { buildingCode: '9999999999999999' }))).toMatchObject({ __typename: 'NotFoundError', id: '9999999999999999' });
      // Nothing was stored by any of these.
      const { rows } = await db.raw(`SELECT count(*)::int AS n FROM tenant_registration WHERE building_id = ?`, [s.buildingId]);
      expect(rows[0].n).toBe(0);
    }));

  it('refuses a client past TENANT_REGISTRATION_PER_HOUR with RATE_LIMITED and when to retry', () =>
    withRollback(async (db) => {
      const s = await setup(db);
      const config = testConfig({ TENANT_REGISTRATION_PER_HOUR: '2' });
      expect((await register(db, tenant(s), config)).__typename).toBe('TenantRegistrationReceipt');
      // Refused attempts count too: trying ID numbers or rooms is what the budget is against.
      expect((await register(db, tenant(s, { room: '999' }), config)).__typename).toBe('ValidationError');
      const third = await execute(db, REGISTER, { input: tenant(s, { idNumber: idNumberOf(12) }) }, { config });
      expect(third.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
      expect(third.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(60);
      expect(third.errors![0].message).toMatch(/at most 2 an hour \(TENANT_REGISTRATION_PER_HOUR\)/);
    }));
});

describe('registerTenant racing itself (a double tap)', () => {
  const RACERS = 6;
  let pool: Knex;
  beforeAll(async () => {
    pool = knexFactory({ client: 'pg', connection: testDatabaseUrl(), pool: { min: 0, max: RACERS + 2 } });
    pool.setMaxListeners(RACERS + 10);
    await Promise.all(Array.from({ length: RACERS }, () => pool.raw('SELECT pg_sleep(0.05)')));
  });
  afterAll(() => pool?.destroy());

  it('keeps one pending registration per ID number and building, however many arrive at once', async () => {
    const { grids, at: p } = await createRaceCommunity(pool);
    const code = `${grids.C.code}0001`;
    try {
      const { rows } = await pool.raw(
        `INSERT INTO building (code, name, kind, community_id, location) VALUES (?, '竞态楼', 'RESIDENTIAL', ?, ST_SetSRID(ST_MakePoint(?, ?), 4326)) RETURNING id`,
        [code, grids.C.id, p(0.5, 0.5).lng, p(0.5, 0.5).lat],
      );
      await pool.raw(`INSERT INTO house (building_id, unit, room, use) VALUES (?, 1, '101', 'RENTED')`, [rows[0].id]);
      const input = { buildingCode: code, unit: 1, room: '101', name: '王建国', gender: 'MALE', idNumber: idNumberOf(21), phone: '13912345678' };
      const results = await Promise.all(Array.from({ length: RACERS }, () => execute(pool, REGISTER, { input })));
      expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
      const answers = results.map((r) => r.data.registerTenant);
      expect(answers.filter((a) => a.__typename === 'TenantRegistrationReceipt')).toHaveLength(1);
      for (const a of answers.filter((x) => x.__typename !== 'TenantRegistrationReceipt')) {
        expect(a.problems).toEqual([expect.objectContaining({ field: 'input.idNumber', message: expect.stringMatching(/already submitted/) })]);
      }
      const count = await pool.raw(`SELECT count(*)::int AS n FROM tenant_registration WHERE building_id = ?`, [rows[0].id]);
      expect(count.rows[0].n).toBe(1);
    } finally {
      await pool.raw(`DELETE FROM tenant_registration WHERE building_id IN (SELECT id FROM building WHERE code = ?)`, [code]);
      await removeRaceCommunity(pool, grids);
    }
  });
});

describe('confirmTenant and rejectTenant', () => {
  it('confirming registers the tenant as floating population, head of a new household, with gate access', () =>
    withRollback(async (db) => {
      const s = await setup(db);
      const id = await registered(db, tenant(s));
      // Only a worker of the building's grid (or above it).
      const outsider = await execute(db, CONFIRM, { input: { id } }, { viewer: s.otherWorker });
      expect(outsider.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const stale = ok(await execute(db, CONFIRM, { input: { id, expectedVersion: 7 } }, { viewer: s.worker })).confirmTenant;
      expect(fields(stale)).toEqual(['input.expectedVersion']);

      const reg = await confirmed(db, s, id, { expectedVersion: 1 });
      expect(reg).toMatchObject({ status: 'CONFIRMED', decidedBy: 'test-grid_worker', decidedAt: expect.any(String) });
      const person = reg.person;
      expect(person).toMatchObject({
        name: '王建国',
        residenceType: 'FLOATING',
        status: 'LIVING_HERE',
        relationToHead: 'HEAD',
        phone: '139****5678',
        house: { room: '102' },
        floating: { reason: '务工' },
        gateAccess: { active: true, lastPassageAt: null, building: { code: s.f.buildings.BA1.code } },
      });
      expect(person.household.number).toMatch(/^T[0-9A-F]{10}$/);
      expect(person.household.head.id).toBe(person.id);
      expect(Date.parse(person.gateAccess.expiresAt) - Date.parse(person.gateAccess.grantedAt)).toBe(15 * DAY);

      // Decided: no longer pending, its sealed submission dropped, and it cannot be decided again.
      expect(ok(await execute(db, PENDING, {}, { viewer: s.worker })).pendingRegistrations.totalCount).toBe(0);
      const { rows } = await db.raw(`SELECT submission_sealed, person_id FROM tenant_registration WHERE person_id IS NOT NULL`);
      expect(rows).toEqual([{ submission_sealed: null, person_id: dbId(person.id) }]);
      const twice = ok(await execute(db, CONFIRM, { input: { id } }, { viewer: s.worker })).confirmTenant;
      expect(twice.problems[0]).toMatchObject({ field: 'input.id', message: expect.stringMatching(/CONFIRMED already.*only a PENDING one/) });
    }));

  it('moves the person already holding the ID number into the house (one person per ID number), and refuses another name', () =>
    withRollback(async (db) => {
      const s = await setup(db);
      const cipher = cipherFor(testConfig());
      const base = { gender: 'MALE' as const, birthDate: '1992-03-14', birthYear: 1992, ethnicity: null, phone: null, registeredAddress: null, householdId: null, relationToHead: null };
      const floating = { residenceType: 'FLOATING' as const, arrivedOn: '2025-01-01', arrivalReason: null, permitNumber: null, permitExpiresOn: null };
      const earlier = await insertPerson(
        db,
        cipher,
        { ...base, ...floating, name: '王建国', idNumber: idNumberOf(11), houseId: dbId(s.f.houses.h201.id), movedInOn: '2025-01-01' },
        'test',
      );
      const reg = await confirmed(db, s, await registered(db, tenant(s)));
      expect(dbId(reg.person.id)).toBe(earlier);
      expect(reg.person).toMatchObject({ house: { room: '102' }, status: 'LIVING_HERE', phone: '139****5678' });
      expect(reg.person.residences).toEqual([
        { house: { room: '102' }, movedOutOn: null },
        { house: { room: '201' }, movedOutOn: expect.any(String) },
      ]);
      const { rows } = await db.raw(`SELECT count(*)::int AS n FROM person WHERE id_number_index IS NOT NULL AND house_id = ANY(?::uuid[])`, [
        [dbId(s.f.houses.h201.id), dbId(s.f.houses.h102.id)],
      ]);
      expect(rows[0].n).toBe(1);

      await insertPerson(db, cipher, { ...base, ...floating, name: '李四', idNumber: idNumberOf(13), houseId: dbId(s.f.houses.h201.id), movedInOn: '2025-01-01' }, 'test');
      const id = await registered(db, tenant(s, { name: '张三', idNumber: idNumberOf(13) }));
      const refused = ok(await execute(db, CONFIRM, { input: { id } }, { viewer: s.worker })).confirmTenant;
      expect(refused.problems).toEqual([expect.objectContaining({ field: 'input.id', message: expect.stringMatching(/under another name.*ID card/) })]);
    }));

  it('joins a household of the house when asked, with the relation required', () =>
    withRollback(async (db) => {
      const s = await setup(db);
      const head = await confirmed(db, s, await registered(db, tenant(s)));
      const id = await registered(db, tenant(s, { name: '赵六', idNumber: idNumberOf(15) }));
      const household = { number: head.person.household.number };
      const missing = ok(await execute(db, CONFIRM, { input: { id, household } }, { viewer: s.worker })).confirmTenant;
      expect(fields(missing)).toEqual(['input.relationToHead']);
      const joined = await confirmed(db, s, id, { household, relationToHead: 'NON_RELATIVE' });
      expect(joined.person).toMatchObject({ relationToHead: 'NON_RELATIVE', household: { number: head.person.household.number, head: { id: head.person.id } } });
    }));

  it('rejecting keeps the reason (at least 2 characters) and the decision', () =>
    withRollback(async (db) => {
      const s = await setup(db);
      const id = await registered(db, tenant(s));
      const short = ok(await execute(db, REJECT, { input: { id, reason: ' 否 ' } }, { viewer: s.worker })).rejectTenant;
      expect(fields(short)).toEqual(['input.reason']);
      const rejected = ok(await execute(db, REJECT, { input: { id, reason: '未在该房屋居住' } }, { viewer: s.worker })).rejectTenant;
      expect(rejected.registration).toMatchObject({ status: 'REJECTED', rejectionReason: '未在该房屋居住', person: null });
      const { rows } = await db.raw(`SELECT count(*)::int AS n FROM person WHERE house_id = ?`, [dbId(s.f.houses.h102.id)]);
      expect(rows[0].n).toBe(0);
      const confirm = ok(await execute(db, CONFIRM, { input: { id } }, { viewer: s.worker })).confirmTenant;
      expect(confirm.problems[0].message).toMatch(/REJECTED already/);

      // A registration of a building retired meanwhile can be rejected, not confirmed.
      const other = await registered(db, tenant(s, { idNumber: idNumberOf(17) }));
      await db.raw(`UPDATE building SET retired_at = clock_timestamp() WHERE id = ?`, [s.buildingId]);
      const onRetired = ok(await execute(db, CONFIRM, { input: { id: other } }, { viewer: s.worker })).confirmTenant;
      expect(onRetired.problems[0].message).toMatch(/was retired; reject the registration/);
      const closed = ok(await execute(db, REJECT, { input: { id: other, reason: '楼栋已拆除' } }, { viewer: s.worker })).rejectTenant;
      expect(closed.registration.status).toBe('REJECTED');
    }));
});

describe('recordGatePassage and Person.gateAccess', () => {
  /** A confirmed tenant of BA1, their grant moved `grantedDaysAgo` days back (as if confirmed then). */
  async function confirmedTenant(db: Knex, s: Setup, grantedDaysAgo: number) {
    const reg = await confirmed(db, s, await registered(db, tenant(s)));
    await db.raw(`UPDATE gate_access SET granted_at = now() - make_interval(days => ?) WHERE person_id = ?`, [grantedDaysAgo, dbId(reg.person.id)]);
    return reg.person.id as string;
  }
  const access = async (db: Knex, s: Setup, personId: string, config?: Config) =>
    ok(await execute(db, PERSON_QUERY, { id: personId }, { viewer: s.worker, config })).person.gateAccess;
  const passages = async (db: Knex) => (await db.raw(`SELECT allowed, person_id, reported_by FROM gate_passage ORDER BY id`)).rows;
  const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

  it('a passage by ID number is allowed, recorded, and moves the last passage forward (never back)', () =>
    withRollback(async (db) => {
      const s = await setup(db);
      const personId = await confirmedTenant(db, s, 6);
      const twoDaysAgo = ago(2);
      const first = ok(await passage(db, s.gateKey, { gateId: fid(s.gateId), idNumber: idNumberOf(11), at: twoDaysAgo })).recordGatePassage;
      expect(first).toMatchObject({ allowed: true, reason: null, access: { active: true, lastPassageAt: twoDaysAgo } });
      expect(Date.parse(first.access.expiresAt) - Date.parse(first.access.lastPassageAt)).toBe(15 * DAY);
      // Reported late and out of order: allowed (access was in force then), the last passage stays.
      const late = ok(await passage(db, s.gateKey, { gateId: fid(s.gateId), personId, at: ago(3) })).recordGatePassage;
      expect(late.allowed).toBe(true);
      expect(late.access.lastPassageAt).toBe(first.access.lastPassageAt);
      const now = ok(await passage(db, s.gateKey, { gateId: fid(s.gateId), personId })).recordGatePassage;
      expect(Date.parse(now.access.lastPassageAt)).toBeGreaterThan(Date.parse(first.access.lastPassageAt));
      expect((await access(db, s, personId)).lastPassageAt).toBe(now.access.lastPassageAt);
      expect(await passages(db)).toEqual(Array(3).fill({ allowed: true, person_id: dbId(personId), reported_by: 'apikey:gates-a' }));
      // The gate system learns whether the person may pass, never who they are.
      expect(JSON.stringify([first, late, now])).not.toContain('王建国');
    }));

  it('lapses TENANT_GATE_ACCESS_DAYS after the last passage or the grant; a lapsed passage is refused, recorded, and revives nothing', () =>
    withRollback(async (db) => {
      const s = await setup(db);
      const personId = await confirmedTenant(db, s, 6);
      const fiveDays = testConfig({ TENANT_GATE_ACCESS_DAYS: '5' });
      // Granted 6 days ago: in force for 15 days, lapsed after 5.
      expect(await access(db, s, personId)).toMatchObject({ active: true });
      const lapsed = await access(db, s, personId, fiveDays);
      expect(lapsed.active).toBe(false);
      expect(Date.parse(lapsed.expiresAt) - Date.parse(lapsed.grantedAt)).toBe(5 * DAY);
      expect(Date.parse(lapsed.expiresAt)).toBeLessThan(Date.now());

      // A passage 5.5 days ago fell within the 5 days: allowed, and its lapse is 5 days after it.
      const within = ok(await passage(db, s.gateKey, { gateId: fid(s.gateId), personId, at: ago(5.5) }, fiveDays)).recordGatePassage;
      expect(within).toMatchObject({ allowed: true, access: { active: false } });
      // One now comes after that lapse: refused, saying why, recorded, and the access stays lapsed.
      const refused = ok(await passage(db, s.gateKey, { gateId: fid(s.gateId), idNumber: idNumberOf(11) }, fiveDays)).recordGatePassage;
      expect(refused).toMatchObject({ allowed: false, reason: expect.stringMatching(/lapsed at .* after 5 days without a passage.*grid worker confirms/), access: { active: false } });
      expect(refused.access.lastPassageAt).toBe(within.access.lastPassageAt);
      expect((await passages(db)).map((p: any) => p.allowed)).toEqual([true, false]);
      expect(await access(db, s, personId, fiveDays)).toMatchObject({ active: false, lastPassageAt: within.access.lastPassageAt });

      // Confirming the tenant again grants access afresh.
      await confirmed(db, s, await registered(db, tenant(s)));
      expect(await access(db, s, personId, fiveDays)).toMatchObject({ active: true, lastPassageAt: null });
    }));

  it('refuses an unknown person (recorded without one), a moved-out tenant, a non-gate, a future instant, users, and keys outside the gate', () =>
    withRollback(async (db) => {
      const s = await setup(db);
      const personId = await confirmedTenant(db, s, 1);
      const unknown = ok(await passage(db, s.gateKey, { gateId: fid(s.gateId), idNumber: idNumberOf(99) })).recordGatePassage;
      expect(unknown).toMatchObject({ allowed: false, reason: expect.stringMatching(/no gate access to this building/), access: null });
      expect(await passages(db)).toEqual([{ allowed: false, person_id: null, reported_by: 'apikey:gates-a' }]);

      await db.raw(`UPDATE person SET status = 'MOVED_OUT' WHERE id = ?`, [dbId(personId)]);
      const gone = ok(await passage(db, s.gateKey, { gateId: fid(s.gateId), personId })).recordGatePassage;
      expect(gone).toMatchObject({ allowed: false, reason: expect.stringMatching(/has ended/) });

      const hydrant = await insertFacility(db, '消防栓', 'HYDRANT', s.buildingId);
      const notGate = ok(await passage(db, s.gateKey, { gateId: fid(hydrant), personId })).recordGatePassage;
      expect(notGate.problems).toEqual([expect.objectContaining({ field: 'input.gateId', message: expect.stringMatching(/not a gate/) })]);
      const future = ok(await passage(db, s.gateKey, { gateId: fid(s.gateId), personId, at: new Date(Date.now() + 5 * 60_000).toISOString() })).recordGatePassage;
      expect(fields(future)).toEqual(['input.at']);
      const both = ok(await passage(db, s.gateKey, { gateId: fid(s.gateId), personId, idNumber: idNumberOf(11), at: ago(8) })).recordGatePassage;
      expect(fields(both)).toEqual(['input.at', 'input.personId']);
      const missing = ok(await passage(db, s.gateKey, { gateId: fid('00000000-0000-4000-8000-000000000000'), personId })).recordGatePassage;
      expect(missing.__typename).toBe('NotFoundError');

      for (const viewer of [user('ADMIN'), s.worker]) {
        const r = await passage(db, viewer, { gateId: fid(s.gateId), personId });
        expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringMatching(/only an API key with operation RECORD_GATE_PASSAGES/) });
      }
      expect((await passage(db, { kind: 'anonymous' }, { gateId: fid(s.gateId), personId })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      const outside = await passage(db, s.outsideKey, { gateId: fid(s.gateId), personId });
      expect(outside.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringMatching(/outside your jurisdiction/) });
      // The gate key reads no person.
      const read = await execute(db, PERSON_QUERY, { id: personId }, { viewer: s.gateKey });
      expect(read.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      // Nothing refused before the passage was judged was recorded.
      expect(await passages(db)).toHaveLength(2);
    }));
});

describe('the QR code and its form', () => {
  it('reads PUBLIC_URL, TENANT_REGISTRATION_PER_HOUR and TENANT_GATE_ACCESS_DAYS with the defaults the README documents', () => {
    expect(loadConfig({})).toMatchObject({ publicUrl: 'http://localhost:4000', tenants: { registrationsPerHour: 5, gateAccessDays: 15 } });
    expect(loadConfig({ PORT: '8080', PUBLIC_URL: 'https://grid.example.gov.cn/registry/' }).publicUrl).toBe('https://grid.example.gov.cn/registry');
    expect(() => loadConfig({ PUBLIC_URL: 'grid.example.gov.cn', TENANT_GATE_ACCESS_DAYS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ PUBLIC_URL: 'https://grid.example.gov.cn/?x=1' })).toThrow(/PUBLIC_URL must be the http/);
  });

  it('Building.tenantRegistrationUrl is the form under PUBLIC_URL, with the building code', () =>
    withRollback(async (db) => {
      const s = await setup(db);
      const config = testConfig({ PUBLIC_URL: 'https://grid.example.gov.cn/' });
      const r = ok(await execute(db, `query($code: String) { building(code: $code) { tenantRegistrationUrl } }`, { code: s.f.buildings.BA1.code }, { config }));
      expect(r.building.tenantRegistrationUrl).toBe(`https://grid.example.gov.cn/tenant-registration?building=${s.f.buildings.BA1.code}`);
      const local = ok(await execute(db, `query($code: String) { building(code: $code) { tenantRegistrationUrl } }`, { code: s.f.buildings.BA1.code }));
      expect(local.building.tenantRegistrationUrl).toBe(`http://localhost:4000/tenant-registration?building=${s.f.buildings.BA1.code}`);
    }));

  describe('over HTTP', () => {
    let app: App;
    let base: string;
    beforeAll(async () => {
      app = await startApp(
        testConfig({ DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', TRUST_PROXY: 'true', TENANT_REGISTRATION_PER_HOUR: '2' }),
        silentLog,
      );
      base = app.url.replace('/graphql', '');
    });
    afterAll(() => app.stop());

    it('serves a self-contained page (no external URL) with the building code filled in', async () => {
      const { rows } = await testDb().raw(`SELECT code, name FROM building WHERE retired_at IS NULL ORDER BY code LIMIT 1`);
      const code: string = rows[0]?.code ?? '1301050010010001';
      const res = await fetch(`${base}/tenant-registration?building=${code}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'nonce-[^']+'/);
      const html = await res.text();
      expect(html).toContain(`value="${code}"`);
      if (rows[0]) expect(html).toContain(rows[0].name);
      for (const label of ['楼栋编码', '单元', '房号', '姓名', '性别', '公民身份号码', '手机号码', '户籍地址', '来本地事由', '来本地日期', '居住证号', '居住证有效期至']) {
        expect(html).toContain(label);
      }
      expect(html).toContain('registerTenant(input: $input)');
      expect(html).not.toMatch(/https?:|\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
      expect(html).not.toMatch(/<link|\ssrc=|@import|url\(/i);

      const hostile = await (await fetch(`${base}/tenant-registration?building=${encodeURIComponent('"><script>alert(1)</script>')}`)).text();
      expect(hostile).not.toContain('alert(1)');
      expect(hostile).toContain('value=""');
    });

    it('counts each client separately: past the budget, 429 with Retry-After', async () => {
      const post = (client: string) =>
        fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
          // A malformed building code: refused without writing anything, and counted all the same.
          body: JSON.stringify({ query: REGISTER, variables: { input: { buildingCode: '1', room: '1', name: '甲', gender: 'MALE', idNumber: '1', phone: '1' } } }),
        });
      const json = (res: Response): Promise<any> => res.json();
      const client = `10.${Math.floor(Math.random() * 250)}.0.1`;
      for (let i = 0; i < 2; i++) expect((await json(await post(client))).data.registerTenant.__typename).toBe('ValidationError');
      const refused = await post(client);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(60);
      expect((await json(refused)).errors[0].extensions.code).toBe('RATE_LIMITED');
      expect((await post(`${client}0`)).status).toBe(200);
    });
  });
});
