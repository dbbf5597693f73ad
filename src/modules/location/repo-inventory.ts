import type { Knex } from 'knex';
import { NEAREST_GRID_METERS, subtreeGridIds } from './repo';

/**
 * `Grid.inventory`: records of a located kind counted by category over each grid's whole subtree, written
 * once for every kind (buildings by kind, houses by use, facilities by kind and status, ...).
 */
export interface CountedRecords {
  /** The located table, alias `t`. */
  table: string;
  /** The category counted (SQL on `t` or the joined rows): `t.kind`, `h.use`. */
  kind: string;
  /** A second category (`t.status`); absent: null. */
  status?: string;
  /** Rows counted per record instead of the record itself: the houses of a building (`JOIN house h ON …`). */
  join?: (existed: (alias: string) => string) => string;
  /**
   * For the current counts, a table of counters kept per record (`JOIN building_house_count h ON …`) and what to
   * sum from it (`h.n`): read instead of `join`'s rows. As of an instant, `join` is used.
   */
  tally?: { join: string; sum: string };
}

export interface CountRow {
  scope_id: string;
  kind: string;
  status: string | null;
  count: number;
}

const IN_FORCE = (v: string) => `${v}.valid_from <= :asOf AND (${v}.valid_to IS NULL OR ${v}.valid_to > :asOf)`;

/**
 * Counts for each scope grid, ordered by scope, kind, status. Now: the records' stored grids, found through the
 * subtree's grid ids (the scope, then its descendants by the GIN index on `ancestor_ids`), each step a LATERAL
 * subquery so the plan stays scope → grids → records by index even on stale statistics (a correlated
 * `grid_id IN (… OR …)` scans the grid table once per record). As of an instant: the records that existed
 * then, each resolved by the rule against the grid versions in force then (candidates within the scope's box
 * of then). Categories keep no history: as of a past instant they are today's.
 */
export async function countsInSubtrees(db: Knex, spec: CountedRecords, scopeIds: readonly string[], asOf: Date | null): Promise<CountRow[]> {
  const status = spec.status ?? 'NULL::text';
  if (!asOf) {
    const current = (alias: string) => `${alias}.retired_at IS NULL`;
    const joined = spec.tally?.join ?? spec.join?.(current) ?? '';
    const counted = spec.tally ? `sum(${spec.tally.sum})` : 'count(*)';
    const { rows } = await db.raw(
      `/* inventory:${spec.table}:${spec.kind} */ SELECT * FROM (
         SELECT s.id AS scope_id, x.kind, x.status, sum(x.n)::int AS count
         FROM unnest(:ids::uuid[]) AS s(id)
         JOIN grid sg ON sg.id = s.id AND sg.level <> 'DEDICATED'
         CROSS JOIN LATERAL (
           ${subtreeGridIds('s.id')}
         ) AS sub
         CROSS JOIN LATERAL (
           SELECT ${spec.kind} AS kind, ${status} AS status, ${counted} AS n FROM ${spec.table} t ${joined}
           WHERE t.grid_id = sub.id AND t.retired_at IS NULL GROUP BY 1, 2
         ) AS x
         GROUP BY 1, 2, 3
         UNION ALL
         SELECT s.id, ${spec.kind}, ${status}, (${counted})::int
         FROM unnest(:ids::uuid[]) AS s(id)
         JOIN grid sg ON sg.id = s.id AND sg.level = 'DEDICATED'
         JOIN ${spec.table} t ON t.location && sg.boundary AND ST_Covers(sg.boundary, t.location) AND t.retired_at IS NULL
         ${joined}
         GROUP BY 1, 2, 3
       ) c ORDER BY 1, 2, 3`,
      { ids: [...scopeIds] },
    );
    return rows;
  }
  const existed = (alias: string) => `${alias}.created_at <= :asOf AND (${alias}.retired_at IS NULL OR ${alias}.retired_at > :asOf)`;
  // A dedicated scope counts what its boundary of then covered; a regular one, what resolved into its subtree.
  const { rows } = await db.raw(
    `/* inventoryAsOf:${spec.table}:${spec.kind} */ SELECT s.id AS scope_id, ${spec.kind} AS kind, ${status} AS status, count(*)::int AS count
     FROM unnest(CAST(:ids AS uuid[])) AS s(id)
     JOIN grid_version sv ON sv.grid_id = s.id AND ${IN_FORCE('sv')}
     JOIN ${spec.table} t ON t.location && ST_Expand(sv.boundary, 0.002) AND ${existed('t')}
     CROSS JOIN LATERAL grid_resolution(t.location, ${NEAREST_GRID_METERS}, :asOf) r
     ${spec.join?.(existed) ?? ''}
     WHERE CASE WHEN sv.level = 'DEDICATED' THEN ST_Covers(sv.boundary, t.location)
                ELSE EXISTS (SELECT 1 FROM grid_version v WHERE v.grid_id = r.grid_id AND ${IN_FORCE('v')}
                             AND (v.grid_id = s.id OR v.ancestor_ids @> ARRAY[s.id])) END
     GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    { ids: [...scopeIds], asOf },
  );
  return rows;
}
