import { makeIdNumber } from '../../src/modules/person/id-number';
import { addDays, birthDateForAge, daysBetween, laterDate } from './calendar';
import { uuidFromName } from './ids';
import { householdSlots, type HouseholdKind, type HouseholdTarget } from './occupancy';
import { arrivalReason, composeHousehold, makeupOf, residenceTypeOf, type Makeup, type MemberSpec, type Relation, type ResidenceType } from './households';
import {
  COMPATRIOT_REGIONS,
  pickSurname,
  ETHNICITIES,
  foreignName,
  MOBILE_PREFIXES,
  ORIGIN_REGIONS,
  originAddress,
  pickGivenName,
  pickRegion,
  pickWeighted,
  SHIJIAZHUANG_REGIONS,
  type Gender,
  type Region,
} from './person-names';
import { SeededRandom } from './random';

/**
 * The population of the demo's houses, generated in JavaScript (no database): which houses are lived in, by how
 * many households, who they are. Deterministic: the same houses, plan and day give the same people, names, ID
 * numbers and phones. Biographical dates (births, moving in, arrival) count back from the plan's census date,
 * so they stay the same from one day to the next; only what must be near "today" to be worth showing (permits
 * about to expire, tenants' registrations of the last days) counts from the day of seeding.
 */
export interface SeedHouse {
  id: string;
  buildingId: string;
  buildingCode: string;
  /** The building's address (新华区革新街街道…3号楼). */
  address: string;
  unit: number | null;
  room: string;
  use: 'OWNER_OCCUPIED' | 'RENTED' | 'VACANT' | 'COMMERCIAL';
  microGridId: string;
  microGridCode: string;
  /** The worker who answers for the micro-grid by default (null when nobody does). */
  workerId: string | null;
}

export interface PopulationPlan {
  seed: number;
  /** YYYY-MM-DD: ages and biographical dates are as of this day. */
  censusDate: string;
  /** Households a micro-grid is filled to: normal around `mean`, within [min, max], except `outlierShare` above max. */
  householdsPerMicroGrid: HouseholdTarget;
  /** A micro-grid short of houses fills them with up to this many households each on average, no more. */
  maxHouseholdsPerHouse: number;
  /** Tenants who registered themselves at empty rented flats of one street, waiting for a grid worker. */
  pendingRegistrations: { streetCode: string; count: number };
}

export interface SeedHousehold {
  id: string;
  number: string;
  house: SeedHouse;
  kind: HouseholdKind;
  residenceType: ResidenceType;
  makeup: Makeup;
  movedInOn: string;
}

export interface SeedPerson {
  id: string;
  household: SeedHousehold;
  name: string;
  gender: Gender;
  birthDate: string;
  /** Age in full years on the census date. */
  age: number;
  ethnicity: string | null;
  idNumber: string | null;
  phone: string | null;
  residenceType: ResidenceType;
  registeredAddress: string | null;
  relation: Relation;
  status: 'LIVING_HERE' | 'MOVED_OUT' | 'DECEASED';
  movedInOn: string;
  movedOutOn: string | null;
  deceasedOn: string | null;
  arrivedOn: string | null;
  arrivalReason: string | null;
  permitNumber: string | null;
  permitExpiresOn: string | null;
}

/** A tenant's self-registration (一进一融一出), still pending: the values as the form submitted them. */
export interface SeedApplicant {
  id: string;
  house: SeedHouse;
  name: string;
  gender: Gender;
  birthDate: string;
  idNumber: string;
  phone: string;
  registeredAddress: string;
  arrivedOn: string;
  reason: string;
  /** RFC 3339 with the China offset, within the last few days. */
  submittedAt: string;
}

export interface Population {
  households: SeedHousehold[];
  people: SeedPerson[];
  applicants: SeedApplicant[];
}

