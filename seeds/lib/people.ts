import type { Knex } from 'knex';
import { todayInChina } from '../../src/modules/person/checks';
import { defaultResponsibleWorker } from '../../src/modules/person/group-repo';
import { maskIdNumber } from '../../src/modules/person/id-number';
import { personColumns, type PersonWrite } from '../../src/modules/person/repo';
import { idNumberIndex, maskResidentPhone, SEALED } from '../../src/modules/person/sealing';
import type { TenantSubmission } from '../../src/modules/person/tenant-confirm';
import type { PiiCipher } from '../../src/shared/pii';
import { insertRows } from './bulk-insert';
import { addDays } from './calendar';
import type { ProgressReporter } from './load';
import { generateGroups, type GroupsPlan, type SeedTag, type SeedVisit } from './person-groups';
import { generatePopulation, type Population, type PopulationPlan, type SeedApplicant, type SeedHouse, type SeedPerson } from './population';
import { SeededRandom } from './random';

/**
 * The population registry of the demo (实有人口): households and people in the houses of the populated streets,
 * house owners, special- and care-group tags with follow-up plans and visits, and a few tenants' registrations
 * waiting for a grid worker. Generated in JavaScript (seeds/lib/population.ts, person-groups.ts), personal values
 * sealed exactly as the application seals them (`personColumns` with the configuration's cipher), then written
 * with multi-row INSERTs; the population counters follow by their statement-level triggers.
 */
export interface PeoplePlan {
  /** Streets whose houses are lived in (their buildings' codes start with these). */
  streetCodes: readonly string[];
  population: PopulationPlan;
  groups: GroupsPlan;
}

export interface PeopleCounts {
  households: number;
  /** Living here (MOVED_OUT and DECEASED rows are history, not counted). */
  people: number;
  history: number;
  owners: number;
  tags: number;
  visits: number;
  pendingRegistrations: number;
}

/** Who writes the rows (`updated_by`, `created_by`). */
const BY = 'seed';
/** Visits go as multi-row VALUES (they join their building): bound values per statement. */
const MAX_BINDINGS = 30_000;

/** `today`: the day in China the plans fall due from (injected by tests). */
export async function seedPeople(
  trx: Knex.Transaction,
  plan: PeoplePlan,
  cipher: PiiCipher,
  onProgress?: ProgressReporter,
  today: string = todayInChina(),
): Promise<PeopleCounts> {
  // Bulk loading is no request: its statements are not held to the pool's statement timeout.
  await trx.raw('SET LOCAL statement_timeout = 0');
  let t0 = Date.now();
  const houses = await housesOfStreets(trx, plan.streetCodes);
  const population = generatePopulation(houses, populationPlanOn(plan, today), today);
  const { tags, visits } = generateGroups(population, plan.groups, today);
  const owners = houseOwners(population, houses, populationPlanOn(plan, today));
  const living = population.people.filter((p) => p.status === 'LIVING_HERE').length;
  onProgress?.(`generating people: ${living} in ${population.households.length} households in ${seconds(t0)} s`);

  t0 = Date.now();
  await insertRows(trx, 'seedHouseholds', 'household', population.households, (h) => ({ id: h.id, number: h.number, house_id: h.house.id, updated_by: BY }));
  await insertPeople(trx, cipher, population.people);
  await insertRows(trx, 'seedHouseOwners', 'house_owner', owners, (o) => ({ house_id: o.houseId, person_id: o.personId, since: o.since, created_by: BY }));
  onProgress?.(`seeding people: ${population.people.length} (${living} living here), ${owners.length} house owners in ${seconds(t0)} s`);

  t0 = Date.now();
  await insertTags(trx, cipher, tags);
  await insertVisits(trx, cipher, visits);
  await insertApplicants(trx, cipher, population.applicants);
  for (const table of ['household', 'person', 'person_residence', 'house_owner', 'person_tag', 'visit', 'tenant_registration']) {
    await trx.raw(`ANALYZE ${table}`);
  }
  onProgress?.(`seeding groups: ${tags.length} tags, ${visits.length} visits, ${population.applicants.length} pending registrations in ${seconds(t0)} s`);
  return {
    households: population.households.length,
    people: living,
    history: population.people.length - living,
    owners: owners.length,
    tags: tags.length,
    visits: visits.length,
    pendingRegistrations: population.applicants.length,
  };
}

