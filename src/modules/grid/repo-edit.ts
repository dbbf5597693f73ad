import type { Knex } from 'knex';
import type { GridLevel } from '../../generated/graphql';
import { bind } from '../../db/bind';

/**
 * SQL for editing grids. Checks run set-wise over a batch of candidate boundaries (one candidate for a
 * single edit, hundreds for an import) so an import costs a few statements per batch, not per feature.
 * Geometry travels between statements as EWKB hex: exact, unlike GeoJSON text.
 */
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
   * Tolerance in degrees within which vertices are first snapped onto the stored boundary of `selfId` (an
   * import's round trip: what a coordinate conversion or a GIS moved by a few centimetres stays exactly where it
   * was); 0 or absent snaps nothing.
   */
  snapToSelfDegrees?: number;
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

/**
 * Normalises winding, applies snapping and clipping, and asks PostGIS whether each result is valid. Every step
 * is MATERIALIZED: each refers to the previous step's geometry several times (a test, the result, the fallback),
 * and inlined steps would recompute the whole chain for every reference, exponentially in the number of steps
 * (100 small boundaries took 2 s inlined, and 37 s with one step more).
 */
export async function prepareGeometries(db: Knex, candidates: readonly BoundaryCandidate[]): Promise<PreparedGeometry[]> {
  const { rows } = await db.raw(
    `/* prepareBoundaries */
     WITH c0 AS MATERIALIZED (
       SELECT t.n, t.parent_id, t.self_id, t.level, t.clip, t.snap, t.snap_self,
              ST_Multi(ST_ForcePolygonCCW(ST_SetSRID(ST_GeomFromGeoJSON(t.gj), 4326))) AS g
       FROM unnest(?::int[], ?::text[], ?::uuid[], ?::uuid[], ?::text[], ?::bool[], ?::float8[], ?::float8[])
            AS t(n, gj, parent_id, self_id, level, clip, snap, snap_self)
     ),
     c AS MATERIALIZED (
       SELECT c0.n, c0.parent_id, c0.self_id, c0.level, c0.clip, c0.snap,
         CASE WHEN c0.snap_self > 0 AND ST_IsValid(c0.g) THEN coalesce((
           SELECT s.g FROM (SELECT ST_Multi(ST_Snap(c0.g, x.boundary, c0.snap_self)) AS g FROM grid x WHERE x.id = c0.self_id) s
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
    bind(
      candidates.map((c) => c.n),
      candidates.map((c) => c.geojson),
      candidates.map((c) => c.parentId),
      candidates.map((c) => c.selfId),
      candidates.map((c) => c.level),
      candidates.map((c) => c.clipToParent),
      candidates.map((c) => c.snapDegrees),
      candidates.map((c) => (c.selfId ? (c.snapToSelfDegrees ?? 0) : 0)),
    ),
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

/** Current grids holding any of these codes. */
export async function currentCodes(db: Knex, codes: readonly string[]): Promise<{ id: string; code: string }[]> {
  const { rows } = await db.raw(`/* currentCodesTaken */ SELECT id, code FROM grid WHERE code = ANY(?::text[]) AND valid_to IS NULL`, [
    [...codes],
  ]);
  return rows;
}

/**
 * The highest code suffix ever used under a parent code (retired grids included, so a code is never
 * handed to a different grid), for the `digits` digits after `prefix`, limited to [from, to].
 */
export async function highestSuffix(db: Knex, prefix: string, digits: number, from: number, to: number): Promise<number> {
  const { rows } = await db.raw(
    `/* highestCodeSuffix */ SELECT max(substr(code, ?)::int) AS n FROM grid
     WHERE code LIKE ? AND length(code) = ? AND substr(code, ?)::int BETWEEN ? AND ?`,
    [prefix.length + 1, `${prefix}%`, prefix.length + digits, prefix.length + 1, from, to],
  );
  return rows[0].n ?? from - 1;
}

export interface NewGridRow {
  id: string;
  code: string;
  name: string;
  level: GridLevel;
  depth: number;
  parentId: string | null;
  ancestorIds: string[];
  hex: string;
}

export async function insertGrids(db: Knex, grids: readonly NewGridRow[], changedBy: string, reason: string | null): Promise<void> {
  await db.raw(
    `/* insertGrids */ INSERT INTO grid (id, code, name, level, depth, parent_id, ancestor_ids, boundary, valid_from, changed_by, change_reason)
     SELECT t.id, t.code, t.name, t.level, t.depth, t.parent_id, string_to_array(t.ancestors, ',')::uuid[],
            ST_GeomFromEWKB(decode(t.hex, 'hex')), clock_timestamp(), ?, ?
     FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::int[], ?::uuid[], ?::text[], ?::text[])
          AS t(id, code, name, level, depth, parent_id, ancestors, hex)`,
    bind(
      changedBy,
      reason,
      grids.map((g) => g.id),
      grids.map((g) => g.code),
      grids.map((g) => g.name),
      grids.map((g) => g.level),
      grids.map((g) => g.depth),
      grids.map((g) => g.parentId),
      grids.map((g) => g.ancestorIds.join(',')),
      grids.map((g) => g.hex),
    ),
  );
}

export interface VersionInfo {
  id: string;
  version: number;
  changed_by: string | null;
  valid_from: Date;
  valid_to: Date | null;
}

export async function versionInfo(db: Knex, ids: readonly string[]): Promise<VersionInfo[]> {
  const { rows } = await db.raw(`/* gridVersionInfo */ SELECT id, version, changed_by, valid_from, valid_to FROM grid WHERE id = ANY(?::uuid[])`, [
    [...ids],
  ]);
  return rows;
}

/**
 * Writes a new version of a grid if, and only if, it is still at `expectedVersion` and current: the
 * compare-and-set that makes concurrent edits safe (a racing writer waits for the row lock, then finds the
 * version moved on and updates nothing). Returns whether it wrote.
 */
export async function writeVersion(
  db: Knex,
  id: string,
  expectedVersion: number,
  change: { hex?: string; name?: string; code?: string; retire?: boolean },
  changedBy: string,
  reason: string | null,
): Promise<boolean> {
  const { rowCount } = await db.raw(
    `/* writeGridVersion */ UPDATE grid SET
       boundary = coalesce(ST_GeomFromEWKB(decode(?::text, 'hex')), boundary),
       name = coalesce(?::text, name),
       code = coalesce(?::text, code),
       version = CASE WHEN ? THEN version ELSE version + 1 END,
       valid_from = CASE WHEN ? THEN valid_from ELSE clock_timestamp() END,
       valid_to = CASE WHEN ? THEN clock_timestamp() ELSE valid_to END,
       changed_by = CASE WHEN ? THEN changed_by ELSE ? END,
       change_reason = CASE WHEN ? THEN change_reason ELSE ? END
     WHERE id = ? AND version = ? AND valid_to IS NULL`,
    bind(
      change.hex ?? null,
      change.name ?? null,
      change.code ?? null,
      ...[change.retire ?? false, change.retire ?? false, change.retire ?? false],
      change.retire ?? false,
      changedBy,
      change.retire ?? false,
      reason,
      id,
      expectedVersion,
    ),
  );
  return rowCount === 1;
}

/**
 * After a grid's code or place in the tree changed: every current descendant gets the new code prefix and
 * ancestor chain; a descendant whose code changes gets a new version (codes are part of its history).
 */
export async function cascadeToDescendants(
  db: Knex,
  grid: { id: string; oldCode: string; newCode: string; ancestorIds: string[] },
  changedBy: string,
  reason: string,
): Promise<number> {
  const { rowCount } = await db.raw(
    `/* cascadeToDescendants */ UPDATE grid d SET
       code = ?::text || substr(d.code, ? + 1),
       ancestor_ids = ?::uuid[] || d.ancestor_ids[array_position(d.ancestor_ids, ?::uuid):],
       depth = cardinality(?::uuid[]) + cardinality(d.ancestor_ids[array_position(d.ancestor_ids, ?::uuid):]),
       version = CASE WHEN ?::text <> ?::text THEN d.version + 1 ELSE d.version END,
       valid_from = CASE WHEN ?::text <> ?::text THEN clock_timestamp() ELSE d.valid_from END,
       changed_by = CASE WHEN ?::text <> ?::text THEN ? ELSE d.changed_by END,
       change_reason = CASE WHEN ?::text <> ?::text THEN ? ELSE d.change_reason END
     WHERE d.ancestor_ids @> ARRAY[?::uuid] AND d.valid_to IS NULL`,
    bind(
      grid.newCode,
      grid.oldCode.length,
      grid.ancestorIds,
      grid.id,
      grid.ancestorIds,
      grid.id,
      ...[grid.oldCode, grid.newCode, grid.oldCode, grid.newCode, grid.oldCode, grid.newCode],
      changedBy,
      grid.oldCode,
      grid.newCode,
      reason,
      grid.id,
    ),
  );
  return rowCount ?? 0;
}

/** Current children and current worker assignments of each grid: what must move before it can go. */
export async function dependants(db: Knex, ids: readonly string[]): Promise<{ id: string; children: string[]; workers: number }[]> {
  const { rows } = await db.raw(
    `/* gridDependants */ SELECT g.id,
       ARRAY(SELECT k.id FROM grid k WHERE k.parent_id = g.id AND k.valid_to IS NULL ORDER BY k.code) AS children,
       (SELECT count(*)::int FROM grid_assignment a WHERE a.grid_id = g.id AND a.valid_to IS NULL) AS workers
     FROM grid g WHERE g.id = ANY(?::uuid[])`,
    [[...ids]],
  );
  return rows;
}

/** The current boundary of grids, as EWKB hex (to re-resolve the area they covered). */
export async function boundaryHexes(db: Knex, ids: readonly string[]): Promise<string[]> {
  const { rows } = await db.raw(`/* gridBoundaryHex */ SELECT encode(ST_AsEWKB(boundary), 'hex') AS hex FROM grid WHERE id = ANY(?::uuid[])`, [
    [...ids],
  ]);
  return rows.map((r: { hex: string }) => r.hex);
}

/**
 * The write locks of the grid hierarchy: transaction-level advisory locks keyed by grid id ("root" for the
 * level of districts), taken before an edit reads what it checks against. An edit of a grid's children (a new
 * grid, a redrawn, recoded, split, merged or retired child) locks the parent exclusively and every ancestor
 * above it shared; an edit of a grid itself also locks that grid (its children must still fit, its code
 * prefixes theirs). So two edits that could break each other's checks (two overlapping grids drawn under one
 * parent at once, two codes allocated at once, a recode racing a new grandchild) run one after the other,
 * while edits in different parts of the tree run side by side; the level of districts ("root") is held shared
 * by every edit. Keys are taken in one global order (sorted),
 * so edits that lock several never deadlock each other; a later batch of an import may (PostgreSQL then
 * refuses one of the two: a mutation runs again, the CLI reports it).
 */
export interface GridLocks {
  /** Grid ids (null: the district level) locked exclusively. */
  exclusive: readonly (string | null)[];
  /** Grid ids locked shared (ancestors of what is edited). */
  shared?: readonly string[];
}

const lockKey = (id: string | null) => `grid:${id ?? 'root'}`;

export async function lockGrids(db: Knex, locks: GridLocks): Promise<void> {
  const exclusive = new Set(locks.exclusive.map(lockKey));
  // Every edit holds the top of the tree shared, so one that takes it exclusively (a district created or
  // redrawn, a move between districts) runs alone.
  const keys = new Map<string, boolean>([[lockKey(null), false]]);
  for (const id of locks.shared ?? []) keys.set(lockKey(id), false);
  for (const key of exclusive) keys.set(key, true);
  const sorted = [...keys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // One row per key, locked in the array's order (a function scan yields its rows in order, and nothing here
  // reorders them).
  await db.raw(
    `/* lockGrids */ SELECT CASE WHEN t.x THEN pg_advisory_xact_lock(hashtextextended(t.k, 0))
                                 ELSE pg_advisory_xact_lock_shared(hashtextextended(t.k, 0)) END
     FROM unnest(?::text[], ?::bool[]) AS t(k, x)`,
    [sorted.map(([k]) => k), sorted.map(([, x]) => x)],
  );
}

/** Locks for editing the children of `parent` (null: districts). */
export function locksForChildrenOf(parent: { id: string; ancestor_ids: readonly string[] } | null): GridLocks {
  return { exclusive: [parent?.id ?? null], shared: parent?.ancestor_ids ?? [] };
}

/** Locks for editing these grids themselves (and so also their parents' children). */
export function locksForChange(grids: readonly { id: string; parent_id: string | null; ancestor_ids: readonly string[] }[]): GridLocks {
  return {
    exclusive: grids.flatMap((g) => [g.id, g.parent_id]),
    shared: grids.flatMap((g) => g.ancestor_ids),
  };
}
