import knexFactory from 'knex';
import { createDatabaseIfMissing } from '../src/db/create-database';
import { migrateLatest, rollbackAll } from '../src/db/migrate';
import { seedDemoDistrict } from '../seeds/demo';
import { loadConfig } from '../src/config';
import { cipherFor } from '../src/modules/person/sealing';
import { testDatabaseUrl } from './support/env';

/**
 * Once per `npm test`: rebuild the test database from an empty schema (so every run proves the migrations
 * apply from scratch) and seed the demo district, which read-only tests share. Tests that write do it in a
 * transaction they roll back.
 */
export default async function globalSetup(): Promise<void> {
  // The suite reads messages in English (testConfig says so too); the command-line tools it runs inherit this.
  // The localization tests ask for each language explicitly.
  process.env.DEFAULT_LOCALE ??= 'en';
  const url = testDatabaseUrl();
  await createDatabaseIfMissing(url);
  const knex = knexFactory({ client: 'pg', connection: url });
  try {
    try {
      await knex.raw('CREATE EXTENSION IF NOT EXISTS postgis');
    } catch (err) {
      throw new Error(
        `PostGIS is not available in ${new URL(url).pathname.slice(1)} (${(err as Error).message}). ` +
          'Install it on the server (Debian: apt-get install postgresql-15-postgis-3; .ci/run does it) and run the tests again.',
      );
    }
    try {
      await rollbackAll(knex);
    } catch {
      // The migration table names a migration this checkout does not have (a branch switch): start over.
      await knex.raw('DROP SCHEMA public CASCADE; CREATE SCHEMA public; CREATE EXTENSION postgis');
    }
    await migrateLatest(knex);
    // Personal values sealed with the keys of the tests' configuration (testConfig), which opens them.
    await seedDemoDistrict(knex, cipherFor(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' })));
    // Fresh tables have no statistics: plan the tests' queries as a loaded database would.
    await knex.raw('ANALYZE');
  } finally {
    await knex.destroy();
  }
}
