import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { oneByKey } from '../../graphql/batch';
import type { HouseholdRow, PersonRow } from './mappers';
import * as repo from './repo';

/** Rows as stored, whoever asks: the services decide who may see them (auth/policy.ts). */
export function createPersonLoaders(db: Knex) {
  const personById = new DataLoader<string, PersonRow | null>(async (ids) => oneByKey(ids, await repo.peopleByIds(db, ids), (r) => r.id));
  const householdById = new DataLoader<string, HouseholdRow | null>(async (ids) => oneByKey(ids, await repo.householdsByIds(db, ids), (r) => r.id));
  return { person: { personById, householdById } };
}
