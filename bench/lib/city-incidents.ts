import type { Knex } from 'knex';
import { Client } from 'pg';
import { withoutSecondaryIndexes } from './indexes';

/** The benchmark year: 12 months in China, the last of them October 2026. */
export const YEAR = { from: '2025-11-01T00:00:00+08:00', to: '2026-11-01T00:00:00+08:00' };
export const MONTH = { from: '2026-10-01T00:00:00+08:00', to: '2026-11-01T00:00:00+08:00' };

/**
 * The category mix (shares of all incidents): livelihood requests and hazards lead, then the disputes the
 * seeds' centres list (neighbours, property management, family, wages…).
 */
const CATEGORY_MIX: [string, number][] = [
  ['LIVELIHOOD', 25], ['SAFETY_HAZARD', 15], ['DISPUTE_NEIGHBOR', 12], ['DISPUTE_PROPERTY_MANAGEMENT', 8], ['DISPUTE_FAMILY', 6],
  ['PUBLIC_SECURITY', 6], ['FIRE_SAFETY', 5], ['DISPUTE_LABOR', 3], ['DISPUTE_WAGE_ARREARS', 3], ['DISPUTE_TRAFFIC', 3],
  ['DISPUTE_HOUSING_LAND', 2], ['DISPUTE_CONTRACT', 2], ['DISPUTE_DAMAGES', 2], ['DISPUTE_BUSINESS', 1.5], ['DISPUTE_ENVIRONMENT', 1.5],
  ['DISPUTE_MEDICAL', 1], ['DISPUTE_LAND_ACQUISITION', 1], ['DISPUTE_FOREST_LAND', 0.5], ['OTHER', 2.5],
];

const H = `interval '1 hour'`;

/**
 * One batch of incidents, numbers `:a`–`:b`, in set-based SQL: each in a random micro-grid of the city (at a point
 * inside it; `grid_id` given, the located-record trigger off meanwhile), at a random instant of the year, with
 * the timestamps and deadline columns its outcome implies, as the API's steps would have left them:
 * 1.5 % rejected; 2.5 % still in progress (reported in the year's last 45 days); the rest resolved (96 %), 3 % of
 * them after the 30-day deadline, 1 % after a suspension; assignment late for 3 %, the first progress for 4 %;
 * 6 % escalated; of the resolved, 90 % closed after the follow-up visit and 5 % visited but not yet closed
 * (满意 92 %, 基本满意 6 %, 不满意 2 %). No timeline entries: the statistics read the incident rows only.
 */
