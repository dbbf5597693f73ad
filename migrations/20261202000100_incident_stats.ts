import type { Knex } from 'knex';

/**
 * Incident statistics (`Grid.incidentStats`, src/modules/incident/stats.ts), pre-aggregated by triggers so a
 * city's year reads a few thousand rows instead of two million incidents.
 *
 * - `incident_stat_facts(incident, at)`: THE definition of what one incident contributes — a row for the day it
 *   was reported (in China) with its figures as it stands (accepted, resolved, each deadline met on time or
 *   late, satisfaction, time to resolve net of suspensions and that time's histogram bucket), and a row for the
 *   day it was resolved and for the day it was closed (flow counts for the daily series). Deadlines come from the
 *   columns src/modules/incident/sla.ts keeps: RED ⇔ the resolution deadline missed; the earliest ORANGE breach
 *   before the first assignment ⇔ the assignment deadline missed, at or after it ⇔ the first-progress deadline
 *   missed; a still-running deadline whose due instant is before `at` counts as missed. When both orange
 *   deadlines were missed the columns keep only the earlier breach: the first progress is then judged by the
 *   first assignment and first progress instants (pauses not subtracted).
 * - `incident_stats_day`: those facts summed by scope × China day × category, where the scopes are the whole
 *   deployment (the nil uuid) and the first two elements of the reported grid's path then (`reported_grid_path`
 *   || `reported_grid_id`: the district and the street), so past figures stay where they were counted when
 *   boundaries are redrawn or grids moved; with the histogram buckets of the day's times to resolve as a multiset
 *   (`resolve_buckets`). Grids deeper down (communities: hundreds of incidents a year) are read from the
 *   incidents through the same function.
 * - `incident_stats_month`: the same histogram by scope × month × category × bucket, so a year reads a few
 *   thousand rows; bucket 0 is under a minute, bucket k ≥ 1 is [1.05^(k−1), 1.05^k) minutes, so a p90 read from
 *   it is within 2.5 % of the exact one.
 * - three statement-level triggers on `incident` (insert, update, delete) append the difference between the old
 *   and new rows' facts, set-based, in one statement per writing statement (`incident_stats_statement`), whoever
 *   writes (the API, the demo seed's SQL, the benchmark's bulk inserts), to `incident_stats_day_pending` and
 *   `incident_stats_month_pending`: INSERT only, so concurrent reports never wait for each other (an upsert into
 *   the shared rows would hold every day × category row of the deployment until its transaction ends: measured,
 *   reports queued on it). `incident_stats_fold()` moves the pending rows into the kept tables; the SLA
 *   scheduler calls it every tick under its advisory lock. Reads go through `incident_stats_day_all` and
 *   `incident_stats_month_all` (kept ∪ pending), so a figure is exact whether or not the fold has run.
 * - `incident_stats_running`, `incident_stats_running_scope`: open incidents with a running deadline, by the
 *   instant the first one falls due and by scope (a deadline passing changes no row: the read adds those past due
 *   since).
 */
const FACT_COLUMNS = [
  'reported', 'accepted', 'rejected', 'merged', 'escalated', 'resolved', 'closed', 'resolved_on_day', 'closed_on_day',
  'assign_on_time', 'assign_late', 'progress_on_time', 'progress_late', 'resolve_on_time', 'resolve_late',
  'satisfied', 'basically_satisfied', 'unsatisfied',
];

/** An incident with a running deadline (the partial indexes' predicate: src/modules/incident/stats-repo.ts repeats it). */
const RUNNING = 'sla_assign_due_at IS NOT NULL OR sla_progress_due_at IS NOT NULL OR sla_resolve_due_at IS NOT NULL';

/** Scope ids that aggregate: the whole deployment, then path positions 1 and 2 (district, street). */
const AGGREGATED_PATH_ELEMENTS = 2;

