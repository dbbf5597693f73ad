import type { Context } from '../../context';
import { badInput, forbidden } from '../../errors';
import { joined, msg } from '../../i18n';
import type { PersonFilter, PersonStatus } from '../../generated/graphql';
import { decodeCursor, encodeCursor, expectGlobalId, pageSize } from '../../graphql/relay';
import { mainlandPhone } from '../../shared/phone';
import { assertPermitted, assertPrincipal, can, codeSubject, GRID_CODE } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import type { GridRow } from '../grid/mappers';
import type { HouseRow } from '../place/mappers';
import { ageOn, todayInChina } from './checks';
import { checkIdNumber } from './id-number';
import type { HouseholdRow, PersonPage, PersonRow, ResidenceRow } from './mappers';
import * as repo from './repo';
import * as list from './repo-list';
import { cipherFor, idNumberIndex, phoneIndex } from './sealing';

const MAX_NAME_CONTAINS = 100;
const MAX_AGE = 150;

/**
 * Reading people: who may read which person is the policy's `person:read` (GRID_WORKER, DISPATCHER and ADMIN,
 * within their jurisdiction; anyone else is refused FORBIDDEN on every path: `person`, `people`, `node`,
 * `Grid.people`, `House.residents`, `Household.members`, owners). Rows carry masked values only.
 */
export class PersonService {
  constructor(private readonly ctx: Context) {}

  /** The caller, who must be allowed to read people somewhere (else FORBIDDEN before anything is read). */
  reader(): Principal {
    const principal = assertPermitted(this.ctx.viewer, 'person:read');
    if (!principal) throw forbidden(msg('people.anonymous'));
    return principal;
  }

  /** Throws FORBIDDEN unless the caller may read this person (their building's grid within the jurisdiction). */
  assertVisible<R extends { grid_code: string | null }>(row: R, what = 'this person'): R {
    assertPrincipal(this.ctx.viewer, 'person:read', codeSubject(row.grid_code), what);
    return row;
  }

  /** Whether the caller may read this person (a per-row decision, for lists of ids the caller gave). */
  canRead(row: { grid_code: string | null }): boolean {
    return can(this.ctx.viewer, 'person:read', codeSubject(row.grid_code));
  }

  async person(globalId: string): Promise<PersonRow | null> {
    assertPermitted(this.ctx.viewer, 'person:read');
    return this.byIdForNode(expectGlobalId(globalId, 'Person', 'id'));
  }

  async byIdForNode(id: string): Promise<PersonRow | null> {
    assertPermitted(this.ctx.viewer, 'person:read');
    const row = await this.ctx.loaders.person.personById.load(id);
    return row ? this.assertVisible(row) : null;
  }

  /** A person already shown to the caller (a household member, an owner), by id. */
  async byId(id: string | null): Promise<PersonRow | null> {
    if (!id) return null;
    return this.byIdForNode(id);
  }

  async household(globalId: string): Promise<HouseholdRow | null> {
    assertPermitted(this.ctx.viewer, 'person:read');
    return this.householdForNode(expectGlobalId(globalId, 'Household', 'id'));
  }

  async householdForNode(id: string): Promise<HouseholdRow | null> {
    assertPermitted(this.ctx.viewer, 'person:read');
    const row = await this.ctx.loaders.person.householdById.load(id);
    return row ? this.assertVisible(row, 'this household') : null;
  }

  async members(household: HouseholdRow, includeMovedOut: boolean): Promise<PersonRow[]> {
    this.assertVisible(household, 'this household');
    return list.membersOfHouseholds(this.ctx.db, [household.id], includeMovedOut);
  }

  async head(household: HouseholdRow): Promise<PersonRow | null> {
    const members = await this.members(household, false);
    return members.find((m) => m.relation_to_head === 'HEAD') ?? null;
  }

