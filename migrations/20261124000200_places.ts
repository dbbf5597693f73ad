import type { Knex } from 'knex';

/**
 * Places (地: buildings, schools, hospitals, markets...) located by a point, and the rule that ties
 * everything with a location to its grid: `grid_at(point)` is the deepest current regular grid covering
 * the point (ties to the lowest code), the same rule `resolveLocation` applies. A trigger resolves a place's
 * grid whenever its location is written; boundary edits re-resolve the places in the changed area in the
 * same transaction (src/modules/grid/repo-edit.ts).
 */
const statements = [
  `CREATE FUNCTION grid_at(p geometry) RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
     SELECT grid_id FROM grid_piece
     WHERE piece && p AND ST_Covers(piece, p) AND level <> 'DEDICATED'
     ORDER BY depth DESC, code LIMIT 1
   $$`,
  `CREATE TABLE place (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     kind text NOT NULL CHECK (kind IN ('BUILDING','SCHOOL','KINDERGARTEN','HOSPITAL','MARKET','OTHER')),
     name text NOT NULL CHECK (length(btrim(name)) > 0),
     location geometry(Point, 4326) NOT NULL,
     grid_id uuid REFERENCES grid(id),
     grid_resolved_at timestamptz,
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE INDEX place_location_gist ON place USING gist (location)`,
  `CREATE INDEX place_grid ON place (grid_id, name, id)`,
  `CREATE FUNCTION place_resolve_grid() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     NEW.grid_id := grid_at(NEW.location);
     NEW.grid_resolved_at := clock_timestamp();
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER place_grid BEFORE INSERT OR UPDATE OF location ON place
   FOR EACH ROW EXECUTE FUNCTION place_resolve_grid()`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS place');
  await knex.raw('DROP FUNCTION IF EXISTS place_resolve_grid()');
  await knex.raw('DROP FUNCTION IF EXISTS grid_at(geometry)');
}
