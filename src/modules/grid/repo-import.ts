import type { Knex } from 'knex';
import type { GridLevel } from '../../generated/graphql';
import type { FormerGrid } from './import-feature';

/** SQL only the grid import needs (the checks and writes it shares with single edits are in repo-boundary.ts and repo-edit.ts). */

/**
 * Which candidates have the stored boundary of their grid: equal as point sets, or differing by less than
 * `unchangedSqm` (a file rounded by a GIS). Candidates have already been snapped onto the stored vertices within
 * a few centimetres (prepareGeometries), so an unedited round trip through GCJ-02 or a GeoPackage is equal.
 * Equal boundaries are answered without the overlay, which the embedded PostGIS cannot compute for identical
 * shapes (CASE, unlike OR, guarantees the order).
 */
export async function sameBoundaries(db: Knex, candidates: readonly { id: string; hex: string }[], unchangedSqm: number): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  const { rows } = await db.raw(
    `/* importSameBoundaries */ SELECT g.id FROM grid g
     JOIN (SELECT c.id, ST_GeomFromEWKB(decode(c.hex, 'hex')) AS geom FROM unnest(?::uuid[], ?::text[]) AS c(id, hex)) c ON g.id = c.id
     WHERE CASE WHEN ST_Equals(g.boundary, c.geom) THEN true
                ELSE ST_Area(ST_SymDifference(g.boundary, c.geom)::geography) < ? END`,
    [candidates.map((c) => c.id), candidates.map((c) => c.hex), unchangedSqm],
  );
  return new Set(rows.map((r: { id: string }) => r.id));
}

/**
 * For codes that no current grid has: the grid that last had each (from the history), and what became of it,
 * retired or given another code. Codes no grid ever had are absent.
 */
export async function formerGridsByCodes(db: Knex, level: GridLevel, codes: readonly string[]): Promise<FormerGrid[]> {
  if (codes.length === 0) return [];
  const { rows } = await db.raw(
    `/* formerGridsByCodes */ SELECT DISTINCT ON (v.code) v.code, v.grid_id,
       CASE WHEN g.valid_to IS NULL THEN g.code END AS code_now, g.valid_to AS retired_at, g.changed_by,
       g.valid_from AS changed_at
     FROM grid_version v JOIN grid g ON g.id = v.grid_id
     WHERE v.level = ? AND v.code = ANY(?::text[])
     ORDER BY v.code, v.valid_from DESC`,
    [level, [...codes]],
  );
  return rows;
}
