/**
 * `npm run bench:people`: the population registry at city scale (issue 10).
 *
 * Loads the benchmark city, its places (as `bench:places` does) and, once, its population: Zhengzhou's
 * 12.8 million residents in about 4.5 million households (`--people N` for a smaller run; the figure printed
 * says which ran). Then prints (nothing is asserted):
 *   (a) a CSV of `--import-rows` (1,000,000) new residents imported through the CLI (`npm run import:people`),
 *       with validation and sealing: rows/s and the importer's peak memory (VmHWM);     target ≥ 10,000 rows/s
 *       (the rows are removed again afterwards, so the run can be repeated)
 *   (b) over HTTP at 16 connections against one server: `people(filter: { idNumber })` (an exact lookup through
 *       the blind index) and `resolveLocation`, in alternating rounds; p50/p99 and the ratio of the p99s;
 *                                                                                          target ≤ 1.5
 *   (c) `Grid.population` of the most populous street and `population` of the whole city (in process, as an
 *       ADMIN of the whole deployment, median of `--runs` after a warm-up);  street ≤ 100 ms, city ≤ 1 s
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/grid_registry_bench npm run bench:people -- \
 *     [--people 12800000] [--import-rows 1000000] [--runs 5] [--duration 10] [--connections 16] [--rounds 3] \
 *     [--skip-import] [--skip-http] [--reset-people]
 *
 * The population is loaded once, at the size of the first run; `--reset-people` removes it first, for a run of
 * another size.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { signToken } from '../src/modules/auth/jwt';
import { cipherFor, SEALED } from '../src/modules/person/sealing';
import { openCityDatabase } from './lib/city-db';
import { CITY_CODE_PREFIX, cityPoints, loadCityPlaces } from './lib/city-places';
import { loadCityPeople } from './lib/city-people';
import { postgresCpuTracker, processCpuSeconds } from './lib/cpu';
import { alternatingRounds } from './lib/http-rounds';
import { BENCH_ADMIN, BENCH_JWT_SECRET, BENCH_PII_KEY, benchConfig, inProcessAs, measureOperation, optional, timed, type Operation } from './lib/in-process';
import { writePeopleCsv, type HouseAddress } from './lib/people-csv';
import { startServer } from './lib/server';

const TARGET = { importRowsPerSecond: 10_000, stretchRowsPerSecond: 20_000, lookupP99Ratio: 1.5, streetMs: 100, cityMs: 1000 };
const IMPORT_AS = 'bench-import';

const LOOKUP = `query Lookup($id: String!) { people(filter: { idNumber: $id }) { nodes { id name idNumber age } } }`;
const RESOLVE = `query Resolve($lng: Float!, $lat: Float!) {
  resolveLocation(lng: $lng, lat: $lat, crs: WGS84) {
    grid { id code name level } chain { name } responsibleGrid { code name } responsibleWorkers { id name phone } approximate distanceMeters
  }
}`;
const POPULATION = `total households housesOccupied housesVacant aged60Plus under18
  byResidenceType { residenceType count } bySpecialGroup { tag count } byCareGroup { tag count }`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      people: { type: 'string', default: '12800000' },
      'import-rows': { type: 'string', default: '1000000' },
      runs: { type: 'string', default: '5' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '3' },
      'skip-import': { type: 'boolean', default: false },
      'skip-http': { type: 'boolean', default: false },
      'reset-people': { type: 'boolean', default: false },
    },
  });
  const { config, db } = await openCityDatabase();
  const knex = db.knex;
  try {
    const places = await loadCityPlaces(knex, (line) => console.log(line));
    if (places !== 'already-loaded') console.log(`generated ${places.buildings} buildings, ${places.houses} houses in ${(places.ms / 1000).toFixed(1)} s`);
    if (values['reset-people']) {
      // A run of another size: the population goes (the audit log stays: it refuses TRUNCATE), the counters are recounted.
      await knex.raw('TRUNCATE person, household, person_residence, house_owner, person_tag, visit, tenant_registration, gate_access, gate_passage CASCADE');
      await knex.raw('SELECT population_rebuild()');
      console.log('removed the population (--reset-people)');
    }
    const cipher = cipherFor(benchConfig());
    const people = await loadCityPeople(knex, cipher, CITY_CODE_PREFIX, { people: Number(values.people), occupiedShare: 0.9, seed: 4101, today: '2026-11-27' }, (line) => console.log(line));
    if (people !== 'already-loaded') {
      console.log(`generated ${people.people} people in ${people.households} households in ${(people.ms / 1000).toFixed(1)} s (${Math.round(people.people / (people.ms / 1000))} people/s)`);
    }
    console.log(`\n${await datasetLine(knex)}\n${os.cpus().length} cores; node ${process.version}\n`);

    if (!values['skip-import']) {
      console.log(`(a) CSV import through the CLI`);
      await optional('(a) import', () => benchImport(knex, config.databaseUrl!, Number(values['import-rows'])));
    }
    if (!values['skip-http']) {
      console.log(`\n(b) lookup by ID number vs resolveLocation over HTTP`);
      await optional('(b) lookup', async () =>
        benchLookup(knex, config.databaseUrl!, { connections: Number(values.connections), duration: Number(values.duration), rounds: Number(values.rounds) }),
      );
    }
    console.log(`\n(c) population figures — in process, ${values.runs} runs after a warm-up`);
    await optional('(c) population', () => benchPopulation(knex, inProcessAs(knex, BENCH_ADMIN), Number(values.runs)));
  } finally {
    await db.close();
  }
}

/** A read of the whole city, which may take longer than the pool's statement timeout on a busy machine. */
function unbounded<R>(knex: Knex, read: (trx: Knex.Transaction) => Promise<{ rows: R[] }>): Promise<{ rows: R[] }> {
  return knex.transaction(async (trx) => {
    await trx.raw('SET LOCAL statement_timeout = 0');
    return read(trx);
  });
}

