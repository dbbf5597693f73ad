import knexFactory, { type Knex } from 'knex';
import type { PersonStatus, ResidenceType } from '../src/generated/graphql';
import type { Viewer } from '../src/modules/auth/viewer';
import { ageOn, todayInChina } from '../src/modules/person/checks';
import { populationCounts } from '../src/modules/person/population-repo';
import { insertHousehold, insertPerson } from '../src/modules/person/repo';
import { cipherFor } from '../src/modules/person/sealing';
import { createEditFixture, square } from './fixtures/edit';
import { ADMIN, createPlaceFixture, dbId, gid, type PlaceFixture } from './fixtures/place';
import { at } from './fixtures/grid';
import { insertRaceTree, rect, removeRaceTree, rpt } from './fixtures/race';
import { closeTestDb, withRollback } from './support/db';
import { testDatabaseUrl } from './support/env';
import { mutate } from './support/edits';
import { execute, ok, testConfig, user, type Result } from './support/graphql';

/**
 * Population figures (`Grid.population`, `Query.population`, `Grid.householdCoverage`): every figure against a
 * direct count of the tables (people → house → building → grid, ages by `ageOn`), after each kind of change the
 * per-building counters must follow; roll-ups equal the sums of their children; a boundary edit moves a
 * building's residents' counts; ages exact on their boundary day; who may read the figures.
 */
afterAll(closeTestDb);

const cipher = cipherFor(testConfig());
const FIGURES = `total byResidenceType { residenceType count } households housesOccupied housesVacant
  bySpecialGroup { tag count } byCareGroup { tag count } aged60Plus under18`;
const SPECIAL = ['COMMUNITY_CORRECTION', 'RELEASED_PRISONER', 'DRUG_REHABILITATION', 'SEVERE_MENTAL_DISORDER', 'KEY_YOUTH'];
const CARE = ['ELDERLY_LIVING_ALONE', 'DISABLED', 'LEFT_BEHIND_CHILD', 'LOW_INCOME'];
const TYPES: ResidenceType[] = ['REGISTERED', 'FLOATING', 'OVERSEAS', 'UNSETTLED'];

interface Figures {
  total: number;
  byResidenceType: { residenceType: string; count: number }[];
  households: number;
  housesOccupied: number;
  housesVacant: number;
  bySpecialGroup: { tag: string; count: number }[];
  byCareGroup: { tag: string; count: number }[];
  aged60Plus: number;
  under18: number;
}

let sequence = 0;

/** A living (or `status`) person in a house, through the repository's insert (the registry's own write). */
function addPerson(
  db: Knex,
  houseId: string,
  o: { birthDate?: string; type?: ResidenceType; householdId?: string | null; status?: PersonStatus } = {},
): Promise<string> {
  const birthDate = o.birthDate ?? '1980-05-05';
  return insertPerson(
    db,
    cipher,
    {
      name: `统计${++sequence}`,
      gender: sequence % 2 ? 'MALE' : 'FEMALE',
      birthDate,
      birthYear: Number(birthDate.slice(0, 4)),
      ethnicity: null,
      idNumber: null,
      phone: null,
      residenceType: o.type ?? 'REGISTERED',
      registeredAddress: null,
      houseId,
      householdId: o.householdId ?? null,
      relationToHead: null,
      status: o.status,
      movedInOn: null,
      arrivedOn: null,
      arrivalReason: null,
      permitNumber: null,
      permitExpiresOn: null,
    },
    'population-test',
  );
}

const household = (db: Knex, houseId: string) => insertHousehold(db, `TJ-${Date.now() % 1e8}-${++sequence}`, houseId, 'population-test');

async function tag(db: Knex, personId: string, t: string): Promise<void> {
  const special = SPECIAL.includes(t);
  await db('person_tag').insert({
    person_id: personId,
    tag: t,
    attention_level: special ? 'HIGH' : null,
    visit_interval_days: special ? 30 : null,
    next_visit_due: special ? '2030-01-01' : null,
  });
}

const untag = (db: Knex, personId: string, t: string) => db('person_tag').where({ person_id: personId, tag: t }).whereNull('removed_at').update({ removed_at: db.fn.now() });

async function house(db: Knex, buildingId: string, room: string): Promise<string> {
  const [row] = await db('house').insert({ building_id: buildingId, room, use: 'RENTED' }).returning('id');
  return row.id;
}

