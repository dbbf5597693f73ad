import knexFactory from 'knex';
import { migrateLatest, rollbackAll } from '../src/db/migrate';
import { seedDemoDistrict } from '../seeds/demo';
import { testDatabaseUrl } from './support/env';

/**
 * Once per `npm test`: rebuild the test database from an empty schema (so every run proves the migrations
 * apply from scratch) and seed the demo district, which read-only tests share. Tests that write do it in a
 * transaction they roll back.
 */
export default async function globalSetup(): Promise<void> {
  const url = testDatabaseUrl();
  const knex = knexFactory({ client: 'pg', connection: url });
  try {
    await knex.raw('CREATE EXTENSION IF NOT EXISTS postgis');
    try {
      await rollbackAll(knex);
    } catch {
      // The migration table names a migration this checkout does not have (a branch switch): start over.
      await knex.raw('DROP SCHEMA public CASCADE; CREATE SCHEMA public; CREATE EXTENSION postgis');
    }
    await migrateLatest(knex);
    await seedDemoDistrict(knex);
  } finally {
    await knex.destroy();
  }
}