const BATCH_SQL = `/* benchIncidents */
WITH r AS (
  SELECT n, random() AS ug, random() AS uc, random() AS ud, random() AS uo, random() AS u1, random() AS u2, random() AS u3,
    random() AS u4, random() AS u5, random() AS u6, random() AS u7, random() AS us, random() AS ue, random() AS uh, random() AS uv
  FROM generate_series(:a::bigint, :b::bigint) n
), x AS (
  SELECT r.*, g.id AS gid, g.ancestor_ids, g.centre, g.p,
    (SELECT c.code FROM bench_incident_category c WHERE c.upto > r.uc ORDER BY c.upto LIMIT 1) AS category,
    CASE WHEN r.uo < 0.015 THEN 'REJECTED' WHEN r.uo < 0.04 THEN 'OPEN' ELSE 'RESOLVED' END AS outcome
  FROM r JOIN bench_incident_grid g ON g.idx = floor(r.ug * :grids)::int
), t AS (
  SELECT x.*,
    CASE WHEN outcome = 'OPEN' THEN :yearTo::timestamptz - (ud * 45) * interval '1 day'
         ELSE :yearFrom::timestamptz + (ud * :yearDays) * interval '1 day' END AS reported_at,
    (u1 * 2) AS acc_h,
    CASE WHEN u2 < 0.97 THEN 0.1 + u2 / 0.97 * 20 ELSE 25 + (u2 - 0.97) / 0.03 * 47 END AS asg_h,
    CASE WHEN u3 < 0.96 THEN 0.2 + u3 / 0.96 * 20 ELSE 25 + (u3 - 0.96) / 0.04 * 35 END AS prg_h,
    CASE WHEN u4 < 0.03 THEN (31 + u4 / 0.03 * 29) * 24
         ELSE least(29.5 * 24, exp(ln(40) + sqrt(-2 * ln(greatest(u5, 1e-9))) * cos(2 * pi() * u6))) END AS res_h,
    CASE WHEN uh < 0.01 THEN 24 + uh * 9600 ELSE 0 END AS susp_h
  FROM x
), s AS (
  SELECT t.*,
    reported_at + acc_h * ${H} AS accepted_at,
    reported_at + (acc_h + asg_h) * ${H} AS assigned_at,
    reported_at + (acc_h + asg_h + prg_h) * ${H} AS progress_at
  FROM t
), o AS (
  SELECT s.*,
    CASE WHEN outcome = 'RESOLVED' THEN greatest(progress_at + 0.5 * ${H}, reported_at + res_h * ${H}) + susp_h * ${H} END AS resolved_at
  FROM s
)
INSERT INTO incident (tracking_code, category_code, title, channel, location, grid_id, reported_grid_id, reported_grid_path,
  centre_grid_id, level, status, satisfaction, escalation_count, sla_assign_minutes, sla_first_progress_minutes, sla_resolve_minutes,
  sla_resolve_due_at, sla_orange_at, sla_red_at, reported_at, accepted_at, assigned_at, first_progress_at, resolved_at, closed_at,
  suspended_total, created_at, updated_at, updated_by)
SELECT upper(lpad(to_hex(n), 12, '0')), category, 'bench:incidents ' || n,
  CASE WHEN uv < 0.55 THEN 'GRID_WORKER_APP' WHEN uv < 0.75 THEN 'HOTLINE_12345' WHEN uv < 0.87 THEN 'RESIDENT_QR'
       WHEN uv < 0.93 THEN 'VIDEO_PATROL' WHEN uv < 0.97 THEN 'WALK_IN' ELSE 'OPEN311' END,
  p, gid, gid, ancestor_ids,
  CASE WHEN ue < 0.01 AND outcome <> 'REJECTED' THEN ancestor_ids[2] ELSE centre END,
  CASE WHEN outcome = 'REJECTED' THEN 'GRID' WHEN ue < 0.01 THEN 'STREET' WHEN ue < 0.06 THEN 'COMMUNITY' ELSE 'GRID' END,
  CASE WHEN outcome = 'REJECTED' THEN 'REJECTED' WHEN outcome = 'OPEN' THEN 'IN_PROGRESS'
       WHEN u7 < 0.90 THEN 'CLOSED' WHEN u7 < 0.95 THEN 'VERIFIED' ELSE 'RESOLVED' END,
  CASE WHEN outcome = 'RESOLVED' AND u7 < 0.95 THEN CASE WHEN us < 0.92 THEN 'SATISFIED' WHEN us < 0.98 THEN 'BASICALLY_SATISFIED' ELSE 'UNSATISFIED' END END,
  CASE WHEN outcome = 'REJECTED' THEN 0 WHEN ue < 0.01 THEN 2 WHEN ue < 0.06 THEN 1 ELSE 0 END,
  1440, 1440, 43200,
  CASE WHEN outcome = 'OPEN' THEN reported_at + interval '30 days' END,
  CASE WHEN outcome = 'REJECTED' THEN NULL WHEN acc_h + asg_h > 24 THEN reported_at + 24 * ${H} WHEN prg_h > 24 THEN assigned_at + 24 * ${H} END,
  CASE WHEN resolved_at - reported_at - susp_h * ${H} > interval '30 days' THEN reported_at + interval '30 days' END,
  reported_at,
  CASE WHEN outcome <> 'REJECTED' THEN accepted_at END,
  CASE WHEN outcome <> 'REJECTED' THEN assigned_at END,
  CASE WHEN outcome <> 'REJECTED' THEN progress_at END,
  resolved_at,
  CASE WHEN outcome = 'RESOLVED' AND u7 < 0.90 THEN resolved_at + (24 + u7 * 48) * ${H} END,
  susp_h * ${H}, reported_at,
  coalesce(resolved_at, CASE WHEN outcome = 'REJECTED' THEN accepted_at ELSE progress_at END), 'bench:incidents'
FROM o`;

