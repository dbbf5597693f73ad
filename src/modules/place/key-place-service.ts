import type { Knex } from 'knex';
import type { Context } from '../../context';
import type { CreateKeyPlaceInput, RetireKeyPlaceInput, UpdateKeyPlaceInput } from '../../generated/graphql';
import { expectGlobalId } from '../../graphql/relay';
import { notFound, Problems, runEdit, validationError, versionConflict, type NotFoundSource, type PayloadError } from '../../shared/payload';
import { assertPermitted, assertPrincipal } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import { label } from '../grid/edit-service';
import { lockResolution } from '../location/repo';
import { gridSubject, positionLabel } from './building-service';
import { checkAddress, checkName, checkShapeAround, outsideShape, prepareShape } from './checks';
import type { KeyPlaceChangeSource, KeyPlaceRow } from './mappers';
import * as editRepo from './repo-edit';

type Success = KeyPlaceChangeSource & { __typename: 'KeyPlaceSuccess' };

/**
 * Key places (重点场所): create, update, retire, by whoever may edit places where the place lies (and, for a
 * move, where it goes). The organisation responsible is a current organisation; the dedicated grid drawn for
 * it a current DEDICATED grid (locked shared while written, as assignments lock the grids they name).
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
    const area = input.area != null ? prepareShape(input.area, crs, 'input.area', this.ctx.config.boundary.maxVertices, early) : null;
    if (!point) return validationError(early);
    return runEdit<Success | PayloadError>(this.ctx, async (trx) => {
      const problems = new Problems().addAll(early);
      const at = await lockResolution(trx, point);
      const principal = assertPrincipal(this.ctx.viewer, 'place:edit', gridSubject(at.code), positionLabel(point));
      // VALIDATION (against what is current)
      await this.checkOrganization(trx, organizationId, problems);
      await this.checkDedicatedGrid(trx, dedicatedGridId, problems);
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
    // Ids are read first: a malformed one is a BAD_USER_INPUT error, as everywhere else.
    const organizationId = input.organizationId ? expectGlobalId(input.organizationId, 'Organization', 'input.organizationId') : input.organizationId;
    const dedicatedGridId = input.dedicatedGridId ? expectGlobalId(input.dedicatedGridId, 'Grid', 'input.dedicatedGridId') : input.dedicatedGridId;
    return this.editKeyPlace(input.id, async (trx, row, principal) => {
      if (row.version !== input.expectedVersion) return conflict(row, input.expectedVersion);
      const problems = new Problems();
      const required = [input.name, input.kind, input.location];
      const clearable = [input.address, input.area, input.organizationId, input.dedicatedGridId];
      if (required.every((v) => v == null) && clearable.every((v) => v === undefined)) {
        problems.add({ code: 'BAD_VALUE', field: 'input', message: 'nothing to change: give a new name, kind, address, location, area, organizationId or dedicatedGridId' });
      }
      const crs = input.crs ?? 'WGS84';
      const name = input.name != null ? checkName(input.name, 'input.name', 'place', problems) : undefined;
      const address = checkAddress(input.address, 'input.address', problems);
      const point = input.location ? this.ctx.services.location.positionInput(input.location, crs, 'input.location', problems) : null;
      const area = input.area != null ? prepareShape(input.area, crs, 'input.area', this.ctx.config.boundary.maxVertices, problems) : input.area;
      if (point) {
        const at = await lockResolution(trx, point);
        assertPrincipal(this.ctx.viewer, 'place:edit', gridSubject(at.code), positionLabel(point));
      }
      await this.checkOrganization(trx, organizationId ?? null, problems);
      await this.checkDedicatedGrid(trx, dedicatedGridId ?? null, problems);
      let hex: string | null | undefined = area === null ? null : undefined;
      if (typeof area === 'string') {
        hex = (await checkShapeAround(trx, area, point ?? { lng: row.lng, lat: row.lat }, 'input.area', problems)) ?? undefined;
      } else if (point && area === undefined) {
        const off = await editRepo.distanceFromStoredShape(trx, 'key_place', row.id, point);
        if (off !== null && off > 0) problems.add(outsideShape('input.location', point, off, "the place's area"));
      }
      if (problems.any) return validationError(problems);
      const change = {
        name: name ?? undefined,
        kind: input.kind ?? undefined,
        address,
        location: point ?? undefined,
        area: hex,
        organizationId,
        dedicatedGridId,
      };
      if (!(await editRepo.updateKeyPlace(trx, row.id, input.expectedVersion, change, principal.subject))) return conflict(row, input.expectedVersion);
      return { __typename: 'KeyPlaceSuccess' as const, keyPlaceId: row.id };
    });
  }

  async retire(input: RetireKeyPlaceInput) {
    return this.editKeyPlace(input.id, async (trx, row, principal) => {
      if (row.version !== input.expectedVersion) return conflict(row, input.expectedVersion);
      if (!(await editRepo.retire(trx, 'key_place', row.id, input.expectedVersion, principal.subject))) return conflict(row, input.expectedVersion);
      return { __typename: 'KeyPlaceSuccess' as const, keyPlaceId: row.id };
    });
  }

  private async editKeyPlace<R extends { __typename: string }>(
    globalId: string,
    work: (trx: Knex.Transaction, row: KeyPlaceRow, principal: Principal) => Promise<R>,
  ): Promise<R | NotFoundSource> {
    assertPermitted(this.ctx.viewer, 'place:edit');
    const id = expectGlobalId(globalId, 'KeyPlace', 'input.id');
    return runEdit<R | NotFoundSource>(this.ctx, async (trx) => {
      const row = await editRepo.lockKeyPlace(trx, id);
      if (!row || row.retired_at) return notFound(globalId, 'key place');
      const principal = assertPrincipal(this.ctx.viewer, 'place:edit', gridSubject(row.grid_code), `key place ${row.name}`);
      return work(trx, row, principal);
    });
  }

  private async checkOrganization(trx: Knex, id: string | null, problems: Problems): Promise<void> {
    if (id && !(await editRepo.lockCurrentOrganization(trx, id))) {
      problems.add({ code: 'BAD_VALUE', field: 'input.organizationId', message: 'organizationId: no current organisation has this id' });
    }
  }

  private async checkDedicatedGrid(trx: Knex, id: string | null, problems: Problems): Promise<void> {
    if (!id) return;
    const edit = this.ctx.services.gridEdit;
    const found = await edit.current(trx, id);
    const grid = found && (await edit.lockAndReread(trx, found, (g) => ({ exclusive: [], shared: [g.id, ...g.ancestor_ids] })));
    if (!grid) {
      problems.add({ code: 'BAD_VALUE', field: 'input.dedicatedGridId', message: 'dedicatedGridId: no current grid has this id' });
    } else if (grid.level !== 'DEDICATED') {
      problems.add({
        code: 'LEVEL_MISMATCH',
        field: 'input.dedicatedGridId',
        message: `dedicatedGridId: ${label(grid)} is a ${grid.level} grid; a key place is linked to a DEDICATED grid drawn for it`,
        gridIds: [grid.id],
      });
    }
  }
}

function conflict(row: KeyPlaceRow, expectedVersion: number) {
  return versionConflict(row, `key place ${row.name}`, expectedVersion);
}