/** The plan as seeded on `today`: a census date still to come (a clock set back) is moved to today, births stay in the past. */
export function populationPlanOn(plan: PeoplePlan, today: string): PopulationPlan {
  return plan.population.censusDate <= today ? plan.population : { ...plan.population, censusDate: today };
}

/**
 * The houses of the streets in a stable order, each with its building's micro-grid and the worker who answers
 * for it by default (`defaultResponsibleWorker`, the rule tagging a person uses).
 */
export async function housesOfStreets(db: Knex, streetCodes: readonly string[]): Promise<SeedHouse[]> {
  const { rows } = await db.raw(
    `/* seedPeopleHouses */ SELECT h.id, b.id AS building_id, b.code AS building_code, b.address, h.unit, h.room, h.use,
            g.id AS micro_grid_id, g.code AS micro_grid_code
     FROM house h JOIN building b ON b.id = h.building_id JOIN grid g ON g.id = b.grid_id
     WHERE b.code LIKE ANY(:prefixes::text[]) AND h.retired_at IS NULL
     ORDER BY b.code, h.unit NULLS FIRST, h.floor, h.room`,
    { prefixes: streetCodes.map((c) => `${c}%`) },
  );
  const workers = new Map<string, string | null>();
  for (const r of rows as { micro_grid_id: string }[]) {
    if (!workers.has(r.micro_grid_id)) workers.set(r.micro_grid_id, await defaultResponsibleWorker(db, r.micro_grid_id));
  }
  return rows.map((r: Record<string, string | number | null>) => ({
    id: r.id,
    buildingId: r.building_id,
    buildingCode: r.building_code,
    address: r.address,
    unit: r.unit,
    room: r.room,
    use: r.use,
    microGridId: r.micro_grid_id,
    microGridCode: r.micro_grid_code,
    workerId: workers.get(r.micro_grid_id as string) ?? null,
  }));
}

/** A person row as the application writes it (`personColumns`: sealed, indexed, masked), with the seed's own id. */
export function personRow(cipher: PiiCipher, p: SeedPerson): Record<string, string | number | Buffer | null> {
  const write: PersonWrite = {
    name: p.name,
    gender: p.gender,
    birthDate: p.birthDate,
    birthYear: Number(p.birthDate.slice(0, 4)),
    ethnicity: p.ethnicity,
    idNumber: p.idNumber,
    phone: p.phone,
    residenceType: p.residenceType,
    registeredAddress: p.registeredAddress,
    houseId: p.household.house.id,
    householdId: p.household.id,
    relationToHead: p.relation,
    status: p.status,
    movedInOn: p.movedInOn,
    arrivedOn: p.arrivedOn,
    arrivalReason: p.arrivalReason,
    permitNumber: p.permitNumber,
    permitExpiresOn: p.permitExpiresOn,
  };
  return { id: p.id, ...personColumns(cipher, write, BY), moved_out_on: p.movedOutOn, deceased_on: p.deceasedOn };
}

/** People with their residence history opened (as `insertPerson` does). */
async function insertPeople(trx: Knex.Transaction, cipher: PiiCipher, people: readonly SeedPerson[]): Promise<void> {
  await insertRows(trx, 'seedPeople', 'person', people, (p) => personRow(cipher, p), (insert) =>
    `WITH ins AS (${insert} RETURNING id, house_id, moved_in_on, moved_out_on)
     INSERT INTO person_residence (person_id, house_id, moved_in_on, moved_out_on) SELECT id, house_id, moved_in_on, moved_out_on FROM ins`,
  );
}

async function insertTags(trx: Knex.Transaction, cipher: PiiCipher, tags: readonly SeedTag[]): Promise<void> {
  await insertRows(
    trx,
    'seedPersonTags',
    'person_tag',
    tags,
    (t) => ({
      id: t.id,
      person_id: t.person.id,
      tag: t.tag,
      since: t.since,
      details_sealed: t.details === null ? null : cipher.seal(t.details, SEALED.tagDetails),
      attention_level: t.plan?.level ?? null,
      responsible_worker_id: t.plan?.workerId ?? null,
      visit_interval_days: t.plan?.intervalDays ?? null,
      last_visit_at: t.plan?.lastVisitAt ?? null,
      next_visit_due: t.plan?.nextVisitDue ?? null,
      created_by: BY,
    }),
  );
}

