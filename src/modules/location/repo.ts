import type { Knex } from 'knex';
import { lockGrids } from '../grid/repo-edit';
import type { LocatedKind } from './registry';

/**
 * SQL of the located-record mechanism. The rule itself is `grid_resolution(point, max_meters, as_of)` in the
 * database (migration 20261128000100): everything here calls it rather than restating it.
 */

/**
 * The ids of a grid and of every grid below it, for a grid id given as SQL (a placeholder, twice bound, or a
 * column): its own row by key, its descendants by the GIN index on `ancestor_ids` (an `id = x OR ancestor_ids @>`
 * condition would scan the grid table). The one definition of "a grid's subtree" for located records.
 */
export const subtreeGridIds = (gridId: string) =>
  `SELECT g.id FROM grid g WHERE g.id = ${gridId} UNION ALL SELECT g.id FROM grid g WHERE g.ancestor_ids @> ARRAY[${gridId}]::uuid[]`;

/** Within this distance of every grid a point still gets the nearest one (as `resolveLocation` answers). */
export const NEAREST_GRID_METERS = 100;

export interface MovedCount {
  kind: string;
  count: number;
}

const safeIdentifier = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return name;
};

/**
 * Re-resolves the located records of every registered kind inside an area whose grids changed (the union of
 * the old and new boundaries, as EWKB hex), in the caller's transaction. Rows outside every grid (resolved to
 * the nearest one, or to none) within reach of the area are re-resolved too, since the area may now cover
 * them or be nearer. Returns, per kind, how many rows now belong to another grid; a derived kind (a house)
 * counts the rows pointing at a moved row of the kind it comes from. Every kind is listed, zeros included.
 */
export async function relocateWithin(db: Knex, kinds: readonly LocatedKind[], areaHexes: readonly string[]): Promise<MovedCount[]> {
  const movedIds = new Map<string, string[]>();
  const counts: MovedCount[] = [];
  // The area once (an import's batch unites hundreds of boundaries), not once per kind.
  if (areaHexes.length > 1) {
    const { rows } = await db.raw(
      `/* relocateArea */ SELECT encode(ST_AsEWKB(ST_Union(ST_GeomFromEWKB(decode(h, 'hex')))), 'hex') AS hex FROM unnest(?::text[]) AS h`,
      [[...areaHexes]],
    );
    areaHexes = [rows[0].hex];
  }
  for (const k of kinds) {
    if (areaHexes.length === 0) {
      counts.push({ kind: k.kind, count: 0 });
      continue;
    }
    const table = safeIdentifier(k.table);
    // A kind's `live` condition says which rows follow an edit (open incidents); absent, the current rows do.
    const live = k.live ? `(${k.live})` : 't.retired_at IS NULL';
    if (k.shape === 'point') {
      const { rows } = await db.raw(
        `/* relocateWithin:${table} */
         WITH area AS (SELECT ST_Union(ST_GeomFromEWKB(decode(h, 'hex'))) AS g FROM unnest(?::text[]) AS h),
         reach AS (
           SELECT a.g, ST_Expand(a.g, ${NEAREST_GRID_METERS} / (111320 * greatest(cos(radians(ST_Y(ST_Centroid(a.g)))), 0.01)),
                                 ${NEAREST_GRID_METERS} / 110574.0) AS box
           FROM area a
         ),
         candidate AS (
           SELECT t.id, t.location, t.grid_id FROM ${table} t, reach
           WHERE ${live} AND t.location && reach.g AND ST_Covers(reach.g, t.location)
           UNION
           SELECT t.id, t.location, t.grid_id FROM ${table} t, reach
           WHERE ${live} AND t.location && reach.box AND (t.grid_id IS NULL OR t.grid_distance_m > 0)
         ),
         resolved AS (
           SELECT c.id, c.grid_id AS old_grid_id, r.grid_id, r.distance_m
           FROM candidate c LEFT JOIN LATERAL grid_resolution(c.location, ${NEAREST_GRID_METERS}) r ON true
         ),
         updated AS (
           UPDATE ${table} t SET grid_id = s.grid_id, grid_distance_m = s.distance_m, grid_resolved_at = clock_timestamp()
           FROM resolved s
           WHERE t.id = s.id AND (t.grid_id IS DISTINCT FROM s.grid_id OR t.grid_distance_m IS DISTINCT FROM s.distance_m)
           RETURNING t.id, s.old_grid_id IS DISTINCT FROM s.grid_id AS moved
         )
         SELECT id FROM updated WHERE moved`,
        [[...areaHexes]],
      );
      const ids = rows.map((r: { id: string }) => r.id);
      movedIds.set(k.kind, ids);
      counts.push({ kind: k.kind, count: ids.length });
    } else {
      const from = movedIds.get(k.from) ?? [];
      let count = 0;
      if (from.length > 0) {
        const { rows } = await db.raw(
          `/* relocateWithin:${table} */ SELECT t.id FROM ${table} t
           WHERE t.${safeIdentifier(k.foreignKey)} = ANY(?::uuid[]) AND ${k.live ?? 't.retired_at IS NULL'}`,
          [from],
        );
        movedIds.set(k.kind, rows.map((r: { id: string }) => r.id));
        count = rows.length;
      }
      counts.push({ kind: k.kind, count });
    }
  }
  return counts;
}