/** `houses` in a stable order (building code, unit, floor, room); `today` in China, YYYY-MM-DD. */
export function generatePopulation(houses: readonly SeedHouse[], plan: PopulationPlan, today: string): Population {
  const byMicroGrid = new Map<string, SeedHouse[]>();
  for (const h of houses) {
    const list = byMicroGrid.get(h.microGridCode);
    if (list) list.push(h);
    else byMicroGrid.set(h.microGridCode, [h]);
  }
  const state = new Registry(plan, today);
  for (const code of [...byMicroGrid.keys()].sort()) {
    const rng = SeededRandom.forStage(plan.seed, `people:${code}`);
    const slots = householdSlots(rng, byMicroGrid.get(code)!, plan.householdsPerMicroGrid, plan.maxHouseholdsPerHouse);
    for (const h of byMicroGrid.get(code)!) {
      const kinds = slots.get(h);
      if (!kinds) continue;
      let first: ResidenceType | undefined;
      for (const kind of kinds) {
        const type = residenceTypeOf(rng, kind, first);
        first ??= type;
        state.addHousehold(rng, h, kind, type);
      }
    }
  }
  const occupied = new Set(state.households.map((h) => h.house));
  const rng = SeededRandom.forStage(plan.seed, 'applicants');
  const { streetCode, count } = plan.pendingRegistrations;
  const empty = houses.filter((h) => h.use === 'RENTED' && !occupied.has(h) && h.buildingCode.startsWith(streetCode));
  const buildings = new Set<string>();
  const applicants: SeedApplicant[] = [];
  for (const h of rng.shuffle([...empty])) {
    if (applicants.length === count) break;
    if (buildings.has(h.buildingId)) continue;
    buildings.add(h.buildingId);
    applicants.push(state.applicant(rng, h));
  }
  return { households: state.households, people: state.people, applicants };
}

/** What a household shares: where its members come from, when they came, what they are. */
interface Origin {
  region: Region | null;
  address: string | null;
  ethnicity: string | null;
  foreign: boolean;
  arrivedOn: string | null;
}

/** Builds households and people, keeping ID numbers, phones and household numbers unique across the district. */
class Registry {
  readonly households: SeedHousehold[] = [];
  readonly people: SeedPerson[] = [];
  private readonly idNumbers = new Set<string>();
  private readonly phones = new Set<string>();
  private readonly perBuilding = new Map<string, number>();
  private permits = 0;

  constructor(
    private readonly plan: PopulationPlan,
    private readonly today: string,
  ) {}

  addHousehold(rng: SeededRandom, house: SeedHouse, kind: HouseholdKind, type: ResidenceType): void {
    const census = this.plan.censusDate;
    const makeup = makeupOf(rng, kind, type);
    const members = composeHousehold(rng, makeup);
    const sequence = (this.perBuilding.get(house.buildingId) ?? 0) + 1;
    this.perBuilding.set(house.buildingId, sequence);
    const number = `${house.buildingCode}-${String(sequence).padStart(3, '0')}`;
    const headAge = members[0].age;
    // Owners have lived here up to decades, tenants a few years at most.
    const years = kind === 'owner' || kind === 'split' ? 0.3 + rng.next() * Math.max(0.5, Math.min(28, headAge - 21)) : 0.1 + rng.next() * 5;
    const movedInOn = addDays(census, -Math.floor(years * 365));
    const household: SeedHousehold = { id: uuidFromName(`household:${number}`), number, house, kind, residenceType: type, makeup, movedInOn };
    this.households.push(household);
    const origin = this.originOf(rng, type, headAge, movedInOn);
    members.forEach((m, i) => this.people.push(this.person(rng, household, origin, m, i)));
  }

