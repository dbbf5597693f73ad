import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import type { ConfirmTenantInput, Gender, RelationToHead } from '../../generated/graphql';
import { msg } from '../../i18n';
import { Problems, validationError, type ValidationErrorSource } from '../../shared/payload';
import type { Principal } from '../auth/viewer';
import { todayInChina } from './checks';
import { bad } from './group-checks';
import { checkHouseholdRef, placeInHousehold } from './household';
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
    problems.add(bad('input.id', msg('tenant.noHouse', { code: reg.building_code, name: reg.building_name, unit: reg.unit !== null ? String(reg.unit) : '', room: reg.room })));
    return validationError(problems);
  }
  const holderId = await repo.personIdByIdNumberIndex(trx, idNumberIndex(cipher, s.idNumber));
  const holder = holderId ? await editRepo.personForEdit(trx, holderId, true) : null;
  if (holder?.status === 'DECEASED') {
    problems.add(bad('input.id', msg('tenant.holderDeceased')));
  } else if (holder && holder.name !== s.name) {
    problems.add(bad('input.id', msg('tenant.otherName')));
  }
  if (problems.any) return validationError(problems);

  const staysPut = holder !== null && holder.status === 'LIVING_HERE' && holder.house_id === houseId;
  let placed: { householdId: string | null; relation: RelationToHead | null };
  if (!input.household && staysPut && holder) {
    // Already living in this house: they keep their household unless another is given.
    placed = { householdId: holder.household_id, relation: input.relationToHead ?? holder.relation_to_head };
  } else {
    checkHouseholdRef(input.household, 'input.household', problems);
    if (problems.any) return validationError(problems);
    // By default a new household numbered T + a short random id, with the tenant as its head.
    const ref = input.household ?? { number: `T${randomBytes(5).toString('hex').toUpperCase()}` };
    placed = await placeInHousehold(trx, ref, houseId, input.relationToHead ?? null, holder?.id ?? null, 'input', problems, principal.subject);
    if (problems.any) return validationError(problems);
  }
  const { householdId } = placed;

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
        relationToHead: householdId ? placed.relation : null,
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
      relation_to_head: householdId ? placed.relation : null,
      ...(staysPut ? {} : { house_id: houseId, status: 'LIVING_HERE', moved_in_on: s.arrivedOn, moved_out_on: null }),
    };
    // The row is locked (personForEdit): its version cannot have moved on.
    await editRepo.updatePerson(trx, holder.id, holder.version, columns, principal.subject);
    if (!staysPut) await editRepo.closeResidence(trx, holder.id, todayInChina(), { houseId, on: s.arrivedOn });
  }
  await tenantRepo.grantGateAccess(trx, personId, reg.building_id, principal.subject);
  return { personId, moved: holder !== null && !staysPut };
}

