import type { KindCount } from '../../generated/graphql';
import type { Context } from '../../context';
import type { FacilityFilter } from '../../generated/graphql';
import { badInput, unauthenticated } from '../../errors';
import { expectGlobalId, pageSize } from '../../graphql/relay';
import { assertPermitted, assertPrincipal, can, type Subject } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import { label } from '../grid/edit-service';
import type { GridRow } from '../grid/mappers';
import { pageOfLocated, type LocatedFilter } from '../location/list';
import type { InventorySource, LocatedRow } from '../location/mappers';
import type { FacilityPage, FacilityRow } from './mappers';
import { FACILITY_TABLE } from './repo';

type Args = { first?: number | null; after?: string | null };

/**
 * Reading facilities. They are security data (where the cameras are and what they watch): only staff read
 * them, and only within their jurisdiction, decided by the policy (`facility:read`) on the code of the grid a
 * facility lies in, or of the grid a list is asked of. A list without a grid is the caller's jurisdiction.
 */
export class FacilityService {
  constructor(private readonly ctx: Context) {}

  /** The facility (retired ones too), when the caller may read facilities where it lies. */
  async byId(id: string): Promise<FacilityRow | null> {
    // AUTH (the role before anything is read; the jurisdiction once the facility's grid is known)
    this.principal();
    const row = await this.ctx.loaders.facility.byId.load(id);
    if (!row) return null;
    assertPrincipal(this.ctx.viewer, 'facility:read', row.grid_code ? { code: row.grid_code } : null, facilityLabel(row));
    return row;
  }

  /** `facility(id:)`. */
  get(globalId: string): Promise<FacilityRow | null> {
    this.principal();
    return this.byId(expectGlobalId(globalId, 'Facility', 'id'));
  }

  /** `facilities(filter:)`: the grid asked for, within the caller's jurisdiction, or the whole jurisdiction. */
  async list(filter: FacilityFilter | null | undefined, args: Args): Promise<FacilityPage> {
    // AUTH
    const principal = this.principal();
    // VALIDATION
    const base = await this.ctx.services.location.filter(filter);
    const own = this.ownFilter(filter);
    let subtreeOf = base.grid?.id ?? null;
    if (base.grid) {
      assertPrincipal(this.ctx.viewer, 'facility:read', base.grid, label(base.grid));
    } else if (principal.jurisdictionCode !== null) {
      const root = await this.ctx.loaders.grid.byCode.load(principal.jurisdictionCode);
      // A jurisdiction whose grid was retired or recoded holds no facility.
      if (!root) return { rows: [], hasNextPage: false, totalCount: async () => 0 };
      subtreeOf = root.id;
    }
    // RESOLUTION
    return this.page({ ...base, ...own, subtreeOf }, args);
  }

  /** `Grid.facilities`: the grid's subtree (as of the instant the grid was read at). */
  async onGrid(grid: GridRow, filter: FacilityFilter | null | undefined, args: Args): Promise<FacilityPage> {
    this.principal();
    if (filter?.gridId || filter?.gridCode) {
      throw badInput(`give the grid once: Grid.facilities lists ${grid.code} and everything below it; leave out filter.gridId and filter.gridCode`, 'filter.gridId');
    }
    assertPrincipal(this.ctx.viewer, 'facility:read', grid, label(grid));
    const base = await this.ctx.services.location.filter(filter);
    return this.page({ ...base, ...this.ownFilter(filter), subtreeOf: grid.id, asOf: grid.as_of ?? null }, args);
  }

  /** `Building.facilities`: those that belong to the building, for callers who may read facilities where it lies. */
  async ofBuilding(building: LocatedRow, args: Args): Promise<FacilityPage> {
    this.principal();
    const grid = await this.ctx.services.location.grid(building);
    assertPrincipal(this.ctx.viewer, 'facility:read', grid, grid ? `the facilities of a building in ${label(grid)}` : 'a building outside every grid');
    return this.page({ where: (q) => q.where('t.building_id', building.id) }, args);
  }

  /** `Inventory.facilitiesByKind`: null for callers who may not read facilities of that grid. */
  async countsByKind(source: InventorySource): Promise<KindCount[] | null> {
    const grid = await this.ctx.loaders.grid.byIdAsOf(source.asOf).load(source.gridId);
    if (!grid || !can(this.ctx.viewer, 'facility:read', grid)) return null;
    return this.ctx.services.location.counts(source, { table: 'facility', kind: 't.kind', status: 't.status' });
  }

  /** A camera's view sector as GeoJSON text, charged against the response budget (a dome has 181 vertices). */
  async sector(row: FacilityRow): Promise<string | null> {
    const geojson = await this.ctx.loaders.facility.sector.load(row.id);
    if (geojson !== null) this.ctx.budget.charge(geojson.length);
    return geojson;
  }

  /** Whether the caller may read facilities at the row's grid (for fields that answer null otherwise). */
  async mayReadAt(row: LocatedRow): Promise<boolean> {
    const grid = await this.ctx.services.location.grid(row);
    return can(this.ctx.viewer, 'facility:read', gridSubject(grid));
  }

  private async page(f: LocatedFilter, args: Args): Promise<FacilityPage> {
    const first = pageSize(args.first);
    const page = await pageOfLocated<FacilityRow>(this.ctx.db, FACILITY_TABLE, f, first, args.after);
    this.ctx.loaders.facility.primeAll(page.rows);
    return page;
  }

  /** The filter fields only facilities have. */
  private ownFilter(filter: FacilityFilter | null | undefined): Pick<LocatedFilter, 'kinds' | 'where'> {
    const statuses = filter?.status?.length ? [...filter.status] : null;
    const categories = filter?.cameraCategory?.length ? [...filter.cameraCategory] : null;
    const buildingId = filter?.buildingId ? expectGlobalId(filter.buildingId, 'Building', 'filter.buildingId') : null;
    return {
      kinds: filter?.kind?.length ? [...filter.kind] : null,
      where: (q) => {
        if (statuses) q.whereRaw('t.status = ANY(?::text[])', [statuses]);
        if (categories) q.whereRaw('t.camera_category = ANY(?::text[])', [categories]);
        if (buildingId) q.where('t.building_id', buildingId);
      },
    };
  }

  /** The caller, who must be staff (or an API key with READ_FACILITIES): anonymous callers are refused first. */
  private principal(): Principal {
    const principal = assertPermitted(this.ctx.viewer, 'facility:read');
    if (!principal) throw unauthenticated('to read facilities you need a bearer token');
    return principal;
  }
}

export function facilityLabel(row: { name: string }): string {
  return `facility "${row.name}"`;
}

/** The jurisdiction subject of a grid (null: outside every grid, which only the whole deployment reaches). */
export function gridSubject(grid: GridRow | null): Subject {
  return grid ? { code: grid.code } : null;
}