  private originOf(rng: SeededRandom, type: ResidenceType, headAge: number, movedInOn: string): Origin {
    const birthYear = Number(this.plan.censusDate.slice(0, 4)) - headAge;
    const ethnicity = pickWeighted(rng, ETHNICITIES);
    if (type === 'FLOATING') {
      const region = pickRegion(rng, ORIGIN_REGIONS, birthYear);
      const earliest = addDays(this.plan.censusDate, -Math.max(0, headAge - 17) * 365);
      const arrivedOn = laterDate(earliest, addDays(movedInOn, -Math.floor(rng.next() * rng.next() * 6 * 365)));
      return { region, address: originAddress(rng, region), ethnicity, foreign: false, arrivedOn };
    }
    if (type === 'OVERSEAS') {
      if (rng.next() < 0.35) return { region: null, address: null, ethnicity: null, foreign: true, arrivedOn: null };
      const region = pickWeighted(rng, COMPATRIOT_REGIONS);
      return { region, address: region.name, ethnicity: '汉族', foreign: false, arrivedOn: null };
    }
    return { region: null, address: null, ethnicity, foreign: false, arrivedOn: null };
  }

  private person(rng: SeededRandom, household: SeedHousehold, origin: Origin, m: MemberSpec, index: number): SeedPerson {
    const census = this.plan.censusDate;
    const birthDate = birthDateForAge(census, m.age, rng.next());
    const birthYear = Number(birthDate.slice(0, 4));
    const unsettled = (household.residenceType === 'REGISTERED' || household.residenceType === 'FLOATING') && rng.next() < (m.age < 6 ? 0.02 : 0.001);
    const residenceType: ResidenceType = unsettled ? 'UNSETTLED' : household.residenceType;
    const movedInOn = laterDate(household.movedInOn, birthDate);
    const goneOn = m.gone ? addDays(movedInOn, Math.floor(rng.next() * (Math.max(0, daysBetween(movedInOn, census)) + 1))) : null;
    const floating = residenceType === 'FLOATING';
    const arrivedOn = floating ? laterDate(origin.arrivedOn ?? movedInOn, birthDate) : null;
    const permit = floating && m.gone === undefined ? this.permit(rng, m.age, arrivedOn!) : null;
    return {
      id: uuidFromName(`person:${household.number}:${index}`),
      household,
      name: origin.foreign ? foreignName(rng, m.gender) : m.surname + pickGivenName(rng, m.gender, birthYear),
      gender: m.gender,
      birthDate,
      age: m.age,
      ethnicity: origin.foreign ? null : index === 0 || rng.next() < 0.9 ? origin.ethnicity : pickWeighted(rng, ETHNICITIES),
      idNumber: this.idNumber(rng, residenceType, origin, m, birthDate),
      phone: m.gone === 'DECEASED' ? null : this.phone(rng, m.age),
      residenceType,
      registeredAddress: this.registeredAddress(residenceType, household, origin),
      relation: m.relation,
      status: m.gone ?? 'LIVING_HERE',
      movedInOn,
      movedOutOn: m.gone === 'MOVED_OUT' ? goneOn : null,
      deceasedOn: m.gone === 'DECEASED' ? goneOn : null,
      arrivedOn,
      arrivalReason: floating ? arrivalReason(rng, household.makeup, m) : null,
      permitNumber: permit?.number ?? null,
      permitExpiresOn: permit?.expiresOn ?? null,
    };
  }

  /** A migrant who just moved into an empty rented flat and filled in the building's form. */
  applicant(rng: SeededRandom, house: SeedHouse): SeedApplicant {
    const gender: Gender = rng.next() < 0.6 ? 'MALE' : 'FEMALE';
    const m: MemberSpec = { relation: 'HEAD', age: 20 + rng.int(26), gender, surname: '' };
    const birthDate = birthDateForAge(this.plan.censusDate, m.age, rng.next());
    const region = pickRegion(rng, ORIGIN_REGIONS, Number(birthDate.slice(0, 4)));
    const origin: Origin = { region, address: originAddress(rng, region), ethnicity: '汉族', foreign: false, arrivedOn: null };
    const hoursAgo = 2 + rng.int(96);
    const submitted = new Date(Date.parse(`${this.today}T00:00:00+08:00`) - hoursAgo * 3_600_000);
    return {
      id: uuidFromName(`tenant-registration:${house.id}`),
      house,
      name: pickSurname(rng) + pickGivenName(rng, gender, Number(birthDate.slice(0, 4))),
      gender,
      birthDate,
      idNumber: this.idNumber(rng, 'FLOATING', origin, m, birthDate)!,
      phone: this.newPhone(rng),
      registeredAddress: origin.address!,
      arrivedOn: addDays(this.today, -1 - rng.int(10)),
      reason: rng.next() < 0.8 ? '务工' : '经商',
      submittedAt: submitted.toISOString(),
    };
  }

