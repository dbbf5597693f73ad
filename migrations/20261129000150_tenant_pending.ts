import type { Knex } from 'knex';

/**
 * One pending self-registration per person (ID number, by its blind index) and building: a tenant who taps
 * "submit" twice, or two submissions racing, leave one for the grid worker to decide, not two.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `CREATE UNIQUE INDEX tenant_registration_one_pending ON tenant_registration (building_id, id_number_index) WHERE status = 'PENDING'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS tenant_registration_one_pending');
}
