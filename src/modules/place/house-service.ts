import type { Knex } from 'knex';
import type { Context } from '../../context';
import type { CreateHouseInput, RetireHouseInput, UpdateHouseInput } from '../../generated/graphql';
import { expectGlobalId } from '../../graphql/relay';
import { msg, said } from '../../i18n';
import { notFound, problem, Problems, runEdit, validationError, versionConflict, type NotFoundSource, type PayloadError, type ProblemRow } from '../../shared/payload';
import { assertPermitted, assertPrincipal, codeSubject } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import { lockResolution } from '../location/repo';
import { checkRange, HOUSE_FLOOR, HOUSE_UNIT, isRoom, MAX_ROOM } from './checks';
import type { BuildingRow, HouseChangeSource, HouseRow } from './mappers';
import * as editRepo from './repo-edit';
import { buildingsByIds } from './repo';

const MAX_AREA_SQM = 100_000;

type Success = HouseChangeSource & { __typename: 'HouseSuccess' };

/**
 * Houses (实有房屋): the dwellings and shops of a building, written by whoever may edit places where the
 * building stands. The building is locked shared while a house is written, so it cannot be retired under a
 * new house; one current house per (building, unit, room). The grids of the building's position are locked
 * before any row, as grid edits lock them before re-resolving the buildings inside: a house write waits for
 * such an edit and then judges the jurisdiction by the grid the building has after it.
 */
export class HouseEditService {
  constructor(private readonly ctx: Context) {}

  async create(input: CreateHouseInput) {
    // AUTH (role; the jurisdiction once the building is read)
    assertPermitted(this.ctx.viewer, 'place:edit');
    const buildingId = expectGlobalId(input.buildingId, 'Building', 'input.buildingId');
    // VALIDATION (what needs no database)
    const early = new Problems();
    const fields = checkFields(input, early);
    return runEdit<Success | PayloadError>(
      this.ctx,
      async (trx) => {
        const problems = new Problems().addAll(early);
        if (!(await this.lockGridsOfBuilding(trx, buildingId))) return notFound(input.buildingId, 'building');
        const building = await editRepo.buildingForEdit(trx, buildingId, 'SHARE');
        if (!building || building.retired_at) return notFound(input.buildingId, 'building');
        const principal = assertPrincipal(this.ctx.viewer, 'place:edit', codeSubject(building.grid_code), `building ${building.code} (${building.name})`);
        // VALIDATION (against the building and its houses)
        if (problems.any || fields.room === null) return validationError(problems);
        const unit = fields.unit ?? null;
        fitsBuilding(building, unit, fields.floor ?? null, problems);
        const taken = await editRepo.houseAt(trx, building.id, unit, fields.room, null);
        if (taken) problems.add(roomTaken(building, unit, fields.room, taken));
        if (problems.any) return validationError(problems);
        // RESOLUTION
        const houseId = await editRepo.insertHouse(
          trx,
          { buildingId: building.id, unit, floor: fields.floor ?? null, room: fields.room, areaSqm: fields.areaSqm ?? null, use: input.use },
          principal.subject,
        );
        return { __typename: 'HouseSuccess' as const, houseId };
      },
      { onUniqueViolation: () => this.roomRace(buildingId, fields.unit ?? null, fields.room) },
    );
  }

  async update(input: UpdateHouseInput) {
    let key: { buildingId: string; unit: number | null; room: string } | null = null;
    return this.editHouse(
      input.id,
      async (trx, house, building, principal) => {
        if (house.version !== input.expectedVersion) return conflict(house, input.expectedVersion);
        const problems = new Problems();
        const fields = checkFields(input, problems);
        if ([input.unit, input.floor, input.room, input.areaSqm, input.use].every((v) => v === undefined)) {
          problems.add(problem('BAD_VALUE', msg('place.houseNothing'), { field: 'input' }));
        }
        if (problems.any) return validationError(problems);
        const unit = fields.unit !== undefined ? fields.unit : house.unit;
        const room = fields.room ?? house.room;
        fitsBuilding(building, fields.unit ?? null, fields.floor ?? null, problems);
        if (unit !== house.unit || room !== house.room) {
          key = { buildingId: building.id, unit, room };
          const taken = await editRepo.houseAt(trx, building.id, unit, room, house.id);
          if (taken) problems.add(roomTaken(building, unit, room, taken));
        }
        if (problems.any) return validationError(problems);
        const change = { unit: fields.unit, floor: fields.floor, room: fields.room ?? undefined, areaSqm: fields.areaSqm, use: input.use ?? undefined };
        if (!(await editRepo.updateHouse(trx, house.id, input.expectedVersion, change, principal.subject))) return conflict(house, input.expectedVersion);
        return { __typename: 'HouseSuccess' as const, houseId: house.id };
      },
      () => (key ? this.roomRace(key.buildingId, key.unit, key.room) : Promise.resolve(null)),
    );
  }

