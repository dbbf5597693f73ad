import type { Knex } from 'knex';
import type { Context } from '../../context';
import type {
  HouseRef,
  MarkDeceasedInput,
  MovePersonInput,
  MovePersonOutInput,
  RegisterPersonInput,
  RelationToHead,
  SetHouseOwnersInput,
  UpdatePersonInput,
} from '../../generated/graphql';
import { expectGlobalId, fromGlobalId } from '../../graphql/relay';
import { msg } from '../../i18n';
import { notFound, problem, Problems, runEdit, validationError, versionConflict, type NotFoundSource, type PayloadError, type ProblemRow } from '../../shared/payload';
import { assertPermitted, assertPrincipal, codeSubject } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import { lockResolutions } from '../location/repo';
import { isRoom } from '../place/checks';
import { checkPersonFields, dateIssue, todayInChina, type CheckedPersonFields } from './checks';
import { checkIdNumber } from './id-number';
import type { HouseOwnersChangeSource, PersonChangeSource, PersonRow } from './mappers';
import { bad } from './group-checks';
import { checkHouseholdRef, placeInHousehold } from './household';
import * as repo from './repo';
import * as editRepo from './repo-edit';
import { cipherFor, idNumberIndex, SEALED } from './sealing';

type PersonSuccess = PersonChangeSource & { __typename: 'PersonSuccess' };
type Locked = PersonRow & { lng: number; lat: number };
const success = (personId: string): PersonSuccess => ({ __typename: 'PersonSuccess', personId });
const MAX_OWNERS = 20;
const BUILDING_CODE = /^\d{16}$/;

/**
 * Registering, updating and moving people (policy `person:edit`: GRID_WORKER, DISPATCHER and ADMIN where the
 * house stands), households and house owners. Each mutation: AUTH (role first; the jurisdiction once the house
 * is known) → VALIDATION (every problem, named by field) → RESOLUTION in one transaction. The grids of the
 * building's position are locked before any row, as grid edits lock them before re-resolving buildings.
 *
 * One person per ID number: registering a number that moved out elsewhere brings that person back (their
 * history kept); a number living elsewhere is refused, naming where, so the two workers can settle it.
 */
export class PersonEditService {
  constructor(private readonly ctx: Context) {}

  private get cipher() {
    return cipherFor(this.ctx.config);
  }

  async register(input: RegisterPersonInput) {
    assertPermitted(this.ctx.viewer, 'person:edit');
    const today = todayInChina();
    const early = new Problems();
    const fields = checkPersonFields(input, early, { mode: 'create', field: (k) => `input.${k}`, today });
    checkHouseRef(input.house, 'input.house', early);
    checkHouseholdRef(input.household, 'input.household', early);
    return runEdit<PersonSuccess | PayloadError>(
      this.ctx,
      async (trx) => {
        const problems = new Problems().addAll(early);
        const house = await this.lockHouse(trx, input.house, 'input.house', problems);
        if (!house) return problems.any ? validationError(problems) : notFound(input.house.houseId ?? '', 'house');
        const principal = assertPrincipal(this.ctx.viewer, 'person:edit', codeSubject(house.grid_code), `building ${house.building_code} (${house.building_name})`);
        if (problems.any) return validationError(problems);
        let returning: string | null = null;
        if (fields.idNumber) {
          const holder = await editRepo.holderOfIdNumber(trx, idNumberIndex(this.cipher, fields.idNumber));
          if (holder && holder.status !== 'MOVED_OUT') problems.add(idNumberTaken(holder, 'input.idNumber'));
          else if (holder) returning = holder.id;
        }
        const { householdId, relation } = await placeInHousehold(trx, input.household, house.house_id, input.relationToHead ?? null, returning, 'input', problems, principal.subject);
        if (problems.any) return validationError(problems);
        const movedInOn = fields.movedInOn ?? today;
        if (returning) {
          // Back from elsewhere: the same person, their history kept.
          const columns = {
            ...editRepo.changedColumns(this.cipher, fields),
            ...personPlacement(house.house_id, householdId, relation),
            moved_in_on: movedInOn,
          };
          const current = await editRepo.personForEdit(trx, returning, true);
          if (!current || !(await editRepo.updatePerson(trx, returning, current.version, columns, principal.subject))) {
            return validationError([bad('input.idNumber', msg('personEdit.idRace'))]);
          }
          await editRepo.closeResidence(trx, returning, movedInOn, { houseId: house.house_id, on: movedInOn });
          return success(returning);
        }
        const id = await repo.insertPerson(trx, this.cipher, writeOf(fields, house.house_id, householdId, relation, movedInOn), principal.subject);
        return success(id);
      },
      { onUniqueViolation: (v) => this.raced(v.constraint) },
    );
  }

