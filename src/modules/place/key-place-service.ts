import type { Knex } from 'knex';
import type { Context } from '../../context';
import type { CreateKeyPlaceInput, RetireKeyPlaceInput, UpdateKeyPlaceInput } from '../../generated/graphql';
import type { LngLat } from '../../geo/coordinates';
import { expectGlobalId } from '../../graphql/relay';
import { msg, said } from '../../i18n';
import { notFound, problem, Problems, runEdit, validationError, versionConflict, type PayloadError, type VersionConflictSource } from '../../shared/payload';
import { assertPermitted, assertPrincipal, codeSubject, scopeIssue } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import { label } from '../grid/edit-service';
import type { GridRow } from '../grid/mappers';
import { lockResolution, lockResolutions, NEAREST_GRID_METERS } from '../location/repo';
import { positionLabel, samePosition, type Move } from './building-service';
import { checkAddress, checkName, checkShapeAround, prepareShape, shapeChange } from './checks';
import type { KeyPlaceChangeSource, KeyPlaceRow } from './mappers';
import * as editRepo from './repo-edit';

type Success = KeyPlaceChangeSource & { __typename: 'KeyPlaceSuccess' };

/** What an edit of one key place starts from: the row locked, who edits it, the move asked for, the dedicated grid locked. */
interface KeyPlaceEdit {
  row: editRepo.Locked<KeyPlaceRow>;
  principal: Principal;
  move: Move | null;
  /** The dedicated grid the edit links (or, for a move, keeps), current and locked shared; null when none or gone. */
  dedicated: GridRow | null;
}

/**
 * Key places (重点场所): create, update, retire, by whoever may edit places where the place lies (and, for a
 * move, where it goes). The organisation responsible is a current organisation; the dedicated grid drawn for
 * it a current DEDICATED grid within the editor's jurisdiction that covers the place (or lies within 100 m,
 * the reach of `resolveLocation`), locked shared while written, as assignments lock the grids they name.
 * Grids are locked before rows (the key place's, the organisation's), the order grid edits take theirs in.
 */
export class KeyPlaceEditService {
  constructor(private readonly ctx: Context) {}

  async create(input: CreateKeyPlaceInput) {
    // AUTH (role; the jurisdiction once the position is resolved)
    assertPermitted(this.ctx.viewer, 'place:edit');
    const organizationId = input.organizationId ? expectGlobalId(input.organizationId, 'Organization', 'input.organizationId') : null;
    const dedicatedGridId = input.dedicatedGridId ? expectGlobalId(input.dedicatedGridId, 'Grid', 'input.dedicatedGridId') : null;
    // VALIDATION (what needs no database)
    const early = new Problems();
    const crs = input.crs ?? 'WGS84';
    const name = checkName(input.name, 'input.name', 'place', early);
    const address = checkAddress(input.address, 'input.address', early);
    const point = this.ctx.services.location.positionInput(input.location, crs, 'input.location', early);
    const area = input.area != null ? prepareShape(input.area, crs, 'input.area', 'area', this.ctx.config.boundary.maxVertices, early) : null;
    if (!point) return validationError(early);
    return runEdit<Success | PayloadError>(this.ctx, async (trx) => {
      const problems = new Problems().addAll(early);
      const at = await lockResolution(trx, point);
      const principal = assertPrincipal(this.ctx.viewer, 'place:edit', codeSubject(at.code), positionLabel(point));
      // VALIDATION (against what is current)
      if (dedicatedGridId) await this.checkDedicatedGrid(trx, await this.lockGrid(trx, dedicatedGridId), principal, point, problems);
      await this.checkOrganization(trx, organizationId, problems);
      const hex = area ? await checkShapeAround(trx, area, point, 'input.area', problems) : null;
      if (problems.any || !name) return validationError(problems);
      // RESOLUTION
      const keyPlaceId = await editRepo.insertKeyPlace(
        trx,
        { name, kind: input.kind, address, location: point, area: hex, organizationId, dedicatedGridId },
        principal.subject,
      );
      return { __typename: 'KeyPlaceSuccess' as const, keyPlaceId };
    });
  }