/** Visits logged at the person's building: its position, and the grid that position resolved to (the building's). */
async function insertVisits(trx: Knex.Transaction, cipher: PiiCipher, visits: readonly SeedVisit[]): Promise<void> {
  const perBatch = Math.floor(MAX_BINDINGS / 7);
  for (let start = 0; start < visits.length; start += perBatch) {
    const batch = visits.slice(start, start + perBatch);
    await trx.raw(
      `/* seedVisits */ INSERT INTO visit (id, person_id, person_tag_id, worker_id, visited_at, note_sealed, location, grid_id, grid_distance_m, created_by)
       SELECT v.id, v.person_id, v.tag_id, v.worker_id, v.visited_at, v.note, b.location, b.grid_id, b.grid_distance_m, '${BY}'
       FROM (VALUES ${batch.map(() => '(?::uuid, ?::uuid, ?::uuid, ?::uuid, ?::timestamptz, ?::bytea, ?::uuid)').join(', ')})
            AS v(id, person_id, tag_id, worker_id, visited_at, note, building_id)
       JOIN building b ON b.id = v.building_id`,
      batch.flatMap((v) => [v.id, v.tag.person.id, v.tag.id, v.tag.plan?.workerId ?? null, v.visitedAt, cipher.seal(v.note, SEALED.visitNote), v.tag.person.household.house.buildingId]),
    );
  }
}

/** Pending self-registrations, their submission sealed as `registerTenant` seals it. */
async function insertApplicants(trx: Knex.Transaction, cipher: PiiCipher, applicants: readonly SeedApplicant[]): Promise<void> {
  await insertRows(
    trx,
    'seedTenantRegistrations',
    'tenant_registration',
    applicants,
    (a) => {
      const submission: TenantSubmission = {
        name: a.name,
        gender: a.gender,
        birthDate: a.birthDate,
        idNumber: a.idNumber,
        phone: a.phone,
        registeredAddress: a.registeredAddress,
        arrivedOn: a.arrivedOn,
        reason: a.reason,
        permitNumber: null,
        permitExpiresOn: null,
      };
      return {
        id: a.id,
        building_id: a.house.buildingId,
        unit: a.house.unit,
        room: a.house.room,
        name: a.name,
        gender: a.gender,
        birth_year: Number(a.birthDate.slice(0, 4)),
        id_number_index: idNumberIndex(cipher, a.idNumber),
        id_number_masked: maskIdNumber(a.idNumber),
        phone_masked: maskResidentPhone(a.phone),
        submission_sealed: cipher.seal(JSON.stringify(submission), SEALED.tenantSubmission),
        status: 'PENDING',
        submitted_at: a.submittedAt,
      };
    },
  );
}

interface OwnerRow {
  houseId: string;
  personId: string;
  since: string;
}

/**
 * 房屋所有权人: an owner-occupied flat is owned by the head of its first household (and their spouse, half the
 * time, jointly); about half the rented and empty flats by a resident of the district who owns a second one.
 */
export function houseOwners(population: Population, houses: readonly SeedHouse[], plan: PopulationPlan): OwnerRow[] {
  const rng = SeededRandom.forStage(plan.seed, 'owners');
  const owners: OwnerRow[] = [];
  const firstHousehold = new Map<string, SeedPerson[]>();
  for (const p of population.people) {
    const house = p.household.house.id;
    const members = firstHousehold.get(house);
    if (!members) firstHousehold.set(house, [p]);
    else if (members[0].household === p.household) members.push(p);
  }
  const landlords: SeedPerson[] = [];
  for (const [houseId, members] of firstHousehold) {
    if (members[0].household.kind !== 'owner') continue;
    const head = members[0];
    owners.push({ houseId, personId: head.id, since: head.household.movedInOn });
    const spouse = members.find((m) => m.relation === 'SPOUSE' && m.status === 'LIVING_HERE');
    if (spouse && rng.next() < 0.5) owners.push({ houseId, personId: spouse.id, since: head.household.movedInOn });
    if (head.residenceType === 'REGISTERED' && head.age >= 35) landlords.push(head);
  }
  for (const h of houses) {
    if ((h.use !== 'RENTED' && h.use !== 'VACANT') || landlords.length === 0 || rng.next() >= 0.5) continue;
    const landlord = landlords[rng.int(landlords.length)];
    const since = addDays(landlord.household.movedInOn, rng.int(3000));
    owners.push({ houseId: h.id, personId: landlord.id, since: since < plan.censusDate ? since : plan.censusDate });
  }
  return owners;
}

function seconds(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}
