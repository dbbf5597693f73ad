import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import type { ConfirmTenantInput, Gender, HouseholdRef, RelationToHead } from '../../generated/graphql';
import { fromGlobalId } from '../../graphql/relay';
import { Problems, validationError, type ProblemRow, type ValidationErrorSource } from '../../shared/payload';
import type { Principal } from '../auth/viewer';
import { todayInChina } from './checks';
import * as repo from './repo';
import * as editRepo from './repo-edit';
import { cipherFor, idNumberIndex } from './sealing';
import * as tenantRepo from './tenant-repo';

/** What a tenant submitted, checked (checkPersonFields) and normalised, as sealed in `tenant_registration.submission`. */
export interface TenantSubmission {
  name: string;
  gender: Gender;
  birthDate: string;
  /** 18 characters. */
  idNumber: string;
  phone: string;
  registeredAddress: string | null;
  arrivedOn: string;
  reason: string | null;
  permitNumber: string | null;
  permitExpiresOn: string | null;
}

const HOUSEHOLD_NUMBER = /^[0-9A-Za-z-]{1,32}$/;

/**
 * The person half of `confirmTenant`, inside the decision's transaction (grids, registration and building
 * already locked, jurisdiction checked). The house must still be in the registry.
 *
 * One person per ID number. When the registry already holds the submitted number, the confirmation moves that
 * person here rather than refusing: the tenant's own registration, checked by the worker against their ID card,
 * is the evidence of the move, which a worker of the new grid is the one to see; the old residence is closed
 * today and their record, history and tags are kept. Refused instead, so the worker checks the card: a number
 * recorded under another name, or recorded as deceased.
 */
export async function confirmRegistration(
  trx: Knex.Transaction,
  config: Config,
  reg: tenantRepo.RegistrationForDecision,
  s: TenantSubmission,
  input: Pick<ConfirmTenantInput, 'household' | 'relationToHead'>,
  principal: Principal,
): Promise<{ personId: string; moved: boolean } | ValidationErrorSource> {
  const cipher = cipherFor(config);
  const problems = new Problems();
  const houseId = await tenantRepo.currentHouseAt(trx, reg.building_id, reg.unit, reg.room, true);
  if (!houseId) {
    const where = reg.unit !== null ? `unit ${reg.unit}, room ${reg.room}` : `room ${reg.room}`;
    problems.add(bad('input.id', `house: building ${reg.building_code} (${reg.building_name}) has no current house at ${where}; add it (createHouse) and confirm again, or reject the registration`));
    return validationError(problems);
  }
  const holderId = await repo.personIdByIdNumberIndex(trx, idNumberIndex(cipher, s.idNumber));
  const holder = holderId ? await editRepo.personForEdit(trx, holderId, true) : null;
  if (holder?.status === 'DECEASED') {
    problems.add(bad('input.id', 'ID number: the registry records its holder as deceased; check the tenant\'s ID card, and reject the registration if the number is not theirs'));
  } else if (holder && holder.name !== s.name) {
    problems.add(bad('input.id', 'ID number: the registry holds it under another name; check the tenant\'s ID card (if the registry is wrong, correct the person first with updatePerson, then confirm)'));
  }
  if (problems.any) return validationError(problems);

  const staysPut = holder !== null && holder.status === 'LIVING_HERE' && holder.house_id === houseId;
  const household = await householdFor(trx, input.household, input.relationToHead ?? null, houseId, holder, staysPut, problems);
  if (problems.any || !household) return validationError(problems);
  const householdId = household.create ? await repo.insertHousehold(trx, household.create, houseId, principal.subject) : household.id;

  let personId: string;
  if (!holder) {
    personId = await repo.insertPerson(
      trx,
      cipher,
      {
        name: s.name,
        gender: s.gender,
        birthDate: s.birthDate,
        birthYear: Number(s.birthDate.slice(0, 4)),
        ethnicity: null,
        idNumber: s.idNumber,
        phone: s.phone,
        residenceType: 'FLOATING',
        registeredAddress: s.registeredAddress,
        houseId,
        householdId,
        relationToHead: householdId ? household.relation : null,
        movedInOn: s.arrivedOn,
        arrivedOn: s.arrivedOn,
        arrivalReason: s.reason,
        permitNumber: s.permitNumber,
        permitExpiresOn: s.permitExpiresOn,
      },
      principal.subject,
    );
  } else {
    personId = holder.id;
    const floating = holder.residence_type === 'FLOATING' ? { arrivedOn: s.arrivedOn, reason: s.reason, permitNumber: s.permitNumber, permitExpiresOn: s.permitExpiresOn } : undefined;
    const columns = {
      ...editRepo.changedColumns(cipher, { phone: s.phone, floating }),
      household_id: householdId,
      relation_to_head: householdId ? household.relation : null,
      ...(staysPut ? {} : { house_id: houseId, status: 'LIVING_HERE', moved_in_on: s.arrivedOn, moved_out_on: null }),
    };
    // The row is locked (personForEdit): its version cannot have moved on.
    await editRepo.updatePerson(trx, holder.id, holder.version, columns, principal.subject);
    if (!staysPut) await editRepo.closeResidence(trx, holder.id, todayInChina(), { houseId, on: s.arrivedOn });
  }
  await tenantRepo.grantGateAccess(trx, personId, reg.building_id, principal.subject);
  return { personId, moved: holder !== null && !staysPut };
}

