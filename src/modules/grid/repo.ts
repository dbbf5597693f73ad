import type { Knex } from 'knex';
import type { GridLevel } from '../../generated/graphql';
import type { GridRow } from './mappers';

/**
 * SQL for grids. Each statement starts with a name comment so slow-query logs and pg_stat_statements say
 * what ran. Spatial predicates stay in PostGIS, behind the GiST index (`&&` first, then the exact test).
 */
export const GRID_COLUMNS = `g.id, g.code, g.name, g.level, g.depth, g.parent_id, g.ancestor_ids, g.area_sqm,
  ST_X(g.centroid) AS centroid_lng, ST_Y(g.centroid) AS centroid_lat, g.version, g.valid_from, g.valid_to,
  g.changed_by, g.change_reason`;

export async function gridsByIds(db: Knex, ids: readonly string[]): Promise<GridRow[]> {
  const { rows } = await db.raw(`/* gridsByIds */ SELECT ${GRID_COLUMNS} FROM grid g WHERE g.id = ANY(?::uuid[])`, [[...ids]]);
  return rows;
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
}

/** The WHERE clause shared by a page of grids and its total count. */
function applyFilter(q: Knex.QueryBuilder, f: GridListFilter): Knex.QueryBuilder {
  q.whereNull('g.valid_to');
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
  const q = db.from({ g: 'grid' }).select(db.raw(`/* listGrids */ ${GRID_COLUMNS}`));
  applyFilter(q, filter);
  if (after) q.whereRaw('(g.code, g.id) > (?, ?::uuid)', [after[0], after[1]]);
  return q.orderBy([{ column: 'g.code' }, { column: 'g.id' }]).limit(limit);
}

export async function countGrids(db: Knex, filter: GridListFilter): Promise<number> {
  const q = db.from({ g: 'grid' }).select(db.raw('/* countGrids */ count(*)::int AS n'));
  const [row] = await applyFilter(q, filter);
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
): Promise<GridRow[]> {
  const { rows } = await db.raw(
    `/* childrenOfParents */
     SELECT * FROM (
       SELECT ${GRID_COLUMNS}, row_number() OVER (PARTITION BY g.parent_id ORDER BY g.code, g.id) AS page_row
       FROM grid g
       WHERE g.parent_id = ANY(?::uuid[]) AND g.valid_to IS NULL
         AND (?::text IS NULL OR g.level = ?::text)
         AND (?::text IS NULL OR (g.code, g.id) > (?::text, ?::uuid))
     ) page WHERE page_row <= ? ORDER BY parent_id, page_row`,
    [[...parentIds], level, level, after?.[0] ?? null, after?.[0] ?? null, after?.[1] ?? null, limit],
  );
  return rows;
}

export async function childCounts(
  db: Knex,
  parentIds: readonly string[],
  level: GridLevel | null,
): Promise<{ parent_id: string; n: number }[]> {
  const { rows } = await db.raw(
    `/* childCounts */ SELECT g.parent_id, count(*)::int AS n FROM grid g
     WHERE g.parent_id = ANY(?::uuid[]) AND g.valid_to IS NULL AND (?::text IS NULL OR g.level = ?::text)
     GROUP BY g.parent_id`,
    [[...parentIds], level, level],
  );
  return rows;
}

/**
 * Boundaries as GeoJSON text, produced by PostGIS. A tolerance simplifies for display with
 * ST_SimplifyPreserveTopology, which keeps each ring valid (plain ST_Simplify can collapse or cross rings).
 */
export async function boundaries(
  db: Knex,
  ids: readonly string[],
  toleranceDegrees: number | null,
): Promise<{ id: string; geojson: string }[]> {
  const geometry = toleranceDegrees === null ? 'g.boundary' : 'ST_Multi(ST_SimplifyPreserveTopology(g.boundary, ?))';
  const bindings = toleranceDegrees === null ? [[...ids]] : [toleranceDegrees, [...ids]];
  const { rows } = await db.raw(
    `/* gridBoundaries */ SELECT g.id, ST_AsGeoJSON(${geometry}) AS geojson FROM grid g WHERE g.id = ANY(?::uuid[])`,
    bindings,
  );
  return rows;
}
