import type { Knex } from 'knex';
import { cipherFor } from '../src/modules/person/sealing';
import { ADMIN, createPlaceFixture, dbId, mutatePlace, type PlaceFixture } from './fixtures/place';
import { idOf, mutatePerson, PERSON } from './fixtures/people';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok, testConfig, user } from './support/graphql';
import { mutate } from './support/edits';
import { toGlobalId } from '../src/graphql/relay';

/**
 * The population registry through GraphQL: registering people by house address, every check named by field,
 * one person per ID number, households and heads, moves with their history, who may read a person on every
 * path that reaches one, lookups through the blind index, and residents following their building's grid.
 */

afterAll(closeTestDb);

const codes = (f: PlaceFixture) => ({ GA1: f.grids.GA1.code, GA3: f.grids.GA3.code, A1: f.grids.A1.code, MB1a: f.grids.MB1a.code, D: f.districtCode });

const ZHANG = { name: '张伟', gender: 'MALE', birthDate: '1980-05-12', idNumber: idOf('1980-05-12', 11), phone: '138 1234 5678', residenceType: 'REGISTERED', ethnicity: '汉族' };

function register(db: Knex, f: PlaceFixture, extra: object = {}, viewer = ADMIN) {
  return mutatePerson(db, 'registerPerson', { ...ZHANG, movedInOn: '2020-01-01', house: { buildingCode: f.buildings.BA1.code, unit: 1, room: '101' }, ...extra }, viewer);
}

