import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Gender, RelationToHead, ResidenceType } from '../../src/generated/graphql';
import { makeIdNumber } from '../../src/modules/person/id-number';
import { personColumns, type PersonWrite } from '../../src/modules/person/repo';
import type { PiiCipher } from '../../src/shared/pii';
import { SeededRandom } from '../../seeds/lib/random';
import { workerName } from '../../seeds/lib/workers';
import { withoutSecondaryIndexes } from './indexes';

/**
 * The benchmark city's population (Zhengzhou: 12.8 million residents in about 4.5 million households), put
 * into its houses (bench/lib/city-places.ts) by a generator of its own: one household per occupied house,
 * 1–6 members (a head, a spouse, children, sometimes a parent), about 80% registered, 17% floating with a
 * residence permit, 2% overseas, 1% unsettled; every ID number valid and unique, sealed, indexed and masked
 * exactly as the API writes them (personColumns), so lookups and reveals work on it. Then special and care
 * groups at the demo's rates, with follow-up plans.
 *
 * Written in one transaction with the tables' secondary indexes dropped and rebuilt after; sealing (in this
 * process) overlaps the previous batch's INSERT (in PostgreSQL), so both cores work.
 */
export interface CityPeoplePlan {
  people: number;
  /** Households per occupied house is 1; this share of the residential houses is occupied. */
  occupiedShare: number;
  seed: number;
  today: string;
}

