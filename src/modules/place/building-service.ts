import type { Knex } from 'knex';
import type { Context } from '../../context';
import type { CreateBuildingInput, RetireBuildingInput, UpdateBuildingInput } from '../../generated/graphql';
import type { LngLat } from '../../geo/coordinates';
import { expectGlobalId } from '../../graphql/relay';
import { msg, said, type Msg } from '../../i18n';
import { notFound, problem, Problems, runEdit, validationError, versionConflict, type PayloadError, type VersionConflictSource } from '../../shared/payload';
import { assertPermitted, assertPrincipal, codeSubject } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import { label, takenCode } from '../grid/edit-service';
import { lockResolution, lockResolutions, type Resolution } from '../location/repo';
import { checkAddress, checkName, checkRange, checkShapeAround, fmt, prepareShape, shapeChange } from './checks';
import type { BuildingChangeSource, BuildingRow } from './mappers';
import * as editRepo from './repo-edit';

export const FLOORS = { min: 1, max: 200, what: msg('place.floors') };
export const UNITS = { min: 1, max: 100, what: msg('place.units') };

type Community = { id: string; code: string; name: string };
type Success = BuildingChangeSource & { __typename: 'BuildingSuccess' };

/** What a record's position is, in messages. */
export const positionLabel = (p: LngLat): Msg => msg('place.position', { lng: fmt(p.lng), lat: fmt(p.lat) });
/** The policy's subject for a record's grid code (null: outside every grid, the whole deployment's). */
/**
 * Whether a position given on input is where the record already is (to 1e-9°, a tenth of a millimetre): a
 * client sending back the location it read is not moving the record.
 */
export const samePosition = (a: LngLat, b: LngLat) => Math.abs(a.lng - b.lng) < 1e-9 && Math.abs(a.lat - b.lat) < 1e-9;

/** A move an edit asks for: the new position and the grid it resolves to (its grids locked). */
export interface Move {
  point: LngLat;
  at: Resolution;
}

/**
 * Buildings (楼栋): create, update, retire, by ADMINs, DISPATCHERs and GIS_EDITORs within their jurisdiction
 * (the grid the position resolves to; a move needs both the old and the new). A building belongs to the
 * community it stands in, and its code is that community's code and a number, taken under a lock per
 * community so two creates never pick the same one.
 */
export class BuildingEditService {
  constructor(private readonly ctx: Context) {}

  async create(input: CreateBuildingInput) {
    // AUTH (role; the jurisdiction once the position is resolved)
    assertPermitted(this.ctx.viewer, 'place:edit');
    const communityId = input.communityId ? expectGlobalId(input.communityId, 'Grid', 'input.communityId') : null;
    // VALIDATION (what needs no database)
    const early = new Problems();
    const crs = input.crs ?? 'WGS84';
    const name = checkName(input.name, 'input.name', 'building', early);
    const address = checkAddress(input.address, 'input.address', early);
    const floors = checkRange(input.floors, 'input.floors', FLOORS, early);
    const units = checkRange(input.units, 'input.units', UNITS, early);
    const point = this.ctx.services.location.positionInput(input.location, crs, 'input.location', early);
    const footprint = input.footprint != null ? prepareShape(input.footprint, crs, 'input.footprint', 'footprint', this.ctx.config.boundary.maxVertices, early) : null;
    if (!point) return validationError(early);
    let code: string | null = null;
    return runEdit<Success | PayloadError>(
      this.ctx,
      async (trx) => {
        const problems = new Problems().addAll(early);
        const at = await lockResolution(trx, point);
        const principal = assertPrincipal(this.ctx.viewer, 'place:edit', codeSubject(at.code), positionLabel(point));
        // VALIDATION (against what is current, under the locks)
        const community = await this.communityFor(trx, communityId, at, point, problems);
        code = community ? await this.codeFor(trx, input.code ?? null, community, problems) : null;
        const hex = footprint ? await checkShapeAround(trx, footprint, point, 'input.footprint', problems) : null;
        if (problems.any || !community || !code || !name) return validationError(problems);
        // RESOLUTION
        const buildingId = await editRepo.insertBuilding(
          trx,
          { code, communityId: community.id, name, address, kind: input.kind, floors, units, location: point, footprint: hex },
          principal.subject,
        );
        return { __typename: 'BuildingSuccess' as const, buildingId };
      },
      { onUniqueViolation: (v) => this.codeTaken(takenCode(v.detail) ?? code) },
    );
  }