  async update(input: UpdatePersonInput) {
    return this.editPerson(input.id, async (trx, person, principal) => {
      if (person.version !== input.expectedVersion) return conflict(person, input.expectedVersion);
      const problems = new Problems();
      const today = todayInChina();
      const fields = checkPersonFields(input, problems, {
        mode: 'update',
        field: (k) => `input.${k}`,
        today,
        current: { gender: person.gender, birthDate: person.birth_date, residenceType: person.residence_type },
      });
      checkHouseholdRef(input.household, 'input.household', problems);
      const given = ['name', 'gender', 'birthDate', 'ethnicity', 'idNumber', 'phone', 'residenceType', 'registeredAddress', 'household', 'relationToHead', 'floating'] as const;
      if (given.every((k) => input[k] === undefined || input[k] === null)) {
        problems.add(bad('input', msg('personEdit.nothing', { fields: given.join(', ') })));
      }
      if (problems.any) return validationError(problems);
      // A new birth date or gender must agree with the stored ID number (opened for the check, never shown).
      if (fields.idNumber === undefined && (fields.birthDate !== undefined || fields.gender !== undefined)) {
        const stored = await this.storedIdNumber(trx, person.id);
        if (stored) {
          const check = checkIdNumber(stored, { birthDate: fields.birthDate ?? person.birth_date ?? undefined, gender: fields.gender ?? person.gender });
          if (!check.ok) for (const p of check.issues) problems.add(bad(fields.birthDate !== undefined ? 'input.birthDate' : 'input.gender', msg('personEdit.storedId', { detail: p })));
        }
      }
      if (fields.idNumber) {
        const holder = await editRepo.holderOfIdNumber(trx, idNumberIndex(this.cipher, fields.idNumber));
        if (holder && holder.id !== person.id) problems.add(idNumberTaken(holder, 'input.idNumber'));
      }
      const columns = editRepo.changedColumns(this.cipher, fields);
      if (fields.residenceType && fields.residenceType !== 'FLOATING' && person.residence_type === 'FLOATING') {
        Object.assign(columns, { arrived_on: null, arrival_reason: null, permit_sealed: null, permit_masked: null, permit_expires_on: null });
      }
      if (input.household !== undefined && input.household !== null) {
        const placed = await placeInHousehold(trx, input.household, person.house_id, input.relationToHead ?? null, person.id, 'input', problems, principal.subject);
        columns.household_id = placed.householdId;
        columns.relation_to_head = placed.relation;
      } else if (input.relationToHead) {
        if (!person.household_id) problems.add(bad('input.relationToHead', msg('personEdit.noHousehold')));
        else if (input.relationToHead === 'HEAD' && (await editRepo.headOf(trx, person.household_id, person.id))) {
          problems.add(bad('input.relationToHead', msg('personEdit.hasHead')));
        }
        columns.relation_to_head = input.relationToHead;
      }
      if (problems.any) return validationError(problems);
      if (!(await editRepo.updatePerson(trx, person.id, input.expectedVersion, columns, principal.subject))) return conflict(person, input.expectedVersion);
      return success(person.id);
    });
  }