  /** Current households of a house: readable by whoever may read its people. */
  async householdsOf(house: HouseRow): Promise<HouseholdRow[]> {
    await this.assertHouseVisible(house);
    return repo.householdsOfHouses(this.ctx.db, [house.id]);
  }

  async owners(house: HouseRow): Promise<PersonRow[]> {
    await this.assertHouseVisible(house);
    return list.ownersOfHouses(this.ctx.db, [house.id]);
  }

  async ownedHouses(person: PersonRow): Promise<HouseRow[]> {
    const ids = await list.housesOwnedBy(this.ctx.db, person.id);
    const houses = await Promise.all(ids.map((id) => this.ctx.loaders.place.houseById.load(id)));
    return houses.filter((h): h is HouseRow => h !== null);
  }

  async residences(person: PersonRow): Promise<ResidenceRow[]> {
    return list.residencesOf(this.ctx.db, person.id);
  }

  async residents(house: HouseRow, args: { includeMovedOut?: boolean | null; first?: number | null; after?: string | null }): Promise<PersonPage> {
    await this.assertHouseVisible(house);
    const filter: list.PersonListFilter = { ...emptyFilter(args.includeMovedOut ? ['LIVING_HERE', 'MOVED_OUT', 'DECEASED'] : ['LIVING_HERE']), houseId: house.id };
    return this.page(filter, args.first, args.after);
  }

  /**
   * `people` and `Grid.people`: the caller's jurisdiction, narrowed by the filter's grid (which must lie within
   * it) and the filter's other conditions.
   */
  async people(input: PersonFilter | null | undefined, first: number | null | undefined, after: string | null | undefined, grid: GridRow | null): Promise<PersonPage> {
    const principal = this.reader();
    const f = input ?? {};
    if (grid && (f.ancestorId || f.gridCode)) throw badInput(msg('people.gridOnce'), 'filter.ancestorId');
    const named = grid ?? (await this.ctx.services.location.gridOf(f.ancestorId, f.gridCode, 'filter', { id: 'ancestorId', code: 'gridCode' }));
    const subtreeOf = await this.listScope(principal, 'person:read', named);
    const filter = this.listFilter(f, subtreeOf);
    // A list over the whole deployment with no exact key reads every row once per page: one at a time.
    const unbounded = subtreeOf === null && !filter.idNumberIndex && !filter.phoneIndex;
    return unbounded ? this.ctx.expensive('search', () => this.page(filter, first, after)) : this.page(filter, first, after);
  }

  /**
   * The subtree a list of people (or of what concerns them) covers: the grid the caller named, which must lie
   * within their reach for `action`, else their jurisdiction's root; null for a caller of the whole deployment.
   */
  async listScope(principal: Principal, action: 'person:read' | 'tenant:decide', named: GridRow | null): Promise<string | null> {
    if (named) {
      assertPrincipal(this.ctx.viewer, action, { code: named.code }, `grid ${named.code} (${named.name})`);
      return named.id;
    }
    if (!principal.jurisdictionCode) return null;
    const root = GRID_CODE.test(principal.jurisdictionCode) ? await this.ctx.loaders.grid.byCode.load(principal.jurisdictionCode) : null;
    if (!root) throw forbidden(msg('people.noJurisdiction', { code: principal.jurisdictionCode ?? '' }));
    return root.id;
  }

