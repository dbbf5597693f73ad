/**
 * `npm run import -- <file.geojson> --level MICRO_GRID [--mode CREATE|UPSERT] [--dry-run] [--details]
 *    [--crs WGS84|GCJ02|BD09] [--code-property code] [--name-property name] [--parent-code-property parentCode]
 *    [--version-property version] [--reason "…"] [--clip-to-parent] [--snap-meters 2] [--as li.ming] [--grid <code>]`
 *
 * Imports grids from a GeoJSON FeatureCollection into DATABASE_URL (or the embedded database under DATA_DIR,
 * while the server is not running), with the same checks and the same all-or-nothing transaction as the
 * `importGrids` mutation. The file is streamed feature by feature, so its size is not limited by memory.
 * `--as` names the editor in the history and `--grid` the jurisdiction they act within: every feature is then
 * checked by the same policy as the mutation (a grid updated must lie below that grid, a new one under it).
 * Without `--grid` it acts for the whole deployment, as whoever holds the database credentials can.
 * `--details` lists every feature with what would change (the mutation's per-feature report).
 * Exit code 0 when written (or a clean dry run), 1 when features were refused, 2 for bad arguments or a file
 * that cannot be imported as a whole (not JSON, cut short, GeoJSONSeq, another CRS): one line, no stack trace.
 */
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config';
import { createContext } from '../../context';
import { openDatabase } from '../../db/knex';
import { migrateLatest } from '../../db/migrate';
import type { GridLevel, ImportMode } from '../../generated/graphql';
import { coordinateSystemNamed } from '../../geo/coordinates';
import { createLogger } from '../../logger';
import { GRID_CODE } from '../auth/policy';
import { ImportFileError, withDefaults, type FeatureReport, type ImportReport } from './import-service';
import { readFeatureFile } from './import-file';
import { currentGridsByCodes } from './repo';

const LEVELS = ['DISTRICT', 'STREET', 'COMMUNITY', 'GRID', 'MICRO_GRID', 'DEDICATED'];

function usage(message: string): never {
  console.error(`${message}\nusage: npm run import -- <file.geojson> --level <${LEVELS.join('|')}> [--mode CREATE|UPSERT] [--dry-run] [--details] [--crs WGS84|GCJ02|BD09] [--as <editor>] [--grid <jurisdiction code>] ...`);
  process.exit(2);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      level: { type: 'string' },
      mode: { type: 'string', default: 'CREATE' },
      'dry-run': { type: 'boolean', default: false },
      details: { type: 'boolean', default: false },
      'version-property': { type: 'string' },
      crs: { type: 'string', default: 'WGS84' },
      'code-property': { type: 'string' },
      'name-property': { type: 'string' },
      'parent-code-property': { type: 'string' },
      reason: { type: 'string' },
      'clip-to-parent': { type: 'boolean', default: false },
      'snap-meters': { type: 'string' },
      as: { type: 'string' },
      grid: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file) usage('give the GeoJSON file to import');
  if (!fs.existsSync(file)) usage(`no such file: ${file}`);
  if (!values.level || !LEVELS.includes(values.level)) usage(`--level must be one of ${LEVELS.join(', ')}`);
  if (!['CREATE', 'UPSERT'].includes(values.mode!)) usage('--mode must be CREATE or UPSERT');
  // As the export's ?crs= reads it: case does not matter.
  const crs = coordinateSystemNamed(values.crs ?? '');
  if (!crs) usage('--crs must be WGS84, GCJ02 or BD09');
  const snapMeters = values['snap-meters'] === undefined ? 0 : Number(values['snap-meters']);
  if (!Number.isFinite(snapMeters) || snapMeters < 0) usage(`--snap-meters must be a number of metres, 0 or more (got "${values['snap-meters']}")`);
  if (values.grid !== undefined && !GRID_CODE.test(values.grid)) usage(`--grid must be a grid code such as 130105001 (got "${values.grid}")`);

  const config = loadConfig();
  const log = createLogger({ logLevel: 'warn' }, 2);
  const db = await openDatabase(config, log);
  try {
    await migrateLatest(db.knex);
    if (values.grid && (await currentGridsByCodes(db.knex, [values.grid])).length === 0) {
      console.error(`--grid ${values.grid} is not the code of a current grid`);
      return 2;
    }
    const subject = values.as ?? `cli:${os.userInfo().username}`;
    const ctx = createContext({
      requestId: 'import-cli',
      viewer: { kind: 'user', subject, name: null, role: 'ADMIN', jurisdictionCode: values.grid ?? null },
      db: db.knex,
      log,
      config,
      timeoutMs: null,
    });
    const started = Date.now();
    const options = withDefaults({
      level: values.level as GridLevel,
      mode: values.mode as ImportMode,
      dryRun: values['dry-run'],
      crs,
      codeProperty: values['code-property'],
      nameProperty: values['name-property'],
      parentCodeProperty: values['parent-code-property'],
      versionProperty: values['version-property'],
      reason: values.reason ?? `import of ${file}`,
      options: { clipToParent: values['clip-to-parent'], snapToleranceMeters: snapMeters },
    });
    let report: ImportReport;
    try {
      report = await ctx.services.gridImport.run(readFeatureFile(file, options.crs), options, (r) =>
        process.stderr.write(`checked ${r.total} features (${r.refused} refused) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`),
      );
    } catch (err) {
      if (!(err instanceof ImportFileError)) throw err;
      console.error(`${err.code}: ${err.message}; nothing was written`);
      return 2;
    }
    print(report, Date.now() - started, values.details);
    return report.refused > 0 ? 1 : 0;
  } finally {
    await db.close();
  }
}

