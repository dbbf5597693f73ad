import type { Knex } from 'knex';
import type { GridLevel } from '../../generated/graphql';
import { bind } from '../../db/bind';

/**
 * SQL checking candidate boundaries set-wise over a batch (one candidate for a single edit, hundreds for an
 * import), so an import costs a few statements per batch, not per feature: shaping (winding, snapping, clipping,
 * validity) and what each does to its neighbours. Geometry travels between statements as EWKB hex: exact,
 * unlike GeoJSON text. The writes of an edit are in repo-edit.ts.
 */

/** A boundary to check, and what to do to it first. */
export interface BoundaryCandidate {
  /** Index of the candidate in its batch (the feature index of an import). */
  n: number;
  /** A WGS-84 MultiPolygon, already checked for shape and cleaned (src/geo/boundary.ts). */
  geojson: string;
  parentId: string | null;
  /** The grid being redrawn: it is not its own sibling. */
  selfId: string | null;
  level: GridLevel;
  clipToParent: boolean;
  /** Snap tolerance in degrees; 0 snaps nothing. */
  snapDegrees: number;
  /**
   * Distance in metres within which vertices are first snapped onto the stored boundary of `selfId` (an import's
   * round trip: what a coordinate conversion or a GIS moved by a few centimetres stays exactly where it was); 0 or
   * absent snaps nothing.
   */
  snapToSelfMeters?: number;
}

export interface PreparedGeometry {
  n: number;
  valid: boolean;
  reason: string | null;
  lng: number | null;
  lat: number | null;
  empty: boolean;
  /** The boundary to store: winding normalised (RFC 7946), options applied. */
  hex: string;
  area_sqm: number;
}

/** Metres in a degree of latitude (the snap to the stored boundary measures in metres: see `c` below). */
const METRES_PER_DEGREE_LAT = 110_574;

/**
 * Normalises winding, applies snapping and clipping, and asks PostGIS whether each result is valid. Every step
 * is MATERIALIZED: each refers to the previous step's geometry several times (a test, the result, the fallback),
 * and inlined steps would recompute the whole chain for every reference, exponentially in the number of steps
 * (100 small boundaries took 2 s inlined, and 37 s with one step more).
 *
 * The snap onto the stored boundary (`c`) measures in metres in every direction: ST_Snap's tolerance is planar,
 * and a degree of longitude is shorter than one of latitude (by cos(latitude)), so both boundaries are moved to
 * the stored one's centroid, scaled east-west by cos(latitude), snapped with the tolerance in degrees of
 * latitude, and scaled and moved back. Moving first keeps every vertex bit for bit: subtracting a nearby origin
 * is exact, scaling there and back errs by far less than half the last bit of the coordinate the origin is added
 * back to, so a vertex put back is the stored one and a vertex left alone the given one.
 */
export async function prepareGeometries(db: Knex, candidates: readonly BoundaryCandidate[]): Promise<PreparedGeometry[]> {
  const column = <T>(f: (c: BoundaryCandidate) => T) => candidates.map(f);
  const bindings = {
    n: column((c) => c.n),
    geojson: column((c) => c.geojson),
    parentId: column((c) => c.parentId),
    selfId: column((c) => c.selfId),
    level: column((c) => c.level),
    clip: column((c) => c.clipToParent),
    snap: column((c) => c.snapDegrees),
    snapSelf: column((c) => (c.selfId ? (c.snapToSelfMeters ?? 0) / METRES_PER_DEGREE_LAT : 0)),
  };
  const { rows } = await db.raw(
    `/* prepareBoundaries */
     WITH c0 AS MATERIALIZED (
       SELECT t.n, t.parent_id, t.self_id, t.level, t.clip, t.snap, t.snap_self,
              ST_Multi(ST_ForcePolygonCCW(ST_SetSRID(ST_GeomFromGeoJSON(t.gj), 4326))) AS g
       FROM unnest(:n::int[], :geojson::text[], :parentId::uuid[], :selfId::uuid[], :level::text[], :clip::bool[],
                   :snap::float8[], :snapSelf::float8[])
            AS t(n, gj, parent_id, self_id, level, clip, snap, snap_self)
     ),
     c AS MATERIALIZED (
       SELECT c0.n, c0.parent_id, c0.self_id, c0.level, c0.clip, c0.snap,
         CASE WHEN c0.snap_self > 0 AND ST_IsValid(c0.g) THEN coalesce((
           SELECT s.g FROM (
             SELECT ST_Multi(ST_Translate(ST_Scale(ST_Snap(
                      ST_Scale(ST_Translate(c0.g, -o.x, -o.y), o.k, 1),
                      ST_Scale(ST_Translate(x.boundary, -o.x, -o.y), o.k, 1), c0.snap_self), 1 / o.k, 1), o.x, o.y)) AS g
             FROM grid x CROSS JOIN LATERAL (
               SELECT ST_X(m.p) AS x, ST_Y(m.p) AS y, cos(radians(ST_Y(m.p))) AS k FROM (SELECT ST_Centroid(x.boundary) AS p) m
             ) o
             WHERE x.id = c0.self_id
           ) s
           WHERE ST_IsValid(s.g)
         ), c0.g) ELSE c0.g END AS g
       FROM c0
     ),
     snapped AS MATERIALIZED (
       SELECT c.n, c.parent_id, c.clip,
         CASE WHEN c.snap > 0 AND ST_IsValid(c.g) THEN grid_snap(c.g, (
           SELECT ST_Collect(ST_Boundary(x.boundary)) FROM grid x
           WHERE x.valid_to IS NULL AND x.boundary && ST_Expand(c.g, c.snap)
             AND (x.id = c.parent_id OR (x.parent_id = c.parent_id AND x.level = c.level AND x.level <> 'DEDICATED'
                                         AND x.id IS DISTINCT FROM c.self_id))
         ), c.snap) ELSE c.g END AS g
       FROM c
     ),
     shaped AS MATERIALIZED (
       SELECT s.n,
         CASE WHEN s.clip AND p.boundary IS NOT NULL AND ST_IsValid(s.g)
              THEN ST_Multi(ST_CollectionExtract(ST_Intersection(s.g, p.boundary), 3))
              ELSE s.g END AS g
       FROM snapped s LEFT JOIN grid p ON p.id = s.parent_id
     ),
     checked AS MATERIALIZED (SELECT n, g, ST_IsValidDetail(g) AS d FROM shaped)
     SELECT n, (d).valid AS valid, (d).reason AS reason, ST_X((d).location) AS lng, ST_Y((d).location) AS lat,
            ST_IsEmpty(g) AS empty, encode(ST_AsEWKB(g), 'hex') AS hex,
            CASE WHEN (d).valid THEN ST_Area(g::geography) ELSE 0 END AS area_sqm
     FROM checked ORDER BY n`,
    bindings as Knex.ValueDict,
  );
  return rows;
}

