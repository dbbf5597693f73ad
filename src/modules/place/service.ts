import type { Context } from '../../context';
import type { BuildingFilter, KeyPlaceFilter, KindCount, ResolversParentTypes } from '../../generated/graphql';
import { badInput } from '../../errors';
import { msg } from '../../i18n';
import { decodeCursor, expectGlobalId, pageSize, UUID } from '../../graphql/relay';
import { assertPermitted } from '../auth/policy';
import type { GridRow } from '../grid/mappers';
import { pageOfLocated, type LocatedFilter } from '../location/repo-list';
import type { CountedRecords } from '../location/repo-inventory';
import type { InventorySource } from '../location/mappers';
import type { LocatedFilterInput } from '../location/service';
import type { NodeRow } from '../module';
import type { BuildingPage, BuildingRow, HousePage, HouseRow, KeyPlacePage, KeyPlaceRow } from './mappers';
import { HOUSE_FLOOR, HOUSE_UNIT, isRoom } from './checks';
import * as repo from './repo';

const BUILDING_CODE = /^\d{16}$/;

type OrganizationParent = ResolversParentTypes['Organization'];

/**
 * Reading places: public (anyone may read buildings, houses without occupants, and key places; an API key
 * needs READ_GRIDS). Lists go through the shared located-record listing (`pageOfLocated`): a grid's subtree, a
 * box, kinds, name and address substrings, `near` (nearest first, with distances), as of a grid's instant.
 */
/** What an inventory counts: buildings or key places by kind, or the houses of the buildings by use. */
export type InventoryCount = 'buildingsByKind' | 'keyPlacesByKind' | 'housesByUse';
const COUNTED: Record<InventoryCount, CountedRecords> = {
  buildingsByKind: { table: 'building', kind: 't.kind' },
  keyPlacesByKind: { table: 'key_place', kind: 't.kind' },
  housesByUse: {
    table: 'building',
    kind: 'h.use',
    join: (existed) => `JOIN house h ON h.building_id = t.id AND ${existed('h')}`,
    // Now: the counters the house triggers keep per building (migration 20261128000500), not the house rows.
    tally: { join: 'JOIN building_house_count h ON h.building_id = t.id AND h.n > 0', sum: 'h.n' },
  },
};

export class PlaceService {
  constructor(private readonly ctx: Context) {}

  private get loaders() {
    return this.ctx.loaders.place;
  }

  private assertRead(): void {
    assertPermitted(this.ctx.viewer, 'place:read');
  }

  /**
   * `building(id | code)`: current or retired (`retiredAt` says which), as `node(id)` and `organization(id)`
   * answer: a code is never reused, so an address or import naming a retired building's code still finds it.
   */
  async building(args: { id?: string | null; code?: string | null }): Promise<BuildingRow | null> {
    this.assertRead();
    if ((args.id == null) === (args.code == null)) throw badInput(msg('place.buildingIdOrCode'));
    if (args.code != null && !BUILDING_CODE.test(args.code)) throw badInput(msg('place.buildingCode', { got: args.code.slice(0, 40) }), 'code');
    return args.id != null ? this.loaders.buildingById.load(expectGlobalId(args.id, 'Building', 'id')) : this.loaders.buildingByCode.load(args.code!);
  }

  /** `house(id)`: current or retired. */
  house(id: string): Promise<HouseRow | null> {
    this.assertRead();
    return this.loaders.houseById.load(expectGlobalId(id, 'House', 'id'));
  }

  /** `keyPlace(id)`: current or retired. */
  keyPlace(id: string): Promise<KeyPlaceRow | null> {
    this.assertRead();
    return this.loaders.keyPlaceById.load(expectGlobalId(id, 'KeyPlace', 'id'));
  }

  /** Any building, house or key place by database id, retired ones included (`node(id:)`, payloads, problems). */
  async buildingById(id: string): Promise<BuildingRow | null> {
    this.assertRead();
    return this.loaders.buildingById.load(id);
  }

  async houseById(id: string): Promise<HouseRow | null> {
    this.assertRead();
    return this.loaders.houseById.load(id);
  }

  async keyPlaceById(id: string): Promise<KeyPlaceRow | null> {
    this.assertRead();
    return this.loaders.keyPlaceById.load(id);
  }

