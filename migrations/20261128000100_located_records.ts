import type { Knex } from 'knex';

/**
 * The one rule that ties a position to its grid, as SQL functions every caller uses (`resolveLocation`, the
 * located records' trigger, re-resolution after a grid edit, answers as of a past instant):
 *
 * `grid_resolution(p, max_meters, as_of)`: the deepest regular (non-dedicated) grid whose boundary covers the
 * point, edge and vertex inclusive, ties to the lowest code; if none covers it, the nearest regular grid within
 * `max_meters` on the spheroid (ties to the deeper grid, then the lower code), with its distance. `as_of` null:
 * the current boundaries (`grid_piece`, small pieces, one GiST probe); otherwise the versions in force then.
 *
 * `dedicated_grids_at(p, as_of)`: the dedicated overlay grids covering the point.
 *
 * `located_resolve()`: the trigger every located table (a `location` point plus `grid_id`, `grid_distance_m`,
 * `grid_resolved_at`) runs before a row's location is written.
 *
 * `grid_at(p)` (the earlier, fallback-less rule) is redefined on top of `grid_resolution` until the place table
 * it served is migrated forward (next migration).
 */
const statements = [
  `CREATE FUNCTION grid_resolution(p geometry, max_meters float8 DEFAULT 100, as_of timestamptz DEFAULT NULL)
   RETURNS TABLE (grid_id uuid, distance_m float8) LANGUAGE sql STABLE PARALLEL SAFE AS $$
     WITH covering AS (
       SELECT c.grid_id, c.depth, c.code FROM grid_piece c
       WHERE as_of IS NULL AND c.piece && p AND ST_Covers(c.piece, p) AND c.level <> 'DEDICATED'
       UNION ALL
       SELECT v.grid_id, v.depth, v.code FROM grid_version v
       WHERE as_of IS NOT NULL AND v.boundary && p AND ST_Covers(v.boundary, p) AND v.level <> 'DEDICATED'
         AND v.valid_from <= as_of AND (v.valid_to IS NULL OR v.valid_to > as_of)
     ),
     box AS (
       SELECT ST_Expand(p, max_meters / (111320 * greatest(cos(radians(ST_Y(p))), 0.01)), max_meters / 110574) AS g
     ),
     nearby AS (
       SELECT c.grid_id, c.piece AS shape, c.depth, c.code FROM grid_piece c, box
       WHERE as_of IS NULL AND c.level <> 'DEDICATED' AND c.piece && box.g
       UNION ALL
       SELECT v.grid_id, v.boundary, v.depth, v.code FROM grid_version v, box
       WHERE as_of IS NOT NULL AND v.level <> 'DEDICATED' AND v.boundary && box.g
         AND v.valid_from <= as_of AND (v.valid_to IS NULL OR v.valid_to > as_of)
     ),
     nearest AS (
       SELECT n.grid_id, ST_Distance(n.shape::geography, p::geography) AS distance_m
       FROM nearby n
       WHERE NOT EXISTS (SELECT 1 FROM covering) AND ST_DWithin(n.shape::geography, p::geography, max_meters)
       ORDER BY round(ST_Distance(n.shape::geography, p::geography)::numeric, 2), n.depth DESC, n.code
       LIMIT 1
     )
     (SELECT grid_id, 0::float8 FROM covering ORDER BY depth DESC, code LIMIT 1)
     UNION ALL (SELECT grid_id, distance_m FROM nearest)
     LIMIT 1
   $$`,
  `CREATE FUNCTION dedicated_grids_at(p geometry, as_of timestamptz DEFAULT NULL)
   RETURNS SETOF uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
     SELECT c.grid_id FROM grid_piece c
     WHERE as_of IS NULL AND c.piece && p AND ST_Covers(c.piece, p) AND c.level = 'DEDICATED'
     UNION
     SELECT v.grid_id FROM grid_version v
     WHERE as_of IS NOT NULL AND v.boundary && p AND ST_Covers(v.boundary, p) AND v.level = 'DEDICATED'
       AND v.valid_from <= as_of AND (v.valid_to IS NULL OR v.valid_to > as_of)
   $$`,
  `CREATE FUNCTION located_resolve() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE r record;
   BEGIN
     SELECT * INTO r FROM grid_resolution(NEW.location);
     NEW.grid_id := r.grid_id;
     NEW.grid_distance_m := r.distance_m;
     NEW.grid_resolved_at := clock_timestamp();
     RETURN NEW;
   END $$`,
  `CREATE OR REPLACE FUNCTION grid_at(p geometry) RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
     SELECT grid_id FROM grid_resolution(p)
   $$`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`CREATE OR REPLACE FUNCTION grid_at(p geometry) RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
     SELECT grid_id FROM grid_piece
     WHERE piece && p AND ST_Covers(piece, p) AND level <> 'DEDICATED'
     ORDER BY depth DESC, code LIMIT 1
   $$`);
  await knex.raw('DROP FUNCTION IF EXISTS located_resolve()');
  await knex.raw('DROP FUNCTION IF EXISTS dedicated_grids_at(geometry, timestamptz)');
  await knex.raw('DROP FUNCTION IF EXISTS grid_resolution(geometry, float8, timestamptz)');
}
