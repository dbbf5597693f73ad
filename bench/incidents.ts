/**
 * `npm run bench:incidents`: incident statistics at a city's scale (issue 11, item 10).
 *
 * Builds the benchmark city (bench/city.ts: Zhengzhou's 15 districts, 208 streets, 19,557 grids, 107,158
 * micro-grids) in DATABASE_URL if it is not there, then, once, `--incidents` incidents (default 2.13 million, the
 * city's yearly figure) over the year November 2025 – October 2026 in set-based SQL (bench/lib/city-incidents.ts:
 * the category mix, ~96 % resolved, some escalated, some late), counted into the statistics by the triggers as
 * they are inserted. Then prints (nothing is asserted) `incidentStats` of the busiest street, its district and the
 * whole city over October 2026 and over the year: in process (the real schema, resolvers and SQL, no HTTP) and
 * over HTTP against a server process, medians of `--runs` after a warm-up, as an ADMIN of the whole deployment.
 * Targets: the city's year ≤ 1 s, a street's month ≤ 50 ms. Last, a check: the city's year counts every incident,
 * and its districts' counts add up to it.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/grid_registry_bench_incidents npm run bench:incidents -- \
 *     [--incidents 2130000] [--batch 100000] [--runs 7] [--skip-http]
 *
 * Use a database of its own (it is created if missing): the benchmark's incidents carry no timeline entries.
 */
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { signToken } from '../src/modules/auth/jwt';
import { openCityDatabase } from './lib/city-db';
import { CITY_CODE_PREFIX } from './lib/city-places';
import { loadCityIncidents, MONTH, YEAR } from './lib/city-incidents';
import { BENCH_ADMIN, BENCH_JWT_SECRET, BENCH_PII_KEY, benchConfig, fmt, inProcessAs, measureOperation, median, optional, timed } from './lib/in-process';
import { startServer } from './lib/server';

const TARGET = { cityYearMs: 1000, streetMonthMs: 50 };
const FIGURES = `reported accepted rejected resolved closed escalated resolutionRate escalatedShare deadlines { kind onTime late onTimeRate }
  timeToResolve { count averageHours p90Hours p90Exact } satisfaction { rated satisfied basicallySatisfied unsatisfied satisfiedRate averageScore }`;
const STATS = `total { ${FIGURES} } byCategory { category { code } ${FIGURES} } daily { date reported resolved closed } resolvedInPeriod closedInPeriod`;
const GRID_STATS = `query GridStats($code: String!, $from: DateTime!, $to: DateTime!) { grid(code: $code) { incidentStats(from: $from, to: $to) { ${STATS} } } }`;
const CITY_STATS = `query CityStats($from: DateTime!, $to: DateTime!) { incidentStats(from: $from, to: $to) { ${STATS} } }`;

