import { createHash } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { DEMO_PEOPLE } from '../seeds/demo';
import { housesOfStreets, populationPlanOn } from '../seeds/lib/people';
import { generateGroups } from '../seeds/lib/person-groups';
import { generatePopulation, type Population } from '../seeds/lib/population';
import { todayInChina } from '../src/modules/person/checks';
import { defaultResponsibleWorker } from '../src/modules/person/group-repo';
import { checkIdNumber, maskIdNumber } from '../src/modules/person/id-number';
import { cipherFor, idNumberIndex, maskResidentPhone, phoneIndex, SEALED } from '../src/modules/person/sealing';
import type { TenantSubmission } from '../src/modules/person/tenant-confirm';
import { mainlandMobile } from '../src/shared/phone';
import { testDatabaseUrl } from './support/env';
import { testConfig } from './support/graphql';

/**
 * The demo population (global setup seeded it with the tests' configuration): counts, shares, households,
 * sealed personal values that open to valid numbers, groups and plans, pending registrations, and the same
 * people generated again from the same houses.
 */
let db: Knex;
const cipher = cipherFor(testConfig());
const today = todayInChina();
const STREETS = `b.code LIKE ANY(ARRAY[${DEMO_PEOPLE.streetCodes.map((c) => `'${c}%'`).join(', ')}])`;
const LIVING = `p.status = 'LIVING_HERE'`;

beforeAll(() => {
  db = knexFactory({ client: 'pg', connection: testDatabaseUrl(), pool: { min: 0, max: 2 } });
});

afterAll(async () => {
  await db.destroy();
});

async function rows<T>(sql: string, bindings: readonly Knex.RawBinding[] = []): Promise<T[]> {
  return (await db.raw(sql, bindings)).rows;
}

const PEOPLE = `person p JOIN house h ON h.id = p.house_id JOIN building b ON b.id = h.building_id`;