  private listFilter(f: PersonFilter, subtreeOf: string | null): list.PersonListFilter {
    const cipher = cipherFor(this.ctx.config);
    const out: list.PersonListFilter = { ...emptyFilter(f.status?.length ? f.status : ['LIVING_HERE']), subtreeOf };
    if (f.nameContains != null) {
      if (f.nameContains.length > MAX_NAME_CONTAINS) throw badInput(msg('people.nameContains', { max: MAX_NAME_CONTAINS }), 'filter.nameContains');
      out.nameContains = f.nameContains.trim() || null;
    }
    if (f.idNumber != null) {
      const check = checkIdNumber(f.idNumber);
      if (!check.ok) throw badInput(msg('people.filter', { field: 'filter.idNumber', detail: joined(check.issues) }), 'filter.idNumber');
      out.idNumberIndex = idNumberIndex(cipher, check.value);
    }
    if (f.phone != null) {
      const phone = mainlandPhone(f.phone);
      if (!phone.ok) throw badInput(msg('people.filter', { field: 'filter.phone', detail: phone.issue }), 'filter.phone');
      out.phoneIndex = phoneIndex(cipher, phone.value);
    }
    if (f.residenceType?.length) out.residenceTypes = [...f.residenceType];
    if (f.tag?.length) out.tags = [...f.tag];
    const today = todayInChina();
    for (const [key, value] of [['ageFrom', f.ageFrom], ['ageTo', f.ageTo]] as const) {
      if (value != null && (!Number.isInteger(value) || value < 0 || value > MAX_AGE)) throw badInput(msg('people.age', { field: `filter.${key}`, max: MAX_AGE, got: value }), `filter.${key}`);
    }
    if (f.ageFrom != null && f.ageTo != null && f.ageFrom > f.ageTo) throw badInput(msg('people.ageOrder', { from: f.ageFrom, to: f.ageTo }), 'filter.ageFrom');
    // Aged at least N today: born on or before today N years ago; at most N: born after today N+1 years ago.
    if (f.ageFrom != null) out.bornOnOrBefore = yearsBefore(today, f.ageFrom);
    if (f.ageTo != null) out.bornAfter = yearsBefore(today, f.ageTo + 1);
    return out;
  }

  private async page(filter: list.PersonListFilter, first: number | null | undefined, after: string | null | undefined): Promise<PersonPage> {
    const limit = pageSize(first);
    const key = after ? personCursor(after) : null;
    const rows = await list.pageOfPeople(this.ctx.db, filter, key, limit + 1);
    let total: Promise<number> | undefined;
    return {
      rows: rows.slice(0, limit),
      hasNextPage: rows.length > limit,
      totalCount: () => (total ??= list.countPeople(this.ctx.db, filter)),
      cursorOf: (row) => encodeCursor(list.personKeyOf(row)),
    };
  }

  /** People of a house are readable by whoever may read people where its building stands. */
  private async assertHouseVisible(house: HouseRow): Promise<void> {
    assertPermitted(this.ctx.viewer, 'person:read');
    const grid = house.grid_id ? await this.ctx.services.grid.byId(house.grid_id) : null;
    assertPrincipal(this.ctx.viewer, 'person:read', codeSubject(grid?.code), 'the people of this house');
  }

  /** Age in full years today (an erased stub: from its birth year, as if born mid-year). */
  age(row: PersonRow): number {
    const today = todayInChina();
    return ageOn(row.birth_date ?? `${String(row.birth_year).padStart(4, '0')}-07-01`, today);
  }
}

function emptyFilter(statuses: PersonStatus[]): list.PersonListFilter {
  return {
    subtreeOf: null,
    nameContains: null,
    idNumberIndex: null,
    phoneIndex: null,
    residenceTypes: null,
    tags: null,
    bornOnOrBefore: null,
    bornAfter: null,
    statuses,
  };
}

function personCursor(after: string): list.PersonKey {
  const [code, unit, room, id] = decodeCursor(after, 4);
  if (typeof code !== 'string' || typeof unit !== 'number' || typeof room !== 'string' || typeof id !== 'string') {
    throw badInput(msg('people.cursor'), 'after');
  }
  return [code, unit, room, id];
}

/** The same calendar day `years` years before (29 February → 28 February in a common year). */
export function yearsBefore(date: string, years: number): string {
  const y = Number(date.slice(0, 4)) - years;
  const md = date.slice(5);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return `${String(y).padStart(4, '0')}-${md === '02-29' && !leap ? '02-28' : md}`;
}