interface Case {
  name: string;
  query: string;
  variables: Record<string, string>;
  target?: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      incidents: { type: 'string', default: '2130000' },
      batch: { type: 'string', default: '100000' },
      runs: { type: 'string', default: '7' },
      'skip-http': { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  const { config, db } = await openCityDatabase();
  const knex = db.knex;
  try {
    const loaded = await loadCityIncidents(knex, config.databaseUrl, CITY_CODE_PREFIX, { total: Number(values.incidents), batch: Number(values.batch), onProgress: (line) => console.log(line) });
    if (loaded !== 'already-loaded') console.log(`${values.incidents} incidents and their statistics in ${(loaded.ms / 1000).toFixed(1)} s (one transaction, indexes rebuilt after)`);
    console.log(`\n${await datasetLine(knex)}\n`);

    const cases = await casesOf(knex);
    console.log(`in process, ${runs} runs after a warm-up (ADMIN of the whole deployment)`);
    const run = inProcessAs(knex, BENCH_ADMIN);
    const results: { name: string; ms: number; target?: number }[] = [];
    for (const c of cases) {
      const ms = await measureOperation(c.name, runs, async () => summary((await run(c.query, c.variables)).data));
      results.push({ name: c.name, ms, target: c.target });
    }
    if (!values['skip-http']) await optional('over HTTP', async () => void results.push(...(await overHttp(config.databaseUrl!, cases, runs))));
    for (const r of results.filter((x) => x.target !== undefined)) {
      console.log(`target: ${r.name} ≤ ${r.target} ms: ${fmt(r.ms)} ms ${r.ms <= r.target! ? 'MET' : 'NOT MET'}`);
    }
    await check(knex, run);
  } finally {
    await db.close();
  }
}

function summary(data: any): string {
  const s = data.grid?.incidentStats ?? data.incidentStats;
  const t = s.total;
  const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)} %`);
  return (
    `reported ${t.reported}, 化解率 ${pct(t.resolutionRate)}, on time ${t.deadlines.map((d: any) => pct(d.onTimeRate)).join('/')}, ` +
    `p90 ${t.timeToResolve.p90Hours?.toFixed(1)} h, 满意率 ${pct(t.satisfaction.satisfiedRate)}, ${s.byCategory.length} categories, ${s.daily.length} days`
  );
}

/** The busiest street (most incidents in the year), its district, and the whole city, over the month and the year. */
async function casesOf(knex: Knex): Promise<Case[]> {
  const { rows } = await knex.raw(
    `/* benchBusiestStreet */ SELECT s.code, s.name, d.code AS district_code, d.name AS district_name
     FROM grid s JOIN grid d ON d.id = s.parent_id
     JOIN LATERAL (SELECT sum(reported) AS n FROM incident_stats_day_all x WHERE x.scope_id = s.id) x ON true
     WHERE s.level = 'STREET' AND s.valid_to IS NULL AND s.code LIKE ? ORDER BY x.n DESC NULLS LAST, s.code LIMIT 1`,
    [`${CITY_CODE_PREFIX}%`],
  );
  const { code, name, district_code: districtCode, district_name: districtName } = rows[0];
  const cases: Case[] = [];
  for (const [period, w] of [['month', MONTH], ['year', YEAR]] as const) {
    cases.push({ name: `street ${name} ${period}`, query: GRID_STATS, variables: { code, ...w }, target: period === 'month' ? TARGET.streetMonthMs : undefined });
    cases.push({ name: `district ${districtName} ${period}`, query: GRID_STATS, variables: { code: districtCode, ...w } });
    cases.push({ name: `city ${period}`, query: CITY_STATS, variables: { ...w }, target: period === 'year' ? TARGET.cityYearMs : undefined });
  }
  return cases;
}

/** The same operations over HTTP against a server process, one request at a time: medians of `runs` after a warm-up. */
async function overHttp(databaseUrl: string, cases: readonly Case[], runs: number): Promise<{ name: string; ms: number; target?: number }[]> {
  const token = await signToken(benchConfig().jwt, { subject: BENCH_ADMIN.subject, role: 'ADMIN' });
  const server = await startServer({ DATABASE_URL: databaseUrl, NODE_ENV: 'production', JWT_SECRET: BENCH_JWT_SECRET, PII_KEY: BENCH_PII_KEY, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0' });
  console.log(`\nover HTTP (${server.url}), one request at a time, ${runs} runs after a warm-up`);
  const out: { name: string; ms: number; target?: number }[] = [];
  try {
    for (const c of cases) {
      const post = async () => {
        const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: c.query, variables: c.variables }) });
        const json = (await res.json()) as { data?: unknown; errors?: unknown[] };
        if (json.errors) throw new Error(`${c.name}: ${JSON.stringify(json.errors).slice(0, 300)}`);
        return json.data;
      };
      await post();
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) ms.push((await timed(post)).ms);
      console.log(`  ${`${c.name} (HTTP)`.padEnd(34)} median ${fmt(median(ms))} ms  min ${fmt(Math.min(...ms))}  max ${fmt(Math.max(...ms))}`);
      out.push({ name: `${c.name} (HTTP)`, ms: median(ms), target: c.target });
    }
  } finally {
    await server.stop();
  }
  return out;
}

async function datasetLine(knex: Knex): Promise<string> {
  const { rows } = await knex.raw(
    `/* benchIncidentsDataset */ SELECT (SELECT count(*) FROM incident)::int AS incidents,
       (SELECT count(*) FROM grid WHERE valid_to IS NULL AND code LIKE :p)::int AS grids,
       (SELECT count(*) FROM incident_stats_day)::int AS day_rows, (SELECT count(*) FROM incident_stats_month)::int AS month_rows,
       pg_size_pretty(pg_total_relation_size('incident_stats_day') + pg_total_relation_size('incident_stats_month')) AS stats_size,
       pg_size_pretty(pg_total_relation_size('incident')) AS incident_size`,
    { p: `${CITY_CODE_PREFIX}%` },
  );
  const r = rows[0];
  return `dataset: ${r.incidents} incidents (${r.incident_size}) in ${r.grids} grids; statistics: ${r.day_rows} day rows, ${r.month_rows} monthly histogram rows (${r.stats_size})`;
}

/** The city's year counts every incident of the year; its districts' counts add up to the city's. */
async function check(knex: Knex, run: ReturnType<typeof inProcessAs>): Promise<void> {
  const { rows } = await knex.raw(`SELECT count(*)::int AS n FROM incident WHERE reported_at >= ? AND reported_at < ?`, [YEAR.from, YEAR.to]);
  const { rows: districts } = await knex.raw(`SELECT code FROM grid WHERE level = 'DISTRICT' AND valid_to IS NULL AND code LIKE ? ORDER BY code`, [`${CITY_CODE_PREFIX}%`]);
  const city = (await run(CITY_STATS, YEAR)).data.incidentStats.total;
  let sum = 0;
  for (const d of districts) sum += (await run(GRID_STATS, { code: d.code, ...YEAR })).data.grid.incidentStats.total.reported;
  console.log(`check: incidents reported in the year ${rows[0].n}; the city's year ${city.reported}; its ${districts.length} districts ${sum}: ${rows[0].n === city.reported && sum === city.reported ? 'equal' : 'NOT EQUAL'}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
