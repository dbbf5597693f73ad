import type { Knex } from 'knex';

/**
 * The map's incidents layer (src/modules/map/layers.ts) follows incidents and their categories' names: both join
 * the change counters of 20261130000500_map_changes (`map_change`), bumped once per committed transaction that
 * wrote the table, so every step of an incident (a report, an assignment, a closure) gives the layer's tiles a new
 * ETag. (Colours that turn with time alone, a deadline passing, are in the ETag by the SLA clock, not here.)
 */
const SOURCES = ['incident', 'incident_category'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`INSERT INTO map_change (source) VALUES ${SOURCES.map(() => '(?)').join(', ')} ON CONFLICT DO NOTHING`, SOURCES);
  for (const s of SOURCES) {
    await knex.raw(`CREATE TRIGGER ${s}_map_change AFTER INSERT OR UPDATE OR DELETE ON ${s} FOR EACH STATEMENT EXECUTE FUNCTION map_change_note()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const s of SOURCES) await knex.raw(`DROP TRIGGER IF EXISTS ${s}_map_change ON ${s}`);
  await knex.raw('DELETE FROM map_change WHERE source = ANY(?)', [SOURCES]);
}
