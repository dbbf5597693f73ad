import type { Knex } from 'knex';
import type { HouseholdRef, RelationToHead } from '../../generated/graphql';
import { fromGlobalId } from '../../graphql/relay';
import type { Problems } from '../../shared/payload';
import * as repo from './repo';
import * as editRepo from './repo-edit';

const HOUSEHOLD_NUMBER = /^[0-9A-Za-z-]{1,32}$/;

/**
 * The household a person joins in `houseId`: an existing one (which must live in that house), or a new one
 * by number. Adds problems; returns its id, or null for none.
 */
export async function placeInHousehold(
  trx: Knex.Transaction,
  ref: HouseholdRef | null | undefined,
  houseId: string,
  relation: RelationToHead | null,
  personId: string | null,
  field: string,
  problems: Problems,
  by: string,
): Promise<{ householdId: string | null; relation: RelationToHead | null }> {
  const none = { householdId: null, relation: null };
  if (!ref) {
    if (relation) problems.add({ code: 'BAD_VALUE', field: `${field}.relationToHead`, message: 'relation to head: give input.household (the household it relates to) too' });
    return none;
  }
  let household: { id: string; number: string; house_id: string } | null = null;
  if (ref.householdId) {
    const parsed = fromGlobalId(ref.householdId);
    household = parsed?.type === 'Household' ? await editRepo.householdForEdit(trx, { id: parsed.id }) : null;
    if (!household) {
      problems.add({ code: 'BAD_VALUE', field: `${field}.household.householdId`, message: `household: no household has id ${ref.householdId}` });
      return none;
    }
  } else if (ref.number) {
    household = await editRepo.householdForEdit(trx, { number: ref.number.trim() });
    // A new household: its first member is its head.
    if (!household) {
      if (relation && relation !== 'HEAD') {
        problems.add({ code: 'BAD_VALUE', field: `${field}.relationToHead`, message: 'relation to head: the first member of a new household is its head; leave relationToHead out (or give HEAD), or join an existing household' });
        return none;
      }
      return { householdId: await repo.insertHousehold(trx, ref.number.trim(), houseId, by), relation: 'HEAD' };
    }
  }
  if (!household) return none;
  if (household.house_id !== houseId) {
    problems.add({ code: 'BAD_VALUE', field: `${field}.household`, message: `household: 户号 ${household.number} lives in another house; a household has one house (move the household's members, or give a new number)` });
    return none;
  }
  const head = await editRepo.headOf(trx, household.id, personId);
  if (relation === 'HEAD' && head) {
    problems.add({ code: 'BAD_VALUE', field: `${field}.relationToHead`, message: `relation to head: household ${household.number} already has a head; give this person's relation to them` });
  }
  if (!relation && head) {
    problems.add({ code: 'BAD_VALUE', field: `${field}.relationToHead`, message: `relation to head: joining household ${household.number} needs this person's relation to its head (SPOUSE, CHILD, ...)` });
  }
  return { householdId: household.id, relation: relation ?? 'HEAD' };
}

/** The shape of a household reference: an existing household's id or a 户号, one of them. */
export function checkHouseholdRef(ref: HouseholdRef | null | undefined, field: string, problems: Problems): void {
  if (!ref) return;
  if (!!ref.householdId === !!ref.number) problems.add({ code: 'BAD_VALUE', field, message: 'household: give householdId (an existing one) or number (户号), one of them' });
  else if (ref.number && !HOUSEHOLD_NUMBER.test(ref.number.trim())) {
    problems.add({ code: 'BAD_VALUE', field: `${field}.number`, message: `household number (户号): 1–32 letters, digits or hyphens (got "${ref.number.slice(0, 40)}")` });
  }
}