async function datasetLine(knex: Knex): Promise<string> {
  const { rows } = await knex.raw(
    `/* benchPeopleDataset */ SELECT
       (SELECT reltuples::bigint FROM pg_class WHERE relname = 'person') AS people,
       (SELECT reltuples::bigint FROM pg_class WHERE relname = 'household') AS households,
       (SELECT reltuples::bigint FROM pg_class WHERE relname = 'house') AS houses,
       (SELECT count(*) FROM building WHERE code LIKE :p)::int AS buildings,
       (SELECT count(*) FROM person_tag WHERE removed_at IS NULL)::int AS tags`,
    { p: `${CITY_CODE_PREFIX}%` },
  );
  const r = rows[0];
  return `dataset: ~${r.people} people, ~${r.households} households, ~${r.houses} houses, ${r.buildings} buildings, ${r.tags} group tags`;
}

/** Writes a CSV of new residents into the city's houses, imports it through the CLI, reports, then removes them. */
async function benchImport(knex: Knex, databaseUrl: string, rows: number): Promise<void> {
  // A sort of the city's 5 million houses: past the pool's statement timeout on a busy machine.
  const { rows: houses } = await unbounded<HouseAddress>(knex, (trx) =>
    trx.raw(
      `/* benchImportHouses */ SELECT b.code AS "buildingCode", h.unit, h.room FROM house h JOIN building b ON b.id = h.building_id
       WHERE b.code LIKE ? AND h.retired_at IS NULL AND h.use IN ('OWNER_OCCUPIED', 'RENTED') ORDER BY h.id LIMIT 200000`,
      [`${CITY_CODE_PREFIX}%`],
    ),
  );
  const file = path.join(os.tmpdir(), `bench-people-${rows}.csv`);
  const prefix = `BI${Date.now().toString(36)}-`;
  const written = await timed(() => writePeopleCsv(file, { rows, houses, seed: 20261127, householdPrefix: prefix }));
  console.log(`  wrote ${rows} rows (${(fs.statSync(file).size / 1e6).toFixed(1)} MB) to ${file} in ${(written.ms / 1000).toFixed(1)} s`);
  try {
    const run = await runImport(knex, databaseUrl, file);
    const rate = rows / (run.ms / 1000);
    console.log(`  ${run.lastLine}`);
    console.log(`  import: ${rows} rows in ${(run.ms / 1000).toFixed(1)} s = ${Math.round(rate)} rows/s; peak memory (VmHWM) ${(run.peakKb / 1024).toFixed(0)} MB; exit ${run.code}`);
    // Where the time goes: on a machine where the importer and PostgreSQL share the cores, the two CPU figures
    // per row add up against the cores' 1,000,000 µs a second each.
    const perRow = (seconds: number) => ((seconds * 1e6) / rows).toFixed(0);
    console.log(
      `  CPU a row: importer ${perRow(run.importerCpu)} µs (all its threads), PostgreSQL ${perRow(run.postgresCpu)} µs (the backends of this database);` +
        ` ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} at the end`,
    );
    console.log(
      `  target: ≥ ${TARGET.importRowsPerSecond} rows/s: ${rate >= TARGET.importRowsPerSecond ? 'MET' : 'NOT MET'}` +
        ` (stretch ${TARGET.stretchRowsPerSecond}: ${rate >= TARGET.stretchRowsPerSecond ? 'MET' : 'not met'})`,
    );
  } finally {
    const t = await timed(() => removeImported(knex, prefix));
    console.log(`  removed the imported rows again in ${(t.ms / 1000).toFixed(1)} s`);
    fs.rmSync(file, { force: true });
  }
}