const statements = [
  `CREATE FUNCTION china_day(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
     SELECT (t AT TIME ZONE INTERVAL '+08:00')::date
   $$`,
  `CREATE FUNCTION incident_duration_bucket(seconds bigint) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
     SELECT CASE WHEN seconds IS NULL THEN NULL WHEN seconds < 60 THEN 0
                 ELSE (1 + floor(ln(seconds / 60.0) / ln(1.05)))::smallint END
   $$`,
  // Per deadline: 1 in `*_on_time` or `*_late`, or neither (not started, not yet due, stopped before due).
  `CREATE FUNCTION incident_stat_deadlines(i incident, at timestamptz)
   RETURNS TABLE (assign_on_time int, assign_late int, progress_on_time int, progress_late int, resolve_on_time int, resolve_late int)
   LANGUAGE sql STABLE PARALLEL SAFE AS $$
     SELECT (a = 'O' IS TRUE)::int, (a = 'L' IS TRUE)::int, (p = 'O' IS TRUE)::int, (p = 'L' IS TRUE)::int, (r = 'O' IS TRUE)::int, (r = 'L' IS TRUE)::int
     FROM (SELECT
       CASE WHEN i.assigned_at IS NOT NULL THEN CASE WHEN i.sla_orange_at < i.assigned_at THEN 'L' ELSE 'O' END
            WHEN i.sla_orange_at IS NOT NULL OR i.sla_assign_due_at < at THEN 'L' END AS a,
       CASE WHEN i.assigned_at IS NULL THEN NULL
            WHEN i.sla_orange_at >= i.assigned_at OR i.sla_progress_due_at < at THEN 'L'
            WHEN i.sla_orange_at < i.assigned_at AND i.first_progress_at > i.assigned_at + make_interval(mins => i.sla_first_progress_minutes) THEN 'L'
            WHEN i.first_progress_at IS NOT NULL THEN 'O' END AS p,
       CASE WHEN i.sla_red_at IS NOT NULL OR i.sla_resolve_due_at < at THEN 'L'
            WHEN i.resolved_at IS NOT NULL THEN 'O' END AS r) d
   $$`,
  `CREATE FUNCTION incident_stat_facts(i incident, at timestamptz DEFAULT '-infinity')
   RETURNS TABLE (day date, category_code text, ${FACT_COLUMNS.map((c) => `${c} int`).join(', ')}, resolve_seconds bigint, bucket smallint)
   LANGUAGE sql STABLE PARALLEL SAFE AS $$
     SELECT china_day(i.reported_at), i.category_code, 1, (i.accepted_at IS NOT NULL)::int, (i.status = 'REJECTED')::int,
       (i.status = 'MERGED')::int, (i.escalation_count > 0)::int, (i.resolved_at IS NOT NULL)::int, (i.closed_at IS NOT NULL)::int, 0, 0,
       d.assign_on_time, d.assign_late, d.progress_on_time, d.progress_late, d.resolve_on_time, d.resolve_late,
       (i.satisfaction = 'SATISFIED' IS TRUE)::int, (i.satisfaction = 'BASICALLY_SATISFIED' IS TRUE)::int, (i.satisfaction = 'UNSATISFIED' IS TRUE)::int,
       s.seconds, incident_duration_bucket(s.seconds)
     FROM incident_stat_deadlines(i, at) d,
       (SELECT CASE WHEN i.resolved_at IS NOT NULL
                    THEN greatest(0, round(extract(epoch FROM i.resolved_at - i.reported_at - i.suspended_total)))::bigint END AS seconds) s
     UNION ALL
     SELECT china_day(i.resolved_at), i.category_code, ${FACT_COLUMNS.map((c) => (c === 'resolved_on_day' ? '1' : '0')).join(', ')}, NULL, NULL
     WHERE i.resolved_at IS NOT NULL
     UNION ALL
     SELECT china_day(i.closed_at), i.category_code, ${FACT_COLUMNS.map((c) => (c === 'closed_on_day' ? '1' : '0')).join(', ')}, NULL, NULL
     WHERE i.closed_at IS NOT NULL
   $$`,
  `CREATE TABLE incident_stats_day (
     scope_id uuid NOT NULL,
     day date NOT NULL,
     category_code text NOT NULL,
     ${FACT_COLUMNS.map((c) => `${c} integer NOT NULL DEFAULT 0`).join(',\n     ')},
     resolve_seconds bigint NOT NULL DEFAULT 0,
     resolve_buckets smallint[] NOT NULL DEFAULT '{}',
     PRIMARY KEY (scope_id, day, category_code)
   )`,
  `CREATE TABLE incident_stats_day_pending (LIKE incident_stats_day INCLUDING DEFAULTS)`,
  `CREATE INDEX incident_stats_day_pending_scope ON incident_stats_day_pending (scope_id, day)`,
  `CREATE TABLE incident_stats_month (
     scope_id uuid NOT NULL,
     month date NOT NULL,
     category_code text NOT NULL,
     bucket smallint NOT NULL,
     n integer NOT NULL,
     PRIMARY KEY (scope_id, month, category_code, bucket)
   )`,
  `CREATE TABLE incident_stats_month_pending (LIKE incident_stats_month INCLUDING DEFAULTS)`,
  `CREATE INDEX incident_stats_month_pending_scope ON incident_stats_month_pending (scope_id, month)`,
  `CREATE VIEW incident_stats_day_all AS SELECT * FROM incident_stats_day UNION ALL SELECT * FROM incident_stats_day_pending`,
  `CREATE VIEW incident_stats_month_all AS SELECT * FROM incident_stats_month UNION ALL SELECT * FROM incident_stats_month_pending`,
  // The scopes an incident counts in: the deployment and the district and street it was reported in.
  `CREATE FUNCTION incident_stat_scopes(i incident) RETURNS uuid[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
     SELECT '00000000-0000-0000-0000-000000000000'::uuid || (array_remove(i.reported_grid_path || i.reported_grid_id, NULL))[1:${AGGREGATED_PATH_ELEMENTS}]
   $$`,
  // A signed multiset of buckets (b counts one b, -1 - b takes one away: a pending row may take away what a kept
  // one counted) with `change` added, pairs that cancel out removed.
  `CREATE FUNCTION incident_buckets_apply(kept smallint[], change smallint[]) RETURNS smallint[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
     SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM unnest(change) c WHERE c < 0) THEN kept || change ELSE (
       SELECT coalesce(array_agg((CASE WHEN y.n > 0 THEN y.b ELSE -1 - y.b END)::smallint ORDER BY y.b), '{}') FROM (
         SELECT CASE WHEN c < 0 THEN -1 - c ELSE c END AS b, sum(CASE WHEN c < 0 THEN -1 ELSE 1 END)::int AS n
         FROM unnest(kept || change) c GROUP BY 1 HAVING sum(CASE WHEN c < 0 THEN -1 ELSE 1 END) <> 0
       ) y CROSS JOIN LATERAL generate_series(1, abs(y.n)) g) END
   $$`,
  // The one statement that records a change: the facts of the rows of `source` (columns sign, i: -1 for a row
  // removed, 1 for a row added) summed by key (rows that cancel out are not written) and appended to the pending
  // tables. A trigger EXECUTEs it on its transition tables.
  `CREATE FUNCTION incident_stats_statement(source text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
     SELECT format($q$
     WITH delta AS MATERIALIZED (
       SELECT s.scope_id, f.day, f.category_code, ${FACT_COLUMNS.map((c) => `c.sign * f.${c} AS ${c}`).join(', ')},
         c.sign * f.resolve_seconds AS resolve_seconds, (CASE WHEN c.sign = 1 THEN f.bucket ELSE -1 - f.bucket END)::smallint AS bucket
       FROM (%s) c
       CROSS JOIN LATERAL incident_stat_facts(c.i) f
       CROSS JOIN LATERAL unnest(incident_stat_scopes(c.i)) s(scope_id)
     ),
     days AS (
       INSERT INTO incident_stats_day_pending (scope_id, day, category_code, ${FACT_COLUMNS.join(', ')}, resolve_seconds, resolve_buckets)
       SELECT scope_id, day, category_code, ${FACT_COLUMNS.map((c) => `sum(${c})`).join(', ')}, coalesce(sum(resolve_seconds), 0),
         coalesce(array_agg(bucket) FILTER (WHERE bucket IS NOT NULL), '{}')
       FROM delta GROUP BY 1, 2, 3
       HAVING ${FACT_COLUMNS.map((c) => `sum(${c}) <> 0`).join(' OR ')} OR coalesce(sum(resolve_seconds), 0) <> 0 OR count(bucket) > 0
       RETURNING 1
     )
     INSERT INTO incident_stats_month_pending (scope_id, month, category_code, bucket, n)
     SELECT scope_id, date_trunc('month', day::timestamp)::date, category_code, CASE WHEN bucket < 0 THEN -1 - bucket ELSE bucket END,
       sum(CASE WHEN bucket < 0 THEN -1 ELSE 1 END)
     FROM delta WHERE bucket IS NOT NULL
     GROUP BY 1, 2, 3, 4 HAVING sum(CASE WHEN bucket < 0 THEN -1 ELSE 1 END) <> 0
     $q$, source)
   $f$`,
  // Moves the pending rows into the kept ones, summed by key and upserted in key order; returns how many pending
  // rows it moved. Rows committed while it runs stay for the next call; two calls at once each move what the other
  // did not (a deleted row is skipped), and readers see either the pending rows or their sum, never both.
  `CREATE FUNCTION incident_stats_fold() RETURNS integer LANGUAGE plpgsql SET work_mem = '64MB' AS $$
   DECLARE moved_days integer; moved_months integer;
   BEGIN
     WITH moved AS (DELETE FROM incident_stats_day_pending RETURNING *),
     summed AS (
       SELECT scope_id, day, category_code, ${FACT_COLUMNS.map((c) => `sum(${c})::int AS ${c}`).join(', ')}, sum(resolve_seconds)::bigint AS resolve_seconds, count(*) AS rows
       FROM moved GROUP BY 1, 2, 3
     ),
     buckets AS (
       SELECT scope_id, day, category_code, array_agg(b) AS resolve_buckets FROM moved CROSS JOIN LATERAL unnest(moved.resolve_buckets) b GROUP BY 1, 2, 3
     ),
     kept AS (
       INSERT INTO incident_stats_day AS t (scope_id, day, category_code, ${FACT_COLUMNS.join(', ')}, resolve_seconds, resolve_buckets)
       SELECT s.scope_id, s.day, s.category_code, ${FACT_COLUMNS.map((c) => `s.${c}`).join(', ')}, s.resolve_seconds, coalesce(b.resolve_buckets, '{}')
       FROM summed s LEFT JOIN buckets b USING (scope_id, day, category_code)
       ORDER BY 1, 2, 3
       ON CONFLICT (scope_id, day, category_code) DO UPDATE SET
         ${FACT_COLUMNS.map((c) => `${c} = t.${c} + excluded.${c}`).join(', ')}, resolve_seconds = t.resolve_seconds + excluded.resolve_seconds,
         resolve_buckets = incident_buckets_apply(t.resolve_buckets, excluded.resolve_buckets)
       RETURNING 1
     )
     SELECT coalesce(sum(rows), 0) INTO moved_days FROM summed;
     WITH moved AS (DELETE FROM incident_stats_month_pending RETURNING *),
     kept AS (
       INSERT INTO incident_stats_month AS t (scope_id, month, category_code, bucket, n)
       SELECT scope_id, month, category_code, bucket, sum(n) FROM moved GROUP BY 1, 2, 3, 4
       ORDER BY 1, 2, 3, 4
       ON CONFLICT (scope_id, month, category_code, bucket) DO UPDATE SET n = t.n + excluded.n
       RETURNING 1
     )
     SELECT count(*) INTO moved_months FROM moved;
     RETURN moved_days + moved_months;
   END $$`,
  // Sorting a bulk insert's facts in memory rather than on disk.
  // The trigger's statements are written into its body when it is created, not EXECUTEd as text at each call:
  // PL/pgSQL then plans each once a connection, where EXECUTE planned it again on every write (measured on the
  // update of one incident: 1.8 ms → 0.2 ms, three of them a report).
  `DO $do$ BEGIN EXECUTE format($f$
   CREATE FUNCTION incident_stats_apply() RETURNS trigger LANGUAGE plpgsql SET work_mem = '64MB' AS $b$
   BEGIN
     IF TG_OP = 'INSERT' THEN %s;
     ELSIF TG_OP = 'UPDATE' THEN %s;
     ELSE %s;
     END IF;
     RETURN NULL;
   END $b$ $f$,
     incident_stats_statement('SELECT 1 AS sign, n::incident AS i FROM new_rows n'),
     incident_stats_statement('SELECT -1 AS sign, o::incident AS i FROM old_rows o UNION ALL SELECT 1, n::incident FROM new_rows n'),
     incident_stats_statement('SELECT -1 AS sign, o::incident AS i FROM old_rows o'));
   END $do$`,
  `CREATE TRIGGER incident_stats_insert AFTER INSERT ON incident REFERENCING NEW TABLE AS new_rows
   FOR EACH STATEMENT EXECUTE FUNCTION incident_stats_apply()`,
  `CREATE TRIGGER incident_stats_update AFTER UPDATE ON incident REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
   FOR EACH STATEMENT EXECUTE FUNCTION incident_stats_apply()`,
  `CREATE TRIGGER incident_stats_delete AFTER DELETE ON incident REFERENCING OLD TABLE AS old_rows
   FOR EACH STATEMENT EXECUTE FUNCTION incident_stats_apply()`,
  `CREATE INDEX incident_stats_running ON incident ((LEAST(sla_assign_due_at, sla_progress_due_at, sla_resolve_due_at)))
   WHERE ${RUNNING}`,
  // …and by the scopes they count in, for a district's or a street's read.
  `CREATE INDEX incident_stats_running_scope ON incident USING gin ((reported_grid_path || reported_grid_id)) WHERE ${RUNNING}`,
  // Incidents already there (none on a fresh database) are counted once.
  `DO $$ BEGIN EXECUTE incident_stats_statement('SELECT 1 AS sign, i FROM incident i'); PERFORM incident_stats_fold(); END $$`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['incident_stats_insert', 'incident_stats_update', 'incident_stats_delete']) await knex.raw(`DROP TRIGGER IF EXISTS ${t} ON incident`);
  await knex.raw('DROP INDEX IF EXISTS incident_stats_running, incident_stats_running_scope');
  await knex.raw('DROP VIEW IF EXISTS incident_stats_day_all, incident_stats_month_all');
  await knex.raw('DROP TABLE IF EXISTS incident_stats_day, incident_stats_month, incident_stats_day_pending, incident_stats_month_pending');
  for (const f of [
    'incident_stats_apply()', 'incident_stats_fold()', 'incident_stats_statement(text)', 'incident_buckets_apply(smallint[], smallint[])', 'incident_stat_scopes(incident)',
    'incident_stat_facts(incident, timestamptz)', 'incident_stat_deadlines(incident, timestamptz)', 'incident_duration_bucket(bigint)', 'china_day(timestamptz)',
  ]) {
    await knex.raw(`DROP FUNCTION IF EXISTS ${f}`);
  }
}
