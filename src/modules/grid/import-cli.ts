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
 * It speaks the language of LC_ALL / LC_MESSAGES / LANG when that is zh… or en…, else DEFAULT_LOCALE
 * (config.cliLocale), the features' problems included.
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
import { joined, msg, render, type Locale, type Msg } from '../../i18n';
import { createLogger } from '../../logger';
import { localizedMessage } from '../../shared/payload';
import { GRID_CODE } from '../auth/policy';
import { ImportFileError, withDefaults, type FeatureReport, type ImportReport } from './import-service';
import { readFeatureFile } from './import-file';
import { currentGridsByCodes } from './repo';

const LEVELS = ['DISTRICT', 'STREET', 'COMMUNITY', 'GRID', 'MICRO_GRID', 'DEDICATED'];

/** The language of every line printed (read before the arguments, so that their refusals are said in it too). */
let locale: Locale = 'en';
const say = (message: Msg) => render(message, locale);

function usage(message: Msg): never {
  console.error(`${say(message)}\n${say(msg('cli.usage', { usage: `npm run import -- <file.geojson> --level <${LEVELS.join('|')}> [--mode CREATE|UPSERT] [--dry-run] [--details] [--crs WGS84|GCJ02|BD09] [--as <editor>] [--grid <jurisdiction code>] ...` }))}`);
  process.exit(2);
}

async function main(): Promise<number> {
  const config = loadConfig();
  locale = config.cliLocale;
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
  if (!file) usage(msg('cli.grids.file'));
  if (!fs.existsSync(file)) usage(msg('cli.noSuchFile', { file }));
  if (!values.level || !LEVELS.includes(values.level)) usage(msg('cli.grids.level', { levels: LEVELS.join(', ') }));
  if (!['CREATE', 'UPSERT'].includes(values.mode!)) usage(msg('cli.grids.mode'));
  // As the export's ?crs= reads it: case does not matter.
  const crs = coordinateSystemNamed(values.crs ?? '');
  if (!crs) usage(msg('cli.grids.crs'));
  const snapMeters = values['snap-meters'] === undefined ? 0 : Number(values['snap-meters']);
  if (!Number.isFinite(snapMeters) || snapMeters < 0) usage(msg('cli.grids.snap', { got: String(values['snap-meters']) }));
  if (values.grid !== undefined && !GRID_CODE.test(values.grid)) usage(msg('cli.gridCode', { got: values.grid }));

  const log = createLogger({ logLevel: 'warn' }, 2);
  const db = await openDatabase(config, log);
  try {
    await migrateLatest(db.knex);
    if (values.grid && (await currentGridsByCodes(db.knex, [values.grid])).length === 0) {
      console.error(say(msg('cli.noGrid', { grid: values.grid })));
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
        process.stderr.write(`${say(msg('cli.grids.progress', { total: r.total, refused: r.refused, seconds: ((Date.now() - started) / 1000).toFixed(1) }))}\n`),
      );
    } catch (err) {
      if (!(err instanceof ImportFileError)) throw err;
      console.error(say(msg('cli.grids.fileError', { code: err.code, message: err.localized ?? err.message })));
      return 2;
    }
    print(report, Date.now() - started, values.details);
    return report.refused > 0 ? 1 : 0;
  } finally {
    await db.close();
  }
}

function print(r: ImportReport, ms: number, details: boolean | undefined): void {
  const verdict = msg(r.written ? 'cli.written' : r.dryRun && r.refused === 0 ? 'cli.dryRun' : 'cli.refused');
  const kinds = r.moved ? r.movedByKind.filter((m) => m.count).map((m) => `${m.count} ${m.kind}`).join(', ') : '';
  const counts = { total: r.total, created: r.created, updated: r.updated, unchanged: r.unchanged, refused: r.refused, moved: r.moved };
  console.log(say(msg('cli.grids.summary', { verdict, seconds: (ms / 1000).toFixed(1), ...counts, kinds })));
  const listed = details ? r.features : r.features.filter((f) => f.action === 'REFUSED');
  for (const f of listed.slice(0, details ? Infinity : 50)) {
    console.log(say(msg('cli.grids.feature', { index: f.index, code: f.code ?? '', detail: details ? describe(f) : '' })));
    for (const p of f.problems) console.log(`    ${p.code}: ${localizedMessage(p, locale, p.code)}`);
  }
  if (!details && listed.length > 50) console.log(say(msg('cli.grids.more', { count: listed.length - 50 })));
}

const sqm = (n: number) => `${Math.round(n).toLocaleString('en-US')} m²`;
const signedSqm = (n: number) => `${n >= 0 ? '+' : '-'}${Math.abs(n) < 1 ? Math.abs(n).toFixed(2) : Math.round(Math.abs(n)).toLocaleString('en-US')} m²`;

/** One feature's line of `--details`: what happens to it, and for an update, what changes. */
function describe(f: FeatureReport): Msg {
  switch (f.action) {
    case 'CREATE':
      return msg('cli.grids.create', { name: f.name ?? '', area: f.areaSqm !== null ? sqm(f.areaSqm) : '' });
    case 'UNCHANGED':
      return msg('cli.grids.unchanged', { name: f.name ?? '' });
    case 'REFUSED':
      return msg('cli.grids.refusedFeature', { name: f.name ?? '' });
    case 'UPDATE': {
      const what = f.changes.map((c) =>
        c === 'NAME'
          ? msg('cli.grids.rename', { from: f.previousName ?? '', to: f.name ?? '' })
          : msg('cli.grids.reshape', { delta: signedSqm(f.areaDeltaSqm ?? 0), area: sqm(f.areaSqm ?? 0) }),
      );
      return msg('cli.grids.update', { what: joined(what, msg('list.comma')) });
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