  async update(input: UpdateBuildingInput) {
    // AUTH (role; the jurisdiction once the building is read)
    assertPermitted(this.ctx.viewer, 'place:edit');
    // VALIDATION (what needs no database)
    const early = new Problems();
    const required = [input.name, input.kind, input.location];
    const clearable = [input.address, input.floors, input.units, input.footprint];
    if (required.every((v) => v == null) && clearable.every((v) => v === undefined)) {
      early.add(problem('BAD_VALUE', msg('place.buildingNothing'), { field: 'input' }));
    }
    const crs = input.crs ?? 'WGS84';
    const name = input.name != null ? checkName(input.name, 'input.name', 'building', early) : undefined;
    const address = checkAddress(input.address, 'input.address', early);
    const floors = checkRange(input.floors, 'input.floors', FLOORS, early);
    const units = checkRange(input.units, 'input.units', UNITS, early);
    const point = input.location ? this.ctx.services.location.positionInput(input.location, crs, 'input.location', early) : null;
    const maxVertices = this.ctx.config.boundary.maxVertices;
    const footprint = input.footprint != null ? prepareShape(input.footprint, crs, 'input.footprint', 'footprint', maxVertices, early) : input.footprint;
    return this.editBuilding(input.id, input.expectedVersion, point, async (trx, row, principal, move) => {
      const problems = new Problems().addAll(early);
      if (move) {
        // A move answers to the jurisdiction of both places, and keeps the building in its community (its code
        // says which). Only a move: a boundary edit may since have carried the building into another community.
        assertPrincipal(this.ctx.viewer, 'place:edit', codeSubject(move.at.code), positionLabel(move.point));
        const inChain = move.at.gridId ? await editRepo.communityOfGrid(trx, move.at.gridId) : null;
        if (inChain?.id !== row.community_id) {
          problems.add({
            code: 'BAD_VALUE',
            field: 'input.location',
            ...said(msg('place.movedOutOfCommunity', { position: positionLabel(move.point), where: whereIs(move.at, inChain), code: row.code })),
            lng: move.point.lng,
            lat: move.point.lat,
            gridIds: inChain ? [inChain.id] : [],
          });
        }
      }
      const hex = await shapeChange(
        trx,
        { shape: footprint, field: 'input.footprint', record: { table: 'building', id: row.id, lng: row.lng, lat: row.lat }, moveTo: move?.point ?? null, stored: msg('place.buildingFootprint') },
        problems,
      );
      if (floors != null || units != null) await this.fitsHouses(trx, row, floors ?? null, units ?? null, problems);
      if (problems.any) return validationError(problems);
      const change = { name: name ?? undefined, address, kind: input.kind ?? undefined, floors, units, location: move?.point, footprint: hex };
      if (!(await editRepo.updateBuilding(trx, row.id, input.expectedVersion, change, principal.subject))) return conflict(row, input.expectedVersion);
      return { __typename: 'BuildingSuccess' as const, buildingId: row.id };
    });
  }

  async retire(input: RetireBuildingInput) {
    return this.editBuilding(input.id, input.expectedVersion, null, async (trx, row, principal) => {
      const { houses, facilities } = await editRepo.buildingDependants(trx, row.id);
      if (houses > 0 || facilities > 0) {
        return validationError([problem('HAS_DEPENDANTS', msg('place.dependants', { code: row.code, name: row.name, houses, facilities }), { field: 'input.id' })]);
      }
      if (!(await editRepo.retire(trx, 'building', row.id, input.expectedVersion, principal.subject))) return conflict(row, input.expectedVersion);
      return { __typename: 'BuildingSuccess' as const, buildingId: row.id };
    });
  }

  /**
   * The start every edit of one building shares: a principal allowed to edit places; the building (current,
   * else NotFoundError); the grids of its position, and of `location` when that moves it, locked before the
   * building's row (the order grid edits take theirs in, which lock grids and then re-resolve the rows inside
   * them); the row locked at `expectedVersion` (else VersionConflict), within the principal's jurisdiction;
   * then `work` in the same transaction.
   */
  private async editBuilding<R extends { __typename: string }>(
    globalId: string,
    expectedVersion: number,
    location: LngLat | null,
    work: (trx: Knex.Transaction, row: editRepo.Locked<BuildingRow>, principal: Principal, move: Move | null) => Promise<R | PayloadError>,
  ): Promise<R | PayloadError | VersionConflictSource> {
    assertPermitted(this.ctx.viewer, 'place:edit');
    const id = expectGlobalId(globalId, 'Building', 'input.id');
    return runEdit<R | PayloadError | VersionConflictSource>(this.ctx, async (trx) => {
      const seen = await editRepo.buildingForEdit(trx, id, null);
      if (!seen || seen.retired_at) return notFound(globalId, 'building');
      const point = location && !samePosition(location, seen) ? location : null;
      const [, at] = await lockResolutions(trx, point ? [seen, point] : [seen]);
      const move = point ? { point, at } : null;
      const row = await editRepo.buildingForEdit(trx, id, 'UPDATE');
      if (!row || row.retired_at) return notFound(globalId, 'building');
      const principal = assertPrincipal(this.ctx.viewer, 'place:edit', codeSubject(row.grid_code), `building ${row.code} (${row.name})`);
      // A version written since the read above may have moved it away from the grids just locked.
      if (row.version !== expectedVersion || row.version !== seen.version) return conflict(row, expectedVersion);
      return work(trx, row, principal, move);
    });
  }

