import type { Knex } from 'knex';
import { bind } from '../../db/bind';
import { gridSource } from '../grid/repo';
import { subtreeGridIds } from '../location/repo';
import type { ChangeSource, Fragment, MapLayer } from './layers';

/**
 * SQL of the map layers, one builder for tiles and OGC items: a layer's rows (current, or as of an instant for
 * grid layers), limited to the caller's jurisdiction where the layer's action is scoped, filtered by a box
 * with the GiST index (`&&`), GeoJSON written by PostGIS. Tiles clip and simplify in SQL, so what crosses to
 * Node is what the tile shows; the MVT encoding itself happens in Node (tiles.ts), the same on PostgreSQL and
 * on PGlite, whose PostGIS has no protobuf-c (no ST_AsMVT).
 */

/**
 * Which rows of a layer a caller may see: all, a jurisdiction's subtree (the id of its current grid; with the
 * token's account, for layers whose records are also read by the one they are assigned to), or none.
 */
export type LayerScope = { kind: 'everywhere' } | { kind: 'subtree'; rootId: string; account: string | null } | { kind: 'nothing' };

/** [west, south, east, north], WGS-84 degrees. */
export type Box = readonly [number, number, number, number];

export interface LayerRow {
  id: string;
  properties: Record<string, unknown>;
  /** GeoJSON text. */
  geometry: string;
}

/** A feature of an OGC page: its properties as JSON text (spliced into the answer as PostgreSQL wrote them). */
export interface ItemRow {
  id: string;
  properties: string;
  geometry: string;
  /** The keyset key: `key_0`, `key_1`, ... */
  [key: `key_${number}`]: string;
}

interface LayerRows {
  /** The rows (alias `t`), and the lookup of `p`: the parent grid (grid layers) or the grid a record lies in. */
  table: Fragment;
  parent: Fragment;
  where: Fragment[];
  geom: string;
  /** The properties as a JSON object (aliases `t`, `p`). */
  properties: string;
}

/** A layer's rows and their filters: current ones (as of an instant for grid layers) where the caller may see. */
function layerRows(layer: MapLayer, asOf: Date | null, scope: LayerScope): LayerRows {
  if (layer.kind === 'grid') {
    const src = gridSource(asOf);
    const where: Fragment[] = [{ sql: asOf ? 't.level = ?' : 't.valid_to IS NULL AND t.level = ?', bindings: [layer.level] }];
    if (scope.kind === 'subtree') where.push({ sql: '(t.id = ? OR t.ancestor_ids @> ARRAY[?]::uuid[])', bindings: [scope.rootId, scope.rootId] });
    return {
      table: { sql: `${src.sql} t`, bindings: src.bindings },
      parent: { sql: `SELECT p.code FROM ${src.sql} p WHERE p.id = t.parent_id LIMIT 1`, bindings: src.bindings },
      where,
      geom: 't.boundary',
      properties: `json_build_object('code', t.code, 'name', t.name, 'level', t.level, 'parentCode', p.code, 'version', t.version,
        'areaSqm', round(t.area_sqm::numeric, 1))`,
    };
  }
  const where: Fragment[] = [{ sql: layer.live, bindings: [] }];
  if (scope.kind === 'subtree') {
    where.push(layer.readableBy?.(scope.rootId, scope.account) ?? { sql: `t.grid_id IN (${subtreeGridIds('?')})`, bindings: [scope.rootId, scope.rootId] });
  }
  const pairs = Object.entries(layer.properties).map(([name, expr]) => `'${name}', ${expr}`);
  return {
    table: { sql: `${layer.table} t`, bindings: [] },
    parent: { sql: 'SELECT p.code FROM grid p WHERE p.id = t.grid_id', bindings: [] },
    where,
    geom: 't.location',
    properties: `json_build_object(${pairs.join(', ')})`,
  };
}

/**
 * The rows with `p` looked up row by row (LATERAL, by primary key: a plain join lets the planner hash the whole
 * grid table for a tile's thousand rows), or without it.
 */
function fromSql(rows: LayerRows, withParent: boolean): Fragment {
  if (!withParent) return rows.table;
  return { sql: `${rows.table.sql} LEFT JOIN LATERAL (${rows.parent.sql}) p ON true`, bindings: [...rows.table.bindings, ...rows.parent.bindings] };
}