async function building(db: Knex, f: PlaceFixture, x: number, y: number, communityKey: 'A1' | 'B1'): Promise<string> {
  const p = at(x, y);
  const { rows } = await db.raw(
    `INSERT INTO building (code, kind, name, community_id, location) VALUES (?, 'RESIDENTIAL', ?, ?, ST_SetSRID(ST_MakePoint(?, ?), 4326)) RETURNING id`,
    [`${f.grids[communityKey].code}${String(9000 + ++sequence).slice(-4)}`, `统计楼${sequence}`, f.grids[communityKey].id, p.lng, p.lat],
  );
  return rows[0].id;
}

/** A grid's figures through GraphQL (errors thrown). */
async function population(db: Knex, gridId: string, viewer: Viewer = ADMIN): Promise<Figures> {
  return ok(await execute(db, `query($id: ID!) { grid(id: $id) { population { ${FIGURES} } } }`, { id: gid(gridId) }, { viewer })).grid.population;
}

/**
 * The same figures counted directly from the tables: people through their house's building (not the
 * counters' own columns), ages in JavaScript by `ageOn` (an erased stub: July 1 of its birth year).
 */
async function counted(db: Knex, gridId: string | null, today = todayInChina()): Promise<Figures> {
  const scope = gridId ? `b.grid_id IN (SELECT id FROM grid WHERE id = :g OR ancestor_ids @> ARRAY[:g]::uuid[])` : 'true';
  const g = { g: gridId };
  const people = (
    await db.raw(
      `SELECT p.residence_type, p.birth_date::text AS birth_date, p.birth_year FROM person p JOIN house h ON h.id = p.house_id
       JOIN building b ON b.id = h.building_id WHERE p.status = 'LIVING_HERE' AND ${scope}`,
      g,
    )
  ).rows as { residence_type: string; birth_date: string | null; birth_year: number }[];
  const households = (
    await db.raw(
      `SELECT count(*)::int AS n FROM household hh JOIN house h ON h.id = hh.house_id JOIN building b ON b.id = h.building_id
       WHERE ${scope} AND EXISTS (SELECT 1 FROM person m WHERE m.household_id = hh.id AND m.status = 'LIVING_HERE')`,
      g,
    )
  ).rows[0].n;
  const houses = (
    await db.raw(
      `SELECT count(*)::int AS current,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM person m WHERE m.house_id = h.id AND m.status = 'LIVING_HERE'))::int AS occupied
       FROM house h JOIN building b ON b.id = h.building_id WHERE h.retired_at IS NULL AND ${scope}`,
      g,
    )
  ).rows[0];
  const tags = Object.fromEntries(
    (
      await db.raw(
        `SELECT t.tag, count(*)::int AS n FROM person_tag t JOIN person p ON p.id = t.person_id JOIN house h ON h.id = p.house_id
         JOIN building b ON b.id = h.building_id WHERE t.removed_at IS NULL AND p.status = 'LIVING_HERE' AND ${scope} GROUP BY t.tag`,
        g,
      )
    ).rows.map((r: { tag: string; n: number }) => [r.tag, r.n]),
  );
  const ages = people.map((p) => ageOn(p.birth_date ?? `${p.birth_year}-07-01`, today));
  return {
    total: people.length,
    byResidenceType: TYPES.map((t) => ({ residenceType: t, count: people.filter((p) => p.residence_type === t).length })),
    households,
    housesOccupied: houses.occupied,
    housesVacant: houses.current - houses.occupied,
    bySpecialGroup: SPECIAL.map((t) => ({ tag: t, count: tags[t] ?? 0 })),
    byCareGroup: CARE.map((t) => ({ tag: t, count: tags[t] ?? 0 })),
    aged60Plus: ages.filter((a) => a >= 60).length,
    under18: ages.filter((a) => a < 18).length,
  };
}

/** Every figure of these grids, through GraphQL, equals the direct count. */
async function expectCounted(db: Knex, gridIds: string[], when: string): Promise<void> {
  for (const id of gridIds) {
    const [got, want] = [await population(db, id), await counted(db, id)];
    expect({ when, grid: id, ...got }).toEqual({ when, grid: id, ...want });
  }
}

/** Figures added up number by number (list entries by their key). */
function sum(all: Figures[]): Figures {
  const add = <T extends { count: number }>(lists: T[][]): T[] => lists[0].map((e, i) => ({ ...e, count: lists.reduce((s, l) => s + l[i].count, 0) }));
  const total = (k: 'total' | 'households' | 'housesOccupied' | 'housesVacant' | 'aged60Plus' | 'under18') => all.reduce((s, f) => s + f[k], 0);
  return {
    total: total('total'),
    byResidenceType: add(all.map((f) => f.byResidenceType)),
    households: total('households'),
    housesOccupied: total('housesOccupied'),
    housesVacant: total('housesVacant'),
    bySpecialGroup: add(all.map((f) => f.bySpecialGroup)),
    byCareGroup: add(all.map((f) => f.byCareGroup)),
    aged60Plus: total('aged60Plus'),
    under18: total('under18'),
  };
}