const BATCH = 4000;
// Regions disjoint from bench/lib/people-csv.ts's, so an imported file never collides with the base population.
const LOCAL_REGIONS = ['410102', '410103', '410104', '410106', '410108', '410122', '410181', '410182', '410183', '410184', '410185'];
const OTHER_REGIONS = ['411302', '410302', '412702', '411502', '340102', '371302', '610102', '360102', '500103', '440106'];
const ETHNICITIES = ['汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '回族', '满族', '蒙古族'];
const REASONS = ['务工', '经商', '求学', '投靠亲友', '随迁家属'];
const MOBILE = ['130', '131', '135', '136', '137', '138', '139', '150', '151', '158', '186', '187', '188', '189', '199'];
const DAY = 86_400_000;

const PERSON_COLUMN_TYPES: Record<string, string> = {
  id: 'uuid',
  name: 'text',
  gender: 'text',
  birth_date: 'date',
  birth_year: 'smallint',
  ethnicity: 'text',
  id_number_sealed: 'bytea',
  id_number_index: 'bytea',
  id_number_masked: 'text',
  phone_sealed: 'bytea',
  phone_index: 'bytea',
  phone_masked: 'text',
  residence_type: 'text',
  registered_address: 'text',
  house_id: 'uuid',
  household_id: 'uuid',
  relation_to_head: 'text',
  status: 'text',
  moved_in_on: 'date',
  arrived_on: 'date',
  arrival_reason: 'text',
  permit_sealed: 'bytea',
  permit_masked: 'text',
  permit_expires_on: 'date',
  updated_by: 'text',
};

export async function loadCityPeople(
  knex: Knex,
  cipher: PiiCipher,
  codePrefix: string,
  plan: CityPeoplePlan,
  onProgress: (line: string) => void,
): Promise<{ people: number; households: number; ms: number } | 'already-loaded'> {
  const { rows: present } = await knex.raw(
    `SELECT 1 FROM person p JOIN house h ON h.id = p.house_id JOIN building b ON b.id = h.building_id WHERE b.code LIKE ? LIMIT 1`,
    [`${codePrefix}%`],
  );
  if (present.length > 0) return 'already-loaded';
  const started = Date.now();
  const result = await knex.transaction(async (trx) => {
    await trx.raw('SET LOCAL statement_timeout = 0');
    await trx.raw(`SET LOCAL maintenance_work_mem = '1GB'`);
    return withoutSecondaryIndexes(trx, ['person', 'household', 'person_residence'], () => generate(trx, cipher, codePrefix, plan, onProgress), {
      primaryKeysOf: ['person_residence'],
      onProgress,
    });
  });
  await addGroups(knex, codePrefix, plan.today, onProgress);
  for (const table of ['person', 'household', 'person_residence', 'person_tag', 'building_population', 'building_tag_count', 'house_resident_count', 'household_member_count']) await knex.raw(`VACUUM ANALYZE ${table}`);
  return { ...result, ms: Date.now() - started };
}

type Row = Record<string, string | number | Buffer | null>;

interface House {
  id: string;
  use: string;
}

async function generate(trx: Knex.Transaction, cipher: PiiCipher, codePrefix: string, plan: CityPeoplePlan, onProgress: (line: string) => void) {
  const rng = SeededRandom.forStage(plan.seed, 'city-people');
  const { rows: count } = await trx.raw(
    `SELECT count(*)::int AS n FROM house h JOIN building b ON b.id = h.building_id
     WHERE b.code LIKE ? AND h.retired_at IS NULL AND h.use IN ('OWNER_OCCUPIED', 'RENTED', 'OTHER')`,
    [`${codePrefix}%`],
  );
  const residential: number = count[0].n;
  // Zhengzhou's 2.84 people a household; a smaller run fills fewer houses rather than making households of one.
  const households = Math.min(Math.round(residential * plan.occupiedShare), Math.round(plan.people / 2.84));
  const occupiedShare = households / Math.max(1, residential);
  const perHousehold = plan.people / Math.max(1, households);
  onProgress(`population: ${plan.people} people in ~${households} households (${perHousehold.toFixed(2)} a household) over ${residential} residential houses`);
  const used = new Map<string, number>();
  const todayMs = Date.parse(`${plan.today}T00:00:00Z`);
  let people = 0;
  let householdCount = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  let pending: Promise<unknown> = Promise.resolve();
  let batch: { person: Row[]; households: { id: string; number: string; house_id: string }[] } = { person: [], households: [] };
  const flush = async () => {
    const b = batch;
    batch = { person: [], households: [] };
    await pending;
    pending = insertBatch(trx, b);
  };
  while (people < plan.people) {
    const { rows: houses } = await trx.raw<{ rows: House[] }>(
      `SELECT h.id, h.use FROM house h JOIN building b ON b.id = h.building_id
       WHERE b.code LIKE ? AND h.retired_at IS NULL AND h.use IN ('OWNER_OCCUPIED', 'RENTED', 'OTHER') AND h.id > ?
       ORDER BY h.id LIMIT 200000`,
      [`${codePrefix}%`, after],
    );
    if (houses.length === 0) break;
    after = houses[houses.length - 1].id;
    for (const house of houses) {
      if (people >= plan.people) break;
      if (rng.next() > occupiedShare) continue;
      householdCount++;
      const householdId = randomUUID();
      batch.households.push({ id: householdId, number: `ZZ${String(householdCount).padStart(8, '0')}`, house_id: house.id });
      const members = household(rng, perHousehold, house.use === 'RENTED', used, todayMs);
      for (const m of members) {
        if (people >= plan.people) break;
        const write: PersonWrite = { ...m, houseId: house.id, householdId };
        batch.person.push({ id: randomUUID(), ...personColumns(cipher, write, 'bench:city-people') });
        people++;
      }
      if (batch.person.length >= BATCH) await flush();
    }
    if (people % 500_000 < BATCH * 5) onProgress(`seeding people: ${people}/${plan.people}`);
  }
  await flush();
  await pending;
  return { people, households: householdCount };
}

async function insertBatch(trx: Knex.Transaction, b: { person: Row[]; households: { id: string; number: string; house_id: string }[] }) {
  if (b.households.length) {
    await trx.raw(`INSERT INTO household (id, number, house_id, updated_by) SELECT *, 'bench:city-people' FROM unnest(?::uuid[], ?::text[], ?::uuid[])`, [
      b.households.map((h) => h.id),
      b.households.map((h) => h.number),
      b.households.map((h) => h.house_id),
    ]);
  }
  if (!b.person.length) return;
  // One JSON parameter per batch (bytea as \\x hex, which bytea's text input reads): no per-column array types.
  const columns = Object.keys(PERSON_COLUMN_TYPES);
  const json = JSON.stringify(b.person.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Buffer.isBuffer(v) ? `\\x${v.toString('hex')}` : v]))));
  await trx.raw(`INSERT INTO person (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM json_populate_recordset(NULL::person, ?::json)`, [json]);
  await trx.raw(
    `INSERT INTO person_residence (person_id, house_id, moved_in_on) SELECT id, house_id, moved_in_on FROM json_populate_recordset(NULL::person, ?::json)`,
    [json],
  );
}

type Member = Omit<PersonWrite, 'houseId' | 'householdId'>;

