import type { Context } from '../../context';
import type { Resolvers, ResolversTypes } from '../../generated/graphql';
import { geometryIn } from '../../geo/output-crs';
import { locatedConnection, locatedFields } from '../location/fields';
import type { FacilityChangeSource, FacilityRow } from './mappers';

type BuildingSource = ResolversTypes['Building'];

const loadFacility = async (s: FacilityChangeSource, ctx: Context): Promise<FacilityRow> => (await ctx.loaders.facility.byId.load(s.facilityId))!;

/** The building a facility belongs to, read through the place module (its read rules apply). */
async function buildingOf(row: FacilityRow, ctx: Context): Promise<BuildingSource | null> {
  return row.building_id ? ctx.services.place.buildingById(row.building_id) : null;
}

export const facilityResolvers: Resolvers = {
  Query: {
    facility: (_, { id }, ctx) => ctx.services.facility.get(id),
    facilities: (_, { filter, first, after }, ctx) => ctx.services.facility.list(filter, { first, after }),
  },
  Mutation: {
    createFacility: (_, { input }, ctx) => ctx.services.facilityEdit.create(input),
    updateFacility: (_, { input }, ctx) => ctx.services.facilityEdit.update(input),
    retireFacility: (_, { input }, ctx) => ctx.services.facilityEdit.retire(input),
  },
  // The success member is the one that carries the changed facility; the failures name themselves.
  CreateFacilityPayload: { __resolveType: (p) => ('facilityId' in p ? 'FacilitySuccess' : p.__typename) },
  UpdateFacilityPayload: { __resolveType: (p) => ('facilityId' in p ? 'FacilitySuccess' : p.__typename) },
  RetireFacilityPayload: { __resolveType: (p) => ('facilityId' in p ? 'FacilitySuccess' : p.__typename) },
  FacilitySuccess: { facility: (s, _, ctx) => loadFacility(s, ctx) },
  Facility: {
    ...locatedFields('Facility'),
    building: (f, _, ctx) => buildingOf(f, ctx),
    camera: (f) => (f.kind === 'CAMERA' ? f : null),
    createdAt: (f) => f.created_at,
    updatedAt: (f) => f.updated_at,
  },
  CameraView: {
    bearing: (f) => f.bearing!,
    fieldOfView: (f) => f.fov!,
    rangeMeters: (f) => f.range_m!,
    category: (f) => f.camera_category!,
    sector: async (f, args, ctx) => geometryIn(await ctx.services.facility.sector(f), args.crs),
  },
  FacilityConnection: locatedConnection<FacilityRow>((r) => r.name),
  Grid: {
    facilities: (g, { filter, first, after }, ctx) => ctx.services.facility.onGrid(g, filter, { first, after }),
    cameraCoverage: (g, _, ctx) => ctx.services.cameraCoverage.coverage(g),
  },
  Building: {
    facilities: (b, { first, after }, ctx) => ctx.services.facility.ofBuilding(b, { first, after }),
  },
  KeyPlace: {
    coveredByCamera: (k, _, ctx) => ctx.services.cameraCoverage.coveredByCamera(k),
  },
  Inventory: {
    facilitiesByKind: (s, _, ctx) => ctx.services.facility.countsByKind(s),
  },
  CameraCoverage: {
    grid: (s) => s.grid,
    keyPlaceCount: async (s, _, ctx) => (await ctx.services.cameraCoverage.counts(s)).keyPlaceCount,
    coveredKeyPlaceCount: async (s, _, ctx) => (await ctx.services.cameraCoverage.counts(s)).coveredKeyPlaceCount,
    keyPlaceCoverage: async (s, _, ctx) => (await ctx.services.cameraCoverage.counts(s)).keyPlaceCoverage,
    onlineCameraCount: async (s, _, ctx) => (await ctx.services.cameraCoverage.counts(s)).onlineCameraCount,
    areaCoverage: (s, _, ctx) => ctx.services.cameraCoverage.areaCoverage(s),
    uncoveredKeyPlaces: (s, { first, after }, ctx) => ctx.services.cameraCoverage.uncovered(s, { first, after }),
  },
};