/** Moves the age counters' epoch (waiting while another test's write holds it). */
async function moveEpoch(db: Knex, year: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await db.raw('SELECT population_advance_epoch(?) AS year', [year])).rows[0].year === year) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the population epoch stayed held for 10 s`);
}

/** A calendar day `days` after `date` (YYYY-MM-DD). */
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
/** The same day `years` years earlier (only used on days every year has). */
const yearsEarlier = (date: string, years: number) => `${Number(date.slice(0, 4)) - years}${date.slice(4)}`;

/**
 * The place fixture (BA1 with three houses in GA1, BA3 in GA3, BB in MB1a) with more: a building in MB1b and
 * one in GA4, houses in each, households, and people of every residence type, status and age.
 */
async function populate(db: Knex) {
  const f = await createPlaceFixture(db);
  const BB = dbId(f.buildings.BB.id);
  const BM = await building(db, f, 2.5, 1.4, 'B1'); // MB1b
  const BG = await building(db, f, 1.5, 1.5, 'A1'); // GA4
  const h = {
    a101: dbId(f.houses.h101.id),
    a102: dbId(f.houses.h102.id),
    a201: dbId(f.houses.h201.id),
    b1: await house(db, BB, '101'),
    b2: await house(db, BB, '102'),
    b3: await house(db, BB, '103'),
    m1: await house(db, BM, '101'),
    m2: await house(db, BM, '102'),
    g1: await house(db, BG, '101'),
  };
  const hh = { a: await household(db, h.a101), b: await household(db, h.b1), m: await household(db, h.m1), empty: await household(db, h.m2) };
  const today = todayInChina();
  const p = {
    a1: await addPerson(db, h.a101, { householdId: hh.a, birthDate: '1950-03-01' }),
    a2: await addPerson(db, h.a101, { householdId: hh.a, birthDate: yearsEarlier(today, 10), type: 'FLOATING' }),
    a3: await addPerson(db, h.a102, { birthDate: '1990-12-31', type: 'OVERSEAS' }),
    a4: await addPerson(db, h.a201, { status: 'MOVED_OUT' }),
    b1: await addPerson(db, h.b1, { householdId: hh.b, birthDate: '2015-06-15' }),
    b2: await addPerson(db, h.b2, { householdId: hh.b, birthDate: '1940-01-01', type: 'UNSETTLED' }),
    m1: await addPerson(db, h.m1, { householdId: hh.m, birthDate: '1963-07-01', type: 'FLOATING' }),
    m2: await addPerson(db, h.m1, { householdId: hh.m, status: 'DECEASED' }),
    g1: await addPerson(db, h.g1, { birthDate: '2008-02-29' }),
  };
  await tag(db, p.a1, 'ELDERLY_LIVING_ALONE');
  await tag(db, p.a3, 'KEY_YOUTH');
  await tag(db, p.b2, 'DISABLED');
  await tag(db, p.b2, 'LOW_INCOME');
  await tag(db, p.m1, 'COMMUNITY_CORRECTION');
  await tag(db, p.m2, 'SEVERE_MENTAL_DISORDER'); // deceased: not counted
  return { f, h, hh, p, buildings: { BB, BM, BG } };
}

const gridsOf = (f: PlaceFixture) => f.grids;

describe('population figures', () => {
  it('equal direct counts of the tables in every grid, and a parent equals the sum of its children for every number', () =>
    withRollback(async (trx) => {
      const { f } = await populate(trx);
      const g = gridsOf(f);
      const all = ['D', 'A', 'B', 'A1', 'B1', 'GA1', 'GA2', 'GA3', 'GA4', 'GB1', 'MB1a', 'MB1b'] as const;
      await expectCounted(trx, all.map((k) => g[k].id), 'as populated');
      const fig = async (k: (typeof all)[number]) => population(trx, g[k].id);
      const D = await fig('D');
      expect(D).toMatchObject({ total: 7, households: 3, housesOccupied: 6 });
      expect(D.byResidenceType).toEqual([
        { residenceType: 'REGISTERED', count: 3 },
        { residenceType: 'FLOATING', count: 2 },
        { residenceType: 'OVERSEAS', count: 1 },
        { residenceType: 'UNSETTLED', count: 1 },
      ]);
      expect(D.bySpecialGroup.find((t) => t.tag === 'SEVERE_MENTAL_DISORDER')!.count).toBe(0);
      expect(D.bySpecialGroup.find((t) => t.tag === 'COMMUNITY_CORRECTION')!.count).toBe(1);
      // Roll-ups: the district is its two streets; a community its grids; a grid its micro-grids.
      expect(D).toEqual(sum([await fig('A'), await fig('B')]));
      expect(await fig('A1')).toEqual(sum([await fig('GA1'), await fig('GA2'), await fig('GA3'), await fig('GA4')]));
      expect(await fig('GB1')).toEqual(sum([await fig('MB1a'), await fig('MB1b')]));
      // A district-scoped caller's Query.population is its district's.
      const scoped = ok(await execute(trx, `{ population { ${FIGURES} } }`, {}, { viewer: user('VIEWER', f.districtCode) })).population;
      expect(scoped).toEqual(D);
    }));

  it('follow every change: moves between houses and buildings, moving out, residence type, birth date, households, tags, erasure, house retirement, bulk statements', () =>
    withRollback(async (trx) => {
      const { f, h, hh, p, buildings } = await populate(trx);
      const g = gridsOf(f);
      const grids = [g.D.id, g.A.id, g.B.id, g.GA1.id, g.GA4.id, g.MB1a.id, g.MB1b.id];
      const step = async (what: string, change: () => Promise<unknown>) => {
        await change();
        await expectCounted(trx, grids, what);
      };
      await step('a resident moves to another building (GA1 → MB1a)', () => trx('person').where({ id: p.a3 }).update({ house_id: h.b3 }));
      await step('a household member moves within the building', () => trx('person').where({ id: p.a2 }).update({ house_id: h.a102 }));
      await step('the last living member of a household moves out', async () => {
        await trx('person').where({ id: p.m1 }).update({ status: 'MOVED_OUT', moved_out_on: '2026-01-01' });
      });
      await step('someone moves back in', () => trx('person').where({ id: p.a4 }).update({ status: 'LIVING_HERE', house_id: h.m2, household_id: hh.empty }));
      await step('residence type and birth date change', () => trx('person').where({ id: p.b1 }).update({ residence_type: 'FLOATING', birth_date: '1955-01-01', birth_year: 1955 }));
      await step('a person joins another household', () => trx('person').where({ id: p.b2 }).update({ household_id: hh.a }));
      await step('a household moves to a house in another building', () => trx('household').where({ id: hh.b }).update({ house_id: h.g1 }));
      await step('tagged, untagged, tagged again', async () => {
        await tag(trx, p.g1, 'LEFT_BEHIND_CHILD');
        await untag(trx, p.a1, 'ELDERLY_LIVING_ALONE');
        await tag(trx, p.a1, 'ELDERLY_LIVING_ALONE');
        await untag(trx, p.b2, 'LOW_INCOME');
        await trx('person_tag').where({ person_id: p.a3 }).update({ next_visit_due: '2031-01-01', last_visit_at: trx.fn.now() });
      });
      await step('a tagged person moves to another building', () => trx('person').where({ id: p.b2 }).update({ house_id: h.g1 }));
      await step('erased: a stub keeps birth year, residence type, house, household and tags', () =>
        trx('person').where({ id: p.a1 }).update({ name: null, birth_date: null, erased_at: trx.fn.now() }),
      );
      await step('an occupied house retired (below the API, which refuses it)', () => trx('house').where({ id: h.a102 }).update({ retired_at: trx.fn.now() }));
      await step('and brought back', () => trx('house').where({ id: h.a102 }).update({ retired_at: null }));
      await step('houses moved to other buildings, with residents, tags and a household (below any API)', async () => {
        await trx('house').where({ id: h.b3 }).update({ building_id: buildings.BM });
        await trx('house').where({ id: h.a101 }).update({ building_id: buildings.BB });
      });
      await step('someone registered in a house created retired (below the API)', async () => {
        const [retired] = await trx('house').insert({ building_id: buildings.BG, room: '909', use: 'VACANT', retired_at: trx.fn.now() }).returning('id');
        await addPerson(trx, retired.id, { householdId: await household(trx, retired.id) });
      });
      await step('many people in one statement, in several buildings', async () => {
        const rows = [];
        for (let i = 0; i < 40; i++) {
          const house = [h.a201, h.b3, h.m2, h.g1][i % 4];
          rows.push({ name: `批量${i}`, gender: 'MALE', birth_date: `${1940 + i * 2}-0${(i % 9) + 1}-1${i % 9}`, birth_year: 1940 + i * 2, residence_type: TYPES[i % 4], house_id: house, household_id: i % 3 ? null : hh.empty, status: 'LIVING_HERE' });
        }
        await trx('person').insert(rows);
      });
      await step('many people moved in one statement', () => trx('person').whereIn('house_id', [h.a201, h.b3]).update({ house_id: h.m1 }));
      await step('many people moved out in one statement', () => trx('person').where({ house_id: h.g1 }).update({ status: 'MOVED_OUT' }));
      await step('a building in another grid gains residents', () => addPerson(trx, h.b1, { birthDate: '2000-01-01' }));
      expect((await population(trx, g.D.id)).total).toBeGreaterThan(30);
    }));

  it("move with their building when a boundary edit moves it: the figures of both grids change, the parent's do not", () =>
    withRollback(async (trx) => {
      const f = await createEditFixture(trx);
      const houses = [await house(trx, f.places.P2, '101'), await house(trx, f.places.P2, '102'), await house(trx, f.places.P1, '101')];
      await addPerson(trx, houses[0], { birthDate: '1950-01-01' });
      await addPerson(trx, houses[0], { birthDate: '2020-01-01', type: 'FLOATING' });
      await addPerson(trx, houses[1]);
      await addPerson(trx, houses[2]);
      const before = { G2: await population(trx, f.ids.G2), C: await population(trx, f.ids.C), S: await population(trx, f.ids.S) };
      expect(before.G2.total).toBe(0);
      const res = await mutate(trx, 'updateGridBoundary', { id: gid(f.ids.G2), boundary: square(0, 1, 2, 2), expectedVersion: 1, reason: '扩大' }, user('GIS_EDITOR', f.code));
      expect(res.__typename).toBe('UpdateGridBoundarySuccess');
      const G2 = await population(trx, f.ids.G2);
      expect(G2).toMatchObject({ total: 3, housesOccupied: 2, housesVacant: 0, aged60Plus: 1, under18: 1 });
      await expectCounted(trx, [f.ids.G2, f.ids.G1, f.ids.C, f.ids.S, f.ids.D], 'after the boundary edit');
      expect(await population(trx, f.ids.C)).toEqual(before.C);
      expect(await population(trx, f.ids.S)).toEqual(before.S);
    }));

  it('count ages exactly on their boundary day: 60 today counts, 60 tomorrow does not; 18 today is no longer under 18', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const houseId = dbId(f.houses.h101.id);
      const today = todayInChina();
      const tomorrow = addDays(today, 1);
      const turning = async (years: number, day: string) => addPerson(trx, houseId, { birthDate: yearsEarlier(day, years) });
      const base = await population(trx, f.grids.GA1.id);
      expect(base).toMatchObject({ total: 0, aged60Plus: 0, under18: 0 });
      await turning(60, today);
      expect(await population(trx, f.grids.GA1.id)).toMatchObject({ total: 1, aged60Plus: 1, under18: 0 });
      await turning(60, tomorrow);
      expect(await population(trx, f.grids.GA1.id)).toMatchObject({ total: 2, aged60Plus: 1, under18: 0 });
      await turning(18, today);
      expect(await population(trx, f.grids.GA1.id)).toMatchObject({ total: 3, aged60Plus: 1, under18: 0 });
      await turning(18, tomorrow);
      expect(await population(trx, f.grids.GA1.id)).toMatchObject({ total: 4, aged60Plus: 1, under18: 1 });
      await expectCounted(trx, [f.grids.GA1.id], 'boundary days');
    }));

  it("are exact on any day, the counters' epoch year that day's or years away (every cohort between read from the people)", () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const houses = [dbId(f.houses.h101.id), dbId(f.houses.h102.id), dbId(f.houses.h201.id)];
      const rows = [];
      for (let i = 0; i < 300; i++) {
        const year = 1925 + ((i * 7) % 101);
        const month = String((i % 12) + 1).padStart(2, '0');
        const day = String((i % 28) + 1).padStart(2, '0');
        rows.push({ name: `年龄${i}`, gender: 'FEMALE', birth_date: `${year}-${month}-${day}`, birth_year: year, residence_type: 'REGISTERED', house_id: houses[i % 3], status: 'LIVING_HERE' });
      }
      rows.push({ name: '闰日', gender: 'MALE', birth_date: '1968-02-29', birth_year: 1968, residence_type: 'REGISTERED', house_id: houses[0], status: 'LIVING_HERE' });
      await trx('person').insert(rows);
      // Erased stubs of the boundary years: counted as born on July 1.
      await trx('person').whereRaw(`name LIKE '年龄%' AND substring(name from 3)::int % 10 = 0`).update({ name: null, birth_date: null, erased_at: trx.fn.now() });
      const scope = { subtreeOf: f.grids.A.id };
      const year = Number(todayInChina().slice(0, 4));
      const days = [`${year}-01-01`, `${year}-06-30`, `${year}-07-01`, `${year}-12-31`, '2028-02-28', '2028-02-29', '2028-03-01', '2043-07-15', todayInChina(), '2200-05-05', '2005-05-05'];
      const expectExact = async (epoch: number) => {
        for (const day of days) {
          const got = await populationCounts(trx, scope, day);
          const want = await counted(trx, f.grids.A.id, day);
          expect({ epoch, day, aged60Plus: got.aged60Plus, under18: got.under18 }).toEqual({ epoch, day, aged60Plus: want.aged60Plus, under18: want.under18 });
          expect(got.epoch).toBe(epoch);
        }
      };
      await expectExact(year);
      // The counters moved to another year (ahead, then back): the same figures on every day.
      for (const epoch of [year + 3, year - 2]) {
        await moveEpoch(trx, epoch);
        await expectExact(epoch);
      }
      await moveEpoch(trx, year);
    }));

  it('of a dedicated grid count the buildings its boundary covers', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const inside = await building(trx, f, 0.3, 0.9, 'A1');
      await addPerson(trx, await house(trx, inside, '101'), { type: 'FLOATING' });
      await addPerson(trx, dbId(f.houses.h101.id));
      expect(await population(trx, f.grids.SCHOOL.id)).toMatchObject({ total: 1, byResidenceType: expect.arrayContaining([{ residenceType: 'FLOATING', count: 1 }]), housesOccupied: 1, housesVacant: 0 });
      expect((await population(trx, f.grids.GA1.id)).total).toBe(2);
    }));

  it('of the whole deployment (an unscoped caller) equal the direct count of every table', () =>
    withRollback(async (trx) => {
      await populate(trx);
      const got = ok(await execute(trx, `{ population { ${FIGURES} } }`, {}, { viewer: user('DISPATCHER') })).population;
      expect(got).toEqual(await counted(trx, null));
    }));

  it('are read by every staff role and VIEWER within their jurisdiction; anonymous callers and callers elsewhere are refused FORBIDDEN', () =>
    withRollback(async (trx) => {
      const { f } = await populate(trx);
      const code = f.districtCode;
      for (const role of ['VIEWER', 'GIS_EDITOR', 'GRID_WORKER', 'DISPATCHER', 'ADMIN'] as const) {
        expect((await population(trx, f.grids.A.id, user(role, code))).total).toBe(4);
      }
      const refused = async (r: Result) => {
        expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      };
      const grid = `query($id: ID!) { grid(id: $id) { population { total } } }`;
      await refused(await execute(trx, grid, { id: gid(f.grids.A.id) }));
      await refused(await execute(trx, `{ population { total } }`));
      await refused(await execute(trx, grid, { id: gid(f.grids.A.id) }, { viewer: user('VIEWER', f.grids.B.code) }));
      await refused(await execute(trx, `query($id: ID!) { grid(id: $id) { householdCoverage { within } } }`, { id: gid(f.grids.B.id) }, { viewer: user('VIEWER', f.grids.A.code) }));
      // A VIEWER reads counts, never a person.
      await refused(await execute(trx, `query($id: ID!) { grid(id: $id) { people { totalCount } } }`, { id: gid(f.grids.A.id) }, { viewer: user('VIEWER', code) }));
    }));
});

describe('household coverage', () => {
  const COVERAGE = `min max microGrids within outside { grid { code } households }`;
  const coverage = (db: Knex, gridId: string, args: { min?: number; max?: number } = {}, env: Record<string, string> = {}) =>
    execute(db, `query($id: ID!, $min: Int, $max: Int) { grid(id: $id) { householdCoverage(min: $min, max: $max) { ${COVERAGE} } } }`, { id: gid(gridId), ...args }, { viewer: user('VIEWER'), config: testConfig(env) });

  it('lists the micro-grids at or below a grid outside the standard, fewest households first; the standard comes from the configuration', () =>
    withRollback(async (trx) => {
      const { f, h } = await populate(trx);
      // MB1a: the household of b1/b2 (BB); MB1b: the household of m1 (living) and none of the empty one.
      const extra = await household(trx, h.b3);
      await addPerson(trx, h.b3, { householdId: extra });
      const g = f.grids;
      const standard = ok(await coverage(trx, g.D.id)).grid.householdCoverage;
      expect(standard).toEqual({
        min: 50,
        max: 70,
        microGrids: 2,
        within: 0,
        outside: [
          { grid: { code: g.MB1b.code }, households: 1 },
          { grid: { code: g.MB1a.code }, households: 2 },
        ],
      });
      expect(ok(await coverage(trx, g.GB1.id, { min: 2, max: 2 })).grid.householdCoverage).toMatchObject({ microGrids: 2, within: 1, outside: [{ grid: { code: g.MB1b.code }, households: 1 }] });
      expect(ok(await coverage(trx, g.MB1a.id, {}, { HOUSEHOLD_STANDARD_MIN: '1', HOUSEHOLD_STANDARD_MAX: '3' })).grid.householdCoverage).toEqual({ min: 1, max: 3, microGrids: 1, within: 1, outside: [] });
      expect(ok(await coverage(trx, g.A.id)).grid.householdCoverage).toEqual({ min: 50, max: 70, microGrids: 0, within: 0, outside: [] });
      // A micro-grid's households are the households of its buildings' houses, counted directly.
      const { rows } = await trx.raw(
        `SELECT count(*)::int AS n FROM household hh JOIN house h ON h.id = hh.house_id JOIN building b ON b.id = h.building_id
         WHERE b.grid_id = ? AND EXISTS (SELECT 1 FROM person m WHERE m.household_id = hh.id AND m.status = 'LIVING_HERE')`,
        [g.MB1a.id],
      );
      expect(rows[0].n).toBe(2);
    }));

  it('refuses a range that is not 0 ≤ min ≤ max ≤ 100000, naming the argument', () =>
    withRollback(async (trx) => {
      const { f } = await populate(trx);
      for (const [args, field] of [
        [{ min: -1 }, 'min'],
        [{ max: 100_001 }, 'max'],
        [{ min: 80 }, 'min'],
        [{ min: 5, max: 4 }, 'min'],
      ] as const) {
        const r = await coverage(trx, f.grids.D.id, args);
        expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining(field) });
      }
      // The configured standard is checked when the service starts.
      expect(() => testConfig({ HOUSEHOLD_STANDARD_MIN: '80' })).toThrow(/HOUSEHOLD_STANDARD_MIN is above HOUSEHOLD_STANDARD_MAX \(70\)/);
      expect(() => testConfig({ HOUSEHOLD_STANDARD_MAX: '100001' })).toThrow(/HOUSEHOLD_STANDARD_MAX/);
    }));
});

describe('population counters under concurrent writes', () => {
  let pool: Knex;
  beforeAll(() => {
    pool = knexFactory({ client: 'pg', connection: testDatabaseUrl(), pool: { min: 0, max: 14 } });
  });
  afterAll(() => pool?.destroy());

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("in a new year the first read moves the age counters' epoch, in the background; the figures are exact before and after", async () => {
    const year = Number(todayInChina().slice(0, 4));
    const district = (await pool.raw(`SELECT id FROM grid WHERE level = 'DISTRICT' AND valid_to IS NULL ORDER BY code LIMIT 1`)).rows[0].id;
    try {
      await moveEpoch(pool, year - 1);
      const figures = await population(pool, district, user('VIEWER'));
      expect(figures).toEqual(await counted(pool, district));
      let epoch = year - 1;
      for (let i = 0; i < 100 && epoch !== year; i++) {
        await sleep(50);
        epoch = (await pool.raw('SELECT year FROM population_epoch')).rows[0].year;
      }
      expect(epoch).toBe(year);
      expect(await population(pool, district, user('VIEWER'))).toEqual(figures);
    } finally {
      await moveEpoch(pool, year);
    }
  });

  it('count a house once for racing first residents, and stay exact when a retirement races a first resident and a tag races a move', async () => {
    const tree = await insertRaceTree(pool, [
      ['D', 'DISTRICT', null, rect(0, 0, 2, 1)],
      ['S', 'STREET', 'D', rect(0, 0, 2, 1)],
      ['C', 'COMMUNITY', 'S', rect(0, 0, 2, 1)],
      ['G1', 'GRID', 'C', rect(0, 0, 1, 1)],
      ['G2', 'GRID', 'C', rect(1, 0, 2, 1)],
    ]);
    const buildingIds: string[] = [];
    try {
      for (const [i, x] of [0.5, 1.5].entries()) {
        const { rows } = await pool.raw(
          `INSERT INTO building (code, kind, name, community_id, location) VALUES (?, 'RESIDENTIAL', ?, ?, ST_SetSRID(ST_MakePoint(?, ?), 4326)) RETURNING id`,
          [`${tree.codes.C}${String(i + 1).padStart(4, '0')}`, `竞态楼${i}`, tree.ids.C, ...rpt(x, 0.5)],
        );
        buildingIds.push(rows[0].id);
      }
      const [first, retiredLater, retiredFirst, moveTo] = [
        await house(pool, buildingIds[0], '101'),
        await house(pool, buildingIds[0], '102'),
        await house(pool, buildingIds[0], '103'),
        await house(pool, buildingIds[1], '101'),
      ];
      // Ten first residents of one house and one household, on ten connections at once.
      const hh = await household(pool, first);
      await Promise.all(
        Array.from({ length: 10 }, () =>
          pool.transaction(async (trx) => {
            await addPerson(trx, first, { householdId: hh });
            await trx.raw('SELECT pg_sleep(0.05)');
          }),
        ),
      );
      // A first resident, then the house retired meanwhile (it waits for the resident's commit) ...
      const resident = await pool.transaction();
      await addPerson(resident, retiredLater);
      const retire = pool('house').where({ id: retiredLater }).update({ retired_at: pool.fn.now() });
      await sleep(100);
      await resident.commit();
      await retire;
      // ... and a house retired, then a first resident meanwhile (who waits for the retirement's commit).
      const retirement = await pool.transaction();
      await retirement('house').where({ id: retiredFirst }).update({ retired_at: retirement.fn.now() });
      const late = addPerson(pool, retiredFirst);
      await sleep(100);
      await retirement.commit();
      await late;
      // A move, then a tag meanwhile; a tag, then a move meanwhile.
      const [p1, p2] = [await addPerson(pool, first), await addPerson(pool, first)];
      const move = await pool.transaction();
      await move('person').where({ id: p1 }).update({ house_id: moveTo });
      const tagged = tag(pool, p1, 'DISABLED');
      await sleep(100);
      await move.commit();
      await tagged;
      // A first member, then the household moved meanwhile; a household moved, then a first member meanwhile.
      const [hx, hy] = [await household(pool, retiredLater), await household(pool, retiredLater)];
      const member = await pool.transaction();
      await addPerson(member, first, { householdId: hx });
      const relocate = pool('household').where({ id: hx }).update({ house_id: moveTo });
      await sleep(100);
      await member.commit();
      await relocate;
      const relocation = await pool.transaction();
      await relocation('household').where({ id: hy }).update({ house_id: moveTo });
      const joining = addPerson(pool, first, { householdId: hy });
      await sleep(100);
      await relocation.commit();
      await joining;
      const tagging = await pool.transaction();
      await tag(tagging, p2, 'LOW_INCOME');
      const moved = pool('person').where({ id: p2 }).update({ house_id: moveTo });
      await sleep(100);
      await tagging.commit();
      await moved;

      for (const key of ['D', 'G1', 'G2'] as const) {
        const [got, want] = [await population(pool, tree.ids[key]), await counted(pool, tree.ids[key])];
        expect({ key, ...got }).toEqual({ key, ...want });
      }
      expect(await population(pool, tree.ids.G1)).toMatchObject({ total: 14, households: 1, housesOccupied: 1, housesVacant: 0 });
      expect(await population(pool, tree.ids.G2)).toMatchObject({ total: 2, households: 2, housesOccupied: 1, housesVacant: 0 });
      expect((await population(pool, tree.ids.G2)).byCareGroup.filter((t) => t.count > 0)).toEqual([
        { tag: 'DISABLED', count: 1 },
        { tag: 'LOW_INCOME', count: 1 },
      ]);
    } finally {
      const people = `SELECT id FROM person WHERE building_id = ANY(?::uuid[])`;
      await pool.raw(`DELETE FROM person_tag WHERE person_id IN (${people})`, [buildingIds]);
      await pool.raw(`DELETE FROM person_residence WHERE person_id IN (${people})`, [buildingIds]);
      await pool.raw(`DELETE FROM person WHERE building_id = ANY(?::uuid[])`, [buildingIds]);
      await pool.raw(`DELETE FROM household WHERE house_id IN (SELECT id FROM house WHERE building_id = ANY(?::uuid[]))`, [buildingIds]);
      await pool.raw(`DELETE FROM house WHERE building_id = ANY(?::uuid[])`, [buildingIds]);
      await pool.raw(`DELETE FROM building WHERE id = ANY(?::uuid[])`, [buildingIds]);
      await removeRaceTree(pool, tree.districtIds);
    }
  });
});