  async move(input: MovePersonInput) {
    assertPermitted(this.ctx.viewer, 'person:edit');
    const id = expectGlobalId(input.id, 'Person', 'input.id');
    const early = new Problems();
    checkHouseRef(input.house, 'input.house', early);
    checkHouseholdRef(input.household, 'input.household', early);
    const today = todayInChina();
    if (input.movedOn) {
      const issue = dateIssue(input.movedOn, today, '1900-01-01');
      if (issue) early.add(bad('input.movedOn', msg('personEdit.dated', { what: msg('personEdit.movedOn'), detail: issue })));
    }
    return runEdit<PersonSuccess | PayloadError | ReturnType<typeof conflict>>(
      this.ctx,
      async (trx) => {
        const problems = new Problems().addAll(early);
        const seen = await editRepo.personForEdit(trx, id, false);
        if (!seen) return notFound(input.id, 'person');
        const target = await this.findHouse(trx, input.house, 'input.house', problems);
        if (!target) return problems.any ? validationError(problems) : notFound(input.house.houseId ?? '', 'house');
        await lockResolutions(trx, [seen, target]);
        const person = (await editRepo.personForEdit(trx, id, true))!;
        const house = await editRepo.houseTargetById(trx, target.house_id, true);
        if (!house) return notFound(input.house.houseId ?? target.house_id, 'house');
        assertPrincipal(this.ctx.viewer, 'person:edit', codeSubject(person.grid_code), 'this person');
        const principal = assertPrincipal(this.ctx.viewer, 'person:edit', codeSubject(house.grid_code), `building ${house.building_code} (${house.building_name})`);
        if (person.version !== input.expectedVersion) return conflict(person, input.expectedVersion);
        if (person.erased_at) problems.add(erased());
        if (person.status === 'DECEASED') problems.add(bad('input.id', msg('personEdit.deceasedNoMove')));
        if (house.house_id === person.house_id && person.status === 'LIVING_HERE') {
          problems.add(bad('input.house', msg('personEdit.sameHouse', houseWords(house))));
        }
        const movedOn = input.movedOn ?? today;
        if (person.moved_in_on && movedOn < person.moved_in_on) {
          problems.add(bad('input.movedOn', msg('personEdit.beforeMovedIn', { date: movedOn, movedIn: person.moved_in_on ?? '' })));
        }
        if (problems.any) return validationError(problems);
        const placed = await placeInHousehold(trx, input.household, house.house_id, input.relationToHead ?? null, person.id, 'input', problems, principal.subject);
        if (problems.any) return validationError(problems);
        const columns = { ...personPlacement(house.house_id, placed.householdId, placed.relation), moved_in_on: movedOn };
        if (!(await editRepo.updatePerson(trx, person.id, input.expectedVersion, columns, principal.subject))) return conflict(person, input.expectedVersion);
        await editRepo.closeResidence(trx, person.id, movedOn, { houseId: house.house_id, on: movedOn });
        await editRepo.revokeGateAccess(trx, person.id);
        return success(person.id);
      },
      { onUniqueViolation: (v) => this.raced(v.constraint) },
    );
  }

  async moveOut(input: MovePersonOutInput) {
    return this.editPerson(input.id, async (trx, person, principal) => {
      if (person.version !== input.expectedVersion) return conflict(person, input.expectedVersion);
      const today = todayInChina();
      const on = input.movedOutOn ?? today;
      const problems = new Problems();
      if (person.status !== 'LIVING_HERE') problems.add(bad('input.id', msg('personEdit.notLiving', { deceased: person.status === 'DECEASED' ? 1 : 0 })));
      const issue = dateIssue(on, today, person.moved_in_on ?? person.birth_date ?? '1900-01-01');
      if (issue) problems.add(bad('input.movedOutOn', msg('personEdit.dated', { what: msg('personEdit.movedOutOn'), detail: issue })));
      if (problems.any) return validationError(problems);
      if (!(await editRepo.updatePerson(trx, person.id, input.expectedVersion, { status: 'MOVED_OUT', moved_out_on: on }, principal.subject))) {
        return conflict(person, input.expectedVersion);
      }
      await editRepo.closeResidence(trx, person.id, on, null);
      await editRepo.revokeGateAccess(trx, person.id);
      return success(person.id);
    });
  }

  async markDeceased(input: MarkDeceasedInput) {
    return this.editPerson(input.id, async (trx, person, principal) => {
      if (person.version !== input.expectedVersion) return conflict(person, input.expectedVersion);
      const today = todayInChina();
      const problems = new Problems();
      if (person.status === 'DECEASED') problems.add(bad('input.id', msg('personEdit.alreadyDeceased')));
      const issue = dateIssue(input.deceasedOn, today, person.birth_date ?? `${person.birth_year}-01-01`);
      if (issue) problems.add(bad('input.deceasedOn', msg('personEdit.dated', { what: msg('personEdit.deceasedOn'), detail: issue })));
      if (problems.any) return validationError(problems);
      if (!(await editRepo.updatePerson(trx, person.id, input.expectedVersion, { status: 'DECEASED', deceased_on: input.deceasedOn }, principal.subject))) {
        return conflict(person, input.expectedVersion);
      }
      if (person.status === 'LIVING_HERE') await editRepo.closeResidence(trx, person.id, input.deceasedOn, null);
      await editRepo.revokeGateAccess(trx, person.id);
      return success(person.id);
    });
  }