  /** The community given (a current COMMUNITY the position lies in), or by default the one the position lies in. */
  private async communityFor(trx: Knex, id: string | null, at: Resolution, point: LngLat, problems: Problems): Promise<Community | null> {
    const inChain = at.gridId ? await editRepo.communityOfGrid(trx, at.gridId) : null;
    if (!id) {
      if (!inChain) {
        problems.add({
          code: 'BAD_VALUE',
          field: 'input.location',
          ...said(msg('place.noCommunity', { position: positionLabel(point), where: whereIs(at, null) })),
          lng: point.lng,
          lat: point.lat,
        });
      }
      return inChain;
    }
    const community = await this.ctx.services.gridEdit.current(trx, id);
    if (!community || community.level !== 'COMMUNITY') {
      const message = community ? msg('place.notACommunity', { grid: label(community), level: community.level }) : msg('place.noGridId', { field: 'communityId' });
      problems.add(problem('BAD_VALUE', message, { field: 'input.communityId', gridIds: community ? [community.id] : [] }));
      return null;
    }
    if (inChain?.id !== community.id) {
      problems.add({
        code: 'BAD_VALUE',
        field: 'input.location',
        ...said(msg('place.notInCommunity', { position: positionLabel(point), where: whereIs(at, inChain), community: label(community) })),
        lng: point.lng,
        lat: point.lat,
        gridIds: inChain ? [inChain.id] : [],
      });
    }
    return community;
  }

  /** The code asked for, if well formed, under the community and never used; else the community's lowest number never used. */
  private async codeFor(trx: Knex, asked: string | null, community: Community, problems: Problems): Promise<string | null> {
    await editRepo.lockBuildingCodes(trx, community.code);
    const range = `${community.code}0001–${community.code}9999`;
    if (asked !== null) {
      const code = asked.trim();
      if (!/^\d{16}$/.test(code)) {
        problems.add(problem('BAD_CODE', msg('place.codeShape', { got: code.slice(0, 40) }), { field: 'input.code' }));
      } else if (!code.startsWith(community.code) || code.endsWith('0000')) {
        problems.add({
          code: 'BAD_CODE',
          field: 'input.code',
          ...said(msg('place.codeRange', { code, community: label(community), range })),
          gridIds: [community.id],
        });
      } else {
        const holder = await editRepo.buildingWithCode(trx, code);
        if (!holder) return code;
        problems.add({
          code: 'CODE_TAKEN',
          field: 'input.code',
          ...said(msg(holder.retired_at ? 'place.codeRetired' : 'place.codeTaken', { code, holder: holder.name })),
          subjects: [{ type: 'Building', id: holder.id }],
        });
      }
      return null;
    }
    const next = await editRepo.lowestFreeBuildingNumber(trx, community.code);
    if (next === null) {
      problems.add({
        code: 'BAD_CODE',
        field: 'input.code',
        ...said(msg('place.codesExhausted', { community: label(community), range })),
        gridIds: [community.id],
      });
      return null;
    }
    return `${community.code}${String(next).padStart(4, '0')}`;
  }

  /** Fewer floors or units than the current houses use is refused. */
  private async fitsHouses(trx: Knex, row: BuildingRow, floors: number | null, units: number | null, problems: Problems): Promise<void> {
    const { maxFloor, maxUnit } = await editRepo.buildingDependants(trx, row.id);
    if (floors !== null && maxFloor !== null && maxFloor > floors) {
      problems.add(problem('BAD_VALUE', msg('place.floorsInUse', { code: row.code, max: maxFloor }), { field: 'input.floors' }));
    }
    if (units !== null && maxUnit !== null && maxUnit > units) {
      problems.add(problem('BAD_VALUE', msg('place.unitsInUse', { code: row.code, max: maxUnit }), { field: 'input.units' }));
    }
  }

  /** The unique index refused a code the checks found free: another write took it meanwhile. */
  private async codeTaken(code: string | null) {
    const holder = code ? await editRepo.buildingWithCode(this.ctx.db, code) : null;
    if (!holder) return null;
    return validationError([
      problem('CODE_TAKEN', msg('place.codeRace', { code: code ?? '', holder: holder.name }), { field: 'input.code', subjects: [{ type: 'Building', id: holder.id }] }),
    ]);
  }
}

/** Where a position resolved, for messages: in which community, or in a grid outside any, or nowhere. */
function whereIs(at: Resolution, community: Community | null): Msg {
  if (community) return msg('place.inCommunity', { community: label(community) });
  if (at.gridId) return msg('place.inNoCommunity', { code: at.code ?? '' });
  return msg('place.nowhere');
}

function conflict(row: BuildingRow, expectedVersion: number): VersionConflictSource {
  return versionConflict(row, `building ${row.code} (${row.name})`, expectedVersion);
}
