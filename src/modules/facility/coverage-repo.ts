import { subtreeGridIds } from '../location/repo';
import type { Knex } from 'knex';

/**
 * SQL of camera coverage (视频监控覆盖). A camera sees a point when `camera_sees` says so (within range on the
 * spheroid, within bearing ± fov/2; migration 20261128000400). Candidate cameras come from one probe of the
 * partial GiST index on the ONLINE cameras' sectors (`facility_online_sector`); the conditions below repeat
 * its predicate word for word so the planner can use it.
 The stored sector
 * samples its arc at due north, east, south and west too, so its box holds every point the camera sees.
 */

const ONLINE_CAMERA = (c: string) => `${c}.kind = 'CAMERA' AND ${c}.status = 'ONLINE' AND ${c}.retired_at IS NULL`;

/** Whether some ONLINE camera sees the position of the row aliased `p` (a SQL boolean). */
export const COVERED_BY_CAMERA = (p: string) => `EXISTS (
  SELECT 1 FROM facility c
  WHERE ${ONLINE_CAMERA('c')}
    AND c.sector && ${p}.location
    AND camera_sees(c.location, c.bearing, c.fov, c.range_m, ${p}.location))`;

/** The key places (alias `t`) no ONLINE camera sees, as a `pageOfLocated` condition. */
export const notCoveredByCamera = (q: Knex.QueryBuilder): void => {
  q.whereRaw(`NOT ${COVERED_BY_CAMERA('t')}`);
};

/** The grid and every grid below it (ids), for a grid id bound as `:gridId` (the GIN index on `ancestor_ids`). */
const SUBTREE = subtreeGridIds(':gridId::uuid');

/**
 * Whether the row aliased `t` belongs to the grid bound as `:gridId`: its subtree, or, for a DEDICATED grid (an
 * overlay, to which nothing resolves), what its boundary covers.
 */
const IN_SCOPE = (t: string, dedicated: boolean) =>
  dedicated
    ? `${t}.location && (SELECT boundary FROM grid WHERE id = :gridId) AND ST_Covers((SELECT boundary FROM grid WHERE id = :gridId), ${t}.location)`
    : `${t}.grid_id IN (${SUBTREE})`;

export interface CameraCountsRow {
  key_place_count: number;
  covered_key_place_count: number;
  online_camera_count: number;
}

/**
 * The key places of a grid's subtree, how many some ONLINE camera sees (any camera, also one standing in a
 * neighbouring grid), and the ONLINE cameras of the subtree.
 */
export async function cameraCounts(db: Knex, gridId: string): Promise<CameraCountsRow> {
  const { rows: grids } = await db.raw(`/* cameraCoverageScope */ SELECT level FROM grid WHERE id = ?`, [gridId]);
  const dedicated = grids[0]?.level === 'DEDICATED';
  const { rows } = await db.raw(
    `/* cameraCoverageCounts */
     WITH places AS MATERIALIZED (
       SELECT kp.location FROM key_place kp WHERE kp.retired_at IS NULL AND ${IN_SCOPE('kp', dedicated)}
     )
     SELECT (SELECT count(*) FROM places)::int AS key_place_count,
            (SELECT count(*) FROM places kp WHERE ${COVERED_BY_CAMERA('kp')})::int AS covered_key_place_count,
            (SELECT count(*) FROM facility f WHERE ${ONLINE_CAMERA('f')} AND ${IN_SCOPE('f', dedicated)})::int AS online_camera_count`,
    { gridId },
  );
  return rows[0];
}

export interface CameraAreaRow {
  area_sqm: number;
  covered_sqm: number;
}

/**
 * The grid's area and the part of it within some ONLINE camera's sector, on the spheroid. Sectors inside the
 * boundary are taken whole and only those crossing it are cut (the boundary is prepared once and reused), so
 * the union is of small pieces and no intersection with the whole boundary follows it. Null when the grid is
 * not current.
 */
export async function cameraArea(db: Knex, gridId: string): Promise<CameraAreaRow | null> {
  const { rows } = await db.raw(
    `/* cameraAreaCoverage */
     WITH g AS (SELECT b.boundary, b.area_sqm FROM grid b WHERE b.id = :gridId AND b.valid_to IS NULL),
     seen AS (
       SELECT CASE WHEN ST_CoveredBy(f.sector, g.boundary) THEN f.sector
                   ELSE ST_CollectionExtract(ST_Intersection(f.sector, g.boundary), 3) END AS part
       FROM facility f, g
       WHERE ${ONLINE_CAMERA('f')} AND f.sector && g.boundary AND ST_Intersects(f.sector, g.boundary)
     )
     SELECT g.area_sqm, coalesce((SELECT ST_Area(ST_Union(s.part)::geography) FROM seen s), 0) AS covered_sqm
     FROM g`,
    { gridId },
  );
  return rows[0] ?? null;
}

/** Whether some ONLINE camera sees each key place now, by key place id. */
export async function keyPlacesCovered(db: Knex, ids: readonly string[]): Promise<{ id: string; covered: boolean }[]> {
  const { rows } = await db.raw(
    `/* keyPlacesCoveredByCamera */ SELECT kp.id, ${COVERED_BY_CAMERA('kp')} AS covered FROM key_place kp WHERE kp.id = ANY(?::uuid[])`,
    [[...ids]],
  );
  return rows;
}
