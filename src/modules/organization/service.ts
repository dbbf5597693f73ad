import type { Context } from '../../context';
import type { KindCount, OrganizationFilter, ResolversTypes } from '../../generated/graphql';
import { badInput } from '../../errors';
import { msg } from '../../i18n';
import { expectGlobalId, pageSize } from '../../graphql/relay';
import { assertPermitted, can, codeSubject } from '../auth/policy';
import { maskPhone } from '../auth/viewer';
import type { GridRow } from '../grid/mappers';
import { pageOfLocated, type LocatedFilter, type LocatedPage } from '../location/repo-list';
import type { InventorySource } from '../location/mappers';
import type { NodeRow } from '../module';
import type { OrganizationRow } from './mappers';
import { ORGANIZATION_TABLE, riskLevelIn } from './repo';

interface ListArgs {
  filter?: OrganizationFilter | null;
  first?: number | null;
  after?: string | null;
}

/**
 * Reading organisations: public (an API key needs READ_GRIDS), contact phones masked as workers' are for
 * callers whose jurisdiction does not hold the organisation's grid. Edits are in edit-service.ts.
 */
export class OrganizationService {
  constructor(private readonly ctx: Context) {}

  /** `organization(id:)`: retired ones too (their `retiredAt` says so). */
  async organization(globalId: string): Promise<OrganizationRow | null> {
    assertPermitted(this.ctx.viewer, 'place:read');
    return this.byId(expectGlobalId(globalId, 'Organization', 'id'));
  }

  /** `node(id:)` and `Problem.subjects`. */
  async node(id: string): Promise<OrganizationRow | null> {
    assertPermitted(this.ctx.viewer, 'place:read');
    return this.byId(id);
  }

  byId(id: string): Promise<OrganizationRow | null> {
    return this.ctx.loaders.organization.byId.load(id);
  }

  async list(args: ListArgs): Promise<LocatedPage<OrganizationRow>> {
    assertPermitted(this.ctx.viewer, 'place:read');
    const first = pageSize(args.first);
    const common = await this.ctx.services.location.filter(args.filter);
    return this.page({ ...common, ...ownFilter(args.filter) }, first, args.after);
  }

  /** `Grid.organizations`: the grid's subtree, as of the grid's instant when it was read as of one. */
  async ofGrid(grid: GridRow, args: ListArgs): Promise<LocatedPage<OrganizationRow>> {
    assertPermitted(this.ctx.viewer, 'place:read');
    if (args.filter?.gridId || args.filter?.gridCode) {
      throw badInput(msg('organization.gridOnce'), 'filter.gridId');
    }
    const first = pageSize(args.first);
    const common = await this.ctx.services.location.filter(args.filter);
    return this.page({ ...common, ...ownFilter(args.filter), subtreeOf: grid.id, asOf: grid.as_of ?? null }, first, args.after);
  }

  private page(f: LocatedFilter, first: number, after: string | null | undefined): Promise<LocatedPage<OrganizationRow>> {
    return pageOfLocated<OrganizationRow>(this.ctx.db, ORGANIZATION_TABLE, f, first, after);
  }

  /** Staff whose jurisdiction holds the organisation's grid see the phone in clear; an organisation outside every grid, only the whole deployment's. */
  contactPhoneVisible(row: OrganizationRow): boolean {
    return can(this.ctx.viewer, 'organization:contact', codeSubject(row.grid_code));
  }

  contactPhone(row: OrganizationRow): string | null {
    if (!row.contact_phone) return null;
    return this.contactPhoneVisible(row) ? row.contact_phone : maskPhone(row.contact_phone);
  }

  async managedGrids(row: OrganizationRow): Promise<GridRow[]> {
    const ids = await this.ctx.loaders.organization.managedGridIds.load(row.id);
    const grids = await Promise.all(ids.map((id) => this.ctx.services.grid.byId(id)));
    return grids.filter((g): g is GridRow => g !== null);
  }

  /** Through the place module (`node` types), so its read rules apply to the buildings. */
  async managedBuildings(row: OrganizationRow): Promise<BuildingSource[]> {
    const ids = await this.ctx.loaders.organization.managedBuildingIds.load(row.id);
    const buildings = await Promise.all(ids.map((id) => this.ctx.loadNode('Building', id)));
    return buildings.filter(isBuilding);
  }

  /** `Building.managedBy`: the current organisations managing the building (by database id). */
  async managersOf(buildingId: string): Promise<OrganizationRow[]> {
    assertPermitted(this.ctx.viewer, 'place:read');
    return this.ctx.loaders.organization.managersOfBuilding.load(buildingId);
  }

  /** `Inventory.organizationsByKind`: over the grid's whole subtree, by kind. */
  async countsByKind(s: InventorySource): Promise<KindCount[]> {
    assertPermitted(this.ctx.viewer, 'place:read');
    return this.ctx.services.location.counts(s, { table: 'organization', kind: 't.kind' });
  }
}

/** What `Building` resolves from (the place module's row type). */
type BuildingSource = Awaited<ResolversTypes['Building']>;

const isBuilding = (row: NodeRow | null): row is BuildingSource => row !== null && 'node_type' in row && row.node_type === 'Building';

/** The organisation filter's own fields (the common ones are read by the location service). */
function ownFilter(filter: OrganizationFilter | null | undefined): Pick<LocatedFilter, 'kinds' | 'where'> {
  const riskLevels = filter?.riskLevel ?? [];
  return {
    kinds: filter?.kind ?? null,
    where: riskLevels.length ? riskLevelIn(riskLevels) : undefined,
  };
}
