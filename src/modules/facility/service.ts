import type { Knex } from 'knex';
import type { Context } from '../../context';
import type { FacilityFilter, KindCount } from '../../generated/graphql';
import { badInput, unauthenticated } from '../../errors';
import { msg } from '../../i18n';
import { expectGlobalId, pageSize } from '../../graphql/relay';
import { assertPermitted, assertPrincipal, can, codeSubject, type Subject } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import { label } from '../grid/edit-service';
import type { GridRow } from '../grid/mappers';
import { pageOfLocated, type LocatedFilter } from '../location/repo-list';
import type { InventorySource, LocatedRow } from '../location/mappers';
import type { FacilityPage, FacilityRow } from './mappers';
import { currentlyWithin, FACILITY_TABLE, facilityConditions } from './repo';

type Args = { first?: number | null; after?: string | null };

const EMPTY: FacilityPage = { rows: [], hasNextPage: false, totalCount: async () => 0 };

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
    assertPrincipal(this.ctx.viewer, 'facility:read', facilitySubject(row), UNNAMED);
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
    } else {
      const root = await this.jurisdictionRoot(principal);
      if (root === undefined) return EMPTY;
      subtreeOf = root;
    }
    // RESOLUTION
    return this.page({ ...base, ...own, subtreeOf }, args);
  }

  /**
   * `Grid.facilities`: the grid's subtree (as of the instant the grid was read at). As of an instant the rows
   * are today's facilities that lay in the subtree then: the caller must reach the grid both under its code
   * then and under its code now, and sees only the facilities that lie in their jurisdiction now.
   */
  async onGrid(grid: GridRow, filter: FacilityFilter | null | undefined, args: Args): Promise<FacilityPage> {
    const principal = this.principal();
    if (filter?.gridId || filter?.gridCode) {
      throw badInput(msg('facility.gridOnce', { code: grid.code }), 'filter.gridId');
    }
    await this.assertGrid(grid, label(grid));
    const base = await this.ctx.services.location.filter(filter);
    const f: LocatedFilter = { ...base, ...this.ownFilter(filter), subtreeOf: grid.id, asOf: grid.as_of ?? null };
    return grid.as_of ? this.pageWithin(principal, f, args) : this.page(f, args);
  }

  /**
   * `Building.facilities`: those that belong to the building, for callers who may read facilities where it
   * lies (for a building read as of an instant, where it lay then and under that grid's code now). A facility
   * may stand in a neighbouring grid (within 200 m of the building): the caller sees those in their
   * jurisdiction.
   */
  async ofBuilding(building: LocatedRow, args: Args): Promise<FacilityPage> {
    const principal = this.principal();
    const grid = await this.ctx.services.location.grid(building);
    if (grid) await this.assertGrid(grid, `the facilities of a building in ${label(grid)}`);
    else assertPrincipal(this.ctx.viewer, 'facility:read', null, 'a building outside every grid');
    return this.pageWithin(principal, { where: (q) => q.where('t.building_id', building.id) }, args);
  }

  /**
   * `Inventory.facilitiesByKind`: null for callers who may not read facilities of that grid (as of an instant:
   * under its code then and its code now, since the counts are of today's facilities).
   */
  async countsByKind(source: InventorySource): Promise<KindCount[] | null> {
    const grid = await this.ctx.loaders.grid.byIdAsOf(source.asOf).load(source.gridId);
    if (!grid || !can(this.ctx.viewer, 'facility:read', grid)) return null;
    if (grid.as_of && !can(this.ctx.viewer, 'facility:read', await this.gridNow(grid))) return null;
    return this.ctx.services.location.counts(source, { table: 'facility', kind: 't.kind', status: 't.status' });
  }

  /** A camera's view sector as GeoJSON text, charged against the response budget (a dome has 181 vertices). */
  async sector(row: FacilityRow): Promise<string | null> {
    const geojson = await this.ctx.loaders.facility.sector.load(row.id);
    if (geojson !== null) this.ctx.budget.charge(geojson.length);
    return geojson;
  }

  /**
   * Whether the caller may read facilities where the record lies now (for fields about today's cameras that
   * answer null otherwise). A row read as of an instant carries the grid of then: the record is read again.
   */
  async mayReadAt(row: LocatedRow): Promise<boolean> {
    if (!row.as_of) return can(this.ctx.viewer, 'facility:read', gridSubject(await this.ctx.services.location.grid(row)));
    const now = await this.ctx.loadNode(row.node_type, row.id);
    if (!now || !('grid_id' in now)) return false;
    return can(this.ctx.viewer, 'facility:read', gridSubject(await this.ctx.services.grid.byId(now.grid_id)));
  }

  private async page(f: LocatedFilter, args: Args): Promise<FacilityPage> {
    const first = pageSize(args.first);
    const page = await pageOfLocated<FacilityRow>(this.ctx.db, FACILITY_TABLE, f, first, args.after);
    this.ctx.loaders.facility.primeAll(page.rows);
    return page;
  }

  /** A page of those facilities of `f` that lie now in the caller's jurisdiction (for lists whose scope does not imply it). */
  private async pageWithin(principal: Principal, f: LocatedFilter, args: Args): Promise<FacilityPage> {
    const root = await this.jurisdictionRoot(principal);
    if (root === undefined) return EMPTY;
    if (root === null) return this.page(f, args);
    const own = f.where;
    const within = currentlyWithin(root);
    const where = (q: Knex.QueryBuilder) => {
      own?.(q);
      within(q);
    };
    return this.page({ ...f, where }, args);
  }

  /**
   * The grid of the caller's jurisdiction (its id): null for the whole deployment, undefined when no current
   * grid has its code (a jurisdiction whose grid was retired or recoded holds no facility).
   */
  private async jurisdictionRoot(principal: Principal): Promise<string | null | undefined> {
    if (principal.jurisdictionCode === null) return null;
    return (await this.ctx.loaders.grid.byCode.load(principal.jurisdictionCode))?.id;
  }

  /**
   * The caller may read facilities of `grid`; for a grid read as of an instant, also under its code now: the
   * facilities listed are today's, so a grid that has since moved out of the caller's jurisdiction (recoded
   * under another street) is no longer theirs to read.
   */
  private async assertGrid(grid: GridRow, what: string): Promise<void> {
    assertPrincipal(this.ctx.viewer, 'facility:read', grid, what);
    if (!grid.as_of) return;
    const now = await this.gridNow(grid);
    if (now.code !== grid.code) assertPrincipal(this.ctx.viewer, 'facility:read', now, `${what}, now ${now.code}`);
  }

  /** The grid as it is now (retired ones too); the version given when there is none. */
  private async gridNow(grid: GridRow): Promise<GridRow> {
    return (await this.ctx.loaders.grid.byId.load(grid.id)) ?? grid;
  }

  /** The filter fields only facilities have. */
  private ownFilter(filter: FacilityFilter | null | undefined): Pick<LocatedFilter, 'kinds' | 'where'> {
    const statuses = filter?.status?.length ? [...filter.status] : null;
    const categories = filter?.cameraCategory?.length ? [...filter.cameraCategory] : null;
    const buildingId = filter?.buildingId ? expectGlobalId(filter.buildingId, 'Building', 'filter.buildingId') : null;
    return {
      kinds: filter?.kind?.length ? [...filter.kind] : null,
      where: facilityConditions({ statuses, categories, buildingId }),
    };
  }

  /** The caller, who must be staff (or an API key with READ_FACILITIES): anonymous callers are refused first. */
  private principal(): Principal {
    const principal = assertPermitted(this.ctx.viewer, 'facility:read');
    if (!principal) throw unauthenticated(msg('auth.tokenNeededPlain', { what: msg('action.facility:read') }));
    return principal;
  }
}

/** A facility named, for messages to callers who may read it. */
export function facilityLabel(row: { name: string }): string {
  return `facility "${row.name}"`;
}

/** A facility in a refusal: the caller may not read it, so it is not named. */
export const UNNAMED = 'that facility';

/** The jurisdiction subject of a grid (null: outside every grid, which only the whole deployment reaches). */
export function gridSubject(grid: GridRow | null): Subject {
  return codeSubject(grid?.code);
}

/** The jurisdiction subject of a facility: the code of the grid it lies in now. */
export function facilitySubject(row: { grid_code: string | null }): Subject {
  return codeSubject(row.grid_code);
}

