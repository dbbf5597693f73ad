import type { Knex } from 'knex';
import { migrations } from '../../migrations';

/**
 * Each migration runs in its own transaction, without the pool's statement timeout: backfilling a city's worth
 * of rows may take longer than any request should.
 */
const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => ({
    up: async (knex: Knex) => {
      await knex.raw('SET LOCAL statement_timeout = 0');
      await migrations[name].up(knex);
    },
    down: (knex: Knex) => migrations[name].down(knex),
  }),
};

/** Applies pending migrations; returns the names applied. */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource: source })) as [number, string[]];
  return applied;
}

/** Reverts every applied migration (tests start from an empty schema to prove the migrations run from scratch). */
export async function rollbackAll(knex: Knex): Promise<void> {
  await knex.migrate.rollback({ migrationSource: source }, true);
}