  /** `buildings(...)`, or `Grid.buildings(...)` when `grid` is given (its subtree, as of its instant). */
  async buildings(input: BuildingFilter | null | undefined, first: number | null | undefined, after: string | null | undefined, grid: GridRow | null): Promise<BuildingPage> {
    this.assertRead();
    const limit = pageSize(first);
    const f = await this.filter(input, grid, 'Grid.buildings');
    f.kinds = input?.kind ?? null;
    f.addressContains = this.ctx.services.location.contains(input?.addressContains, 'filter.addressContains');
    const page = await pageOfLocated<BuildingRow>(this.ctx.db, repo.BUILDINGS, f, limit, after);
    if (!f.near && !f.asOf) for (const row of page.rows) this.loaders.buildingById.prime(row.id, row);
    return page;
  }

  async keyPlaces(input: KeyPlaceFilter | null | undefined, first: number | null | undefined, after: string | null | undefined, grid: GridRow | null): Promise<KeyPlacePage> {
    this.assertRead();
    const limit = pageSize(first);
    const f = await this.filter(input, grid, 'Grid.keyPlaces');
    f.kinds = input?.kind ?? null;
    const page = await pageOfLocated<KeyPlaceRow>(this.ctx.db, repo.KEY_PLACES, f, limit, after);
    if (!f.near && !f.asOf) for (const row of page.rows) this.loaders.keyPlaceById.prime(row.id, row);
    return page;
  }

  private async filter(input: LocatedFilterInput | null | undefined, grid: GridRow | null, field: string): Promise<LocatedFilter> {
    if (!grid) return this.ctx.services.location.filter(input);
    if (input?.gridId || input?.gridCode) {
      throw badInput(msg('place.gridOnce', { field }), input.gridId ? 'filter.gridId' : 'filter.gridCode');
    }
    return { ...(await this.ctx.services.location.filter(input)), subtreeOf: grid.id, asOf: grid.as_of ?? null };
  }

  /** `Building.houses`: current houses by unit, floor and room. */
  async houses(building: BuildingRow, args: { first?: number | null; after?: string | null }): Promise<HousePage> {
    const limit = pageSize(args.first);
    const after = args.after ? houseCursor(args.after) : null;
    const rows = await this.loaders.housesPage({ after, limit: limit + 1 }).load(building.id);
    return { rows: rows.slice(0, limit), hasNextPage: rows.length > limit, totalCount: () => this.loaders.houseCount.load(building.id) };
  }

  /**
   * `Building.community`: the community it was registered under, current or retired. Retiring a grid keeps
   * its row (`valid_to` set) and the building's foreign key keeps it from being deleted: it is always there.
   */
  async community(building: BuildingRow): Promise<GridRow> {
    const grid = await this.ctx.services.grid.byId(building.community_id);
    if (!grid) throw new Error(`building ${building.code}: no grid row for its community ${building.community_id}`);
    return grid;
  }

  /** The organisation responsible for a key place, through the organisation module (its read rules apply). */
  async organization(place: KeyPlaceRow): Promise<OrganizationParent | null> {
    if (!place.organization_id) return null;
    const row = await this.ctx.loadNode('Organization', place.organization_id);
    return row && isOrganization(row) ? row : null;
  }

  /** `Inventory.<count>`: over the grid's whole subtree, by kind (or use). */
  inventory(source: InventorySource, count: InventoryCount): Promise<KindCount[]> {
    this.assertRead();
    return this.ctx.services.location.counts(source, COUNTED[count]);
  }
}

function isOrganization(row: NodeRow): row is OrganizationParent {
  return 'node_type' in row && row.node_type === 'Organization';
}

/**
 * A house cursor: the (unit, floor, room, id) position of the last house seen, as `houseKey` writes it (a
 * missing unit as 0, a missing floor as one below the lowest). Every part is checked here, so a forged one
 * (a unit of 1e300 or 1.5, a room holding NUL) is refused as BAD_USER_INPUT before any query.
 */
function houseCursor(after: string): repo.HouseKey {
  const [unit, floor, room, id] = decodeCursor(after, 4);
  const whole = (n: string | number, min: number, max: number): n is number => typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
  if (!whole(unit, repo.NO_UNIT, HOUSE_UNIT.max) || !whole(floor, repo.NO_FLOOR, HOUSE_FLOOR.max) || typeof room !== 'string' || !isRoom(room) || typeof id !== 'string' || !UUID.test(id)) {
    throw badInput(msg('place.houseCursor', { got: after.slice(0, 100) }), 'after');
  }
  return [unit, floor, room, id];
}