  /** Where the number was issued: here for registered children, the city for registered adults, the home region for migrants. */
  private idNumber(rng: SeededRandom, type: ResidenceType, origin: Origin, m: MemberSpec, birthDate: string): string | null {
    if (type === 'UNSETTLED' || origin.foreign) return null;
    const birthYear = Number(birthDate.slice(0, 4));
    let region: string;
    if (type === 'REGISTERED') region = m.age < 18 && rng.next() < 0.85 ? '130105' : pickRegion(rng, SHIJIAZHUANG_REGIONS, birthYear).code;
    else {
      const own = origin.region!;
      const fits = (own.until === undefined || birthYear < own.until) && (own.since === undefined || birthYear >= own.since);
      // Migrants' relatives mostly come from the same county; residents from abroad all carry their permit's region.
      region = fits && (type === 'OVERSEAS' || m.relation === 'HEAD' || rng.next() < 0.8) ? own.code : pickRegion(rng, ORIGIN_REGIONS, birthYear).code;
    }
    for (;;) {
      const number = makeIdNumber(region, birthDate, rng.int(1000), m.gender);
      if (!this.idNumbers.has(number)) {
        this.idNumbers.add(number);
        return number;
      }
    }
  }

  /** Nearly every adult has a mobile; some teenagers, fewer of the very old, no small children. */
  private phone(rng: SeededRandom, age: number): string | null {
    const share = age < 10 ? 0 : age < 14 ? 0.25 : age < 75 ? 0.93 : 0.55;
    return rng.next() < share ? this.newPhone(rng) : null;
  }

  private newPhone(rng: SeededRandom): string {
    for (;;) {
      const phone = rng.pick(MOBILE_PREFIXES) + String(rng.int(1e8)).padStart(8, '0');
      if (!this.phones.has(phone)) {
        this.phones.add(phone);
        return phone;
      }
    }
  }

  private registeredAddress(type: ResidenceType, household: SeedHousehold, origin: Origin): string | null {
    if (type === 'REGISTERED') {
      const h = household.house;
      return `河北省石家庄市${h.address}${h.unit !== null ? `${h.unit}单元` : ''}${h.room}室`;
    }
    return type === 'UNSETTLED' ? null : origin.address;
  }

  /**
   * 居住证: adults who have lived here half a year or more, most of them; valid a year. A few expire within 30 days
   * of the seeding day and a few have lapsed, so `expiringPermits` has something to show.
   */
  private permit(rng: SeededRandom, age: number, arrivedOn: string): { number: string; expiresOn: string } | null {
    const eligible = age >= 16 && arrivedOn <= addDays(this.plan.censusDate, -183);
    const holds = rng.next() < 0.82;
    const u = rng.next();
    const days = rng.next();
    if (!eligible || !holds) return null;
    let expiresOn: string;
    if (u < 0.05) expiresOn = addDays(this.today, Math.floor(days * 31));
    else if (u < 0.08) expiresOn = addDays(this.today, -1 - Math.floor(days * 120));
    else expiresOn = addDays(this.today, 31 + Math.floor(days * 334));
    if (expiresOn < arrivedOn) expiresOn = addDays(this.today, 31 + Math.floor(days * 334));
    this.permits++;
    const issued = Number(expiresOn.slice(0, 4)) - 1;
    return { number: `130105${issued}${String(this.permits).padStart(6, '0')}`, expiresOn };
  }
}
