import type { Knex } from 'knex';
import type { Context } from '../../context';
import type { CreateOrganizationInput, RetireOrganizationInput, UpdateOrganizationInput } from '../../generated/graphql';
import { expectGlobalId, toGlobalId } from '../../graphql/relay';
import { msg, said, type Msg } from '../../i18n';
import { notFound, problem, Problems, runEdit, validationError, versionConflict, type ProblemRow } from '../../shared/payload';
import { assertPermitted, assertPrincipal, codeSubject, scopeIssue } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import { lockForEdit } from '../location/edit';
import { lockResolution } from '../location/repo';
import { checkFields, checkIdList } from './checks';
import type { OrganizationChangeSource, OrganizationRow } from './mappers';
import * as repo from './repo';

const where = (code: string | null) => (code ? `in grid ${code}` : 'outside every grid');
const success = (organizationId: string): OrganizationChangeSource & { __typename: 'OrganizationSuccess' } => ({ __typename: 'OrganizationSuccess', organizationId });

/**
 * Creating, editing and retiring organisations: ADMINs and DISPATCHERs, within their jurisdiction — the grid
 * the organisation's position resolves to (for a move, both the old and the new one), and every grid or
 * building whose management they record or remove. Each edit holds the grid of the organisation's position
 * (and of a new one) still (`lockResolution`) and then locks its row, in the order grid edits take them, so
 * edits of one organisation and boundary edits under it run in turn.
 */
export class OrganizationEditService {
  constructor(private readonly ctx: Context) {}

  async create(input: CreateOrganizationInput) {
    // AUTH (the role; the jurisdiction once the position is resolved)
    assertPermitted(this.ctx.viewer, 'organization:edit');
    // VALIDATION (what needs no database)
    const problems = new Problems();
    const location = this.ctx.services.location.positionInput(input.location, input.crs, 'input.location', problems);
    const fields = checkFields(input, problems);
    const gridIds = checkIdList(input.managedGridIds, 'Grid', 'input.managedGridIds', problems);
    const buildingIds = checkIdList(input.managedBuildingIds, 'Building', 'input.managedBuildingIds', problems);
    if (!location) return validationError(problems);
    return runEdit(
      this.ctx,
      async (trx) => {
        const resolution = await lockResolution(trx, location);
        const principal = assertPrincipal(this.ctx.viewer, 'organization:edit', codeSubject(resolution.code), `the position ${location.lng}, ${location.lat} (${where(resolution.code)})`);
        await this.checkCreditCodeFree(trx, fields.creditCode, null, problems);
        await this.checkManagedGrids(trx, principal, gridIds, [], problems);
        await this.checkManagedBuildings(trx, principal, buildingIds, [], problems);
        if (problems.any) return validationError(problems);
        // RESOLUTION
        const id = await repo.insertOrganization(
          trx,
          {
            name: fields.name!,
            kind: input.kind,
            creditCode: fields.creditCode ?? null,
            address: fields.address ?? null,
            contactName: fields.contactName ?? null,
            contactPhone: fields.contactPhone ?? null,
            employeeCount: fields.employeeCount ?? null,
            riskLevel: fields.riskLevel ?? 'LOW',
            location,
          },
          principal.subject,
        );
        if (gridIds?.length) await repo.replaceManagedGrids(trx, id, gridIds);
        if (buildingIds?.length) await repo.replaceManagedBuildings(trx, id, buildingIds);
        return success(id);
      },
      { onUniqueViolation: (v) => this.creditCodeRace(v.constraint, fields.creditCode, null) },
    );
  }

