import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import type { Context } from '../../context';
import { manyByKey, oneByKey } from '../../graphql/batch';
import { todayInChina } from './checks';
import * as groupRepo from './group-repo';
import type { GateAccessRow, HouseholdRow, PersonRow, PersonTagRow } from './mappers';
import * as repo from './repo';
import { gateAccessOfPeople } from './tenant-repo';

/** Rows as stored, whoever asks: the services decide who may see them (auth/policy.ts). */
export function createPersonLoaders(db: Knex, ctx: Pick<Context, 'config'>) {
  const personById = new DataLoader<string, PersonRow | null>(async (ids) => oneByKey(ids, await repo.peopleByIds(db, ids), (r) => r.id));
  const householdById = new DataLoader<string, HouseholdRow | null>(async (ids) => oneByKey(ids, await repo.householdsByIds(db, ids), (r) => r.id));
  /** Current special- and care-group tags by person (days overdue as of today in China). */
  const currentTags = new DataLoader<string, PersonTagRow[]>(async (ids) => manyByKey(ids, await groupRepo.currentTagsOfPeople(db, ids, todayInChina()), (r) => r.person_id));
  const tagById = new DataLoader<string, PersonTagRow | null>(async (ids) => oneByKey(ids, await groupRepo.tagsByIds(db, ids, todayInChina()), (r) => r.id));
  /** Visits with their notes still sealed. */
  const visitById = new DataLoader<string, groupRepo.SealedVisitRow | null>(async (ids) => oneByKey(ids, await groupRepo.visitsByIds(db, ids), (r) => r.id));
  /** Gate access now (active, expiry) by person, lapsing after TENANT_GATE_ACCESS_DAYS. */
  const gateAccessByPerson = new DataLoader<string, GateAccessRow | null>(async (ids) =>
    oneByKey(ids, await gateAccessOfPeople(db, ids, ctx.config.tenants.gateAccessDays), (r) => r.person_id),
  );
  return { person: { personById, householdById, currentTags, tagById, visitById, gateAccessByPerson } };
}