describe('registering people', () => {
  it('registers a person in a house by building code, unit and room, masked everywhere, in the building grid', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const r = await register(trx, f, { household: { number: 'H-0001' } });
      expect(r.__typename).toBe('PersonSuccess');
      const id = ZHANG.idNumber;
      expect(r.person).toMatchObject({
        name: '张伟',
        gender: 'MALE',
        birthYear: 1980,
        idNumber: `${id.slice(0, 6)}********${id.slice(-4)}`,
        phone: '138****5678',
        status: 'LIVING_HERE',
        grid: { code: codes(f).GA1 },
        building: { code: f.buildings.BA1.code },
        house: { room: '101', unit: 1 },
        relationToHead: 'HEAD',
        household: { number: 'H-0001', head: { name: '张伟' } },
        floating: null,
        erased: false,
        version: 1,
      });
      expect(r.person.age).toBeGreaterThanOrEqual(45);
      // The stored row holds sealed values and masked forms only.
      const { rows } = await trx.raw('SELECT * FROM person WHERE id = ?', [dbId(r.person.id)]);
      const stored = JSON.stringify(rows[0], (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v));
      expect(stored).not.toContain(id);
      expect(stored).not.toContain('13812345678');
      expect(cipherFor(testConfig()).open(rows[0].id_number_sealed, 'person.id_number')).toBe(id);
    }));

  it('names every wrong field, says what the check character should be, and writes nothing', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const count = async () => (await trx.raw('SELECT count(*)::int AS n FROM person')).rows[0].n;
      const before = await count();
      const good = ZHANG.idNumber;
      const wrongCheck = good.slice(0, 17) + (good[17] === '1' ? '2' : '1');
      const r = await register(trx, f, { idNumber: wrongCheck, birthDate: '1981-05-12', phone: '12345', residenceType: 'FLOATING', house: { buildingCode: f.buildings.BA1.code, unit: 1, room: '999' } });
      expect(r.__typename).toBe('ValidationError');
      const byField = (field: string) => r.problems.filter((p: any) => p.field === field).map((p: any) => p.message).join(' | ');
      expect(byField('input.idNumber')).toMatch(new RegExp(`check character should be ${good[17]}`));
      expect(byField('input.phone')).toMatch(/not a valid phone number/);
      expect(byField('input.floating')).toMatch(/arrival date/);
      expect(byField('input.house.room')).toMatch(/has no current house at unit 1, room 999 .*1-101, 1-102, 2-201/);
      const mismatch = await register(trx, f, { birthDate: '1981-05-12' });
      expect(mismatch.problems.map((p: any) => [p.field, p.message])).toEqual([['input.idNumber', expect.stringMatching(/1980-05-12.*1981-05-12|1981-05-12.*1980-05-12/)]]);
      expect(await count()).toBe(before);
    }));

  it('upgrades a 15-digit number, takes birth date and gender from it, and keeps one person per ID number', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const eighteen = idOf('1968-03-04', 22);
      const fifteen = eighteen.slice(0, 6) + eighteen.slice(8, 17);
      const r = await register(trx, f, { name: '李芳', gender: undefined, birthDate: undefined, idNumber: fifteen, phone: undefined });
      expect(r.person).toMatchObject({ gender: 'FEMALE', birthYear: 1968, idNumber: `${eighteen.slice(0, 6)}********${eighteen.slice(-4)}` });
      const again = await register(trx, f, { name: '李芳', gender: 'FEMALE', birthDate: '1968-03-04', idNumber: eighteen, phone: undefined, house: { buildingCode: f.buildings.BA1.code, unit: 2, room: '201' } });
      expect(again.problems[0]).toMatchObject({ field: 'input.idNumber', message: expect.stringMatching(/already registered to a person living in building/) });
    }));

  it('brings back a person who moved out when the same ID number is registered again, history kept', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const first = (await register(trx, f)).person;
      const out = await mutatePerson(trx, 'movePersonOut', { id: first.id, expectedVersion: 1, movedOutOn: '2025-01-01' });
      expect(out.person).toMatchObject({ status: 'MOVED_OUT', movedOutOn: '2025-01-01', version: 2 });
      const back = await register(trx, f, { house: { buildingCode: f.buildings.BA1.code, unit: 2, room: '201' }, movedInOn: '2026-01-01' });
      expect(back.person).toMatchObject({ id: first.id, status: 'LIVING_HERE', house: { room: '201' }, movedInOn: '2026-01-01' });
      const history = ok(await execute(trx, `query($id: ID!) { person(id: $id) { residences { house { room } movedInOn movedOutOn } } }`, { id: first.id }, { viewer: ADMIN })).person.residences;
      expect(history).toEqual([
        { house: { room: '201' }, movedInOn: '2026-01-01', movedOutOn: null },
        { house: { room: '101' }, movedInOn: expect.any(String), movedOutOn: '2025-01-01' },
      ]);
    }));

  it('keeps households to one house and one head, and versions to compare-and-set', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const head = (await register(trx, f, { household: { number: 'H-7' } })).person;
      const spouse = idOf('1982-07-01', 12);
      const secondHead = await register(trx, f, { name: '王丽', gender: 'FEMALE', birthDate: '1982-07-01', idNumber: spouse, phone: undefined, household: { number: 'H-7' }, relationToHead: 'HEAD' });
      expect(secondHead.problems[0]).toMatchObject({ field: 'input.relationToHead', message: expect.stringMatching(/already has a head/) });
      const noRelation = await register(trx, f, { name: '王丽', gender: 'FEMALE', birthDate: '1982-07-01', idNumber: spouse, phone: undefined, household: { number: 'H-7' } });
      expect(noRelation.problems[0].message).toMatch(/needs this person's relation/);
      const elsewhere = await register(trx, f, { name: '王丽', gender: 'FEMALE', birthDate: '1982-07-01', idNumber: spouse, phone: undefined, household: { number: 'H-7' }, relationToHead: 'SPOUSE', house: { buildingCode: f.buildings.BA1.code, unit: 2, room: '201' } });
      expect(elsewhere.problems[0].message).toMatch(/lives in another house/);
      const wife = (await register(trx, f, { name: '王丽', gender: 'FEMALE', birthDate: '1982-07-01', idNumber: spouse, phone: undefined, household: { number: 'H-7' }, relationToHead: 'SPOUSE' })).person;
      const members = ok(await execute(trx, `query($id: ID!) { household(id: $id) { number head { name } members { name relationToHead } house { room } } }`, { id: head.household ? (await householdId(trx, 'H-7')) : '' }, { viewer: ADMIN })).household;
      expect(members).toEqual({ number: 'H-7', head: { name: '张伟' }, members: [{ name: '张伟', relationToHead: 'HEAD' }, { name: '王丽', relationToHead: 'SPOUSE' }], house: { room: '101' } });
      const updated = await mutatePerson(trx, 'updatePerson', { id: wife.id, expectedVersion: 1, phone: '0311-86681234', ethnicity: '回族' });
      expect(updated.person).toMatchObject({ phone: '0311-****1234', ethnicity: '回族', version: 2 });
      const stale = await mutatePerson(trx, 'updatePerson', { id: wife.id, expectedVersion: 1, name: '王莉' });
      expect(stale).toMatchObject({ __typename: 'VersionConflict', currentVersion: 2, node: { __typename: 'Person', personName: '王丽' } });
      const wrongBirth = await mutatePerson(trx, 'updatePerson', { id: wife.id, expectedVersion: 2, birthDate: '1983-07-01' });
      expect(wrongBirth.problems[0]).toMatchObject({ field: 'input.birthDate', message: expect.stringMatching(/stored ID number disagrees/) });
    }));

  it('moves people between houses, marks deaths, and refuses to retire a house people live in', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const p = (await register(trx, f)).person;
      const retire = await mutatePlace(trx, 'retireHouse', { id: f.houses.h101.id, expectedVersion: 1 });
      expect(retire.problems[0]).toMatchObject({ code: 'HAS_DEPENDANTS', message: expect.stringMatching(/1 resident/) });
      const moved = await mutatePerson(trx, 'movePerson', { id: p.id, expectedVersion: 1, house: { houseId: f.houses.h201.id }, movedOn: '2026-06-01' });
      expect(moved.person).toMatchObject({ house: { room: '201' }, movedInOn: '2026-06-01', household: null, version: 2 });
      const same = await mutatePerson(trx, 'movePerson', { id: p.id, expectedVersion: 2, house: { houseId: f.houses.h201.id } });
      expect(same.problems[0].message).toMatch(/already lives in/);
      const dead = await mutatePerson(trx, 'markDeceased', { id: p.id, expectedVersion: 2, deceasedOn: '2026-07-01' });
      expect(dead.person).toMatchObject({ status: 'DECEASED', deceasedOn: '2026-07-01' });
      const residents = ok(await execute(trx, `query($id: ID!) { house(id: $id) { residents { totalCount } all: residents(includeMovedOut: true) { nodes { name status } } } }`, { id: f.houses.h201.id }, { viewer: ADMIN })).house;
      expect(residents).toEqual({ residents: { totalCount: 0 }, all: { nodes: [{ name: '张伟', status: 'DECEASED' }] } });
    }));
});

