/**
 * `npm run import:people -- <file.csv|file.xlsx> [--dry-run] [--mapping mapping.json] [--encoding utf-8|gbk]
 *    [--reason "…"] [--as li.ming] [--grid 130105001] [--threads N] [--report report.json]`
 *
 * Imports people from a spreadsheet into DATABASE_URL (or the embedded database under DATA_DIR, while the
 * server is not running), all or nothing, with the checks of `POST /import/people`. The file is streamed: its
 * size is not limited by memory. It runs as an ADMIN of the whole deployment (`cli:<os user>`, or `--as`);
 * `--grid` acts within that grid only, as a scoped dispatcher would.
 * Exit code 0 when written (or a clean dry run), 1 when rows were refused, 2 for bad arguments or a file that
 * cannot be read (one line saying why). It speaks the language of LC_ALL / LC_MESSAGES / LANG when that is zh…
 * or en…, else DEFAULT_LOCALE (config.cliLocale), the report's problems included.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config';
import { LocalizedError, msg, render, text, type Locale, type Msg } from '../../i18n';
import { openDatabase } from '../../db/knex';
import { migrateLatest } from '../../db/migrate';
import { createLogger } from '../../logger';
import { GRID_CODE } from '../auth/policy';
import { currentGridsByCodes } from '../grid/repo';
import { ImportInputError, parseMapping, type ImportField } from './import-columns';
import type { TextEncoding } from './import-parse';
import type { PeopleImportReport } from './import-report';
import { importPeople } from './import-service';

const USAGE =
  'npm run import:people -- <file.csv|file.xlsx> [--dry-run] [--mapping mapping.json] [--encoding utf-8|gbk] ' +
  '[--reason "…"] [--as <user>] [--grid <jurisdiction code>] [--threads N] [--report report.json]';
/** Problems printed; the rest go to --report. */
const PRINTED = 100;

class UsageError extends LocalizedError {}
/** The language of every line printed (read before the arguments, so that their refusals are said in it too). */
let locale: Locale = 'en';
const say = (message: Msg) => render(message, locale);

function encodingOf(value: string | undefined): TextEncoding | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase().replace(/_/g, '-');
  if (v === 'utf-8' || v === 'utf8') return 'utf-8';
  if (v === 'gbk' || v === 'gb2312' || v === 'gb18030' || v === 'cp936') return 'gb18030';
  throw new UsageError(msg('cli.people.encoding', { got: value }));
}

function readMapping(file: string | undefined): Map<string, ImportField> | undefined {
  if (file === undefined) return undefined;
  if (!fs.existsSync(file)) throw new UsageError(msg('cli.people.noMapping', { file }));
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(msg('cli.people.mappingJson', { file, detail: (err as Error).message }));
  }
  return parseMapping(json);
}

async function main(): Promise<number> {
  const config = loadConfig();
  locale = config.cliLocale;
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      mapping: { type: 'string' },
      encoding: { type: 'string' },
      reason: { type: 'string' },
      as: { type: 'string' },
      grid: { type: 'string' },
      threads: { type: 'string' },
      report: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file) throw new UsageError(msg('cli.people.file'));
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(msg('cli.noSuchFile', { file }));
  if (values.grid !== undefined && !GRID_CODE.test(values.grid)) throw new UsageError(msg('cli.gridCode', { got: values.grid }));
  const threads = values.threads === undefined ? os.availableParallelism() : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 0 || threads > 64) throw new UsageError(msg('cli.people.threads', { got: String(values.threads) }));
  const encoding = encodingOf(values.encoding);
  const mapping = readMapping(values.mapping);

  // Errors only: an import's batch statements are long by nature, and slow-query warnings would drown the report.
  const log = createLogger({ logLevel: 'error' }, 2);
  const db = await openDatabase(config, log);
  try {
    await migrateLatest(db.knex);
    if (values.grid && (await currentGridsByCodes(db.knex, [values.grid])).length === 0) throw new UsageError(msg('cli.noGrid', { grid: values.grid }));
    const subject = values.as ?? `cli:${os.userInfo().username}`;
    const started = Date.now();
    let lastShown = started;
    const report = await importPeople(
      {
        db: db.knex,
        config,
        viewer: { kind: 'user', subject, name: null, role: 'ADMIN', jurisdictionCode: values.grid ?? null },
        requestId: `import-people-cli-${process.pid}`,
      },
      fs.createReadStream(file),
      {
        fileName: path.basename(file),
        dryRun: values['dry-run'],
        reason: values.reason,
        encoding,
        mapping,
        threads,
        locale,
        onProgress: (r) => {
          const now = Date.now();
          if (now - lastShown < 2000) return;
          lastShown = now;
          const seconds = (now - started) / 1000;
          process.stderr.write(`${say(msg('cli.people.progress', { rows: r.rows, refused: r.refusedRows, seconds: seconds.toFixed(1), rate: Math.round(r.rows / seconds) }))}\n`);
        },
      },
    );
    if (values.report) fs.writeFileSync(values.report, `${JSON.stringify(report, null, 2)}\n`);
    print(report);
    return report.refusedRows > 0 ? 1 : 0;
  } finally {
    await db.close();
  }
}

function print(r: PeopleImportReport): void {
  const verdict = msg(r.written ? 'cli.written' : r.dryRun && r.refusedRows === 0 ? 'cli.dryRun' : 'cli.refused');
  const seconds = r.ms / 1000;
  const source = `${r.file} (${r.format}${r.encoding ? `, ${r.encoding}` : ''})`;
  console.log(
    say(
      msg('cli.people.summary', {
        verdict,
        source,
        rows: r.rows,
        seconds: seconds.toFixed(1),
        rate: Math.round(r.rows / Math.max(seconds, 0.001)),
        accepted: r.accepted,
        refused: r.refusedRows,
        households: r.householdsCreated,
      }),
    ),
  );
  if (r.ignoredColumns.length) console.log(say(msg('cli.people.ignored', { columns: r.ignoredColumns.join(', ') })));
  for (const p of r.problems.slice(0, PRINTED)) console.log(say(msg('cli.people.problem', { row: p.row, column: p.column, message: p.message })));
  const more = r.problemCount - Math.min(PRINTED, r.problems.length);
  if (more > 0) console.log(say(msg('cli.people.more', { count: more, inReport: r.problems.length > PRINTED ? 1 : 0 })));
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError || err instanceof ImportInputError) {
      console.error(text(err.localized ?? err.message, locale));
      if (err instanceof UsageError) console.error(say(msg('cli.usage', { usage: USAGE })));
      process.exit(2);
    }
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