/** One household's members, head first, sized so the city averages `mean` a household. */
function household(rng: SeededRandom, mean: number, rented: boolean, used: Map<string, number>, todayMs: number): Member[] {
  // 1 + a binomial-ish spread around the mean, capped at 6.
  let size = 1;
  for (let i = 0; i < 5; i++) if (rng.next() < (mean - 1) / 5) size++;
  const r = rng.next();
  const type: ResidenceType = rented ? (r < 0.55 ? 'FLOATING' : r < 0.95 ? 'REGISTERED' : 'OVERSEAS') : r < 0.87 ? 'REGISTERED' : r < 0.97 ? 'FLOATING' : r < 0.985 ? 'OVERSEAS' : 'UNSETTLED';
  // Foreign nationals hold passports, which the registry does not model: no ID number.
  const regions = type === 'REGISTERED' ? LOCAL_REGIONS : OTHER_REGIONS;
  const region = rng.pick(regions);
  const headAge = 22 + rng.int(60);
  const headGender: Gender = rng.next() < 0.7 ? 'MALE' : 'FEMALE';
  const surname = workerName(rng).slice(0, 1);
  const movedIn = date(todayMs - rng.int(20 * 365) * DAY);
  const arrived = date(todayMs - rng.int(8 * 365) * DAY);
  const out: Member[] = [];
  for (let i = 0; i < size; i++) {
    const relation: RelationToHead = i === 0 ? 'HEAD' : i === 1 ? 'SPOUSE' : i === 5 ? 'PARENT' : 'CHILD';
    const gender: Gender = i === 0 ? headGender : i === 1 ? (headGender === 'MALE' ? 'FEMALE' : 'MALE') : rng.next() < 0.5 ? 'MALE' : 'FEMALE';
    const age = i === 0 ? headAge : i === 1 ? Math.max(18, headAge + rng.int(7) - 3) : i === 5 ? headAge + 24 + rng.int(8) : rng.int(Math.max(1, headAge - 20));
    const birthDate = date(todayMs - (age * 365.25 + rng.int(365)) * DAY);
    const idNumber = type === 'OVERSEAS' ? null : uniqueId(used, region, regions, birthDate, gender);
    const floating = type === 'FLOATING';
    const permitDays = 365 + rng.int(900) - 200;
    out.push({
      name: i === 0 || relation === 'CHILD' ? surname + workerName(rng).slice(1) : workerName(rng),
      gender,
      birthDate,
      birthYear: Number(birthDate.slice(0, 4)),
      ethnicity: rng.pick(ETHNICITIES),
      idNumber,
      phone: age >= 16 && rng.next() < 0.85 ? rng.pick(MOBILE) + String(rng.int(100_000_000)).padStart(8, '0') : null,
      residenceType: type,
      registeredAddress: type === 'REGISTERED' ? '河南省郑州市' : null,
      relationToHead: relation,
      movedInOn: movedIn < birthDate ? birthDate : movedIn,
      arrivedOn: floating ? (arrived < birthDate ? birthDate : arrived) : null,
      arrivalReason: floating ? rng.pick(REASONS) : null,
      permitNumber: floating && rng.next() < 0.8 ? `${region}${String(rng.int(10_000_000_000)).padStart(10, '0')}` : null,
      permitExpiresOn: floating ? date(Date.parse(`${arrived}T00:00:00Z`) + permitDays * DAY) : null,
    });
  }
  return out;
}

/** A valid ID number no one else in this load has: sequences per (region, birth date), the next region when one is full. */
function uniqueId(used: Map<string, number>, region: string, regions: readonly string[], birthDate: string, gender: Gender): string {
  for (let k = 0; k < regions.length; k++) {
    const r = k === 0 ? region : regions[(regions.indexOf(region) + k) % regions.length];
    const key = r + birthDate;
    const n = used.get(key) ?? 0;
    if (n < 500) {
      used.set(key, n + 1);
      return makeIdNumber(r, birthDate, n * 2 + (gender === 'MALE' ? 1 : 0), gender);
    }
  }
  throw new Error(`no ID number left for ${birthDate}`);
}

const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Special and care groups at the demo's rates, with follow-up plans (about a tenth of them overdue). */
async function addGroups(knex: Knex, codePrefix: string, today: string, onProgress: (line: string) => void): Promise<void> {
  const t0 = Date.now();
  const groups: [tag: string, perTenThousand: number, special: boolean][] = [
    ['COMMUNITY_CORRECTION', 5, true],
    ['RELEASED_PRISONER', 10, true],
    ['DRUG_REHABILITATION', 5, true],
    ['SEVERE_MENTAL_DISORDER', 40, true],
    ['KEY_YOUTH', 10, true],
    ['ELDERLY_LIVING_ALONE', 150, false],
    ['DISABLED', 120, false],
    ['LEFT_BEHIND_CHILD', 30, false],
    ['LOW_INCOME', 100, false],
  ];
  let offset = 0;
  for (const [tag, rate, special] of groups) {
    await knex.raw(
      `INSERT INTO person_tag (person_id, tag, since, attention_level, visit_interval_days, next_visit_due, created_by)
       SELECT p.id, ?, ?::date - (abs(hashtext(p.id::text)) % 900),
              ${special ? `(ARRAY['HIGH','MEDIUM','LOW'])[1 + abs(hashtext(p.id::text || 'a')) % 3]` : 'NULL'},
              ${special ? '30' : 'NULL'},
              ${special ? `?::date + (abs(hashtext(p.id::text || 'd')) % 33) - 3` : 'NULL'},
              'bench:city-people'
       FROM person p JOIN house h ON h.id = p.house_id JOIN building b ON b.id = h.building_id
       WHERE b.code LIKE ? AND (abs(hashtext(p.id::text)) % 10000) BETWEEN ? AND ?`,
      special ? [tag, today, today, `${codePrefix}%`, offset, offset + rate - 1] : [tag, today, `${codePrefix}%`, offset, offset + rate - 1],
    );
    offset += rate;
  }
  onProgress(`special and care groups tagged in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
