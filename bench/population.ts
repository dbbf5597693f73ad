/**
 * `npx tsx bench/population.ts`: population figures at city scale (issue 10, item 6).
 *
 * Loads the benchmark city and its places into DATABASE_URL if they are not there (bench/city.ts,
 * bench/lib/city-places.ts: ~300,000 buildings, ~5 million houses), then synthetic people in SQL, `--batch`
 * people per INSERT statement through the counters' triggers (households in random order across the city: each
 * statement touches tens of thousands of buildings, the counters' worst case), every fifth statement timed
 * against the same rows with the population triggers disabled. Then prints (nothing is asserted):
 *   - `Grid.population` of the busiest street, its district, and `Query.population` of the whole city
 *     (targets ≤ 100 ms and ≤ 1 s), and `householdCoverage` of the street, in process, median of `--runs`;
 *   - the street and the city read with the counters' epoch a year behind (a new year's first reads), and the
 *     yearly move of the epoch;
 *   - the same ages read the alternative way (a narrow per-(building, birth year) table), for comparison;
 *   - checks: a street's figures against a direct count of the tables, and the counters against
 *     `population_rebuild()` (recounted from scratch; timed too).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/grid_registry_bench npx tsx bench/population.ts -- \
 *     [--people 2000000] [--batch 100000] [--runs 5]
 *
 * People are only ever added: a second run with a larger `--people` tops the city up to it.
 */
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { createDatabaseIfMissing } from '../src/db/create-database';
import { openDatabase } from '../src/db/knex';
import { migrateLatest } from '../src/db/migrate';
import { ageOn, todayInChina } from '../src/modules/person/checks';
import { populationCounts, type PopulationScope } from '../src/modules/person/population-repo';
import { loadCity } from './city';
import { CITY_CODE_PREFIX, loadCityPlaces } from './lib/city-places';
import { BENCH_ADMIN, fmt, inProcessAs, measureOperation, timed } from './lib/in-process';

const TARGET = { streetMs: 100, cityMs: 1000 };
const FIGURES = `total byResidenceType { residenceType count } households housesOccupied housesVacant
  bySpecialGroup { tag count } byCareGroup { tag count } aged60Plus under18`;
/** Household sizes, by household number mod 7 (2.86 people a household, as Zhengzhou's 12.8 M in 4.5 M). */
const SIZES = [1, 2, 2, 3, 3, 4, 5];
const BY = 'bench:population';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { people: { type: 'string', default: '2000000' }, batch: { type: 'string', default: '100000' }, runs: { type: 'string', default: '5' }, 'load-only': { type: 'boolean', default: false } },
  });
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('DATABASE_URL must point at a PostgreSQL + PostGIS database for the benchmark city');
  await createDatabaseIfMissing(config.databaseUrl);
  const db = await openDatabase(config, pino({ level: 'silent' }));
  const knex = db.knex;
  try {
    await knex.raw('CREATE EXTENSION IF NOT EXISTS postgis');
    await migrateLatest(knex);
    if ((await loadCity(knex, (line) => console.log(line))) !== 'already-loaded') {
      for (const table of ['grid', 'grid_piece', 'grid_assignment', 'grid_worker']) await knex.raw(`ANALYZE ${table}`);
    }
    await loadCityPlaces(knex, (line) => console.log(line));
    await loadPeople(knex, Number(values.people), Number(values.batch));
    await vacuum(knex);
    if (values['load-only']) return;
    await measure(knex, Number(values.runs));
    await check(knex);
  } finally {
    await db.close();
  }
}

