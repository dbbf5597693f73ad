import type { Knex } from 'knex';
import { GRID_COLUMNS } from './repo';
import { prepared } from '../../db/prepared';
import type { GridRow } from './mappers';
import type { WorkerRow } from '../worker/mappers';
import { RESPONSIBLE_ON, STAFFED_GRID_OF_CHAIN, WORKER_GRID_CODES } from '../worker/repo';

export interface ResolvedLocationRows {
  gridId: string | null;
  distanceMeters: number | null;
  responsibleGridId: string | null;
  chain: GridRow[];
  dedicated: GridRow[];
  workers: WorkerRow[];
}

/**
 * Everything a mobile client needs for a position, in one statement: the grid, its chain, the overlays,
 * and the responsible workers (those of the deepest grid in the chain with an active worker). Positions
 * come as arrays and are answered row by row (LATERAL), so requests arriving together share one round trip
 * (see resolve-batch.ts).
 *
 The grid is the shared rule, `grid_resolution` (migration 20261128000100: the deepest regular grid covering
 * the point, ties on a shared edge or vertex to the lowest code; else the nearest regular grid within the given
 * distance), the same function every located record is resolved with; the overlays are `dedicated_grids_at`.
 *
 * It runs as a named prepared statement: PostgreSQL plans it once per connection, not once per request
 * (planning this statement costs more than executing it).
 */
const RESOLVE_SQL = `/* resolveLocations */
SELECT q.n, r.* FROM unnest(?::float8[], ?::float8[]) WITH ORDINALITY AS q(lng, lat, n)
CROSS JOIN LATERAL (
  WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(q.lng, q.lat), 4326) AS g),
  hit AS (SELECT r.grid_id, r.distance_m AS distance FROM pt, grid_resolution(pt.g, ?::float8) r),
  target AS (SELECT g.id, g.ancestor_ids FROM grid g JOIN hit ON g.id = hit.grid_id),
  chain AS (SELECT ${GRID_COLUMNS} FROM grid g, target t WHERE g.id = ANY(t.ancestor_ids || t.id)),
  chain_out AS (
    SELECT c.id, c.code, c.name, c.level, c.depth, c.area_sqm, c.centroid_lng, c.centroid_lat, c.version,
           c.valid_from, c.valid_to
    FROM chain c
  ),
  staffed AS (${STAFFED_GRID_OF_CHAIN('chain')}),
  responsible AS (
    SELECT w.id, w.name, w.phone, w.role, w.status, a.is_primary, ${WORKER_GRID_CODES} AS grid_codes
    FROM ${RESPONSIBLE_ON('staffed')}
  ),
  dedicated AS (
    SELECT ${GRID_COLUMNS} FROM grid g WHERE g.id IN (SELECT d.id FROM pt CROSS JOIN LATERAL dedicated_grids_at(pt.g) AS d(id))
  )
  SELECT
    (SELECT id FROM target) AS grid_id,
    (SELECT distance FROM hit) AS distance,
    (SELECT id FROM staffed) AS responsible_grid_id,
    (SELECT coalesce(json_agg(c ORDER BY c.depth), '[]') FROM chain_out c) AS chain,
    (SELECT coalesce(json_agg(d ORDER BY d.code), '[]') FROM dedicated d) AS dedicated,
    (SELECT coalesce(json_agg(r ORDER BY r.is_primary DESC, r.name, r.id), '[]') FROM responsible r) AS workers
) r
ORDER BY q.n`;

export interface LocationQuery {
  lng: number;
  lat: number;
}

interface JsonGridRow extends Omit<GridRow, 'valid_from' | 'valid_to'> {
  valid_from: string;
  valid_to: string | null;
}

function gridFromJson(row: JsonGridRow): GridRow {
  return { ...row, valid_from: new Date(row.valid_from), valid_to: row.valid_to === null ? null : new Date(row.valid_to) };
}

type JsonChainRow = Omit<JsonGridRow, 'parent_id' | 'ancestor_ids'>;

/**
 * The chain comes root first without parent and ancestor ids (they would repeat the chain in every row):
 * each row's ancestors are the rows before it.
 */
function chainFromJson(rows: JsonChainRow[]): GridRow[] {
  const chain: GridRow[] = [];
  for (const row of rows) {
    const ancestorIds = chain.map((g) => g.id);
    chain.push(gridFromJson({ ...row, parent_id: ancestorIds.at(-1) ?? null, ancestor_ids: ancestorIds }));
  }
  return chain;
}

/** Resolves many positions in one statement; results in the order of `queries`. */
export async function resolveLocationRows(
  db: Knex,
  queries: readonly LocationQuery[],
  maxDistanceMeters: number,
): Promise<ResolvedLocationRows[]> {
  const { rows } = await db
    .raw(RESOLVE_SQL, [
      queries.map((q) => q.lng),
      queries.map((q) => q.lat),
      maxDistanceMeters,
    ])
    .options(prepared('resolveLocations'));
  return rows.map((row: Record<string, unknown>) => ({
    gridId: row.grid_id as string | null,
    distanceMeters: row.distance === null ? null : Number(row.distance),
    responsibleGridId: row.responsible_grid_id as string | null,
    chain: chainFromJson(row.chain as JsonChainRow[]),
    dedicated: (row.dedicated as JsonGridRow[]).map(gridFromJson),
    workers: row.workers as WorkerRow[],
  }));
}
