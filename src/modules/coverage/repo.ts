import type { Knex } from 'knex';
import type { GridLevel } from '../../generated/graphql';
import { GRID_COLUMNS } from '../grid/repo';
import type { GridRow } from '../grid/mappers';
import type { GapRow, OutsideRow, OverlapRow } from './mappers';

/**
 * SQL for coverage. All geometry work happens in PostGIS; what comes back is figures and GeoJSON (built by
 * ST_AsGeoJSON, collected with json_agg). Areas are on the spheroid (`::geography`).
 *
 * Stored boundaries are valid (a CHECK on `grid`), so they go into ST_Union and the difference as they are:
 * no ST_MakeValid. Differences go through `grid_difference` (migrations/20261127000200), which skips the
 * overlay when nothing would be left: the clean-tiling case, which the embedded PostGIS cannot compute. An exact tiling (shared edges with identical vertices, as editing with snapping and the
 * generators produce) unions to a clean outline and leaves nothing behind; boundaries drawn separately leave
 * slivers of a fraction of a m², which the totals count and the lists filter out (`minAreaSqm`).
 *
 * Descendants are found through `ancestor_ids` (GIN index), so a grid's coverage at any deeper level is the
 * same query; only current (`valid_to IS NULL`) regular grids of the one level asked for take part.
 */
export interface CoverageQuery {
  gridId: string;
  childLevel: GridLevel;
  minAreaSqm: number;
}

export interface TilingRow {
  area_sqm: number;
  child_count: number;
  gap_area_sqm: number;
  outside_area_sqm: number;
  gaps: GapRow[];
  outside: OutsideRow[];
}

export interface OverlapsRow {
  overlap_area_sqm: number;
  overlaps: OverlapRow[];
}

/**
 * The grid against the union of its descendants at one level: the gaps (grid minus union, dumped to single
 * polygons) and the parts of descendants outside the grid. The union is built once and used for both. Only
 * descendants whose interior reaches into the outside area (`ST_Relate` '2********', which a neighbour merely
 * touching the outline does not match) have their own outside part computed, so a clean tiling costs one
 * union and two differences.
 */
export async function coverageTiling(db: Knex, q: CoverageQuery): Promise<TilingRow | null> {
  const { rows } = await db.raw(
    `/* coverageTiling */
     WITH parent AS (
       SELECT g.id, g.boundary, g.area_sqm FROM grid g WHERE g.id = ?
     ),
     descendants AS (
       SELECT count(c.id)::int AS n, ST_Union(c.boundary) AS u
       FROM parent p JOIN grid c ON c.ancestor_ids @> ARRAY[p.id] AND c.level = ? AND c.valid_to IS NULL
     ),
     cut AS MATERIALIZED (
       SELECT p.id, p.boundary, p.area_sqm, d.n,
         CASE WHEN d.u IS NULL THEN p.boundary ELSE grid_difference(p.boundary, d.u) END AS gap,
         CASE WHEN d.u IS NULL THEN NULL ELSE grid_difference(d.u, p.boundary) END AS outside
       FROM parent p CROSS JOIN descendants d
     ),
     gaps AS (
       SELECT part.geom, ST_Area(part.geom::geography) AS area_sqm, ST_Centroid(part.geom) AS centroid
       FROM cut, ST_Dump(cut.gap) AS part
     ),
     outside AS (
       SELECT c.id, c.code, ST_Multi(ST_CollectionExtract(grid_difference(c.boundary, x.boundary), 3)) AS geom
       FROM cut x JOIN grid c ON c.ancestor_ids @> ARRAY[x.id] AND c.level = ? AND c.valid_to IS NULL
       WHERE NOT ST_IsEmpty(x.outside) AND c.boundary && x.outside AND ST_Relate(c.boundary, x.outside, '2********')
     ),
     outside_measured AS (
       SELECT id, code, geom, ST_Area(geom::geography) AS area_sqm FROM outside
     )
     SELECT x.area_sqm, x.n AS child_count,
       ST_Area(x.gap::geography) AS gap_area_sqm,
       COALESCE(ST_Area(x.outside::geography), 0) AS outside_area_sqm,
       (SELECT COALESCE(json_agg(json_build_object(
                  'boundary', ST_AsGeoJSON(geom)::json,
                  'areaSqm', area_sqm,
                  'centroid', json_build_object('lng', ST_X(centroid), 'lat', ST_Y(centroid)))
                ORDER BY area_sqm DESC, ST_X(centroid), ST_Y(centroid)), '[]'::json)
        FROM gaps WHERE area_sqm >= ?) AS gaps,
       (SELECT COALESCE(json_agg(json_build_object('gridId', id, 'boundary', ST_AsGeoJSON(geom)::json, 'areaSqm', area_sqm)
                ORDER BY area_sqm DESC, code), '[]'::json)
        FROM outside_measured WHERE area_sqm >= ?) AS outside
     FROM cut x`,
    [q.gridId, q.childLevel, q.childLevel, q.minAreaSqm, q.minAreaSqm],
  );
  return rows[0] ?? null;
}

