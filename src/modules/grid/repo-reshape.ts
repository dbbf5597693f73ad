import type { Knex } from 'knex';

/** SQL of moving, splitting and merging grids (reshape-service.ts holds the rules). */

/** Re-parents a grid at the version the caller edited (new code, chain and depth); false when it moved on. */
export async function writeMove(
  db: Knex,
  m: { id: string; expectedVersion: number; parentId: string; code: string; ancestorIds: string[]; changedBy: string; reason: string },
): Promise<boolean> {
  const { rowCount } = await db.raw(
    `/* moveGrid */ UPDATE grid SET parent_id = :parentId, code = :code, ancestor_ids = CAST(:ancestorIds AS uuid[]), depth = :depth,
       version = version + 1, valid_from = clock_timestamp(), changed_by = :changedBy, change_reason = :reason
     WHERE id = :id AND version = :expectedVersion AND valid_to IS NULL`,
    { ...m, depth: m.ancestorIds.length },
  );
  return rowCount === 1;
}

/** The new boundaries of the grids that lose (`from`) and gain (`to`) a moving grid's area. */
export async function areaTransfer(
  db: Knex,
  gridId: string,
  from: string[],
  to: string[],
): Promise<{ id: string; code: string; name: string; version: number; hex: string; empty: boolean }[]> {
  const { rows } = await db.raw(
    `/* moveGridAreaTransfer */ SELECT a.id, a.code, a.name, a.version,
       encode(ST_AsEWKB(ST_Multi(CASE WHEN a.id = ANY(?::uuid[]) THEN ST_CollectionExtract(grid_difference(a.boundary, x.boundary), 3)
                                      ELSE ST_Union(a.boundary, x.boundary) END)), 'hex') AS hex,
       a.id = ANY(?::uuid[]) AND ST_Area(grid_difference(a.boundary, x.boundary)::geography) < 1 AS empty
     FROM grid a, grid x WHERE x.id = ? AND a.id = ANY(?::uuid[]) ORDER BY a.depth`,
    [from, from, gridId, [...from, ...to]],
  );
  return rows;
}

/** The parts ST_Split cuts a grid's boundary into, with a point inside each. */
export async function splitParts(db: Knex, gridId: string, line: number[][]): Promise<{ hex: string; lng: number; lat: number }[]> {
  const { rows } = await db.raw(
    `/* splitGridParts */ SELECT encode(ST_AsEWKB(ST_Multi(p.geom)), 'hex') AS hex, ST_X(ST_PointOnSurface(p.geom)) AS lng,
       ST_Y(ST_PointOnSurface(p.geom)) AS lat
     FROM grid g, ST_Dump(ST_Split(g.boundary, ST_SetSRID(ST_GeomFromGeoJSON(?), 4326))) p
     WHERE g.id = ?`,
    [JSON.stringify({ type: 'LineString', coordinates: line }), gridId],
  );
  return rows;
}

export async function mergedBoundary(db: Knex, ids: string[]): Promise<{ hex: string; parts: number }> {
  const { rows } = await db.raw(
    `/* mergeGridsBoundary */ SELECT encode(ST_AsEWKB(ST_Multi(u)), 'hex') AS hex, ST_NumGeometries(u) AS parts
     FROM (SELECT ST_UnaryUnion(ST_Collect(boundary)) AS u FROM grid WHERE id = ANY(?::uuid[])) s`,
    [ids],
  );
  return rows[0];
}