async function householdId(db: Knex, number: string): Promise<string> {
  const { rows } = await db.raw('SELECT id FROM household WHERE number = ?', [number]);
  return toGlobalId('Household', rows[0].id);
}

describe('who may read a person', () => {
  const PATHS: Record<string, (ids: { person: string; house: string; household: string; grid: string }) => [string, object]> = {
    person: (i) => [`query($id: ID!) { person(id: $id) { name idNumber } }`, { id: i.person }],
    node: (i) => [`query($id: ID!) { node(id: $id) { ... on Person { name idNumber } } }`, { id: i.person }],
    people: () => [`{ people { nodes { name idNumber } } }`, {}],
    gridPeople: (i) => [`query($id: ID!) { node(id: $id) { ... on Grid { people { nodes { name idNumber } } } } }`, { id: i.grid }],
    houseResidents: (i) => [`query($id: ID!) { house(id: $id) { residents { nodes { name idNumber } } } }`, { id: i.house }],
    householdMembers: (i) => [`query($id: ID!) { household(id: $id) { members { name idNumber } } }`, { id: i.household }],
  };

  it('answers GRID_WORKER, DISPATCHER and ADMIN within their jurisdiction (masked), and refuses everyone else on every path', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const p = (await register(trx, f, { household: { number: 'H-9' } })).person;
      const ids = { person: p.id, house: f.houses.h101.id, household: await householdId(trx, 'H-9'), grid: toGlobalId('Grid', f.grids.GA1.id) };
      const c = codes(f);
      const viewers = {
        anonymous: undefined,
        viewer: user('VIEWER', c.D),
        gisEditor: user('GIS_EDITOR', c.D),
        workerInside: user('GRID_WORKER', c.GA1),
        workerOutside: user('GRID_WORKER', c.GA3),
        dispatcher: user('DISPATCHER', c.A1),
        admin: user('ADMIN', c.D),
      };
      const seen: Record<string, Record<string, string>> = {};
      for (const [who, viewer] of Object.entries(viewers)) {
        seen[who] = {};
        for (const [path, make] of Object.entries(PATHS)) {
          const [query, variables] = make(ids);
          const r = await execute(trx, query, variables as Record<string, unknown>, { viewer });
          const text = JSON.stringify(r.data ?? null);
          expect(text).not.toContain(ZHANG.idNumber);
          seen[who][path] = r.errors?.length ? r.errors[0].extensions?.code : text.includes('张伟') ? 'name' : 'none';
        }
      }
      const all = (v: string) => Object.fromEntries(Object.keys(PATHS).map((k) => [k, v]));
      expect(seen).toEqual({
        anonymous: all('FORBIDDEN'),
        viewer: all('FORBIDDEN'),
        gisEditor: all('FORBIDDEN'),
        workerInside: all('name'),
        // Outside: refused where it names the person or their house; its own (empty) jurisdiction lists nobody.
        workerOutside: { ...all('FORBIDDEN'), people: 'none' },
        dispatcher: all('name'),
        admin: all('name'),
      });
    }));

  it('finds people by ID number and phone through the blind index, and filters by age and type', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      await register(trx, f);
      const child = idOf('2015-02-03', 31);
      await register(trx, f, { name: '张小明', birthDate: '2015-02-03', idNumber: child, phone: undefined, residenceType: 'FLOATING', floating: { arrivedOn: '2024-03-01', reason: '投靠亲友', permitNumber: 'JZZ-1301-0099', permitExpiresOn: '2027-01-01' } });
      const q = (filter: object) => execute(trx, `query($filter: PersonFilter) { people(filter: $filter) { totalCount nodes { name floating { permitNumber reason } } } }`, { filter: { gridCode: f.districtCode, ...filter } }, { viewer: ADMIN });
      expect(ok(await q({ idNumber: ZHANG.idNumber.toLowerCase() })).people.nodes.map((n: any) => n.name)).toEqual(['张伟']);
      expect(ok(await q({ idNumber: ZHANG.idNumber.slice(0, 6) + ZHANG.idNumber.slice(8, 17) })).people.nodes.map((n: any) => n.name)).toEqual(['张伟']);
      expect(ok(await q({ phone: '+86 138-1234-5678' })).people.nodes.map((n: any) => n.name)).toEqual(['张伟']);
      expect(ok(await q({ ageTo: 17 })).people.nodes).toEqual([{ name: '张小明', floating: { permitNumber: 'JZZ-*****0099', reason: '投靠亲友' } }]);
      expect(ok(await q({ ageFrom: 18, residenceType: ['REGISTERED'] })).people.totalCount).toBe(1);
      expect(ok(await q({ nameContains: '小' })).people.totalCount).toBe(1);
      const bad = await q({ idNumber: '12345' });
      expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    }));

  it('moves residents with their building when a boundary edit changes its grid, rewriting no person row', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const p = (await register(trx, f)).person;
      const before = (await trx.raw('SELECT xmin::text AS x FROM person WHERE id = ?', [dbId(p.id)])).rows[0].x;
      const square = (x0: number, y0: number, x1: number, y1: number) => {
        const pt = (x: number, y: number) => [120 + x * 0.01, 30 + y * 0.01];
        return { type: 'Polygon', coordinates: [[pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1), pt(x0, y0)]] };
      };
      const res = await mutate(trx, 'updateGridBoundary', { id: toGlobalId('Grid', f.grids.GA1.id), boundary: square(0, 0.6, 1, 1), expectedVersion: 1, reason: '缩小' }, user('ADMIN'), '... on UpdateGridBoundarySuccess { movedByKind { kind count } }');
      expect(res.movedByKind).toEqual(expect.arrayContaining([{ kind: 'Person', count: 1 }, { kind: 'House', count: 3 }]));
      const after = ok(await execute(trx, `query($id: ID!) { person(id: $id) { grid { code } } }`, { id: p.id }, { viewer: ADMIN })).person;
      expect(after.grid.code).toBe(codes(f).A1);
      expect((await trx.raw('SELECT xmin::text AS x FROM person WHERE id = ?', [dbId(p.id)])).rows[0].x).toBe(before);
    }));
});

it('reads the fields of a person the schema lists', () => expect(PERSON).toContain('household'));
