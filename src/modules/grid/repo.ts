import type { Knex } from 'knex';
import type { GridLevel } from '../../generated/graphql';
import { bind } from '../../db/bind';
import type { GridRow, GridVersionRow } from './mappers';

/**
 * SQL for grids. Each statement starts with a name comment so slow-query logs and pg_stat_statements say
 * what ran. Spatial predicates stay in PostGIS, behind the GiST index (`&&` first, then the exact test).
 */
export const GRID_COLUMNS = `g.id, g.code, g.name, g.level, g.depth, g.parent_id, g.ancestor_ids, g.area_sqm,
  ST_X(g.centroid) AS centroid_lng, ST_Y(g.centroid) AS centroid_lat, g.version, g.valid_from, g.valid_to,
  g.changed_by, g.change_reason`;

/**
 * Where grids are read from: the current state (`grid`), or, as of a past instant, the versions in force
 * then (`grid_version`, shaped like `grid`). Every list and lookup below takes one, so "as of" is not a
 * separate code path.
 */
export interface GridSource {
  sql: string;
  bindings: unknown[];
  /** Condition selecting current grids (as-of sources select by period already). */
  current: string;
}

export function gridSource(asOf: Date | null | undefined): GridSource {
  if (!asOf) return { sql: 'grid', bindings: [], current: 'g.valid_to IS NULL' };
  return {
    sql: `(SELECT v.grid_id AS id, v.code, v.name, v.level, v.depth, v.parent_id, v.ancestor_ids, v.boundary, v.area_sqm,
             ST_Centroid(v.boundary) AS centroid, v.version, v.valid_from, v.valid_to, v.changed_by, v.change_reason
           FROM grid_version v WHERE v.valid_from <= ? AND (v.valid_to IS NULL OR v.valid_to > ?))`,
    bindings: [asOf, asOf],
    current: 'TRUE',
  };
}

function withAsOf(rows: GridRow[], asOf: Date | null | undefined): GridRow[] {
  if (asOf) for (const row of rows) row.as_of = asOf;
  return rows;
}

export async function gridsByIds(db: Knex, ids: readonly string[], asOf?: Date | null): Promise<GridRow[]> {
  const src = gridSource(asOf);
  const { rows } = await db.raw(`/* gridsByIds */ SELECT ${GRID_COLUMNS} FROM ${src.sql} g WHERE g.id = ANY(?::uuid[])`, bind(...src.bindings, [...ids]));
  return withAsOf(rows, asOf);
}

export async function gridsByCodes(db: Knex, codes: readonly string[], asOf: Date): Promise<GridRow[]> {
  const src = gridSource(asOf);
  const { rows } = await db.raw(`/* gridsByCodesAsOf */ SELECT ${GRID_COLUMNS} FROM ${src.sql} g WHERE g.code = ANY(?::text[])`, bind(...src.bindings, [...codes]));
  return withAsOf(rows, asOf);
}

export async function currentGridsByCodes(db: Knex, codes: readonly string[]): Promise<GridRow[]> {
  const { rows } = await db.raw(
    `/* currentGridsByCodes */ SELECT ${GRID_COLUMNS} FROM grid g WHERE g.code = ANY(?::text[]) AND g.valid_to IS NULL`,
    [[...codes]],
  );
  return rows;
}

export interface GridListFilter {
  level?: GridLevel | null;
  parentIds?: readonly string[];
  ancestorId?: string | null;
  nameContains?: string | null;
  bbox?: readonly [number, number, number, number] | null;
  intersects?: unknown;
  asOf?: Date | null;
}

/** FROM and WHERE shared by a page of grids and its total count. */
function filtered(db: Knex, select: Knex.Raw, f: GridListFilter): Knex.QueryBuilder {
  const src = gridSource(f.asOf);
  const q = db.select(select).from(db.raw(`${src.sql} g`, bind(...src.bindings)));
  q.whereRaw(src.current);
  if (f.level) q.where('g.level', f.level);
  if (f.parentIds) q.whereRaw('g.parent_id = ANY(?::uuid[])', [[...f.parentIds]]);
  if (f.ancestorId) q.whereRaw('g.ancestor_ids @> ARRAY[?]::uuid[]', [f.ancestorId]);
  if (f.nameContains) q.whereRaw(`g.name ILIKE ? ESCAPE '\\'`, [`%${f.nameContains.replace(/[\\%_]/g, '\\$&')}%`]);
  if (f.bbox) {
    q.whereRaw('g.boundary && ST_MakeEnvelope(?, ?, ?, ?, 4326)', [...f.bbox]);
    q.whereRaw('ST_Intersects(g.boundary, ST_MakeEnvelope(?, ?, ?, ?, 4326))', [...f.bbox]);
  }
  if (f.intersects) {
    q.whereRaw('ST_Intersects(g.boundary, ST_SetSRID(ST_GeomFromGeoJSON(?), 4326))', [JSON.stringify(f.intersects)]);
  }
  return q;
}