/**
 * Pairs of descendants whose interiors overlap: for each descendant `a`, candidates `b` come from the GiST
 * index (`b.boundary && a.boundary`), each pair once (`a.code < b.code`), and `ST_Relate` '2********' keeps
 * only those sharing area, not just an edge. The candidates are a LATERAL subquery behind `OFFSET 0` so it
 * is planned on its own, as an index probe per descendant: flattened into a plain join, a table without
 * fresh statistics (just after a bulk load) can get a nested loop comparing every descendant with every
 * other — seconds instead of a fraction of one for a few thousand micro-grids. The total is the area of
 * the union of all overlaps, so ground claimed three times is counted once.
 */
export async function coverageOverlaps(db: Knex, q: CoverageQuery): Promise<OverlapsRow> {
  const { rows } = await db.raw(
    `/* coverageOverlaps */
     WITH pairs AS (
       SELECT a.id AS a_id, a.code AS a_code, b.id AS b_id, b.code AS b_code,
         ST_CollectionExtract(ST_Intersection(a.boundary, b.boundary), 3) AS geom
       FROM grid a CROSS JOIN LATERAL (
         SELECT n.id, n.code, n.boundary FROM grid n
         WHERE n.boundary && a.boundary AND n.code > a.code
           AND n.ancestor_ids @> ARRAY[?::uuid] AND n.level = ? AND n.valid_to IS NULL
         OFFSET 0
       ) b
       WHERE a.ancestor_ids @> ARRAY[?::uuid] AND a.level = ? AND a.valid_to IS NULL
         AND ST_Relate(a.boundary, b.boundary, '2********')
     ),
     measured AS MATERIALIZED (
       SELECT a_id, a_code, b_id, b_code, geom, ST_Area(geom::geography) AS area_sqm FROM pairs
     )
     SELECT
       (SELECT COALESCE(ST_Area(ST_Union(geom)::geography), 0) FROM measured) AS overlap_area_sqm,
       (SELECT COALESCE(json_agg(json_build_object(
                  'aId', a_id, 'bId', b_id, 'boundary', ST_AsGeoJSON(ST_Multi(geom))::json, 'areaSqm', area_sqm)
                ORDER BY area_sqm DESC, a_code, b_code), '[]'::json)
        FROM measured WHERE area_sqm >= ?) AS overlaps`,
    [q.gridId, q.childLevel, q.gridId, q.childLevel, q.minAreaSqm],
  );
  return rows[0];
}

/**
 * The GRID-level grids each asked grid answers for: its GRID-level descendants, or itself when it is one;
 * `scope_id` is the asked grid. Found by code range on the (level, code) index — codes extend their
 * parent's, so a subtree's codes are exactly those from the grid's code to that code followed by nines
 * (codes are digits only) — and confirmed by `ancestor_ids`, which is what decides. The GIN index on
 * `ancestor_ids` alone would fetch every descendant of every level before keeping the GRID ones.
 */
const STAFFING_SCOPE = `
  SELECT r.id AS scope_id, g.id FROM grid r
  JOIN grid g ON g.level = 'GRID' AND g.valid_to IS NULL
    AND g.code BETWEEN r.code AND r.code || '999999999999999999999'
    AND (g.id = r.id OR g.ancestor_ids @> ARRAY[r.id])
  WHERE r.id = ANY(?::uuid[])`;

/** A grid is staffed when an ACTIVE worker is currently assigned to it (not to a grid above it). */
const STAFFED = (grid: string) => `EXISTS (
  SELECT 1 FROM grid_assignment a JOIN grid_worker w ON w.id = a.worker_id
  WHERE a.grid_id = ${grid} AND a.valid_to IS NULL AND w.status = 'ACTIVE')`;

export interface StaffingCountRow {
  scope_id: string;
  grid_count: number;
  staffed_count: number;
}

/** Staffing figures of many grids in one statement. Grids with no GRID-level grid in scope have no row. */
export async function staffingCounts(db: Knex, gridIds: readonly string[]): Promise<StaffingCountRow[]> {
  const { rows } = await db.raw(
    `/* staffingCounts */
     SELECT s.scope_id, count(*)::int AS grid_count, count(*) FILTER (WHERE ${STAFFED('s.id')})::int AS staffed_count
     FROM (${STAFFING_SCOPE}) s
     GROUP BY s.scope_id`,
    [[...gridIds]],
  );
  return rows;
}

export type UnstaffedRow = GridRow & { scope_id: string };

/**
 * The first `limit` unstaffed GRID-level grids (code order, after a keyset position) of each of many
 * grids, in one statement: a window function numbers each asked grid's rows, as `childrenOfParents` does.
 */
export async function unstaffedGrids(
  db: Knex,
  gridIds: readonly string[],
  after: readonly [string, string] | null,
  limit: number,
): Promise<UnstaffedRow[]> {
  const { rows } = await db.raw(
    `/* unstaffedGrids */
     SELECT * FROM (
       SELECT s.scope_id, ${GRID_COLUMNS}, row_number() OVER (PARTITION BY s.scope_id ORDER BY g.code, g.id) AS page_row
       FROM (${STAFFING_SCOPE}) s JOIN grid g ON g.id = s.id
       WHERE NOT ${STAFFED('g.id')}
         AND (?::text IS NULL OR (g.code, g.id) > (?::text, ?::uuid))
     ) page WHERE page_row <= ? ORDER BY scope_id, page_row`,
    [[...gridIds], after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? null, limit],
  );
  return rows;
}