export interface Resolution {
  gridId: string | null;
  distanceMeters: number | null;
  /** The resolved grid's code and ancestors' ids (for the jurisdiction check and the locks). */
  code: string | null;
  ancestorIds: string[];
}

/** The grid a position resolves to now, by the shared rule. */
export async function resolutionAt(db: Knex, point: { lng: number; lat: number }): Promise<Resolution> {
  const { rows } = await db.raw(
    `/* resolutionAt */ SELECT r.grid_id, r.distance_m, g.code, g.ancestor_ids
     FROM grid_resolution(ST_SetSRID(ST_MakePoint(?::float8, ?::float8), 4326), ${NEAREST_GRID_METERS}) r
     JOIN grid g ON g.id = r.grid_id`,
    [point.lng, point.lat],
  );
  const row = rows[0];
  return row
    ? { gridId: row.grid_id, distanceMeters: Number(row.distance_m), code: row.code, ancestorIds: row.ancestor_ids }
    : { gridId: null, distanceMeters: null, code: null, ancestorIds: [] };
}

/**
 * The grid a record written at `point` will get, held still until the caller's transaction ends: the grid and
 * its ancestors are locked shared (as grid edits lock what they change exclusively), then the position is
 * resolved again. A boundary edit under way is waited for, and one that starts later waits for this write, so
 * it re-resolves the record: no record keeps a grid an edit has just taken away. Take these locks before
 * locking the record's row: grid edits lock grids first and then rewrite the rows they re-resolve.
 */
export async function lockResolution(trx: Knex.Transaction, point: { lng: number; lat: number }): Promise<Resolution> {
  const [resolution] = await lockResolutions(trx, [point]);
  return resolution;
}

/**
 * `lockResolution` for several positions at once (a record's current and new one): every grid in one sorted
 * batch of locks, so two writers never take them in opposite orders.
 */
export async function lockResolutions(trx: Knex.Transaction, points: readonly { lng: number; lat: number }[]): Promise<Resolution[]> {
  const resolveAll = () => Promise.all(points.map((p) => resolutionAt(trx, p)));
  let before = await resolveAll();
  for (let attempt = 0; ; attempt++) {
    // A position outside every grid (resolved to the nearest, or to none) may be claimed by an edit anywhere
    // nearby, not only of its grid's chain: such rare writes hold the top of the tree exclusively, so every grid
    // edit waits for them (and they for every edit under way).
    const outside = before.some((r) => r.gridId === null || (r.distanceMeters ?? 0) > 0);
    await lockGrids(trx, { exclusive: outside ? [null] : [], shared: before.flatMap((r) => (r.gridId ? [...r.ancestorIds, r.gridId] : [])) });
    const after = await resolveAll();
    if (after.every((r, i) => r.gridId === before[i].gridId) || attempt === 2) return after;
    before = after;
  }
}

/** Dedicated overlay grids covering each point (as of an instant, or now), in the order of the points. */
export async function dedicatedGridIdsAt(
  db: Knex,
  points: readonly { lng: number; lat: number }[],
  asOf: Date | null,
): Promise<string[][]> {
  const { rows } = await db.raw(
    `/* dedicatedGridsAt */ SELECT q.n, ARRAY(SELECT d FROM dedicated_grids_at(ST_SetSRID(ST_MakePoint(q.lng, q.lat), 4326), ?::timestamptz) d) AS ids
     FROM unnest(?::float8[], ?::float8[]) WITH ORDINALITY AS q(lng, lat, n) ORDER BY q.n`,
    [asOf, points.map((p) => p.lng), points.map((p) => p.lat)],
  );
  return rows.map((r: { ids: string[] }) => r.ids);
}

/** The grid each point resolved to at an instant (the versions in force then), in the order of the points. */
export async function gridIdsAsOf(db: Knex, points: readonly { lng: number; lat: number }[], asOf: Date): Promise<(string | null)[]> {
  const { rows } = await db.raw(
    `/* gridsAtAsOf */ SELECT q.n, r.grid_id
     FROM unnest(?::float8[], ?::float8[]) WITH ORDINALITY AS q(lng, lat, n)
     LEFT JOIN LATERAL grid_resolution(ST_SetSRID(ST_MakePoint(q.lng, q.lat), 4326), ${NEAREST_GRID_METERS}, ?::timestamptz) r ON true
     ORDER BY q.n`,
    [points.map((p) => p.lng), points.map((p) => p.lat), asOf],
  );
  return rows.map((r: { grid_id: string | null }) => r.grid_id);
}
