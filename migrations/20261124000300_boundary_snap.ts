import type { Knex } from 'knex';

/**
 * `grid_snap(g, ref, tol)`: the drawing aid behind `snapToleranceMeters`. ST_Snap alone moves vertices onto
 * the reference's vertices (and threads the reference's vertices into nearby segments), but leaves a vertex
 * that lies near the middle of a neighbour's edge where it was: a sliver. So each vertex within `tol` of
 * the reference linework first moves to the closest point on it, then ST_Snap aligns vertices and
 * segments. Rings keep their order and closure (a ring's first and last vertex move alike).
 */
const statements = [
  `CREATE FUNCTION grid_snap_vertices_to_lines(g geometry, lines geometry, tol float8) RETURNS geometry
   LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
     WITH pts AS (
       SELECT (d).path[1] AS poly, (d).path[2] AS ring, (d).path[3] AS vx,
              CASE WHEN ST_DWithin((d).geom, lines, tol) THEN ST_ClosestPoint(lines, (d).geom) ELSE (d).geom END AS p
       FROM ST_DumpPoints(ST_Multi(g)) AS d
     ),
     rings AS (SELECT poly, ring, ST_MakeLine(p ORDER BY vx) AS line FROM pts GROUP BY poly, ring),
     polys AS (
       SELECT poly, ST_MakePolygon(
                (array_agg(line) FILTER (WHERE ring = 1))[1],
                coalesce(array_agg(line ORDER BY ring) FILTER (WHERE ring > 1), ARRAY[]::geometry[])) AS pg
       FROM rings GROUP BY poly
     )
     SELECT ST_SetSRID(ST_Multi(ST_Collect(pg ORDER BY poly)), ST_SRID(g)) FROM polys
   $$`,
  `CREATE FUNCTION grid_snap(g geometry, lines geometry, tol float8) RETURNS geometry
   LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
     SELECT CASE WHEN lines IS NULL OR tol <= 0 THEN g
                 ELSE ST_Multi(ST_Snap(grid_snap_vertices_to_lines(g, lines, tol), lines, tol)) END
   $$`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION IF EXISTS grid_snap(geometry, geometry, float8)');
  await knex.raw('DROP FUNCTION IF EXISTS grid_snap_vertices_to_lines(geometry, geometry, float8)');
}
