import type { Knex } from 'knex';
import type { HouseholdRef, RelationToHead } from '../../generated/graphql';
import { fromGlobalId } from '../../graphql/relay';
import { msg } from '../../i18n';
import type { Problems } from '../../shared/payload';
import { bad } from './group-checks';
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
    if (relation) problems.add(bad(`${field}.relationToHead`, msg('household.relationAlone')));
    return none;
  }
  let household: { id: string; number: string; house_id: string } | null = null;
  if (ref.householdId) {
    const parsed = fromGlobalId(ref.householdId);
    household = parsed?.type === 'Household' ? await editRepo.householdForEdit(trx, { id: parsed.id }) : null;
    if (!household) {
      problems.add(bad(`${field}.household.householdId`, msg('household.noId', { id: ref.householdId })));
      return none;
    }
  } else if (ref.number) {
    household = await editRepo.householdForEdit(trx, { number: ref.number.trim() });
    // A new household: its first member is its head.
    if (!household) {
      if (relation && relation !== 'HEAD') {
        problems.add(bad(`${field}.relationToHead`, msg('household.firstIsHead')));
        return none;
      }
      return { householdId: await repo.insertHousehold(trx, ref.number.trim(), houseId, by), relation: 'HEAD' };
    }
  }
  if (!household) return none;
  if (household.house_id !== houseId) {
    problems.add(bad(`${field}.household`, msg('household.otherHouse', { number: household.number })));
    return none;
  }
  const head = await editRepo.headOf(trx, household.id, personId);
  if (relation === 'HEAD' && head) {
    problems.add(bad(`${field}.relationToHead`, msg('household.hasHead', { number: household.number })));
  }
  if (!relation && head) {
    problems.add(bad(`${field}.relationToHead`, msg('household.relationNeeded', { number: household.number })));
  }
  return { householdId: household.id, relation: relation ?? 'HEAD' };
}

/** The shape of a household reference: an existing household's id or a 户号, one of them. */
export function checkHouseholdRef(ref: HouseholdRef | null | undefined, field: string, problems: Problems): void {
  if (!ref) return;
  if (!!ref.householdId === !!ref.number) problems.add(bad(field, msg('household.oneOf')));
  else if (ref.number && !HOUSEHOLD_NUMBER.test(ref.number.trim())) {
    problems.add(bad(`${field}.number`, msg('household.number', { got: ref.number.slice(0, 40) })));
  }
}