function print(r: ImportReport, ms: number, details: boolean | undefined): void {
  const verdict = r.written ? 'written' : r.dryRun && r.refused === 0 ? 'dry run: nothing written' : 'refused: nothing written';
  console.log(
    `${verdict} in ${(ms / 1000).toFixed(1)} s — ${r.total} features: ${r.created} create, ${r.updated} update, ` +
      `${r.unchanged} unchanged, ${r.refused} refused; ${r.moved} located records re-resolved` + (r.moved ? ` (${r.movedByKind.filter((m) => m.count).map((m) => `${m.count} ${m.kind}`).join(', ')})` : ''),
  );
  const listed = details ? r.features : r.features.filter((f) => f.action === 'REFUSED');
  for (const f of listed.slice(0, details ? Infinity : 50)) {
    console.log(`  feature ${f.index}${f.code ? ` (${f.code})` : ''}${details ? `: ${describe(f)}` : ':'}`);
    for (const p of f.problems) console.log(`    ${p.code}: ${p.message}`);
  }
  if (!details && listed.length > 50) console.log(`  … and ${listed.length - 50} more refused features`);
}

const sqm = (n: number) => `${Math.round(n).toLocaleString('en-US')} m²`;
const signedSqm = (n: number) => `${n >= 0 ? '+' : '-'}${Math.abs(n) < 1 ? Math.abs(n).toFixed(2) : Math.round(Math.abs(n)).toLocaleString('en-US')} m²`;

/** One feature's line of `--details`: what happens to it, and for an update, what changes. */
function describe(f: FeatureReport): string {
  switch (f.action) {
    case 'CREATE':
      return `create ${f.name}${f.areaSqm !== null ? `, ${sqm(f.areaSqm)}` : ''}`;
    case 'UNCHANGED':
      return `unchanged ${f.name}`;
    case 'REFUSED':
      return `refused ${f.name ?? ''}`.trimEnd();
    case 'UPDATE': {
      const what = f.changes.map((c) =>
        c === 'NAME' ? `name "${f.previousName}" → "${f.name}"` : `boundary ${signedSqm(f.areaDeltaSqm ?? 0)} (now ${sqm(f.areaSqm ?? 0)})`,
      );
      return `update ${what.join(', ')}`;
    }
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