  async update(input: UpdateKeyPlaceInput) {
    // AUTH (role; the jurisdiction once the place is read)
    assertPermitted(this.ctx.viewer, 'place:edit');
    // Ids are read first: a malformed one is a BAD_USER_INPUT error, as everywhere else.
    const organizationId = input.organizationId ? expectGlobalId(input.organizationId, 'Organization', 'input.organizationId') : input.organizationId;
    const dedicatedGridId = input.dedicatedGridId ? expectGlobalId(input.dedicatedGridId, 'Grid', 'input.dedicatedGridId') : input.dedicatedGridId;
    // VALIDATION (what needs no database)
    const early = new Problems();
    const required = [input.name, input.kind, input.location];
    const clearable = [input.address, input.area, input.organizationId, input.dedicatedGridId];
    if (required.every((v) => v == null) && clearable.every((v) => v === undefined)) {
      early.add(problem('BAD_VALUE', msg('place.keyPlaceNothing'), { field: 'input' }));
    }
    const crs = input.crs ?? 'WGS84';
    const name = input.name != null ? checkName(input.name, 'input.name', 'place', early) : undefined;
    const address = checkAddress(input.address, 'input.address', early);
    const point = input.location ? this.ctx.services.location.positionInput(input.location, crs, 'input.location', early) : null;
    const area = input.area != null ? prepareShape(input.area, crs, 'input.area', 'area', this.ctx.config.boundary.maxVertices, early) : input.area;
    return this.editKeyPlace(input.id, input.expectedVersion, point, dedicatedGridId, async (trx, { row, principal, move, dedicated }) => {
      const problems = new Problems().addAll(early);
      if (move) assertPrincipal(this.ctx.viewer, 'place:edit', codeSubject(move.at.code), positionLabel(move.point));
      const position = move?.point ?? row;
      if (dedicatedGridId && dedicatedGridId !== row.dedicated_grid_id) {
        await this.checkDedicatedGrid(trx, dedicated, principal, position, problems);
      } else if (move && dedicated) {
        await this.checkCovers(trx, dedicated, move.point, 'input.location', problems);
      }
      await this.checkOrganization(trx, organizationId ?? null, problems);
      const hex = await shapeChange(
        trx,
        { shape: area, field: 'input.area', record: { table: 'key_place', id: row.id, lng: row.lng, lat: row.lat }, moveTo: move?.point ?? null, stored: msg('place.placeArea') },
        problems,
      );
      if (problems.any) return validationError(problems);
      const change = { name: name ?? undefined, kind: input.kind ?? undefined, address, location: move?.point, area: hex, organizationId, dedicatedGridId };
      if (!(await editRepo.updateKeyPlace(trx, row.id, input.expectedVersion, change, principal.subject))) return conflict(row, input.expectedVersion);
      return { __typename: 'KeyPlaceSuccess' as const, keyPlaceId: row.id };
    });
  }

  async retire(input: RetireKeyPlaceInput) {
    return this.editKeyPlace(input.id, input.expectedVersion, null, undefined, async (trx, { row, principal }) => {
      if (!(await editRepo.retire(trx, 'key_place', row.id, input.expectedVersion, principal.subject))) return conflict(row, input.expectedVersion);
      return { __typename: 'KeyPlaceSuccess' as const, keyPlaceId: row.id };
    });
  }