describe('demo seed: the population (实有人口)', () => {
  it('lives in about 85 % of the two streets\' houses: about 18,000 households and 45,000–50,000 residents', async () => {
    const [r] = await rows<{ houses: number; occupied: number; households: number; living: number; elsewhere: number }>(
      `SELECT (SELECT count(*) FROM house h JOIN building b ON b.id = h.building_id WHERE ${STREETS})::int AS houses,
              (SELECT count(DISTINCT p.house_id) FROM ${PEOPLE} WHERE ${STREETS} AND ${LIVING})::int AS occupied,
              (SELECT count(DISTINCT p.household_id) FROM ${PEOPLE} WHERE ${STREETS} AND ${LIVING})::int AS households,
              (SELECT count(*) FROM ${PEOPLE} WHERE ${STREETS} AND ${LIVING})::int AS living,
              (SELECT count(*) FROM ${PEOPLE} WHERE NOT ${STREETS} AND p.updated_by = 'seed')::int AS elsewhere`,
    );
    expect(r.occupied / r.houses).toBeGreaterThan(0.8);
    expect(r.occupied / r.houses).toBeLessThan(0.9);
    expect(r.households).toBeGreaterThan(17_000);
    expect(r.households).toBeLessThan(19_000);
    expect(r.living).toBeGreaterThanOrEqual(45_000);
    expect(r.living).toBeLessThanOrEqual(50_000);
    expect(r.elsewhere).toBe(0);
  });

  it('leaves vacant flats and shops empty and puts migrants in rented flats more often than in owned ones', async () => {
    const uses = await rows<{ use: string; n: number; floating: number }>(
      `SELECT h.use, count(*)::int AS n, count(*) FILTER (WHERE p.residence_type = 'FLOATING')::int AS floating
       FROM ${PEOPLE} WHERE ${LIVING} AND p.updated_by = 'seed' GROUP BY h.use`,
    );
    const byUse = Object.fromEntries(uses.map((u) => [u.use, u]));
    expect(Object.keys(byUse).sort()).toEqual(['OWNER_OCCUPIED', 'RENTED']);
    expect(byUse.RENTED.floating / byUse.RENTED.n).toBeGreaterThan(3 * (byUse.OWNER_OCCUPIED.floating / byUse.OWNER_OCCUPIED.n));
  });

  it('registers about 80 % here, 18 % floating, some from abroad and a few unsettled; 1 in 5 is 60 or older', async () => {
    const [r] = await rows<Record<string, number>>(
      `SELECT count(*)::int AS n,
              count(*) FILTER (WHERE p.residence_type = 'REGISTERED')::int AS registered,
              count(*) FILTER (WHERE p.residence_type = 'FLOATING')::int AS floating,
              count(*) FILTER (WHERE p.residence_type = 'OVERSEAS')::int AS overseas,
              count(*) FILTER (WHERE p.residence_type = 'UNSETTLED')::int AS unsettled,
              count(*) FILTER (WHERE age(?::date, p.birth_date) >= interval '60 years')::int AS aged60,
              count(*) FILTER (WHERE age(?::date, p.birth_date) < interval '18 years')::int AS minors,
              count(*) FILTER (WHERE p.gender = 'MALE')::int AS men,
              count(*) FILTER (WHERE p.ethnicity = '汉族')::int AS han
       FROM ${PEOPLE} WHERE ${STREETS} AND ${LIVING}`,
      [today, today],
    );
    const share = (k: string) => r[k] / r.n;
    expect(share('registered')).toBeGreaterThan(0.76);
    expect(share('registered')).toBeLessThan(0.84);
    expect(share('floating')).toBeGreaterThan(0.15);
    expect(share('floating')).toBeLessThan(0.21);
    expect(share('overseas')).toBeGreaterThan(0.005);
    expect(share('overseas')).toBeLessThan(0.03);
    expect(r.unsettled).toBeGreaterThan(0);
    expect(share('unsettled')).toBeLessThan(0.01);
    expect(share('aged60')).toBeGreaterThan(0.17);
    expect(share('aged60')).toBeLessThan(0.25);
    expect(share('minors')).toBeGreaterThan(0.12);
    expect(share('minors')).toBeLessThan(0.25);
    expect(share('men')).toBeGreaterThan(0.46);
    expect(share('men')).toBeLessThan(0.54);
    expect(share('han')).toBeGreaterThan(0.94);
  });

  it('gives each household one head, a number of its building, and relations that fit the ages', async () => {
    const [r] = await rows<Record<string, number>>(
      `WITH members AS (
         SELECT p.*, hh.number, b.code AS building_code FROM ${PEOPLE} JOIN household hh ON hh.id = p.household_id WHERE ${STREETS}
       ),
       heads AS (SELECT household_id, birth_date FROM members WHERE relation_to_head = 'HEAD' AND status = 'LIVING_HERE')
       SELECT
         (SELECT count(*) FROM (SELECT household_id FROM members WHERE status = 'LIVING_HERE' GROUP BY household_id
                                HAVING count(*) FILTER (WHERE relation_to_head = 'HEAD') <> 1) x)::int AS not_one_head,
         (SELECT count(*) FROM members WHERE number !~ ('^' || building_code || '-[0-9]{3}$'))::int AS misnumbered,
         (SELECT count(*) FROM members m JOIN heads h USING (household_id) WHERE
            (m.relation_to_head = 'CHILD' AND m.birth_date < h.birth_date + interval '14 years')
            OR (m.relation_to_head = 'GRANDCHILD' AND m.birth_date < h.birth_date + interval '30 years')
            OR (m.relation_to_head IN ('PARENT', 'PARENT_IN_LAW') AND m.birth_date > h.birth_date - interval '15 years'))::int AS misaged,
         (SELECT count(*) FROM members WHERE relation_to_head IN ('HEAD', 'SPOUSE') AND status = 'LIVING_HERE' AND age(?::date, birth_date) < interval '18 years')::int AS minor_heads,
         (SELECT count(*) FROM members WHERE relation_to_head = 'HEAD' AND status <> 'LIVING_HERE')::int AS gone_heads,
         (SELECT count(*) FROM members WHERE status = 'MOVED_OUT')::int AS moved_out,
         (SELECT count(*) FROM members WHERE status = 'DECEASED')::int AS deceased,
         (SELECT count(*) FROM members m WHERE status = 'MOVED_OUT' AND NOT EXISTS (
            SELECT 1 FROM person_residence r WHERE r.person_id = m.id AND r.moved_out_on = m.moved_out_on))::int AS unclosed,
         (SELECT count(*) FROM members m WHERE NOT EXISTS (SELECT 1 FROM person_residence r WHERE r.person_id = m.id AND r.house_id = m.house_id))::int AS no_residence`,
      [today],
    );
    expect(r).toMatchObject({ not_one_head: 0, misnumbered: 0, misaged: 0, minor_heads: 0, gone_heads: 0, unclosed: 0, no_residence: 0 });
    expect(r.moved_out).toBeGreaterThan(0);
    expect(r.deceased).toBeGreaterThan(0);
  });

  it('spreads the households so most micro-grids hold 50–70 and a few fall outside, both ways', async () => {
    const micro = await rows<{ households: number }>(
      `SELECT count(DISTINCT p.household_id)::int AS households
       FROM grid m LEFT JOIN building b ON b.grid_id = m.id LEFT JOIN house h ON h.building_id = b.id
       LEFT JOIN person p ON p.house_id = h.id AND ${LIVING}
       WHERE m.level = 'MICRO_GRID' AND m.valid_to IS NULL AND m.code LIKE ANY(?::text[])
       GROUP BY m.id`,
      [DEMO_PEOPLE.streetCodes.map((c) => `${c}%`)],
    );
    const within = micro.filter((m) => m.households >= 50 && m.households <= 70).length;
    const below = micro.filter((m) => m.households < 50).length;
    const above = micro.filter((m) => m.households > 70).length;
    expect(micro.length).toBeGreaterThan(250);
    expect(within / micro.length).toBeGreaterThan(0.8);
    expect(below).toBeGreaterThan(0);
    expect(above).toBeGreaterThan(0);
    expect(below + above).toBeGreaterThanOrEqual(5);
  });

  it('gives everyone a valid ID number of their birth date and gender, sealed, indexed and masked as the app does, none in clear', async () => {
    // Every number as generated (the last test shows the database holds exactly these); a sample opened from the rows.
    const { people } = await generated();
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const p of people) {
      if (!p.idNumber) {
        if (p.residenceType !== 'UNSETTLED' && p.residenceType !== 'OVERSEAS') problems.push(`a ${p.residenceType} person without an ID number`);
        continue;
      }
      const masked = maskIdNumber(p.idNumber);
      const check = checkIdNumber(p.idNumber, { birthDate: p.birthDate, gender: p.gender });
      if (!check.ok) problems.push(`${masked}: ${check.problems.join('; ')}`);
      else if (check.value !== p.idNumber) problems.push(`${masked} is not normalised`);
      if (p.residenceType === 'REGISTERED' && !p.idNumber.startsWith('1301')) problems.push(`${masked}: registered here, issued outside Shijiazhuang`);
      if (p.residenceType === 'OVERSEAS' && !['81', '82', '83'].includes(p.idNumber.slice(0, 2))) problems.push(`${masked}: from abroad with a mainland number`);
      seen.add(p.idNumber);
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(seen.size).toBe(people.filter((p) => p.idNumber).length);
    expect(seen.size / people.length).toBeGreaterThan(0.98);
    expect(new Set([...seen].map((n) => n.slice(0, 6))).size).toBeGreaterThan(50);

    const byId = new Map(people.map((p) => [p.id, p]));
    const sample = await rows<{ id: string; sealed: Buffer; idx: Buffer; masked: string }>(
      `SELECT p.id, p.id_number_sealed AS sealed, p.id_number_index AS idx, p.id_number_masked AS masked
       FROM ${PEOPLE} WHERE ${STREETS} AND p.id_number_sealed IS NOT NULL AND p.id::text LIKE 'a%'`,
    );
    expect(sample.length).toBeGreaterThan(1000);
    for (const r of sample) {
      const value = cipher.open(r.sealed, SEALED.idNumber);
      expect({ value, masked: r.masked, index: r.idx.equals(idNumberIndex(cipher, value)) }).toEqual({ value: byId.get(r.id)?.idNumber, masked: maskIdNumber(value), index: true });
    }

    // Nothing personal in clear anywhere in the rows (byte columns aside: they hold ciphertext and HMACs). A
    // phone is 11 digits standing alone (not the tail of a UUID).
    const phone = `(^|[^0-9a-f-])1[3-9][0-9]{9}([^0-9a-f]|$)`;
    const [clear] = await rows<{ ids: number; phones: number; registrations: number }>(
      `SELECT count(*) FILTER (WHERE t ~ '[0-9]{17}[0-9X]')::int AS ids, count(*) FILTER (WHERE t ~ '${phone}')::int AS phones,
              (SELECT count(*) FROM tenant_registration r
               WHERE (to_jsonb(r) - 'id_number_index' - 'submission_sealed')::text ~ '[0-9]{17}[0-9X]|${phone}')::int AS registrations
       FROM (SELECT (to_jsonb(p) - 'id_number_sealed' - 'id_number_index' - 'phone_sealed' - 'phone_index' - 'permit_sealed')::text AS t FROM person p) x`,
    );
    expect(clear).toEqual({ ids: 0, phones: 0, registrations: 0 });
  });

  it('gives most adults a distinct, valid mainland mobile and small children none; sealed, indexed and masked', async () => {
    const { people } = await generated();
    const withPhone = people.filter((p) => p.phone !== null);
    const problems: string[] = [];
    for (const p of withPhone) {
      const check = mainlandMobile(p.phone!);
      if (!check.ok || check.value !== p.phone) problems.push(`${maskResidentPhone(p.phone!)}: ${check.ok ? 'not normalised' : check.problem}`);
      if (p.age < 10) problems.push(`a child of ${p.age} with a phone`);
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(new Set(withPhone.map((p) => p.phone)).size).toBe(withPhone.length);
    expect(withPhone.length / people.filter((p) => p.age >= 18).length).toBeGreaterThan(0.8);

    const byId = new Map(people.map((p) => [p.id, p]));
    const sample = await rows<{ id: string; sealed: Buffer; idx: Buffer; masked: string }>(
      `SELECT p.id, p.phone_sealed AS sealed, p.phone_index AS idx, p.phone_masked AS masked
       FROM ${PEOPLE} WHERE ${STREETS} AND p.phone_sealed IS NOT NULL AND p.id::text LIKE 'b%'`,
    );
    expect(sample.length).toBeGreaterThan(1000);
    for (const r of sample) {
      const value = cipher.open(r.sealed, SEALED.phone);
      expect({ value, masked: r.masked, index: r.idx.equals(phoneIndex(cipher, value)) }).toEqual({ value: byId.get(r.id)?.phone, masked: maskResidentPhone(value), index: true });
    }
  });

  it('records migrants\' arrival, reason and residence permits: most valid, some expiring within 30 days, a few lapsed', async () => {
    const [r] = await rows<Record<string, number>>(
      `SELECT count(*) FILTER (WHERE p.residence_type = 'FLOATING')::int AS floating,
              count(*) FILTER (WHERE p.residence_type = 'FLOATING' AND (p.arrived_on IS NULL OR p.arrived_on < p.birth_date OR p.arrived_on > ?::date
                                 OR p.arrival_reason NOT IN ('务工', '经商', '就学', '投靠亲友')))::int AS bad_arrival,
              count(*) FILTER (WHERE p.residence_type <> 'FLOATING' AND (p.arrived_on IS NOT NULL OR p.permit_sealed IS NOT NULL))::int AS settled_with_permit,
              count(*) FILTER (WHERE (p.permit_sealed IS NULL) <> (p.permit_expires_on IS NULL) OR (p.permit_sealed IS NULL) <> (p.permit_masked IS NULL)
                                 OR p.permit_expires_on < p.arrived_on)::int AS bad_permit,
              count(*) FILTER (WHERE p.permit_sealed IS NOT NULL)::int AS permits,
              count(*) FILTER (WHERE p.permit_expires_on BETWEEN ?::date AND ?::date + 30)::int AS expiring,
              count(*) FILTER (WHERE p.permit_expires_on < ?::date)::int AS lapsed
       FROM ${PEOPLE} WHERE ${STREETS} AND ${LIVING}`,
      [today, today, today, today],
    );
    expect(r).toMatchObject({ bad_arrival: 0, settled_with_permit: 0, bad_permit: 0 });
    expect(r.permits / r.floating).toBeGreaterThan(0.5);
    expect(r.expiring).toBeGreaterThan(50);
    expect(r.lapsed).toBeGreaterThan(20);
    expect(r.expiring + r.lapsed).toBeLessThan(r.permits * 0.2);
    const [sample] = await rows<{ sealed: Buffer; masked: string }>(`SELECT permit_sealed AS sealed, permit_masked AS masked FROM person WHERE permit_sealed IS NOT NULL LIMIT 1`);
    const permit = cipher.open(sample.sealed, SEALED.permit);
    expect(permit).toMatch(/^[0-9A-Z-]{4,40}$/);
    expect(sample.masked).toBe(`${permit.slice(0, 4)}${'*'.repeat(permit.length - 8)}${permit.slice(-4)}`);
  });

  it('records an owner living in every lived-in owner-occupied flat, and landlords of rented ones', async () => {
    const [r] = await rows<{ unowned: number; rented_owned: number }>(
      `SELECT count(*) FILTER (WHERE h.use = 'OWNER_OCCUPIED' AND NOT EXISTS (
                SELECT 1 FROM house_owner o JOIN person op ON op.id = o.person_id WHERE o.house_id = h.id AND op.house_id = h.id))::int AS unowned,
              count(*) FILTER (WHERE h.use = 'RENTED' AND EXISTS (SELECT 1 FROM house_owner o WHERE o.house_id = h.id))::int AS rented_owned
       FROM house h JOIN building b ON b.id = h.building_id
       WHERE ${STREETS} AND EXISTS (SELECT 1 FROM person p WHERE p.house_id = h.id AND ${LIVING})`,
    );
    expect(r.unowned).toBe(0);
    expect(r.rented_owned).toBeGreaterThan(100);
  });

  it('tags special groups well under 1 % with follow-up plans of the grid\'s worker, some overdue, their last visits logged', async () => {
    const tags = await rows<{ tag: string; age: number; attention_level: string | null; interval: number | null; due: string | null; expected_due: string | null; grid_id: string; worker_id: string | null; details: Buffer | null; visited: boolean }>(
      `SELECT t.tag, date_part('year', age(?::date, p.birth_date))::int AS age, t.attention_level, t.visit_interval_days AS interval,
              t.next_visit_due::text AS due,
              (coalesce((t.last_visit_at AT TIME ZONE 'Asia/Shanghai')::date, t.since) + t.visit_interval_days)::text AS expected_due,
              b.grid_id, t.responsible_worker_id AS worker_id, t.details_sealed AS details,
              t.last_visit_at IS NULL OR EXISTS (SELECT 1 FROM visit v WHERE v.person_tag_id = t.id AND v.visited_at = t.last_visit_at
                                                  AND v.worker_id = t.responsible_worker_id AND v.grid_id = b.grid_id AND v.note_sealed IS NOT NULL) AS visited
       FROM person_tag t JOIN ${PEOPLE} ON p.id = t.person_id
       WHERE ${STREETS} AND ${LIVING} AND t.removed_at IS NULL`,
      [today],
    );
    const responsible = new Map<string, string | null>();
    for (const t of tags) if (!responsible.has(t.grid_id)) responsible.set(t.grid_id, await defaultResponsibleWorker(db, t.grid_id));
    const [{ living }] = await rows<{ living: number }>(`SELECT count(*)::int AS living FROM ${PEOPLE} WHERE ${STREETS} AND ${LIVING}`);
    const special = tags.filter((t) => t.attention_level !== null);
    const count = (tag: string) => tags.filter((t) => t.tag === tag).length;
    expect(special.length / living).toBeGreaterThan(0.003);
    expect(special.length / living).toBeLessThan(0.01);
    for (const tag of ['COMMUNITY_CORRECTION', 'RELEASED_PRISONER', 'DRUG_REHABILITATION', 'KEY_YOUTH']) {
      expect(count(tag)).toBeGreaterThan(5);
      expect(count(tag)).toBeLessThan(count('SEVERE_MENTAL_DISORDER'));
    }
    const problems: string[] = [];
    for (const t of special) {
      if (t.interval === null || t.due !== t.expected_due) problems.push(`${t.tag}: due ${t.due}, expected ${t.expected_due}`);
      if (t.worker_id === null || t.worker_id !== responsible.get(t.grid_id)) problems.push(`${t.tag}: not the grid's responsible worker`);
      if (!t.visited) problems.push(`${t.tag}: last visit not logged`);
      if (!t.details || cipher.open(t.details, SEALED.tagDetails).length < 4) problems.push(`${t.tag}: no details`);
      if (t.tag === 'KEY_YOUTH' ? t.age < 11 || t.age > 27 : t.age < 17) problems.push(`${t.tag} at ${t.age}`);
    }
    expect(problems.slice(0, 10)).toEqual([]);
    const overdue = special.filter((t) => t.due! < today).length;
    expect(overdue).toBeGreaterThan(10);
    expect(overdue / special.length).toBeLessThan(0.35);
    // Care groups: no details, no plan.
    const care = tags.filter((t) => t.attention_level === null);
    expect(care.filter((t) => t.details !== null || t.interval !== null || t.due !== null)).toEqual([]);
    for (const tag of ['ELDERLY_LIVING_ALONE', 'DISABLED', 'LEFT_BEHIND_CHILD', 'LOW_INCOME']) expect(count(tag)).toBeGreaterThan(10);
    expect(care.filter((t) => t.tag === 'ELDERLY_LIVING_ALONE' && t.age < 64)).toEqual([]);
    expect(care.filter((t) => t.tag === 'LEFT_BEHIND_CHILD' && t.age > 17)).toEqual([]);
  });

  it('leaves a few tenants\' registrations pending in the first street\'s rented flats, their submissions sealed', async () => {
    const regs = await rows<{ code: string; use: string | null; name: string; gender: 'MALE' | 'FEMALE'; birth_year: number; idx: Buffer; masked: string; phone_masked: string; sealed: Buffer; held: boolean }>(
      `SELECT b.code, h.use, r.name, r.gender, r.birth_year, r.id_number_index AS idx, r.id_number_masked AS masked, r.phone_masked,
              r.submission_sealed AS sealed, EXISTS (SELECT 1 FROM person p WHERE p.id_number_index = r.id_number_index) AS held
       FROM tenant_registration r JOIN building b ON b.id = r.building_id
       LEFT JOIN house h ON h.building_id = r.building_id AND h.unit IS NOT DISTINCT FROM r.unit AND h.room = r.room AND h.retired_at IS NULL
       WHERE r.status = 'PENDING' AND r.submitted_at < now() AND r.submitted_at > now() - interval '6 days' AND r.decided_at IS NULL
         AND r.person_id IS NULL AND r.submission_sealed IS NOT NULL AND r.id = ANY(?::uuid[])`,
      [await seededRegistrationIds()],
    );
    expect(regs.length).toBeGreaterThanOrEqual(5);
    expect(regs.length).toBeLessThanOrEqual(10);
    for (const r of regs) {
      expect(r.code.startsWith(DEMO_PEOPLE.population.pendingRegistrations.streetCode)).toBe(true);
      expect(r.use).toBe('RENTED');
      expect(r.held).toBe(false);
      const s = JSON.parse(cipher.open(r.sealed, SEALED.tenantSubmission)) as TenantSubmission;
      expect(checkIdNumber(s.idNumber, { birthDate: s.birthDate, gender: s.gender })).toMatchObject({ ok: true, value: s.idNumber });
      expect(mainlandMobile(s.phone)).toEqual({ ok: true, value: s.phone });
      expect({ name: r.name, gender: r.gender, birth_year: r.birth_year, masked: r.masked, phone_masked: r.phone_masked }).toEqual({
        name: s.name,
        gender: s.gender,
        birth_year: Number(s.birthDate.slice(0, 4)),
        masked: maskIdNumber(s.idNumber),
        phone_masked: maskResidentPhone(s.phone),
      });
      expect(r.idx.equals(idNumberIndex(cipher, s.idNumber))).toBe(true);
      expect(s.arrivedOn <= today && s.arrivedOn >= s.birthDate).toBe(true);
    }
  });

  it('generates the same people from the same houses and plan, as the database holds them', async () => {
    const first = await generated();
    const again = generatePopulation(await housesOfStreets(db, DEMO_PEOPLE.streetCodes), populationPlanOn(DEMO_PEOPLE, today), today);
    expect(fingerprint(again)).toBe(fingerprint(first));
    expect(digest(generateGroups(again, DEMO_PEOPLE.groups, today).tags.map((t) => `${t.person.id}:${t.tag}`))).toBe(
      digest(generateGroups(first, DEMO_PEOPLE.groups, today).tags.map((t) => `${t.person.id}:${t.tag}`)),
    );

    // The clear values in the database are the generated ones: compared through their blind indexes (keyed
    // hashes of the clear values), so nothing needs opening. Permits' expiry counts from the day of seeding.
    const stored = await rows<{ line: string }>(
      `SELECT concat_ws('|', p.id, p.name, p.gender, p.birth_date, p.ethnicity, encode(p.id_number_index, 'hex'), encode(p.phone_index, 'hex'),
                        p.residence_type, p.registered_address, p.household_id, p.relation_to_head, p.status, p.moved_in_on,
                        p.moved_out_on, p.deceased_on, p.arrived_on, p.arrival_reason) AS line
       FROM ${PEOPLE} WHERE ${STREETS} ORDER BY p.id`,
    );
    const lines = first.people
      .map((p) =>
        [p.id, p.name, p.gender, p.birthDate, p.ethnicity, p.idNumber && idNumberIndex(cipher, p.idNumber).toString('hex'), p.phone && phoneIndex(cipher, p.phone).toString('hex'),
          p.residenceType, p.registeredAddress, p.household.id, p.relation, p.status, p.movedInOn, p.movedOutOn, p.deceasedOn, p.arrivedOn, p.arrivalReason]
          .filter((v) => v !== null)
          .join('|'),
      )
      .sort((a, b) => (a.slice(0, 36) < b.slice(0, 36) ? -1 : 1));
    expect(stored.length).toBe(lines.length);
    const firstDifference = stored.findIndex((r, i) => r.line !== lines[i]);
    expect(firstDifference === -1 ? null : { stored: stored[firstDifference].line, generated: lines[firstDifference] }).toBeNull();
    const tags = await rows<{ key: string }>(
      `SELECT t.person_id || ':' || t.tag AS key FROM person_tag t JOIN ${PEOPLE} ON p.id = t.person_id WHERE ${STREETS} ORDER BY t.person_id || ':' || t.tag COLLATE "C"`,
    );
    expect(digest(tags.map((t) => t.key))).toBe(digest(generateGroups(first, DEMO_PEOPLE.groups, today).tags.map((t) => `${t.person.id}:${t.tag}`).sort()));
  });
});

let population: Promise<Population> | undefined;

/** What the seed generates from the houses in the database (as it did when global setup seeded). */
function generated(): Promise<Population> {
  population ??= housesOfStreets(db, DEMO_PEOPLE.streetCodes).then((houses) => generatePopulation(houses, populationPlanOn(DEMO_PEOPLE, today), today));
  return population;
}

/** The registrations the seed wrote (tests over HTTP may commit registrations of their own). */
async function seededRegistrationIds(): Promise<string[]> {
  return (await generated()).applicants.map((a) => a.id);
}

function fingerprint(p: Population): string {
  return digest(
    p.people.map((x) => [x.id, x.name, x.gender, x.birthDate, x.idNumber, x.phone, x.residenceType, x.household.number, x.relation, x.permitNumber, x.permitExpiresOn].join('|')),
  );
}

function digest(lines: readonly string[]): string {
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line).update('\n');
  return hash.digest('hex');
}
