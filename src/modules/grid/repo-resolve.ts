import type { Knex } from 'knex';
import { GRID_COLUMNS, REGULAR_LEVELS_DEEPEST_FIRST } from './repo';
import type { GridRow } from './mappers';
import type { WorkerRow } from '../worker/mappers';
import { WORKER_GRID_CODES } from '../worker/repo';

export interface ResolvedLocationRows {
  gridId: string | null;
  distanceMeters: number | null;
  responsibleGridId: string | null;
  chain: GridRow[];
  dedicated: GridRow[];
  workers: WorkerRow[];
}

/**
 * The covering grid is searched level by level, deepest first, each level a separate index probe joined by
 * UNION ALL under LIMIT 1: PostgreSQL stops at the first level that answers, so a point inside a micro-grid
 * never pays for ST_Covers against the large street and district polygons. Ties on a shared edge or vertex
 * go to the lowest code.
 */
const COVERING_BY_LEVEL = REGULAR_LEVELS_DEEPEST_FIRST.map(
  (level) => `(SELECT g.id, 0::float8 AS distance FROM grid g, pt
     WHERE g.level = '${level}' AND g.valid_to IS NULL AND g.boundary && pt.g AND ST_Covers(g.boundary, pt.g)
     ORDER BY g.code LIMIT 1)`,
).join('\n   UNION ALL ');

/**
 * Everything a mobile client needs for one position, in one statement (one round trip): the grid, its chain,
 * the overlays, and the responsible workers (those of the deepest grid in the chain with an active worker).
 * A position outside every grid falls back to the nearest regular grid within `maxDistanceMeters`
 * (distance on the spheroid, ties to the deeper grid, then the lower code).
 */
const RESOLVE_SQL = `/* resolveLocation */
WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(?::float8, ?::float8), 4326) AS g),
covering AS (
   ${COVERING_BY_LEVEL}
   LIMIT 1
),
nearest AS (
  SELECT g.id, ST_Distance(g.boundary::geography, pt.g::geography) AS distance, g.depth, g.code
  FROM grid g, pt
  WHERE NOT EXISTS (SELECT 1 FROM covering)
    AND g.level <> 'DEDICATED' AND g.valid_to IS NULL
    AND g.boundary && ST_Expand(pt.g, ?::float8, ?::float8)
    AND ST_DWithin(g.boundary::geography, pt.g::geography, ?::float8)
  ORDER BY round(ST_Distance(g.boundary::geography, pt.g::geography)::numeric, 2), g.depth DESC, g.code
  LIMIT 1
),
hit AS (SELECT id, distance FROM covering UNION ALL SELECT id, distance FROM nearest LIMIT 1),
target AS (SELECT g.id, g.ancestor_ids FROM grid g JOIN hit ON g.id = hit.id),
chain AS (SELECT ${GRID_COLUMNS} FROM grid g, target t WHERE g.id = ANY(t.ancestor_ids || t.id)),
staffed AS (
  SELECT c.id FROM chain c
  WHERE EXISTS (SELECT 1 FROM grid_assignment a JOIN grid_worker w ON w.id = a.worker_id
                WHERE a.grid_id = c.id AND a.valid_to IS NULL AND w.status = 'ACTIVE')
  ORDER BY c.depth DESC LIMIT 1
),
responsible AS (
  SELECT w.id, w.name, w.phone, w.role, w.status, a.is_primary, ${WORKER_GRID_CODES} AS grid_codes
  FROM staffed s
  JOIN grid_assignment a ON a.grid_id = s.id AND a.valid_to IS NULL
  JOIN grid_worker w ON w.id = a.worker_id AND w.status = 'ACTIVE'
),
dedicated AS (
  SELECT ${GRID_COLUMNS} FROM grid g, pt
  WHERE g.level = 'DEDICATED' AND g.valid_to IS NULL AND g.boundary && pt.g AND ST_Covers(g.boundary, pt.g)
)
SELECT
  (SELECT id FROM target) AS grid_id,
  (SELECT distance FROM hit) AS distance,
  (SELECT id FROM staffed) AS responsible_grid_id,
  (SELECT coalesce(json_agg(c ORDER BY c.depth), '[]') FROM chain c) AS chain,
  (SELECT coalesce(json_agg(d ORDER BY d.code), '[]') FROM dedicated d) AS dedicated,
  (SELECT coalesce(json_agg(r ORDER BY r.is_primary DESC, r.name, r.id), '[]') FROM responsible r) AS workers`;

interface JsonGridRow extends Omit<GridRow, 'valid_from' | 'valid_to'> {
  valid_from: string;
  valid_to: string | null;
}

function gridFromJson(row: JsonGridRow): GridRow {
  return { ...row, valid_from: new Date(row.valid_from), valid_to: row.valid_to === null ? null : new Date(row.valid_to) };
}

export async function resolveLocationRows(
  db: Knex,
  point: { lng: number; lat: number },
  search: { maxDistanceMeters: number; dLng: number; dLat: number },
): Promise<ResolvedLocationRows> {
  const { rows } = await db.raw(RESOLVE_SQL, [point.lng, point.lat, search.dLng, search.dLat, search.maxDistanceMeters]);
  const row = rows[0];
  return {
    gridId: row.grid_id,
    distanceMeters: row.distance === null ? null : Number(row.distance),
    responsibleGridId: row.responsible_grid_id,
    chain: (row.chain as JsonGridRow[]).map(gridFromJson),
    dedicated: (row.dedicated as JsonGridRow[]).map(gridFromJson),
    workers: row.workers as WorkerRow[],
  };
}
