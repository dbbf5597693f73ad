import type { Knex } from 'knex';

/**
 * SQL of the incident statistics. Every figure is a sum of `incident_stat_facts` (migration 20261202000100: the
 * one definition of what an incident contributes), read either from the trigger-kept `incident_stats_day_all` (kept ∪ pending rows) of an
 * aggregated scope (the whole deployment, a district, a street) or, for grids below, from the incidents
 * themselves through the same function.
 */

/** The scope id of the whole deployment in the aggregate tables. */
export const EVERYWHERE = '00000000-0000-0000-0000-000000000000';

export const FIGURE_COLUMNS = [
  'reported', 'accepted', 'rejected', 'merged', 'escalated', 'resolved', 'closed', 'resolved_on_day', 'closed_on_day',
  'assign_on_time', 'assign_late', 'progress_on_time', 'progress_late', 'resolve_on_time', 'resolve_late',
  'satisfied', 'basically_satisfied', 'unsatisfied',
] as const;

export type FigureColumn = (typeof FIGURE_COLUMNS)[number];

/** One line of sums: of a category (`day` null), of a day (`category_code` null), or the total (both null). */
export type FigureRow = Record<FigureColumn, number> & {
  category_code: string | null;
  day: string | null;
  resolve_seconds: number;
  /** Exact nearest-rank p90 of the times to resolve (the incidents path only). */
  p90_seconds?: number | null;
};

export const DEADLINE_COLUMNS = ['assign_on_time', 'assign_late', 'progress_on_time', 'progress_late', 'resolve_on_time', 'resolve_late'] as const;
export type DeadlineColumn = (typeof DEADLINE_COLUMNS)[number];

/** Deadline counts that changed since the rows were written: running deadlines now past due. */
export type DeadlineDelta = Pick<FigureRow, 'category_code' | DeadlineColumn>;

export interface BucketRow {
  category_code: string;
  bucket: number;
  n: number;
}

/** Days `from` (included) to `to` (excluded), `YYYY-MM-DD` in China; the instants of their midnights. */
export interface Window {
  fromDay: string;
  toDay: string;
  fromAt: Date;
  toAt: Date;
  now: Date;
}

const sums = (columns: readonly string[]) => columns.map((c) => `coalesce(sum(${c}), 0)::int AS ${c}`).join(', ');

/** By category, by day and in total, from a relation of facts (`source`, with `day`, `category_code` and the sums). */
function figuresFrom(source: string, exactP90: boolean): string {
  return `SELECT category_code, to_char(day, 'YYYY-MM-DD') AS day, ${sums(FIGURE_COLUMNS)},
      coalesce(sum(resolve_seconds), 0)::float8 AS resolve_seconds
      ${exactP90 ? ', percentile_disc(0.9) WITHIN GROUP (ORDER BY resolve_seconds)::float8 AS p90_seconds' : ''}
    FROM ${source}
    GROUP BY GROUPING SETS ((category_code), (day), ())`;
}

/** The figures of an aggregated scope (the deployment, a district, a street) as the triggers have kept them. */
export async function aggregatedFigures(db: Knex, scopeId: string, w: Window): Promise<FigureRow[]> {
  const { rows } = await db.raw(
    `/* incidentStatsAggregated */ ${figuresFrom(`incident_stats_day_all WHERE scope_id = :scopeId AND day >= :fromDay AND day < :toDay`, false)}`,
    { scopeId, fromDay: w.fromDay, toDay: w.toDay },
  );
  return rows;
}

/** An incident with a running deadline: the predicate of the partial indexes of migration 20261202000100, verbatim. */
const RUNNING = 'i.sla_assign_due_at IS NOT NULL OR i.sla_progress_due_at IS NOT NULL OR i.sla_resolve_due_at IS NOT NULL';

/**
 * The running deadlines of a scope's window's incidents that have fallen due since their latest entry: the whole
 * deployment's by the instant they fall due, a district's or a street's by scope (both partial indexes).
 */
