import type { Knex } from 'knex';

// On a server the extension is usually created by an administrator beforehand (CI does); this keeps a
// fresh database with sufficient rights working too. The embedded database loads it when it opens.
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS postgis');
}

export async function down(): Promise<void> {
  // Other schemas may use PostGIS; dropping it is an administrator's decision.
}