  /**
   * The start every edit of one key place shares: the place (current, else NotFoundError); the grids of its
   * position, of `location` when that moves it, and the dedicated grid it links (or keeps, when it moves),
   * locked before its row; the row locked at `expectedVersion` (else VersionConflict), within the principal's
   * jurisdiction; then `work` in the same transaction.
   */
  private async editKeyPlace<R extends { __typename: string }>(
    globalId: string,
    expectedVersion: number,
    location: LngLat | null,
    dedicatedGridId: string | null | undefined,
    work: (trx: Knex.Transaction, edit: KeyPlaceEdit) => Promise<R | PayloadError>,
  ): Promise<R | PayloadError | VersionConflictSource> {
    assertPermitted(this.ctx.viewer, 'place:edit');
    const id = expectGlobalId(globalId, 'KeyPlace', 'input.id');
    return runEdit<R | PayloadError | VersionConflictSource>(this.ctx, async (trx) => {
      const seen = await editRepo.keyPlaceForEdit(trx, id, null);
      if (!seen || seen.retired_at) return notFound(globalId, 'key place');
      const point = location && !samePosition(location, seen) ? location : null;
      const [, at] = await lockResolutions(trx, point ? [seen, point] : [seen]);
      const move = point ? { point, at } : null;
      const linked = dedicatedGridId !== undefined ? dedicatedGridId : move ? seen.dedicated_grid_id : null;
      const dedicated = linked ? await this.lockGrid(trx, linked) : null;
      const row = await editRepo.keyPlaceForEdit(trx, id, 'UPDATE');
      if (!row || row.retired_at) return notFound(globalId, 'key place');
      const principal = assertPrincipal(this.ctx.viewer, 'place:edit', codeSubject(row.grid_code), `key place ${row.name}`);
      // A version written since the read above may have moved it, or changed its link, away from what was locked.
      if (row.version !== expectedVersion || row.version !== seen.version) return conflict(row, expectedVersion);
      return work(trx, { row, principal, move, dedicated });
    });
  }

  private async checkOrganization(trx: Knex, id: string | null, problems: Problems): Promise<void> {
    if (id && !(await editRepo.lockCurrentOrganization(trx, id))) {
      problems.add(problem('BAD_VALUE', msg('place.noOrganization'), { field: 'input.organizationId' }));
    }
  }

  /** A current grid, locked shared with its ancestors so it is neither redrawn nor retired meanwhile. */
  private async lockGrid(trx: Knex, id: string): Promise<GridRow | null> {
    const edit = this.ctx.services.gridEdit;
    const found = await edit.current(trx, id);
    return found && edit.lockAndReread(trx, found, (g) => ({ exclusive: [], shared: [g.id, ...g.ancestor_ids] }));
  }

  /** A dedicated grid to link: current, DEDICATED, within the editor's jurisdiction, over the place's position. */
  private async checkDedicatedGrid(trx: Knex, grid: GridRow | null, principal: Principal, position: LngLat, problems: Problems): Promise<void> {
    const field = 'input.dedicatedGridId';
    if (!grid) {
      problems.add(problem('BAD_VALUE', msg('place.noGridId', { field: 'dedicatedGridId' }), { field }));
      return;
    }
    if (grid.level !== 'DEDICATED') {
      problems.add({
        code: 'LEVEL_MISMATCH',
        field,
        ...said(msg('place.notDedicated', { grid: label(grid), level: grid.level })),
        gridIds: [grid.id],
      });
      return;
    }
    const outside = scopeIssue(principal, 'place:edit', { code: grid.code }, msg('place.theDedicatedGrid', { grid: label(grid) }));
    if (outside) problems.add(problem('OUTSIDE_JURISDICTION', msg('place.field', { field: 'dedicatedGridId', detail: outside }), { field, gridIds: [grid.id] }));
    await this.checkCovers(trx, grid, position, field, problems);
  }

  /** The dedicated grid covers the position, or lies within the 100 m `resolveLocation` reaches. */
  private async checkCovers(trx: Knex, grid: GridRow, position: LngLat, field: string, problems: Problems): Promise<void> {
    const meters = await editRepo.distanceFromGrid(trx, grid.id, position);
    if (meters === null || meters <= NEAREST_GRID_METERS) return;
    const where = { position: positionLabel(position), meters: meters.toFixed(1), grid: label(grid), max: NEAREST_GRID_METERS };
    problems.add({
      code: 'BAD_VALUE',
      field,
      ...said(msg(field === 'input.location' ? 'place.movedFromDedicated' : 'place.dedicatedFar', where)),
      lng: position.lng,
      lat: position.lat,
      gridIds: [grid.id],
    });
  }
}

function conflict(row: KeyPlaceRow, expectedVersion: number) {
  return versionConflict(row, `key place ${row.name}`, expectedVersion);
}