/** The city's micro-grids (where incidents land) numbered 0…n−1, and the category mix as cumulative shares. */
async function prepare(trx: Knex.Transaction, codePrefix: string): Promise<number> {
  await trx.raw(`DROP TABLE IF EXISTS bench_incident_grid, bench_incident_category`);
  await trx.raw(
    `/* benchIncidentGrids */ CREATE TABLE bench_incident_grid AS
     SELECT (row_number() OVER (ORDER BY code) - 1)::int AS idx, id, ancestor_ids, incident_centre(id) AS centre, ST_PointOnSurface(boundary) AS p
     FROM grid WHERE level = 'MICRO_GRID' AND valid_to IS NULL AND code LIKE ?`,
    [`${codePrefix}%`],
  );
  await trx.raw(`CREATE UNIQUE INDEX ON bench_incident_grid (idx)`);
  const total = CATEGORY_MIX.reduce((s, [, w]) => s + w, 0);
  let upto = 0;
  const values = CATEGORY_MIX.map(([code, w]) => `('${code}', ${(upto += w / total).toFixed(6)})`);
  await trx.raw(`CREATE TABLE bench_incident_category AS SELECT * FROM (VALUES ${values.join(', ')}) v(code, upto)`);
  await trx.raw(`UPDATE bench_incident_category SET upto = 1.000001 WHERE code = 'OTHER'`);
  const { rows } = await trx.raw('SELECT count(*)::int AS n FROM bench_incident_grid');
  return rows[0].n;
}

/**
 * Inserts `total` incidents into the city in batches of `batch` through the statistics triggers, once (nothing
 * happens when the benchmark's incidents are there). One transaction, the incident table's secondary indexes
 * dropped meanwhile and rebuilt after, then VACUUM ANALYZE. Prints the seconds each batch took.
 */
export async function loadCityIncidents(
  knex: Knex,
  databaseUrl: string,
  codePrefix: string,
  o: { total: number; batch: number; onProgress: (line: string) => void },
): Promise<'already-loaded' | { ms: number }> {
  const { total, batch, onProgress } = o;
  const { rows } = await knex.raw(`SELECT count(*)::int AS n FROM incident WHERE updated_by = 'bench:incidents'`);
  if (rows[0].n >= total) return 'already-loaded';
  if (rows[0].n > 0) throw new Error(`the database holds ${rows[0].n} of the benchmark's incidents, not ${total}: drop it and run again`);
  const started = Date.now();
  await knex.transaction(async (trx) => {
    await trx.raw('SET LOCAL statement_timeout = 0');
    await trx.raw(`SET LOCAL work_mem = '256MB'`);
    await trx.raw(`SET LOCAL maintenance_work_mem = '1GB'`);
    const grids = await prepare(trx, codePrefix);
    await trx.raw('ALTER TABLE incident DISABLE TRIGGER incident_grid');
    const days = (Date.parse(YEAR.to) - Date.parse(YEAR.from)) / 86_400_000;
    await withoutSecondaryIndexes(trx, ['incident'], async () => {
      for (let a = 1; a <= total; a += batch) {
        const b = Math.min(total, a + batch - 1);
        const t0 = Date.now();
        await trx.raw(BATCH_SQL, { a, b, grids, yearFrom: YEAR.from, yearTo: YEAR.to, yearDays: days });
        await trx.raw('SELECT incident_stats_fold()');
        onProgress(`  incidents ${a}–${b} with their statistics in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
    }, { onProgress });
    await trx.raw('ALTER TABLE incident ENABLE TRIGGER incident_grid');
  });
  // VACUUM (outside a transaction, longer than the pool's statement timeout): hint bits and the visibility map
  // set once here rather than by the first reads.
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SET statement_timeout = 0');
    for (const table of ['incident', 'incident_stats_day', 'incident_stats_month']) await client.query(`VACUUM ANALYZE ${table}`);
  } finally {
    await client.end();
  }
  return { ms: Date.now() - started };
}
