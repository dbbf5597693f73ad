import type { Knex } from 'knex';

/**
 * `grid_difference(a, b)`: `ST_Difference` that answers an empty polygon without running the overlay when `b`
 * covers `a`. A clean tiling makes exactly that case common (a street minus the union of its micro-grids), and
 * the embedded database's PostGIS 3.6 / GEOS 3.14 (PGlite) fails that overlay for some inputs where the
 * server's PostGIS 3.3 returns an empty polygon; PGlite then drops the row silently instead of raising the
 * error, so coverage read "grid vanished". Everything that subtracts one grid shape from another uses it.
 */
const statements = [
  `CREATE FUNCTION grid_difference(a geometry, b geometry) RETURNS geometry
   LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
     SELECT CASE WHEN b IS NOT NULL AND ST_CoveredBy(a, b) THEN ST_SetSRID('POLYGON EMPTY'::geometry, ST_SRID(a))
                 ELSE ST_Difference(a, b) END
   $$`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION IF EXISTS grid_difference(geometry, geometry)');
}