  async setHouseOwners(input: SetHouseOwnersInput) {
    assertPermitted(this.ctx.viewer, 'person:edit');
    const houseId = expectGlobalId(input.houseId, 'House', 'input.houseId');
    const early = new Problems();
    const personIds: string[] = [];
    input.personIds.forEach((gid, i) => {
      const parsed = fromGlobalId(gid);
      if (!parsed || parsed.type !== 'Person') early.add(bad(`input.personIds[${i}]`, msg('personEdit.ownerId', { got: gid.slice(0, 60) })));
      else if (!personIds.includes(parsed.id)) personIds.push(parsed.id);
    });
    if (personIds.length > MAX_OWNERS) early.add(bad('input.personIds', msg('personEdit.owners', { max: MAX_OWNERS, got: personIds.length })));
    if (input.since) {
      const issue = dateIssue(input.since, todayInChina(), '1900-01-01');
      if (issue) early.add(bad('input.since', msg('personEdit.dated', { what: msg('personEdit.since'), detail: issue })));
    }
    return runEdit<(HouseOwnersChangeSource & { __typename: 'HouseSuccessWithOwners' }) | PayloadError>(this.ctx, async (trx) => {
      const problems = new Problems().addAll(early);
      const house = await this.lockHouse(trx, { houseId: input.houseId }, 'input.houseId', problems);
      if (!house) return notFound(input.houseId, 'house');
      const principal = assertPrincipal(this.ctx.viewer, 'person:edit', codeSubject(house.grid_code), `building ${house.building_code} (${house.building_name})`);
      const owners = await repo.peopleByIds(trx, personIds);
      personIds.forEach((id, i) => {
        const owner = owners.find((o) => o.id === id);
        if (!owner || owner.erased_at) problems.add(bad(`input.personIds[${i}]`, msg('personEdit.noOwner', { id: input.personIds[i] })));
        else if (!this.ctx.services.person.canRead(owner)) problems.add(problem('OUTSIDE_JURISDICTION', msg('personEdit.ownerOutside'), { field: `input.personIds[${i}]` }));
      });
      if (problems.any) return validationError(problems);
      await editRepo.setHouseOwners(trx, houseId, personIds, input.since ?? null, principal.subject);
      return { __typename: 'HouseSuccessWithOwners' as const, houseId };
    });
  }

  /**
   * The start every edit of one person shares: the grids of their building locked, then their row; the
   * person within the caller's jurisdiction; an erased stub refused.
   */
  private async editPerson<R extends { __typename: string }>(
    globalId: string,
    work: (trx: Knex.Transaction, person: Locked, principal: Principal) => Promise<R>,
  ): Promise<R | NotFoundSource | PayloadError> {
    assertPermitted(this.ctx.viewer, 'person:edit');
    const id = expectGlobalId(globalId, 'Person', 'input.id');
    return runEdit<R | NotFoundSource | PayloadError>(
      this.ctx,
      async (trx) => {
        const seen = await editRepo.personForEdit(trx, id, false);
        if (!seen) return notFound(globalId, 'person');
        await lockResolutions(trx, [seen]);
        const person = (await editRepo.personForEdit(trx, id, true))!;
        const principal = assertPrincipal(this.ctx.viewer, 'person:edit', codeSubject(person.grid_code), 'this person');
        if (person.erased_at) return validationError([erased()]);
        return work(trx, person, principal);
      },
      { onUniqueViolation: (v) => this.raced(v.constraint) },
    );
  }

  /** A house by reference, unlocked (null with a problem when the reference names none). */
  private async findHouse(trx: Knex.Transaction, ref: HouseRef, field: string, problems: Problems): Promise<editRepo.HouseTarget | null> {
    if (ref.houseId) {
      const parsed = fromGlobalId(ref.houseId);
      if (!parsed || parsed.type !== 'House') return null;
      return editRepo.houseTargetById(trx, parsed.id, false);
    }
    if (!ref.buildingCode || !ref.room || !BUILDING_CODE.test(ref.buildingCode)) return null;
    const room = ref.room.trim();
    const house = await editRepo.houseTargetByAddress(trx, ref.buildingCode, ref.unit ?? null, room);
    if (house) return house;
    const building = await editRepo.roomsOfBuilding(trx, ref.buildingCode, 30);
    const missing = { code: ref.buildingCode, unit: ref.unit != null ? String(ref.unit) : '', room, rooms: building.rooms.join(', '), more: building.rooms.length >= 30 ? 1 : 0 };
    problems.add(
      building.exists ? bad(`${field}.room`, msg('personEdit.noHouse', missing)) : bad(`${field}.buildingCode`, msg('personEdit.noBuilding', { code: ref.buildingCode })),
    );
    return null;
  }