  async update(input: UpdateOrganizationInput) {
    // AUTH (the role; the jurisdiction once the organisation is read)
    assertPermitted(this.ctx.viewer, 'organization:edit');
    const id = expectGlobalId(input.id, 'Organization', 'input.id');
    // VALIDATION (what needs no database)
    const problems = new Problems();
    const location = input.location ? this.ctx.services.location.positionInput(input.location, input.crs, 'input.location', problems) : undefined;
    const fields = checkFields(input, problems);
    const gridIds = checkIdList(input.managedGridIds, 'Grid', 'input.managedGridIds', problems);
    const buildingIds = checkIdList(input.managedBuildingIds, 'Building', 'input.managedBuildingIds', problems);
    const given = [input.name, input.kind, input.creditCode, input.address, input.contactName, input.contactPhone, input.employeeCount, input.riskLevel, input.location, input.managedGridIds, input.managedBuildingIds];
    if (given.every((v) => v == null)) problems.add(problem('BAD_VALUE', msg('organization.nothingToChange'), { field: 'input' }));
    return runEdit(
      this.ctx,
      async (trx) => {
        const found = await this.lockEditable(trx, input.id, id, input.expectedVersion, location);
        if ('__typename' in found) return found;
        const { row, principal, target } = found;
        if (location && target) assertPrincipal(this.ctx.viewer, 'organization:edit', codeSubject(target.code), `the new position ${location.lng}, ${location.lat} (${where(target.code)})`);
        await this.checkCreditCodeFree(trx, fields.creditCode, row.id, problems);
        const links = gridIds || buildingIds ? await repo.managedLinks(trx, row.id) : { grids: [], buildings: [] };
        await this.checkManagedGrids(trx, principal, gridIds, links.grids, problems);
        await this.checkManagedBuildings(trx, principal, buildingIds, links.buildings, problems);
        if (problems.any) return validationError(problems);
        // RESOLUTION
        const written = await repo.updateOrganization(trx, row.id, input.expectedVersion, { ...fields, location: location ?? undefined }, principal.subject);
        if (!written) return versionConflict(row, `organisation ${row.name}`, input.expectedVersion);
        if (gridIds) await repo.replaceManagedGrids(trx, row.id, gridIds);
        if (buildingIds) await repo.replaceManagedBuildings(trx, row.id, buildingIds);
        return success(row.id);
      },
      { onUniqueViolation: (v) => this.creditCodeRace(v.constraint, fields.creditCode, id) },
    );
  }

  async retire(input: RetireOrganizationInput) {
    // AUTH (the role; the jurisdiction once the organisation is read)
    assertPermitted(this.ctx.viewer, 'organization:edit');
    const id = expectGlobalId(input.id, 'Organization', 'input.id');
    return runEdit(this.ctx, async (trx) => {
      const found = await this.lockEditable(trx, input.id, id, input.expectedVersion, undefined);
      if ('__typename' in found) return found;
      const { row, principal } = found;
      // Key places name the organisation responsible for them: it must be replaced there first.
      const places = await repo.keyPlacesOf(trx, row.id);
      if (places.length > 0) {
        return validationError([
          {
            code: 'HAS_DEPENDANTS',
            field: 'input.id',
            ...said(msg('organization.keyPlaces', { name: row.name, count: places.length, places: `${places.slice(0, 5).map((p) => p.name).join(', ')}${places.length > 5 ? ', …' : ''}` })),
            subjects: places.map((p) => ({ type: 'KeyPlace', id: p.id })),
          },
        ]);
      }
      if (!(await repo.retireOrganization(trx, row.id, input.expectedVersion, principal.subject))) {
        return versionConflict(row, `organisation ${row.name}`, input.expectedVersion);
      }
      return success(row.id);
    });
  }

  /** The organisation to edit (see location/edit.ts `lockForEdit`), within the caller's jurisdiction. */
  private lockEditable(trx: Knex.Transaction, globalId: string, id: string, expectedVersion: number, to: { lng: number; lat: number } | null | undefined) {
    return lockForEdit<OrganizationRow>(
      trx,
      {
        read: (lock) => repo.currentOrganization(trx, id, lock),
        authorize: (row) => assertPrincipal(this.ctx.viewer, 'organization:edit', codeSubject(row.grid_code), `${row.name} (${where(row.grid_code)})`),
        label: (row) => `organisation ${row.name}`,
        notFound: () => notFound(globalId, 'organisation'),
      },
      expectedVersion,
      to,
    );
  }


