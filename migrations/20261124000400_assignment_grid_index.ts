import type { Knex } from 'knex';

/**
 * A full index on grid_assignment(grid_id). The partial one (current assignments) serves every read, but
 * PostgreSQL checks the foreign key from grid_assignment on each deleted grid row with a full scan without
 * it, which made removing a benchmark district of 12,000 grids take minutes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX grid_assignment_grid_all ON grid_assignment (grid_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS grid_assignment_grid_all');
}
