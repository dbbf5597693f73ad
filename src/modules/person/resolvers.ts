import type { Resolvers } from '../../generated/graphql';
import { toGlobalId } from '../../graphql/relay';
import { todayInChina } from '../../shared/time';
import type { PersonPage } from './mappers';

const connection = {
  edges: (c: PersonPage) => c.rows.map((node) => ({ cursor: c.cursorOf(node), node })),
  nodes: (c: PersonPage) => c.rows,
  pageInfo: (c: PersonPage) => ({
    hasNextPage: c.hasNextPage,
    hasPreviousPage: false,
    startCursor: c.rows.length ? c.cursorOf(c.rows[0]) : null,
    endCursor: c.rows.length ? c.cursorOf(c.rows[c.rows.length - 1]) : null,
  }),
  totalCount: (c: PersonPage) => c.totalCount(),
};

export const personResolvers: Resolvers = {
  Query: {
    person: (_, args, ctx) => ctx.services.person.person(args.id),
    people: (_, args, ctx) => ctx.services.person.people(args.filter, args.first, args.after, null),
    household: (_, args, ctx) => ctx.services.person.household(args.id),
  },
  Mutation: {
    registerPerson: (_, { input }, ctx) => ctx.services.personEdit.register(input),
    updatePerson: (_, { input }, ctx) => ctx.services.personEdit.update(input),
    movePerson: (_, { input }, ctx) => ctx.services.personEdit.move(input),
    movePersonOut: (_, { input }, ctx) => ctx.services.personEdit.moveOut(input),
    markDeceased: (_, { input }, ctx) => ctx.services.personEdit.markDeceased(input),
    setHouseOwners: (_, { input }, ctx) => ctx.services.personEdit.setHouseOwners(input),
  },
  // The success member carries the changed record's id; the failures name themselves.
  RegisterPersonPayload: { __resolveType: (p) => ('personId' in p ? 'PersonSuccess' : p.__typename) },
  UpdatePersonPayload: { __resolveType: (p) => ('personId' in p ? 'PersonSuccess' : p.__typename) },
  MovePersonPayload: { __resolveType: (p) => ('personId' in p ? 'PersonSuccess' : p.__typename) },
  MovePersonOutPayload: { __resolveType: (p) => ('personId' in p ? 'PersonSuccess' : p.__typename) },
  MarkDeceasedPayload: { __resolveType: (p) => ('personId' in p ? 'PersonSuccess' : p.__typename) },
  SetHouseOwnersPayload: { __resolveType: (p) => ('houseId' in p ? 'HouseSuccessWithOwners' : p.__typename) },
  PersonSuccess: { person: async (s, _, ctx) => (await ctx.services.person.byIdForNode(s.personId))! },
  HouseSuccessWithOwners: { house: async (s, _, ctx) => (await ctx.services.place.houseById(s.houseId))! },
  Grid: {
    people: (g, args, ctx) => ctx.services.person.people(args.filter, args.first, args.after, g),
  },
  House: {
    households: (h, _, ctx) => ctx.services.person.householdsOf(h),
    residents: (h, args, ctx) => ctx.services.person.residents(h, args),
    owners: (h, _, ctx) => ctx.services.person.owners(h),
  },
  Person: {
    id: (p) => toGlobalId('Person', p.id),
    age: (p, _, ctx) => ctx.services.person.age(p),
    birthYear: (p) => p.birth_year,
    idNumber: (p) => p.id_number_masked,
    phone: (p) => p.phone_masked,
    residenceType: (p) => p.residence_type,
    registeredAddress: (p) => p.registered_address,
    house: async (p, _, ctx) => (await ctx.loaders.place.houseById.load(p.house_id))!,
    building: async (p, _, ctx) => (await ctx.loaders.place.buildingById.load(p.building_id))!,
    grid: (p, _, ctx) => ctx.services.grid.byId(p.grid_id),
    household: (p, _, ctx) => (p.household_id ? ctx.services.person.householdForNode(p.household_id) : null),
    relationToHead: (p) => p.relation_to_head,
    movedInOn: (p) => p.moved_in_on,
    movedOutOn: (p) => p.moved_out_on,
    deceasedOn: (p) => p.deceased_on,
    floating: (p) =>
      p.residence_type === 'FLOATING'
        ? { arrivedOn: p.arrived_on, reason: p.arrival_reason, permitNumber: p.permit_masked, permitExpiresOn: p.permit_expires_on, permitDaysLeft: daysUntil(p.permit_expires_on) }
        : null,
    ownedHouses: (p, _, ctx) => ctx.services.person.ownedHouses(p),
    residences: (p, _, ctx) => ctx.services.person.residences(p),
    erased: (p) => p.erased_at !== null,
    createdAt: (p) => p.created_at,
    updatedAt: (p) => p.updated_at,
  },
  PersonConnection: connection,
  Residence: {
    house: async (r, _, ctx) => (await ctx.loaders.place.houseById.load(r.house_id))!,
    movedInOn: (r) => r.moved_in_on,
    movedOutOn: (r) => r.moved_out_on,
  },
  Household: {
    id: (h) => toGlobalId('Household', h.id),
    house: async (h, _, ctx) => (await ctx.loaders.place.houseById.load(h.house_id))!,
    head: (h, _, ctx) => ctx.services.person.head(h),
    members: (h, args, ctx) => ctx.services.person.members(h, args.includeMovedOut ?? false),
    createdAt: (h) => h.created_at,
  },
};

/** Whole days from today (China) to a date; negative once past. */
function daysUntil(date: string | null): number | null {
  if (!date) return null;
  const today = todayInChina();
  return Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}
