import type { Context } from '../../context';
import type { Resolvers } from '../../generated/graphql';
import { geometryIn } from '../../geo/output-crs';
import { encodeCursor, toGlobalId } from '../../graphql/relay';
import { locatedConnection, locatedFields } from '../location/fields';
import type { BuildingRow, HouseRow, KeyPlaceRow } from './mappers';
import { houseKey } from './repo';

const loadBuilding = async (id: string, ctx: Context): Promise<BuildingRow> => (await ctx.services.place.buildingById(id))!;
const houseCursorOf = (h: HouseRow) => encodeCursor(houseKey(h));

/** A footprint or area: GeoJSON text from PostGIS, charged against the response budget. */
const shape = (geojson: string | null, ctx: Context) => {
  if (geojson !== null) ctx.budget.charge(geojson.length);
  return geojson;
};

export const placeResolvers: Resolvers = {
  Query: {
    building: (_, args, ctx) => ctx.services.place.building(args),
    buildings: (_, args, ctx) => ctx.services.place.buildings(args.filter, args.first, args.after, null),
    house: (_, args, ctx) => ctx.services.place.house(args.id),
    keyPlace: (_, args, ctx) => ctx.services.place.keyPlace(args.id),
    keyPlaces: (_, args, ctx) => ctx.services.place.keyPlaces(args.filter, args.first, args.after, null),
  },
  Mutation: {
    createBuilding: (_, { input }, ctx) => ctx.services.buildingEdit.create(input),
    updateBuilding: (_, { input }, ctx) => ctx.services.buildingEdit.update(input),
    retireBuilding: (_, { input }, ctx) => ctx.services.buildingEdit.retire(input),
    createHouse: (_, { input }, ctx) => ctx.services.houseEdit.create(input),
    updateHouse: (_, { input }, ctx) => ctx.services.houseEdit.update(input),
    retireHouse: (_, { input }, ctx) => ctx.services.houseEdit.retire(input),
    createKeyPlace: (_, { input }, ctx) => ctx.services.keyPlaceEdit.create(input),
    updateKeyPlace: (_, { input }, ctx) => ctx.services.keyPlaceEdit.update(input),
    retireKeyPlace: (_, { input }, ctx) => ctx.services.keyPlaceEdit.retire(input),
  },
  // The success member is the one that carries the changed record's id; the failures name themselves.
  CreateBuildingPayload: { __resolveType: (p) => ('buildingId' in p ? 'BuildingSuccess' : p.__typename) },
  UpdateBuildingPayload: { __resolveType: (p) => ('buildingId' in p ? 'BuildingSuccess' : p.__typename) },
  RetireBuildingPayload: { __resolveType: (p) => ('buildingId' in p ? 'BuildingSuccess' : p.__typename) },
  CreateHousePayload: { __resolveType: (p) => ('houseId' in p ? 'HouseSuccess' : p.__typename) },
  UpdateHousePayload: { __resolveType: (p) => ('houseId' in p ? 'HouseSuccess' : p.__typename) },
  RetireHousePayload: { __resolveType: (p) => ('houseId' in p ? 'HouseSuccess' : p.__typename) },
  CreateKeyPlacePayload: { __resolveType: (p) => ('keyPlaceId' in p ? 'KeyPlaceSuccess' : p.__typename) },
  UpdateKeyPlacePayload: { __resolveType: (p) => ('keyPlaceId' in p ? 'KeyPlaceSuccess' : p.__typename) },
  RetireKeyPlacePayload: { __resolveType: (p) => ('keyPlaceId' in p ? 'KeyPlaceSuccess' : p.__typename) },
  BuildingSuccess: { building: (s, _, ctx) => loadBuilding(s.buildingId, ctx) },
  HouseSuccess: { house: async (s, _, ctx) => (await ctx.services.place.houseById(s.houseId))! },
  KeyPlaceSuccess: { keyPlace: async (s, _, ctx) => (await ctx.services.place.keyPlaceById(s.keyPlaceId))! },
  Grid: {
    buildings: (g, args, ctx) => ctx.services.place.buildings(args.filter, args.first, args.after, g),
    keyPlaces: (g, args, ctx) => ctx.services.place.keyPlaces(args.filter, args.first, args.after, g),
  },
  Inventory: {
    buildingsByKind: (s, _, ctx) => ctx.services.place.inventory(s, 'buildingsByKind'),
    housesByUse: (s, _, ctx) => ctx.services.place.inventory(s, 'housesByUse'),
    keyPlacesByKind: (s, _, ctx) => ctx.services.place.inventory(s, 'keyPlacesByKind'),
  },
  Building: {
    ...locatedFields('Building'),
    community: (b, _, ctx) => ctx.services.place.community(b),
    footprint: (b, args, ctx) => geometryIn(shape(b.footprint, ctx), args.crs),
    houses: (b, args, ctx) => ctx.services.place.houses(b, args),
    createdAt: (b) => b.created_at,
    updatedAt: (b) => b.updated_at,
    retiredAt: (b) => b.retired_at,
  },
  BuildingConnection: locatedConnection<BuildingRow>((b) => b.code),
  House: {
    id: (h) => toGlobalId('House', h.id),
    building: (h, _, ctx) => loadBuilding(h.building_id, ctx),
    areaSqm: (h) => h.area_sqm,
    grid: (h, _, ctx) => ctx.services.grid.byId(h.grid_id),
    createdAt: (h) => h.created_at,
    updatedAt: (h) => h.updated_at,
    retiredAt: (h) => h.retired_at,
  },
  HouseConnection: {
    edges: (c) => c.rows.map((node) => ({ cursor: houseCursorOf(node), node })),
    nodes: (c) => c.rows,
    pageInfo: (c) => ({
      hasNextPage: c.hasNextPage,
      hasPreviousPage: false,
      startCursor: c.rows.length ? houseCursorOf(c.rows[0]) : null,
      endCursor: c.rows.length ? houseCursorOf(c.rows[c.rows.length - 1]) : null,
    }),
    totalCount: (c) => c.totalCount(),
  },
  KeyPlace: {
    ...locatedFields('KeyPlace'),
    area: (k, args, ctx) => geometryIn(shape(k.area, ctx), args.crs),
    organization: (k, _, ctx) => ctx.services.place.organization(k),
    dedicatedGrid: (k, _, ctx) => ctx.services.grid.byId(k.dedicated_grid_id),
    createdAt: (k) => k.created_at,
    updatedAt: (k) => k.updated_at,
    retiredAt: (k) => k.retired_at,
  },
  KeyPlaceConnection: locatedConnection<KeyPlaceRow>((k) => k.name),
};