/** One page of grids in (code, id) order after a keyset position; `limit` rows at most. */
export async function listGrids(
  db: Knex,
  filter: GridListFilter,
  after: readonly [string, string] | null,
  limit: number,
): Promise<GridRow[]> {
  const q = filtered(db, db.raw(`/* listGrids */ ${GRID_COLUMNS}`), filter);
  if (after) q.whereRaw('(g.code, g.id) > (?, ?::uuid)', [after[0], after[1]]);
  return withAsOf(await q.orderBy([{ column: 'g.code' }, { column: 'g.id' }]).limit(limit), filter.asOf);
}

export async function countGrids(db: Knex, filter: GridListFilter): Promise<number> {
  const [row] = await filtered(db, db.raw('/* countGrids */ count(*)::int AS n'), filter);
  return row.n;
}

/**
 * The first `limit` children (in code order, after a keyset position) of each of many parents, in one
 * statement: a window function numbers each parent's children, so a nested `children` field costs one
 * query however many parents the outer page holds.
 */
export async function childrenOfParents(
  db: Knex,
  parentIds: readonly string[],
  level: GridLevel | null,
  after: readonly [string, string] | null,
  limit: number,
  asOf: Date | null,
): Promise<GridRow[]> {
  const src = gridSource(asOf);
  const { rows } = await db.raw(
    `/* childrenOfParents */
     SELECT * FROM (
       SELECT ${GRID_COLUMNS}, row_number() OVER (PARTITION BY g.parent_id ORDER BY g.code, g.id) AS page_row
       FROM ${src.sql} g
       WHERE g.parent_id = ANY(?::uuid[]) AND ${src.current}
         AND (?::text IS NULL OR g.level = ?::text)
         AND (?::text IS NULL OR (g.code, g.id) > (?::text, ?::uuid))
     ) page WHERE page_row <= ? ORDER BY parent_id, page_row`,
    bind(...src.bindings, [...parentIds], level, level, after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? null, limit),
  );
  return withAsOf(rows, asOf);
}

export async function childCounts(
  db: Knex,
  parentIds: readonly string[],
  level: GridLevel | null,
  asOf: Date | null,
): Promise<{ parent_id: string; n: number }[]> {
  const src = gridSource(asOf);
  const { rows } = await db.raw(
    `/* childCounts */ SELECT g.parent_id, count(*)::int AS n FROM ${src.sql} g
     WHERE g.parent_id = ANY(?::uuid[]) AND ${src.current} AND (?::text IS NULL OR g.level = ?::text)
     GROUP BY g.parent_id`,
    bind(...src.bindings, [...parentIds], level, level),
  );
  return rows;
}

/**
 * Boundaries of given versions as GeoJSON text, produced by PostGIS (every version, the current one
 * included, is in grid_version). A tolerance simplifies for display with ST_SimplifyPreserveTopology, which
 * keeps each ring valid (plain ST_Simplify can collapse or cross rings).
 */
export async function boundaries(
  db: Knex,
  keys: readonly { id: string; version: number }[],
  toleranceDegrees: number | null,
): Promise<{ id: string; version: number; geojson: string }[]> {
  const geometry = toleranceDegrees === null ? 'v.boundary' : 'ST_Multi(ST_SimplifyPreserveTopology(v.boundary, ?))';
  const { rows } = await db.raw(
    `/* gridBoundaries */ SELECT v.grid_id AS id, v.version, ST_AsGeoJSON(${geometry}) AS geojson
     FROM grid_version v JOIN unnest(?::uuid[], ?::int[]) AS k(id, version) ON v.grid_id = k.id AND v.version = k.version`,
    bind(...(toleranceDegrees === null ? [] : [toleranceDegrees]), keys.map((k) => k.id), keys.map((k) => k.version)),
  );
  return rows;
}

/** Every version of many grids, newest first. */
export async function versionsOfGrids(db: Knex, ids: readonly string[]): Promise<GridVersionRow[]> {
  const { rows } = await db.raw(
    `/* gridVersions */ SELECT v.grid_id, v.version, v.code, v.name, v.level, v.parent_id, v.area_sqm, v.valid_from, v.valid_to,
       v.changed_by, v.change_reason
     FROM grid_version v WHERE v.grid_id = ANY(?::uuid[]) ORDER BY v.grid_id, v.version DESC`,
    [[...ids]],
  );
  return rows;
}
