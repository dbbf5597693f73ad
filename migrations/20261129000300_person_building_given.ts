import type { Knex } from 'knex';

/**
 * A person's building (person.building_id, kept from their house by the person_building row trigger) is
 * looked up on INSERT only when the row does not bring it. A people import has each row's house locked and
 * its building at hand already (import-repo.ts lockHousesByAddress), and the trigger's lookup was a tenth of
 * the database's work per imported row. Every other insert leaves building_id out and gets it from the
 * trigger as before; an UPDATE of house_id or building_id always recomputes it from the house.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER person_building ON person');
  await knex.raw(`CREATE TRIGGER person_building_insert BEFORE INSERT ON person
    FOR EACH ROW WHEN (NEW.building_id IS NULL) EXECUTE FUNCTION person_building()`);
  await knex.raw(`CREATE TRIGGER person_building_update BEFORE UPDATE OF house_id, building_id ON person
    FOR EACH ROW EXECUTE FUNCTION person_building()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS person_building_insert ON person');
  await knex.raw('DROP TRIGGER IF EXISTS person_building_update ON person');
  await knex.raw(`CREATE TRIGGER person_building BEFORE INSERT OR UPDATE OF house_id, building_id ON person
    FOR EACH ROW EXECUTE FUNCTION person_building()`);
}