const ENVELOPE = 'ST_MakeEnvelope(?, ?, ?, ?, 4326)';

function whereSql(parts: readonly Fragment[]): Fragment {
  return { sql: parts.map((p) => `(${p.sql})`).join(' AND '), bindings: parts.flatMap((p) => p.bindings) };
}

export interface TileQuery {
  /** The tile's envelope with its buffer, WGS-84. */
  box: Box;
  /** Simplification tolerance, degrees. */
  tolerance: number;
  /** Decimal digits of the GeoJSON (what a tile's extent can tell apart). */
  digits: number;
  asOf: Date | null;
  scope: LayerScope;
}

/**
 * A tile's features: polygons clipped to the buffered envelope and simplified at the tile's resolution
 * (ST_Simplify keeping collapsed rings, so a grid smaller than a pixel still shows), points inside it.
 */
export async function tileFeatures(db: Knex, layer: MapLayer, q: TileQuery): Promise<LayerRow[]> {
  if (q.scope.kind === 'nothing') return [];
  const rows = layerRows(layer, q.asOf, q.scope);
  const from = fromSql(rows, true);
  const where = whereSql([...rows.where, { sql: `${rows.geom} && ${ENVELOPE}`, bindings: [...q.box] }]);
  if (layer.geometry === 'Point') {
    const { rows: found } = await db.raw(
      `/* tile:${layer.id} */ SELECT t.id, ${rows.properties} AS properties, ST_AsGeoJSON(t.location, ?) AS geometry
       FROM ${from.sql} WHERE ${where.sql}`,
      bind(q.digits, ...from.bindings, ...where.bindings),
    );
    return found;
  }
  // A polygon whose box only touches the envelope clips to nothing: geojson-vt skips it (a filter on the clipped
  // geometry here would have PostgreSQL clip every polygon twice).
  const { rows: found } = await db.raw(
    `/* tile:${layer.id} */ SELECT t.id, ${rows.properties} AS properties,
       ST_AsGeoJSON(ST_Simplify(ST_ClipByBox2D(${rows.geom}, ${ENVELOPE}), ?, true), ?) AS geometry
     FROM ${from.sql} WHERE ${where.sql}`,
    bind(...q.box, q.tolerance, q.digits, ...from.bindings, ...where.bindings),
  );
  return found;
}

export interface ItemsQuery {
  asOf: Date | null;
  scope: LayerScope;
  bbox: Box | null;
  /** Property filters: SQL expression = value. */
  equals: readonly [string, string][];
}

/** The keyset order of a layer's OGC pages, with each key's SQL type. */
export function keyOrder(layer: MapLayer): { expr: string; type: 'text' | 'uuid' }[] {
  if (layer.kind === 'grid') return [{ expr: 't.code', type: 'text' }, { expr: 't.id', type: 'uuid' }];
  return layer.orderBy === 't.code' ? [{ expr: 't.code', type: 'text' }] : [{ expr: 't.id', type: 'uuid' }];
}

/** The rows the items filters select; `p` joined when a filter is on its code. */
function filteredRows(layer: MapLayer, q: ItemsQuery): { rows: LayerRows; from: Fragment; parts: Fragment[] } {
  const rows = layerRows(layer, q.asOf, q.scope);
  const parts = [...rows.where];
  if (q.bbox) parts.push({ sql: `${rows.geom} && ${ENVELOPE} AND ST_Intersects(${rows.geom}, ${ENVELOPE})`, bindings: [...q.bbox, ...q.bbox] });
  for (const [expr, value] of q.equals) parts.push({ sql: `${expr} = ?`, bindings: [value] });
  return { rows, from: fromSql(rows, q.equals.some(([expr]) => expr.startsWith('p.'))), parts };
}

/**
 * One page of a layer's features in keyset order after `after`, at full precision (what an export writes). The
 * page is cut first and its properties and GeoJSON written after, for its rows only (a box may match thousands).
 */