export interface ValidGeometry {
  n: number;
  hex: string;
  parentId: string | null;
  selfId: string | null;
  level: GridLevel;
}

export interface NeighbourFinding {
  kind: 'OUTSIDE_PARENT' | 'OVERLAPS_SIBLING' | 'OVERLAPS_BATCH' | 'CHILD_OUTSIDE';
  n: number;
  /** The sibling or child concerned (OVERLAPS_SIBLING, CHILD_OUTSIDE). */
  other_id: string | null;
  /** The other candidate of the batch (OVERLAPS_BATCH). */
  other_n: number | null;
  area_sqm: number;
  lng: number;
  lat: number;
}

/**
 * What each valid candidate does to its neighbours beyond `toleranceSqm`: parts outside its parent,
 * overlaps with current siblings (dedicated overlays may overlap anything), overlaps with other candidates
 * of the same batch, and current children that a redrawn grid would leave sticking out.
 */
export async function neighbourFindings(
  db: Knex,
  candidates: readonly ValidGeometry[],
  toleranceSqm: number,
  /** Grids redrawn by the same batch: their stored boundary is about to change, so they are no siblings to check. */
  excludeIds: readonly string[] = [],
): Promise<NeighbourFinding[]> {
  const { rows } = await db.raw(
    `/* boundaryNeighbourChecks */
     WITH c AS (
       SELECT t.n, t.parent_id, t.self_id, t.level, ST_GeomFromEWKB(decode(t.hex, 'hex')) AS g
       FROM unnest(?::int[], ?::text[], ?::uuid[], ?::uuid[], ?::text[]) AS t(n, hex, parent_id, self_id, level)
     ),
     outside AS (
       SELECT c.n, NULL::uuid AS other_id, NULL::int AS other_n, ST_Difference(c.g, p.boundary) AS part
       FROM c JOIN grid p ON p.id = c.parent_id
       WHERE NOT ST_CoveredBy(c.g, p.boundary)
     ),
     sibling AS (
       SELECT c.n, s.id AS other_id, NULL::int AS other_n, ST_Intersection(c.g, s.boundary) AS part
       FROM c JOIN grid s ON s.parent_id = c.parent_id AND s.level = c.level AND s.valid_to IS NULL
                          AND s.id IS DISTINCT FROM c.self_id AND NOT s.id = ANY(?::uuid[]) AND s.boundary && c.g
       WHERE c.level <> 'DEDICATED' AND ST_Relate(c.g, s.boundary, '2********')
     ),
     batch AS (
       SELECT a.n, NULL::uuid AS other_id, b.n AS other_n, ST_Intersection(a.g, b.g) AS part
       FROM c a JOIN c b ON a.n < b.n AND a.parent_id IS NOT DISTINCT FROM b.parent_id AND a.level = b.level AND a.g && b.g
       WHERE a.level <> 'DEDICATED' AND ST_Relate(a.g, b.g, '2********')
     ),
     child AS (
       SELECT c.n, k.id AS other_id, NULL::int AS other_n, ST_Difference(k.boundary, c.g) AS part
       FROM c JOIN grid k ON k.parent_id = c.self_id AND k.valid_to IS NULL
       WHERE NOT ST_CoveredBy(k.boundary, c.g)
     ),
     found AS (
       SELECT 'OUTSIDE_PARENT' AS kind, * FROM outside
       UNION ALL SELECT 'OVERLAPS_SIBLING', * FROM sibling
       UNION ALL SELECT 'OVERLAPS_BATCH', * FROM batch
       UNION ALL SELECT 'CHILD_OUTSIDE', * FROM child
     )
     SELECT kind, n, other_id, other_n, area_sqm, ST_X(spot) AS lng, ST_Y(spot) AS lat
     FROM (SELECT f.*, ST_Area(f.part::geography) AS area_sqm, ST_PointOnSurface(f.part) AS spot FROM found f
           WHERE NOT ST_IsEmpty(f.part)) measured
     WHERE area_sqm > ?
     ORDER BY n, kind, area_sqm DESC`,
    bind(
      candidates.map((c) => c.n),
      candidates.map((c) => c.hex),
      candidates.map((c) => c.parentId),
      candidates.map((c) => c.selfId),
      candidates.map((c) => c.level),
      [...excludeIds],
      toleranceSqm,
    ),
  );
  return rows;
}