export async function deadlinesDueSince(db: Knex, scopeId: string, w: Window): Promise<DeadlineDelta[]> {
  const { rows } = await db.raw(
    `/* incidentStatsDueSince */ SELECT i.category_code, ${DEADLINE_COLUMNS.map((c) => `sum(n.${c} - o.${c})::int AS ${c}`).join(', ')}
     FROM incident i
     CROSS JOIN LATERAL incident_stat_deadlines(i, :now) n
     CROSS JOIN LATERAL incident_stat_deadlines(i, '-infinity') o
     WHERE (${RUNNING}) AND LEAST(i.sla_assign_due_at, i.sla_progress_due_at, i.sla_resolve_due_at) < :now
       AND i.reported_at >= :fromAt AND i.reported_at < :toAt
       ${scopeId === EVERYWHERE ? '' : 'AND (i.reported_grid_path || i.reported_grid_id) @> ARRAY[:scopeId]::uuid[]'}
     GROUP BY i.category_code`,
    { scopeId, now: w.now, fromAt: w.fromAt, toAt: w.toAt },
  );
  return rows;
}

/**
 * The histogram of times to resolve of an aggregated scope's window, by category: whole months from the monthly
 * rows, the days before the first and after the last whole month from the days' bucket lists (b counts a b,
 * -1 - b takes one away), kept and pending rows summed.
 */
export async function durationBuckets(db: Knex, scopeId: string, w: Window, months: { from: string; to: string } | null): Promise<BucketRow[]> {
  const { rows } = await db.raw(
    `/* incidentStatsDurations */ SELECT category_code, bucket, sum(n)::int AS n FROM (
       SELECT category_code, bucket, n FROM incident_stats_month_all
       WHERE scope_id = :scopeId AND month >= :monthFrom AND month < :monthTo
       UNION ALL
       SELECT d.category_code, CASE WHEN b < 0 THEN -1 - b ELSE b END, CASE WHEN b < 0 THEN -1 ELSE 1 END
       FROM incident_stats_day_all d CROSS JOIN LATERAL unnest(d.resolve_buckets) b
       WHERE d.scope_id = :scopeId AND d.day >= :fromDay AND d.day < :toDay AND NOT (d.day >= :monthFrom AND d.day < :monthTo)
     ) h
     GROUP BY category_code, bucket HAVING sum(n) <> 0 ORDER BY category_code, bucket`,
    { scopeId, fromDay: w.fromDay, toDay: w.toDay, monthFrom: months?.from ?? w.toDay, monthTo: months?.to ?? w.toDay },
  );
  return rows;
}

/**
 * The figures of a grid below the aggregated levels, from its incidents (reported in it or below it then), each
 * through `incident_stat_facts` as of now; the p90 exact.
 */
export async function figuresFromIncidents(db: Knex, gridId: string, w: Window): Promise<FigureRow[]> {
  const { rows } = await db.raw(
    `/* incidentStatsFromIncidents */ WITH facts AS MATERIALIZED (
       SELECT f.* FROM incident i CROSS JOIN LATERAL incident_stat_facts(i, :now) f
       WHERE (i.reported_grid_id = :gridId OR i.reported_grid_path @> ARRAY[:gridId]::uuid[])
     )
     ${figuresFrom(`facts WHERE day >= :fromDay AND day < :toDay`, true)}`,
    { gridId, now: w.now, fromDay: w.fromDay, toDay: w.toDay },
  );
  return rows;
}

/**
 * Moves the statistics rows the triggers appended since the last call into the kept rows (the SLA scheduler does it
 * every tick; reads are exact either way); returns how many pending rows it moved.
 */
export async function foldStatistics(db: Knex): Promise<number> {
  const { rows } = await db.raw(`/* incidentStatsFold */ SELECT incident_stats_fold() AS moved`);
  return rows[0].moved;
}