export async function itemsPage(db: Knex, layer: MapLayer, q: ItemsQuery, after: readonly string[] | null, limit: number): Promise<ItemRow[]> {
  if (q.scope.kind === 'nothing') return [];
  const { rows, from, parts } = filteredRows(layer, q);
  const order = keyOrder(layer);
  if (after) {
    parts.push({ sql: `(${order.map((k) => k.expr).join(', ')}) > (${order.map((k) => `?::${k.type}`).join(', ')})`, bindings: [...after] });
  }
  const where = whereSql(parts);
  const orderBy = order.map((k) => k.expr).join(', ');
  const { rows: found } = await db.raw(
    `/* items:${layer.id} */ SELECT t.id, ${rows.properties}::text AS properties, ST_AsGeoJSON(${rows.geom}, 15) AS geometry,
       ${order.map((k, i) => `${k.expr}::text AS key_${i}`).join(', ')}
     FROM (SELECT t.* FROM ${from.sql} WHERE ${where.sql} ORDER BY ${orderBy} LIMIT ?) t
       LEFT JOIN LATERAL (${rows.parent.sql}) p ON true
     ORDER BY ${orderBy}`,
    bind(...from.bindings, ...where.bindings, limit, ...rows.parent.bindings),
  );
  return found;
}

/** How many features the same filters match (OGC numberMatched). */
export async function countItems(db: Knex, layer: MapLayer, q: ItemsQuery): Promise<number> {
  if (q.scope.kind === 'nothing') return 0;
  const { from, parts } = filteredRows(layer, q);
  const where = whereSql(parts);
  const { rows: found } = await db.raw(`/* countItems:${layer.id} */ SELECT count(*)::int AS n FROM ${from.sql} WHERE ${where.sql}`, bind(...from.bindings, ...where.bindings));
  return found[0].n;
}

/** One feature by id (null when it is not in the layer, or not where the caller may see). */
export async function itemById(db: Knex, layer: MapLayer, id: string, asOf: Date | null, scope: LayerScope): Promise<ItemRow | null> {
  if (scope.kind === 'nothing') return null;
  const rows = layerRows(layer, asOf, scope);
  const from = fromSql(rows, true);
  const where = whereSql([...rows.where, { sql: 't.id = ?::uuid', bindings: [id] }]);
  const { rows: found } = await db.raw(
    `/* item:${layer.id} */ SELECT t.id, ${rows.properties}::text AS properties, ST_AsGeoJSON(${rows.geom}, 15) AS geometry FROM ${from.sql} WHERE ${where.sql}`,
    bind(...from.bindings, ...where.bindings),
  );
  return found[0] ?? null;
}

/**
 * What a layer's ETag follows: the change counters of the tables it reads (bumped once per committed transaction
 * that wrote them), in the layer's order, and its clock when time alone changes its rows.
 */
export async function layerChanges(db: Knex, layer: MapLayer): Promise<string[]> {
  const clock = layer.kind === 'located' && layer.clock ? layer.clock : 'NULL';
  const { rows } = await db.raw(
    `/* mapLayerChanges */ SELECT c.source, c.serial::text AS serial FROM map_change c WHERE c.source = ANY(?::text[])
     UNION ALL SELECT 'clock', (${clock})::text`,
    [[...layer.sources]],
  );
  const serials = new Map<ChangeSource | 'clock', string | null>(rows.map((r: { source: ChangeSource; serial: string | null }) => [r.source, r.serial]));
  return [...layer.sources.map((s) => serials.get(s) ?? '0'), ...(clock === 'NULL' ? [] : [serials.get('clock') ?? ''])];
}

export interface Extents {
  /** The districts' extent (every layer lies within the deployment's districts, give or take 100 m). */
  bbox: Box | null;
  /** When the oldest grid version began (grid layers answer as of any instant since). */
  historyStart: Date | null;
}

export async function extents(db: Knex): Promise<Extents> {
  const { rows } = await db.raw(
    `/* mapExtents */ SELECT ST_XMin(e) AS w, ST_YMin(e) AS s, ST_XMax(e) AS e, ST_YMax(e) AS n,
       (SELECT min(v.valid_from) FROM grid_version v) AS start
     FROM (SELECT ST_Extent(g.boundary) AS e FROM grid g WHERE g.level = 'DISTRICT' AND g.valid_to IS NULL) d`,
  );
  const r = rows[0];
  return { bbox: r.w === null ? null : [r.w, r.s, r.e, r.n], historyStart: r.start };
}
