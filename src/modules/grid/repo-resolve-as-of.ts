import type { Knex } from 'knex';
import type { GridRow } from './mappers';
import type { WorkerRow } from '../worker/mappers';
import { WORKER_GRID_CODES } from '../worker/repo';
import type { LocationQuery } from './repo-resolve';

/** Versions in force at the instant bound as `t` (named once below, bound by position each time). */
const IN_FORCE = (alias: string) => `${alias}.valid_from <= ?::timestamptz AND (${alias}.valid_to IS NULL OR ${alias}.valid_to > ?::timestamptz)`;

const VERSION_COLUMNS = `v.grid_id AS id, v.code, v.name, v.level, v.depth, v.parent_id, v.ancestor_ids, v.area_sqm,
  ST_X(ST_Centroid(v.boundary)) AS centroid_lng, ST_Y(ST_Centroid(v.boundary)) AS centroid_lat, v.version, v.valid_from,
  v.valid_to, v.changed_by, v.change_reason`;

/**
 * `resolveLocation(asOf:)`: the same rule as the current resolve (`grid_resolution` with `as_of`; responsible
 * workers up the chain), on
 * the versions in force at `asOf`, the assignments current then and each worker's status then
 * (`grid_worker_status`); the worker rows returned carry the status they had.
 */
const RESOLVE_AS_OF_SQL = `/* resolveLocationAsOf */
WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(?::float8, ?::float8), 4326) AS g),
hit AS (SELECT r.grid_id, r.distance_m AS distance FROM pt, grid_resolution(pt.g, ?::float8, ?::timestamptz) r),
chain AS (
  SELECT ${VERSION_COLUMNS} FROM grid_version v, grid_version t, hit
  WHERE t.grid_id = hit.grid_id AND ${IN_FORCE('t')} AND v.grid_id = ANY(t.ancestor_ids || t.grid_id) AND ${IN_FORCE('v')}
),
staffed AS (
  SELECT c.id FROM chain c
  WHERE EXISTS (SELECT 1 FROM grid_assignment a JOIN grid_worker_status ws ON ws.worker_id = a.worker_id
                WHERE a.grid_id = c.id AND ${IN_FORCE('a')} AND ${IN_FORCE('ws')} AND ws.status = 'ACTIVE')
  ORDER BY c.depth DESC LIMIT 1
),
responsible AS (
  SELECT w.id, w.name, w.phone, w.role, ws.status, a.is_primary, ${WORKER_GRID_CODES} AS grid_codes
  FROM staffed s JOIN grid_assignment a ON a.grid_id = s.id AND ${IN_FORCE('a')}
  JOIN grid_worker_status ws ON ws.worker_id = a.worker_id AND ${IN_FORCE('ws')} AND ws.status = 'ACTIVE'
  JOIN grid_worker w ON w.id = a.worker_id
),
dedicated AS (
  SELECT ${VERSION_COLUMNS} FROM grid_version v WHERE v.grid_id IN (SELECT d.id FROM pt CROSS JOIN LATERAL dedicated_grids_at(pt.g, ?::timestamptz) AS d(id)) AND ${IN_FORCE('v')}
)
SELECT (SELECT distance FROM hit) AS distance, (SELECT id FROM staffed) AS responsible_grid_id,
  (SELECT coalesce(json_agg(c ORDER BY c.depth), '[]') FROM chain c) AS chain,
  (SELECT coalesce(json_agg(d ORDER BY d.code), '[]') FROM dedicated d) AS dedicated,
  (SELECT coalesce(json_agg(r ORDER BY r.is_primary DESC, r.name, r.id), '[]') FROM responsible r) AS workers`;

/** A grid row as json_agg writes it: timestamps as text. */
type JsonGridRow = Omit<GridRow, 'valid_from' | 'valid_to'> & { valid_from: string; valid_to: string | null };

export async function resolveLocationAsOfRows(db: Knex, q: LocationQuery, maxDistanceMeters: number, asOf: Date) {
  const t = asOf.toISOString();
  const { rows } = await db.raw(RESOLVE_AS_OF_SQL, [
    q.lng, q.lat,
    maxDistanceMeters, t, // hit
    t, t, t, t, // chain
    t, t, t, t, // staffed
    t, t, t, t, // responsible
    t, t, t, // dedicated
  ]);
  const row = rows[0];
  const toRow = (r: JsonGridRow): GridRow => ({
    ...r,
    valid_from: new Date(r.valid_from),
    valid_to: r.valid_to ? new Date(r.valid_to) : null,
    as_of: asOf,
  });
  return {
    distanceMeters: row.distance === null ? null : Number(row.distance),
    responsibleGridId: row.responsible_grid_id as string | null,
    chain: (row.chain as JsonGridRow[]).map(toRow),
    dedicated: (row.dedicated as JsonGridRow[]).map(toRow),
    workers: row.workers as WorkerRow[],
  };
}