/** Households in random houses of the city, then their members, `batch` people per statement. */
async function loadPeople(knex: Knex, people: number, batch: number): Promise<void> {
  const households = Math.round((people * SIZES.length) / SIZES.reduce((a, b) => a + b, 0));
  await knex.raw(`CREATE TABLE IF NOT EXISTS bench_household (seq integer PRIMARY KEY, id uuid NOT NULL, house_id uuid NOT NULL)`);
  const have = (await knex.raw('SELECT coalesce(max(seq), 0)::int AS n FROM bench_household')).rows[0].n as number;
  const t0 = Date.now();
  if (have < households) await knex.transaction(async (trx) => {
    await trx.raw('SET LOCAL statement_timeout = 0');
    await trx.raw(
      `WITH houses AS (
         SELECT id, :have + row_number() OVER (ORDER BY md5(id::text)) AS seq FROM house h
         WHERE retired_at IS NULL AND NOT EXISTS (SELECT 1 FROM household x WHERE x.house_id = h.id)
         ORDER BY md5(id::text) LIMIT :n
       ), made AS (
         INSERT INTO household (number, house_id, updated_by) SELECT 'BENCH-' || seq, id, :by FROM houses RETURNING id, number, house_id
       )
       INSERT INTO bench_household (seq, id, house_id) SELECT substring(number from 7)::int, id, house_id FROM made`,
      { have, n: households - have, by: BY },
    );
  });
  if (have < households) console.log(`${households - have} households in random houses in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // Households whose members are in (a run stopped half-way goes on from there).
  const peopled = (await knex.raw(`SELECT coalesce(max(substring(name from 3 for position('-' in name) - 3)::int), 0) AS n FROM person WHERE updated_by = ?`, [BY])).rows[0].n as number;
  if (peopled >= households) return;
  const perBatch = Math.max(1, Math.round((batch * SIZES.length) / SIZES.reduce((a, b) => a + b, 0)));
  // Every fifth statement is first timed with the population triggers disabled (building_id given by the
  // statement instead), in a transaction rolled back: the difference is what the counters cost.
  const timings: { with: number; without: number | null; rows: number }[] = [];
  for (let from = peopled + 1, i = 0; from <= households; from += perBatch, i++) {
    const to = Math.min(households, from + perBatch - 1);
    const select = peopleOf(from, to);
    let without: number | null = null;
    if (i % 5 === 0) {
      const trx = await knex.transaction();
      try {
        await trx.raw('SET LOCAL statement_timeout = 0');
        for (const t of ['person_building_insert', 'person_population_insert']) await trx.raw(`ALTER TABLE person DISABLE TRIGGER ${t}`);
        without = (await timed(() => trx.raw(`INSERT INTO person (${PERSON_COLUMNS}, building_id) ${peopleOf(from, to, true)}`))).ms;
      } finally {
        await trx.rollback();
      }
    }
    const withTriggers = await timed(() => knex.raw(`INSERT INTO person (${PERSON_COLUMNS}) ${select}`));
    timings.push({ with: withTriggers.ms, without, rows: withTriggers.result.rowCount });
    if (without !== null || to === households) {
      console.log(`  households ${from}–${to}: ${withTriggers.result.rowCount} people in ${fmt(withTriggers.ms)} ms${without === null ? '' : ` (${fmt(without)} ms without the population triggers)`}`);
    }
  }
  const paired = timings.filter((t) => t.without !== null);
  const sum = (ts: typeof timings, k: 'with' | 'without' | 'rows') => ts.reduce((s, t) => s + (t[k] ?? 0), 0);
  console.log(
    `${sum(timings, 'rows')} people in ${timings.length} statements, ${fmt(sum(timings, 'with') / 1000)} s; the ${paired.length} paired statements: ` +
      `${fmt(sum(paired, 'with') / 1000)} s with the population triggers, ${fmt(sum(paired, 'without') / 1000)} s without ` +
      `(${fmt((1000 * (sum(paired, 'with') - sum(paired, 'without'))) / sum(paired, 'rows'))} µs a person for the counters)`,
  );
  const tags = await timed(() =>
    knex.raw(
      `INSERT INTO person_tag (person_id, tag, attention_level, visit_interval_days, next_visit_due)
       SELECT id, t.tag, CASE WHEN t.special THEN 'MEDIUM' END, CASE WHEN t.special THEN 30 END, CASE WHEN t.special THEN DATE '2030-01-01' END
       FROM person p CROSS JOIN LATERAL (VALUES
         (abs(hashtext(p.id::text)) % 1000 < 3, 'RELEASED_PRISONER', true),
         (abs(hashtext(p.id::text)) % 1000 BETWEEN 3 AND 14, 'LOW_INCOME', false)) AS t(pick, tag, special)
       WHERE p.updated_by = :by AND t.pick AND NOT EXISTS (SELECT 1 FROM person_tag x WHERE x.person_id = p.id)`,
      { by: BY },
    ),
  );
  console.log(`${tags.result.rowCount} group tags in one statement in ${fmt(tags.ms)} ms`);
}

/** As autovacuum leaves them: visibility maps set (index-only scans), statistics current. */
async function vacuum(knex: Knex): Promise<void> {
  for (const table of ['person', 'household', 'person_tag', 'building_population', 'building_tag_count', 'house_resident_count', 'household_member_count']) {
    await knex.raw(`VACUUM ANALYZE ${table}`);
  }
}

const PERSON_COLUMNS = 'name, gender, birth_date, birth_year, residence_type, house_id, household_id, relation_to_head, status, updated_by';

/** The members of households `from`–`to`: ages spread over 1930–2023, 80 % registered, 18 % floating, 2 % moved out. */
function peopleOf(from: number, to: number, withBuilding = false): string {
  return `SELECT '居民' || hh.seq || '-' || k, CASE WHEN (hh.seq + k) % 2 = 0 THEN 'MALE' ELSE 'FEMALE' END, x.born, extract(year FROM x.born)::int,
            CASE WHEN x.r < 80 THEN 'REGISTERED' WHEN x.r < 98 THEN 'FLOATING' WHEN x.r < 99 THEN 'OVERSEAS' ELSE 'UNSETTLED' END,
            hh.house_id, hh.id, CASE WHEN k = 1 THEN 'HEAD' ELSE 'OTHER_RELATIVE' END,
            CASE WHEN k > 1 AND (hh.seq * 31 + k) % 50 = 0 THEN 'MOVED_OUT' ELSE 'LIVING_HERE' END, '${BY}'
            ${withBuilding ? ', (SELECT building_id FROM house WHERE id = hh.house_id)' : ''}
          FROM bench_household hh
          CROSS JOIN LATERAL generate_series(1, (ARRAY[${SIZES.join(',')}])[hh.seq % ${SIZES.length} + 1]) AS k
          CROSS JOIN LATERAL (SELECT DATE '1930-01-01' + ((hh.seq::bigint * 7919 + k * 104729) % 34000)::int AS born,
                                     (hh.seq * 13 + k * 7) % 100 AS r) x
          WHERE hh.seq BETWEEN ${from} AND ${to}`;
}

async function measure(knex: Knex, runs: number): Promise<void> {
  const run = inProcessAs(knex, BENCH_ADMIN);
  const { rows } = await knex.raw(
    `/* benchBusiestStreet */ SELECT s.id, s.code, s.name, d.code AS district_code, d.name AS district_name, x.people
     FROM (SELECT g.ancestor_ids[2] AS street, sum(p.registered + p.floating + p.overseas + p.unsettled)::int AS people
           FROM building_population p JOIN building b ON b.id = p.building_id JOIN grid g ON g.id = b.grid_id
           WHERE g.depth >= 2 AND g.code LIKE ? GROUP BY 1) x
     JOIN grid s ON s.id = x.street JOIN grid d ON d.id = s.parent_id ORDER BY x.people DESC LIMIT 1`,
    [`${CITY_CODE_PREFIX}%`],
  );
  const street = rows[0];
  const dataset = (
    await knex.raw(`SELECT (SELECT count(*) FROM person)::int AS people, (SELECT count(*) FROM household)::int AS households,
                           (SELECT count(*) FROM building)::int AS buildings, (SELECT reltuples::bigint FROM pg_class WHERE relname = 'house') AS houses`)
  ).rows[0];
  console.log(`\ndataset: ${dataset.people} people, ${dataset.households} households, ${dataset.buildings} buildings, ~${dataset.houses} houses`);
  console.log(`busiest street: ${street.name} (${street.code}), ${street.people} living people; its district ${street.district_name} (${street.district_code})\n`);
  const grid = (code: string) => async () => summary((await run(`query($code: String!) { grid(code: $code) { population { ${FIGURES} } } }`, { code })).data.grid.population);
  const streetMs = await measureOperation(`street Grid.population`, runs, grid(street.code));
  await measureOperation(`district Grid.population`, runs, grid(street.district_code));
  const cityMs = await measureOperation(`city Query.population`, runs, async () => summary((await run(`{ population { ${FIGURES} } }`)).data.population));
  await measureOperation(`street householdCoverage`, runs, async () => {
    const c = (await run(`query($code: String!) { grid(code: $code) { householdCoverage { microGrids within outside { households } } } }`, { code: street.code })).data.grid.householdCoverage;
    return `${c.microGrids} micro-grids, ${c.within} within 50–70, ${c.outside.length} outside`;
  });
  console.log(`targets: street ≤ ${TARGET.streetMs} ms: ${streetMs <= TARGET.streetMs ? 'MET' : 'NOT MET'}; city ≤ ${TARGET.cityMs} ms: ${cityMs <= TARGET.cityMs ? 'MET' : 'NOT MET'}`);

  // A new year before the counters' epoch moved: one more cohort year per age read from the people. Read through
  // the repository (the service would start moving the epoch at once).
  const year = Number(todayInChina().slice(0, 4));
  const today = todayInChina();
  const back = await timed(() => knex.raw('SELECT population_advance_epoch(?) AS year', [year - 1]));
  console.log(`\nepoch moved a year back (the counters as on the last day of ${year - 1}) in ${fmt(back.ms)} ms; read directly, a year behind:`);
  const direct = (scope: PopulationScope) => async () => {
    const c = await populationCounts(knex, scope, today);
    return `${c.aged60Plus} aged 60+, ${c.under18} under 18 (epoch ${c.epoch})`;
  };
  await measureOperation(`street, epoch a year behind`, runs, direct({ subtreeOf: street.id }));
  await measureOperation(`city, epoch a year behind`, runs, direct('everywhere'));
  const forward = await timed(() => knex.raw('SELECT population_advance_epoch(?) AS year', [year]));
  console.log(`epoch moved to ${year} (the yearly move) in ${fmt(forward.ms)} ms`);
  console.log(`\nthe alternative: ages from a narrow per-(building, birth year) table (built here, timed reads only)`);
  await knex.raw(`DROP TABLE IF EXISTS bench_building_birth_year`);
  await knex.raw(`CREATE TABLE bench_building_birth_year AS SELECT building_id, birth_year, count(*)::int AS n FROM person WHERE status = 'LIVING_HERE' GROUP BY 1, 2`);
  await knex.raw(`ALTER TABLE bench_building_birth_year ADD PRIMARY KEY (building_id, birth_year)`);
  await knex.raw(`VACUUM ANALYZE bench_building_birth_year`);
  const narrow = (scope: string) => async () => {
    const { rows: r } = await knex.raw(
      `SELECT count(*)::int AS rows_read, sum(n) FILTER (WHERE birth_year < ?)::int AS older, sum(n) FILTER (WHERE birth_year > ?)::int AS younger
       FROM bench_building_birth_year WHERE (birth_year < ? OR birth_year > ?) AND ${scope}`,
      [year - 60, year - 18, year - 60, year - 18],
    );
    return `${r[0].rows_read} rows read (born before ${year - 60}: ${r[0].older}, after ${year - 18}: ${r[0].younger}; the boundary years not included)`;
  };
  await measureOperation('street (narrow table)', runs, narrow(`building_id IN (SELECT b.id FROM building b JOIN grid g ON g.id = b.grid_id WHERE g.id = '${street.id}' OR g.ancestor_ids @> ARRAY['${street.id}'::uuid])`));
  await measureOperation('city (narrow table)', runs, narrow('true'));
  await knex.raw(`DROP TABLE bench_building_birth_year`);
}

function summary(p: { total: number; households: number; housesOccupied: number; housesVacant: number; aged60Plus: number; under18: number }): string {
  return `${p.total} people, ${p.households} households, ${p.housesOccupied}/${p.housesOccupied + p.housesVacant} houses occupied, ${p.aged60Plus} aged 60+, ${p.under18} under 18`;
}

/** The busiest street counted directly, and every counter against a recount from scratch. */
async function check(knex: Knex): Promise<void> {
  console.log(`\nchecks`);
  const run = inProcessAs(knex, BENCH_ADMIN);
  const { rows } = await knex.raw(
    `SELECT s.id, s.code FROM grid s WHERE s.level = 'STREET' AND s.valid_to IS NULL AND s.code LIKE ? ORDER BY s.code LIMIT 1`,
    [`${CITY_CODE_PREFIX}%`],
  );
  const street = rows[0];
  const got = (await run(`query($code: String!) { grid(code: $code) { population { ${FIGURES} } } }`, { code: street.code })).data.grid.population;
  const today = todayInChina();
  const { rows: people } = await knex.raw(
    `SELECT p.birth_date::text AS birth_date, p.birth_year FROM person p JOIN house h ON h.id = p.house_id JOIN building b ON b.id = h.building_id
     JOIN grid g ON g.id = b.grid_id WHERE p.status = 'LIVING_HERE' AND (g.id = ? OR g.ancestor_ids @> ARRAY[?::uuid])`,
    [street.id, street.id],
  );
  const ages = people.map((p: { birth_date: string | null; birth_year: number }) => ageOn(p.birth_date ?? `${p.birth_year}-07-01`, today));
  const want = { total: people.length, aged60Plus: ages.filter((a: number) => a >= 60).length, under18: ages.filter((a: number) => a < 18).length };
  const same = got.total === want.total && got.aged60Plus === want.aged60Plus && got.under18 === want.under18;
  console.log(`  street ${street.code} counted directly: ${JSON.stringify(want)} — figures ${same ? 'agree' : `DIFFER: ${JSON.stringify(got)}`}`);
  const snapshot = async () =>
    (
      await knex.raw(`SELECT
        (SELECT md5(string_agg(concat_ws('|', building_id, registered, floating, overseas, unsettled, households, houses_occupied, houses_current, born_older, born_adult), ',' ORDER BY building_id))
         FROM building_population WHERE (registered, floating, overseas, unsettled, households, houses_occupied, houses_current, born_older, born_adult) <> (0, 0, 0, 0, 0, 0, 0, 0, 0)) AS b,
        (SELECT md5(string_agg(concat_ws('|', building_id, tag, n), ',' ORDER BY building_id, tag)) FROM building_tag_count WHERE n <> 0) AS t,
        (SELECT md5(string_agg(concat_ws('|', house_id, n), ',' ORDER BY house_id)) FROM house_resident_count WHERE n <> 0) AS h,
        (SELECT md5(string_agg(concat_ws('|', household_id, n), ',' ORDER BY household_id)) FROM household_member_count WHERE n <> 0) AS m`)
    ).rows[0];
  const before = await snapshot();
  const rebuild = await timed(() => knex.transaction(async (trx) => {
    await trx.raw('SET LOCAL statement_timeout = 0');
    await trx.raw('SELECT population_rebuild()');
  }));
  const after = await snapshot();
  console.log(`  population_rebuild() in ${fmt(rebuild.ms / 1000)} s: the counters kept by the triggers ${JSON.stringify(before) === JSON.stringify(after) ? 'equal' : 'DIFFER FROM'} the recount`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
