import type { Knex } from 'knex';

/**
 * Full indexes on the located tables' `grid_id`: the partial ones (current records only) serve the lists, but
 * a foreign-key check when grid rows are deleted (a benchmark's or a test's clean-up; the API retires grids
 * instead) cannot use a partial index, and scanned every record once per deleted grid.
 */
const TABLES = ['building', 'key_place', 'facility', 'organization'];

export async function up(knex: Knex): Promise<void> {
  for (const t of TABLES) await knex.raw(`CREATE INDEX ${t}_grid_all ON ${t} (grid_id)`);
}

export async function down(knex: Knex): Promise<void> {
  for (const t of TABLES) await knex.raw(`DROP INDEX IF EXISTS ${t}_grid_all`);
}