  /** A credit code belongs to one organisation (retired ones keep theirs): checked with the code locked. */
  private async checkCreditCodeFree(trx: Knex, code: string | null | undefined, exceptId: string | null, problems: Problems): Promise<void> {
    if (!code) return;
    await repo.lockCreditCode(trx, code);
    const holder = await repo.creditCodeHolder(trx, code, exceptId);
    if (holder) problems.add(creditCodeTaken(code, holder));
  }

  /** The unique index refused a code the check let through: the same answer, the holder read after the rollback. */
  private async creditCodeRace(constraint: string, code: string | null | undefined, exceptId: string | null) {
    if (constraint !== 'organization_credit_code' || !code) return null;
    const holder = await repo.creditCodeHolder(this.ctx.db, code, exceptId);
    return holder ? validationError([creditCodeTaken(code, holder)]) : null;
  }

  /**
   * The grids to manage must be current; each one added or taken off the list must lie in the caller's
   * jurisdiction (those kept as they were need not: an ADMIN may have recorded them).
   */
  private async checkManagedGrids(trx: Knex, principal: Principal, ids: string[] | undefined, before: { id: string; code: string }[], problems: Problems) {
    if (!ids) return;
    const current = new Map((await repo.currentGrids(trx, ids)).map((g) => [g.id, g]));
    const had = new Set(before.map((g) => g.id));
    for (const id of ids) {
      const grid = current.get(id);
      if (!grid) problems.add(problem('BAD_VALUE', msg('organization.noGrid', { id: toGlobalId('Grid', id) }), { field: 'input.managedGridIds' }));
      else if (!had.has(id)) this.checkScope(principal, grid.code, `${grid.name} (${grid.code})`, 'input.managedGridIds', { type: 'Grid', id }, problems);
    }
    const kept = new Set(ids);
    for (const g of before) if (!kept.has(g.id)) this.checkScope(principal, g.code, msg('what.gridCode', { code: g.code }), 'input.managedGridIds', { type: 'Grid', id: g.id }, problems);
  }

  /** As for grids; a building's jurisdiction is its grid's. */
  private async checkManagedBuildings(
    trx: Knex,
    principal: Principal,
    ids: string[] | undefined,
    before: { id: string; code: string; grid_code: string | null }[],
    problems: Problems,
  ) {
    if (!ids) return;
    const current = new Map((await repo.lockCurrentBuildings(trx, ids)).map((b) => [b.id, b]));
    const had = new Set(before.map((b) => b.id));
    for (const id of ids) {
      const building = current.get(id);
      if (!building) problems.add(problem('BAD_VALUE', msg('organization.noBuilding', { id: toGlobalId('Building', id) }), { field: 'input.managedBuildingIds' }));
      else if (!had.has(id)) this.checkScope(principal, building.grid_code, msg('import.theBuilding', { code: building.code }), 'input.managedBuildingIds', { type: 'Building', id }, problems);
    }
    const kept = new Set(ids);
    for (const b of before) if (!kept.has(b.id)) this.checkScope(principal, b.grid_code, msg('import.theBuilding', { code: b.code }), 'input.managedBuildingIds', { type: 'Building', id: b.id }, problems);
  }

  private checkScope(principal: Principal, code: string | null, what: string | Msg, field: string, subject: { type: string; id: string }, problems: Problems) {
    const outside = scopeIssue(principal, 'organization:edit', codeSubject(code), what);
    if (outside) problems.add(problem('OUTSIDE_JURISDICTION', msg('organization.field', { field: field.replace(/^input\./, ''), detail: outside }), { field, subjects: [subject] }));
  }
}

function creditCodeTaken(code: string, holder: { id: string; name: string; retired: boolean }): ProblemRow {
  return {
    code: 'CODE_TAKEN',
    field: 'input.creditCode',
    ...said(msg('organization.creditTaken', { code, holder: holder.name, retired: holder.retired ? 1 : 0 })),
    subjects: [{ type: 'Organization', id: holder.id }],
  };
}