/** Runs the importer as users do (a process of its own), sampling its peak resident memory until it exits. */
function runImport(
  knex: Knex,
  databaseUrl: string,
  file: string,
): Promise<{ ms: number; peakKb: number; importerCpu: number; postgresCpu: number; code: number | null; lastLine: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    // The command `npm run import:people` runs (package.json), started directly so its memory is the importer's.
    const [, ...nodeArgs] = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts['import:people'].split(' ');
    const child = spawn(process.execPath, [...nodeArgs, file, '--as', IMPORT_AS, '--reason', 'bench:people'], {
      env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'production', PII_KEY: BENCH_PII_KEY, JWT_SECRET: BENCH_JWT_SECRET, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let peakKb = 0;
    let importerCpu = 0;
    let output = '';
    const postgres = postgresCpuTracker();
    // The backends serving this database (the importer's; nothing else should be using the benchmark database),
    // so other databases' work on a shared server is not counted.
    const backends = new Set<string>();
    const sample = setInterval(() => {
      postgres.sample();
      knex
        .raw(`SELECT pid::text FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
        .then(({ rows }: { rows: { pid: string }[] }) => rows.forEach((r) => backends.add(r.pid)))
        .catch(() => undefined);
      importerCpu = Math.max(importerCpu, processCpuSeconds(child.pid!));
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        // exited meanwhile
      }
    }, 100);
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sample);
      const lines = output.trim().split('\n');
      if (code !== 0) return reject(new Error(`the importer exited with ${code}: ${lines.slice(-5).join(' | ')}`));
      resolve({ ms: Date.now() - started, peakKb, importerCpu, postgresCpu: postgres.total(backends), code, lastLine: lines[lines.length - 1] ?? '' });
    });
  });
}

async function removeImported(knex: Knex, householdPrefix: string): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw('SET LOCAL statement_timeout = 0');
    const ids = `SELECT p.id FROM person p JOIN household hh ON hh.id = p.household_id WHERE hh.number LIKE ?`;
    await trx.raw(`DELETE FROM person_residence WHERE person_id IN (${ids})`, [`${householdPrefix}%`]);
    await trx.raw(`DELETE FROM person WHERE id IN (${ids})`, [`${householdPrefix}%`]);
    await trx.raw(`DELETE FROM household WHERE number LIKE ?`, [`${householdPrefix}%`]);
  });
}

async function benchLookup(knex: Knex, databaseUrl: string, o: { connections: number; duration: number; rounds: number }): Promise<void> {
  const cipher = cipherFor(benchConfig());
  const { rows } = await knex.raw(`/* benchLookupSample */ SELECT id_number_sealed FROM person TABLESAMPLE SYSTEM (0.2) WHERE id_number_sealed IS NOT NULL LIMIT 20000`);
  const ids: string[] = rows.map((r: { id_number_sealed: Buffer }) => cipher.open(r.id_number_sealed, SEALED.idNumber));
  const points = await cityPoints(knex, ids.length);
  const token = await signToken(benchConfig().jwt, { subject: BENCH_ADMIN.subject, role: 'ADMIN' });
  const headers = { authorization: `Bearer ${token}` };
  const lookupBodies = ids.map((id) => JSON.stringify({ query: LOOKUP, variables: { id } }));
  const resolveBodies = points.map((p) => JSON.stringify({ query: RESOLVE, variables: p }));
  const server = await startServer({ DATABASE_URL: databaseUrl, NODE_ENV: 'production', JWT_SECRET: BENCH_JWT_SECRET, PII_KEY: BENCH_PII_KEY, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0' });
  try {
    let found = 0;
    for (const body of lookupBodies.slice(0, 200)) {
      const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const json = (await res.json()) as { data?: { people: { nodes: unknown[] } }; errors?: unknown[] };
      if (json.errors || !json.data) throw new Error(`lookup failed: ${JSON.stringify(json.errors).slice(0, 300)}`);
      found += json.data.people.nodes.length;
    }
    console.log(`  ${ids.length} ID numbers sampled from the table (opened with the benchmark key); ${found} of the first 200 found`);
    const [lookup, resolve] = await alternatingRounds(
      server,
      [
        { name: 'lookup by ID number', bodies: lookupBodies },
        { name: 'resolveLocation', bodies: resolveBodies },
      ],
      { ...o, headers },
    );
    const ratio = lookup.p99 / resolve.p99;
    console.log(`  target: lookup p99 ≤ ${TARGET.lookupP99Ratio} × resolveLocation p99: ${ratio.toFixed(2)} ${ratio <= TARGET.lookupP99Ratio ? 'MET' : 'NOT MET'}`);
  } finally {
    await server.stop();
  }
}

async function benchPopulation(knex: Knex, run: Operation, runs: number): Promise<void> {
  const { rows } = await unbounded<{ code: string; name: string }>(knex, (trx) => trx.raw(
    // From the counters (what the figures read too): the street whose buildings hold the most living people.
    `/* benchMostPopulousStreet */ SELECT s.code, s.name FROM grid s
     JOIN grid g ON (g.id = s.id OR g.ancestor_ids @> ARRAY[s.id]) AND g.valid_to IS NULL
     JOIN building b ON b.grid_id = g.id AND b.retired_at IS NULL
     JOIN building_population p ON p.building_id = b.id
     WHERE s.level = 'STREET' AND s.valid_to IS NULL AND s.code LIKE ?
     GROUP BY s.code, s.name ORDER BY sum(p.registered + p.floating + p.overseas + p.unsettled) DESC LIMIT 1`,
    [`${CITY_CODE_PREFIX}%`],
  ));
  const street = rows[0];
  const describe = (p: { total: number; households: number; aged60Plus: number; under18: number; housesOccupied: number }) =>
    `${p.total} people, ${p.households} households, ${p.housesOccupied} houses occupied, ${p.aged60Plus} aged 60+, ${p.under18} under 18`;
  const measure = (name: string, op: () => Promise<string>) => measureOperation(name, runs, op);
  const streetMs = await measure(`street ${street.name} (${street.code})`, async () =>
    describe((await run(`query($code: String!) { grid(code: $code) { population { ${POPULATION} } } }`, { code: street.code })).data.grid.population),
  );
  const cityMs = await measure('the city (Query.population)', async () => describe((await run(`{ population { ${POPULATION} } }`)).data.population));
  console.log(`  target: street ≤ ${TARGET.streetMs} ms: ${streetMs <= TARGET.streetMs ? 'MET' : 'NOT MET'}; city ≤ ${TARGET.cityMs} ms: ${cityMs <= TARGET.cityMs ? 'MET' : 'NOT MET'}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