/**
 * The household the tenant joins: the one given (which must live in this house), one created by the number
 * given, or by default a new one numbered `T` + a short random id, with the tenant as its head. A person
 * already living in this house keeps their household unless another is given.
 */
async function householdFor(
  trx: Knex.Transaction,
  ref: HouseholdRef | null | undefined,
  relation: RelationToHead | null,
  houseId: string,
  holder: { id: string; household_id: string | null; relation_to_head: RelationToHead | null } | null,
  staysPut: boolean,
  problems: Problems,
): Promise<{ id: string | null; create: string | null; relation: RelationToHead | null } | null> {
  if (!ref && staysPut && holder) return { id: holder.household_id, create: null, relation: relation ?? holder.relation_to_head };
  if (!ref) return newHousehold(`T${randomBytes(5).toString('hex').toUpperCase()}`, relation, problems);
  if (!!ref.householdId === !!ref.number) {
    problems.add(bad('input.household', 'household: give householdId (an existing one) or number (户号), one of them'));
    return null;
  }
  let household: { id: string; number: string; house_id: string } | null = null;
  if (ref.householdId) {
    const parsed = fromGlobalId(ref.householdId);
    household = parsed?.type === 'Household' ? await editRepo.householdForEdit(trx, { id: parsed.id }) : null;
    if (!household) {
      problems.add(bad('input.household.householdId', `household: no household has id ${ref.householdId.slice(0, 60)}`));
      return null;
    }
  } else {
    const number = ref.number!.trim();
    if (!HOUSEHOLD_NUMBER.test(number)) {
      problems.add(bad('input.household.number', `household number (户号): 1–32 letters, digits or hyphens (got "${number.slice(0, 40)}")`));
      return null;
    }
    household = await editRepo.householdForEdit(trx, { number });
    if (!household) return newHousehold(number, relation, problems);
  }
  if (household.house_id !== houseId) {
    problems.add(bad('input.household', `household: 户号 ${household.number} lives in another house; give one of this house, or a new number`));
    return null;
  }
  const head = await editRepo.headOf(trx, household.id, holder?.id ?? null);
  if (relation === 'HEAD' && head) {
    problems.add(bad('input.relationToHead', `relation to head: household ${household.number} already has a head; give the tenant's relation to them`));
  } else if (!relation && head) {
    problems.add(bad('input.relationToHead', `relation to head: joining household ${household.number} needs the tenant's relation to its head (NON_RELATIVE for a flatmate, SPOUSE, ...)`));
  }
  return { id: household.id, create: null, relation: relation ?? 'HEAD' };
}

function newHousehold(number: string, relation: RelationToHead | null, problems: Problems) {
  if (relation && relation !== 'HEAD') {
    problems.add(bad('input.relationToHead', `relation to head: the first member of a new household is its head; leave relationToHead out (or give HEAD), or join an existing household`));
    return null;
  }
  return { id: null, create: number, relation: 'HEAD' as const };
}

const bad = (field: string, message: string): ProblemRow => ({ code: 'BAD_VALUE', field, message });
