import type { Knex } from 'knex';
import type { GridLevel } from '../../generated/graphql';
import { bind } from '../../db/bind';
import { gridSource } from './repo';

/** SQL of the GeoJSON export: pages of grids, and a fingerprint of what a page run would read (its ETag). */
export interface ExportRow {
  id: string;
  code: string;
  name: string;
  level: GridLevel;
  parent_code: string | null;
  version: number;
  geometry: string;
}

export interface ExportQuery {
  level: GridLevel | null;
  ancestorId: string | null;
  asOf: Date | null;
  /** minLng, minLat, maxLng, maxLat in WGS-84. */
  bbox: readonly [number, number, number, number] | null;
  /** ST_SimplifyPreserveTopology tolerance in degrees; null keeps every vertex. */
  simplifyDegrees: number | null;
  /** Decimal places ST_AsGeoJSON writes. */
  decimals: number;
}

/** The filter's conditions on grid rows `g`, only those asked for (the bbox through the GiST index: `&&` first). */
function conditions(q: ExportQuery): { sql: string; bindings: unknown[] } {
  const parts: string[] = [];
  const bindings: unknown[] = [];
  if (q.level) {
    parts.push('g.level = ?');
    bindings.push(q.level);
  }
  if (q.ancestorId) {
    parts.push('g.ancestor_ids @> ARRAY[?::uuid]');
    bindings.push(q.ancestorId);
  }
  if (q.bbox) {
    parts.push('g.boundary && ST_MakeEnvelope(?, ?, ?, ?, 4326) AND ST_Intersects(g.boundary, ST_MakeEnvelope(?, ?, ?, ?, 4326))');
    bindings.push(...q.bbox, ...q.bbox);
  }
  return { sql: parts.length ? parts.join(' AND ') : 'TRUE', bindings };
}

/** One page of grids in code order, GeoJSON written by PostGIS (simplified and rounded as asked). */
export async function exportPage(db: Knex, q: ExportQuery, after: readonly [string, string] | null, limit: number): Promise<ExportRow[]> {
  const src = gridSource(q.asOf);
  const where = conditions(q);
  const geometry = q.simplifyDegrees === null ? 'g.boundary' : 'ST_Multi(ST_SimplifyPreserveTopology(g.boundary, ?))';
  const { rows } = await db.raw(
    `/* exportGrids */ SELECT g.id, g.code, g.name, g.level, p.code AS parent_code, g.version,
       ST_AsGeoJSON(${geometry}, ?) AS geometry
     FROM ${src.sql} g LEFT JOIN ${src.sql} p ON p.id = g.parent_id
     WHERE ${src.current} AND ${where.sql} AND (?::text IS NULL OR (g.code, g.id) > (?::text, ?::uuid))
     ORDER BY g.code, g.id LIMIT ?`,
    bind(
      ...(q.simplifyDegrees === null ? [] : [q.simplifyDegrees]),
      q.decimals,
      ...src.bindings,
      ...src.bindings,
      ...where.bindings,
      after?.[0] ?? null,
      after?.[0] ?? null,
      after?.[1] ?? null,
      limit,
    ),
  );
  return rows;
}

/**
 * What changes whenever the export's answer could: how many grid rows the filter touches (current or not), the
 * sum of their versions, the latest new version and the latest retirement. A new version, a retirement, a grid
 * added, or one moved or redrawn out of the filter each change it, without reading any geometry.
 */
export async function exportFingerprint(db: Knex, q: ExportQuery): Promise<string> {
  const where = conditions(q);
  const { rows } = await db.raw(
    `/* exportFingerprint */ SELECT count(*)::text || ':' || coalesce(sum(g.version), 0)::text || ':' ||
       coalesce(max(g.valid_from)::text, '') || ':' || coalesce(max(g.valid_to)::text, '') AS fingerprint
     FROM grid g WHERE ${where.sql}`,
    bind(...where.bindings),
  );
  return rows[0].fingerprint;
}
