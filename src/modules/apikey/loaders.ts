import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { oneByKey } from '../../graphql/batch';
import type { ApiKeyRow } from './mappers';
import * as repo from './repo';

export function createApiKeyLoaders(db: Knex) {
  const byId = new DataLoader<string, ApiKeyRow | null>(async (ids) => oneByKey(ids, await repo.apiKeysByIds(db, ids), (r) => r.id));
  return { byId };
}

export type ApiKeyLoaders = ReturnType<typeof createApiKeyLoaders>;