  async retire(input: RetireHouseInput) {
    return this.editHouse(input.id, async (trx, house, _building, principal) => {
      if (house.version !== input.expectedVersion) return conflict(house, input.expectedVersion);
      const residents = await editRepo.houseResidents(trx, house.id);
      if (residents > 0) {
        return validationError([
          {
            code: 'HAS_DEPENDANTS',
            field: 'input.id',
            ...said(msg('place.residents', { room: house.room, residents })),
          },
        ]);
      }
      if (!(await editRepo.retire(trx, 'house', house.id, input.expectedVersion, principal.subject))) return conflict(house, input.expectedVersion);
      return { __typename: 'HouseSuccess' as const, houseId: house.id };
    });
  }

  /**
   * The start every edit of one house shares: the house (current, else NotFoundError) locked, its building
   * locked shared, and the building's grid within the principal's jurisdiction.
   */
  private async editHouse<R extends { __typename: string }>(
    globalId: string,
    work: (trx: Knex.Transaction, house: HouseRow, building: editRepo.Locked<BuildingRow>, principal: Principal) => Promise<R>,
    onUniqueViolation?: () => Promise<R | PayloadError | null>,
  ): Promise<R | NotFoundSource | PayloadError> {
    assertPermitted(this.ctx.viewer, 'place:edit');
    const id = expectGlobalId(globalId, 'House', 'input.id');
    return runEdit<R | NotFoundSource | PayloadError>(
      this.ctx,
      async (trx) => {
        const seen = await editRepo.houseForEdit(trx, id, null);
        if (!seen || seen.retired_at) return notFound(globalId, 'house');
        await this.lockGridsOfBuilding(trx, seen.building_id);
        const house = await editRepo.houseForEdit(trx, id, 'UPDATE');
        if (!house || house.retired_at) return notFound(globalId, 'house');
        const building = (await editRepo.buildingForEdit(trx, house.building_id, 'SHARE'))!;
        const principal = assertPrincipal(this.ctx.viewer, 'place:edit', codeSubject(building.grid_code), `building ${building.code} (${building.name})`);
        return work(trx, house, building, principal);
      },
      { onUniqueViolation },
    );
  }

  /**
   * Locks the grids the building's position resolves to (false: no current building has this id). Should the
   * building move before its row is locked, the jurisdiction is still read from the locked row, and no grid
   * edit can re-resolve the building while the row is held.
   */
  private async lockGridsOfBuilding(trx: Knex.Transaction, buildingId: string): Promise<boolean> {
    const building = await editRepo.buildingForEdit(trx, buildingId, null);
    if (!building || building.retired_at) return false;
    await lockResolution(trx, building);
    return true;
  }

  /** The unique index refused a room the checks found free: another write added it meanwhile. */
  private async roomRace(buildingId: string, unit: number | null, room: string | null): Promise<PayloadError | null> {
    if (room === null) return null;
    const [building] = await buildingsByIds(this.ctx.db, [buildingId]);
    const taken = building ? await editRepo.houseAt(this.ctx.db, buildingId, unit, room, null) : null;
    return building && taken ? validationError([roomTaken(building, unit, room, taken)]) : null;
  }
}

function checkFields(
  input: { unit?: number | null; floor?: number | null; room?: string | null; areaSqm?: number | null },
  problems: Problems,
): { unit?: number | null; floor?: number | null; room: string | null; areaSqm?: number | null } {
  const unit = checkRange(input.unit, 'input.unit', HOUSE_UNIT, problems);
  const floor = checkRange(input.floor, 'input.floor', HOUSE_FLOOR, problems);
  let room: string | null = null;
  if (input.room != null) {
    room = input.room.trim();
    if (!isRoom(room)) {
      problems.add(problem('BAD_VALUE', msg('place.room', { max: MAX_ROOM, got: room.slice(0, 40) }), { field: 'input.room' }));
      room = null;
    }
  }
  const areaSqm = input.areaSqm;
  if (areaSqm != null && (!Number.isFinite(areaSqm) || areaSqm <= 0 || areaSqm > MAX_AREA_SQM)) {
    problems.add(problem('BAD_VALUE', msg('place.area', { max: MAX_AREA_SQM.toLocaleString('en'), got: areaSqm }), { field: 'input.areaSqm' }));
  }
  return { unit, floor, room, areaSqm };
}

/** A unit or floor the building does not have. */
function fitsBuilding(building: BuildingRow, unit: number | null, floor: number | null, problems: Problems): void {
  if (unit !== null && building.units !== null && unit > building.units) {
    problems.add(problem('BAD_VALUE', msg('place.noSuchUnit', { code: building.code, name: building.name, has: building.units, got: unit }), { field: 'input.unit' }));
  }
  if (floor !== null && building.floors !== null && floor > building.floors) {
    problems.add(problem('BAD_VALUE', msg('place.noSuchFloor', { code: building.code, name: building.name, has: building.floors, got: floor }), { field: 'input.floor' }));
  }
}

function roomTaken(building: BuildingRow, unit: number | null, room: string, houseId: string): ProblemRow {
  return {
    code: 'BAD_VALUE',
    field: 'input.room',
    ...said(msg('place.roomTaken', { code: building.code, name: building.name, unit: unit !== null ? String(unit) : '', room })),
    subjects: [{ type: 'House', id: houseId }],
  };
}

function conflict(house: HouseRow, expectedVersion: number) {
  return versionConflict(house, `house ${house.room}`, expectedVersion);
}