  /** The house, its grids locked and then its row (shared: it cannot be retired under the person). */
  private async lockHouse(trx: Knex.Transaction, ref: HouseRef, field: string, problems: Problems): Promise<editRepo.HouseTarget | null> {
    const seen = await this.findHouse(trx, ref, field, problems);
    if (!seen) return null;
    await lockResolutions(trx, [seen]);
    return editRepo.houseTargetById(trx, seen.house_id, true);
  }

  private async storedIdNumber(trx: Knex.Transaction, personId: string): Promise<string | null> {
    const { rows } = await trx.raw(`/* storedIdNumber */ SELECT id_number_sealed FROM person WHERE id = ?`, [personId]);
    const sealed: Buffer | null = rows[0]?.id_number_sealed ?? null;
    return sealed ? this.cipher.open(sealed, SEALED.idNumber) : null;
  }

  /** A unique index refused what the checks found free: a concurrent write took it. */
  private async raced(constraint: string): Promise<PayloadError | null> {
    const messages: Record<string, ProblemRow> = {
      person_id_number: bad('input.idNumber', msg('personEdit.idRaceRegister')),
      household_head: bad('input.relationToHead', msg('personEdit.headRace')),
      household_number_key: bad('input.household.number', msg('personEdit.householdRace')),
    };
    return messages[constraint] ? validationError([messages[constraint]]) : null;
  }
}

/** The shape of a house reference: an id, or a building code and room (and unit). */
function checkHouseRef(ref: HouseRef, field: string, problems: Problems): void {
  const byAddress = ref.buildingCode != null || ref.room != null || ref.unit != null;
  if (ref.houseId && byAddress) {
    problems.add(bad(field, msg('personEdit.houseBoth')));
  } else if (ref.houseId) {
    const parsed = fromGlobalId(ref.houseId);
    if (!parsed || parsed.type !== 'House') problems.add(bad(`${field}.houseId`, msg('personEdit.houseId', { got: ref.houseId.slice(0, 60) })));
  } else {
    if (!ref.buildingCode) problems.add(bad(`${field}.buildingCode`, msg('personEdit.houseNeither')));
    else if (!BUILDING_CODE.test(ref.buildingCode)) problems.add(bad(`${field}.buildingCode`, msg('personEdit.buildingCode', { got: ref.buildingCode.slice(0, 40) })));
    if (!ref.room) problems.add(bad(`${field}.room`, msg('personEdit.roomRequired')));
    else if (!isRoom(ref.room.trim())) problems.add(bad(`${field}.room`, msg('personEdit.room', { got: ref.room.slice(0, 40) })));
  }
}

function personPlacement(houseId: string, householdId: string | null, relation: RelationToHead | null) {
  return { house_id: houseId, household_id: householdId, relation_to_head: householdId ? relation : null, status: 'LIVING_HERE', moved_out_on: null };
}

function writeOf(f: CheckedPersonFields, houseId: string, householdId: string | null, relation: RelationToHead | null, movedInOn: string): repo.PersonWrite {
  const birthDate = f.birthDate!;
  return {
    name: f.name!,
    gender: f.gender!,
    birthDate,
    birthYear: Number(birthDate.slice(0, 4)),
    ethnicity: f.ethnicity ?? null,
    idNumber: f.idNumber ?? null,
    phone: f.phone ?? null,
    residenceType: f.residenceType!,
    registeredAddress: f.registeredAddress ?? null,
    houseId,
    householdId,
    relationToHead: householdId ? relation : null,
    movedInOn,
    arrivedOn: f.floating?.arrivedOn ?? null,
    arrivalReason: f.floating?.reason ?? null,
    permitNumber: f.floating?.permitNumber ?? null,
    permitExpiresOn: f.floating?.permitExpiresOn ?? null,
  };
}

function idNumberTaken(holder: { status: string; grid_code: string | null; building_code: string }, field: string): ProblemRow {
  const where = msg('personEdit.holderWhere', { code: holder.building_code, grid: holder.grid_code ?? '' });
  return bad(field, msg(holder.status === 'DECEASED' ? 'personEdit.idDeceased' : 'personEdit.idTaken', { where }));
}

function erased(): ProblemRow {
  return bad('input.id', msg('personEdit.erased'));
}

function houseWords(h: editRepo.HouseTarget): { code: string; unit: string; room: string } {
  return { code: h.building_code, unit: h.unit !== null ? String(h.unit) : '', room: h.room };
}

function conflict(person: PersonRow, expectedVersion: number) {
  return versionConflict(person, 'this person', expectedVersion);
}
