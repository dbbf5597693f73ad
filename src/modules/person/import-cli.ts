/**
 * `npm run import:people -- <file.csv|file.xlsx> [--dry-run] [--mapping mapping.json] [--encoding utf-8|gbk]
 *    [--reason "…"] [--as li.ming] [--grid 130105001] [--threads N] [--report report.json]`
 *
 * Imports people from a spreadsheet into DATABASE_URL (or the embedded database under DATA_DIR, while the
 * server is not running), all or nothing, with the checks of `POST /import/people`. The file is streamed: its
 * size is not limited by memory. It runs as an ADMIN of the whole deployment (`cli:<os user>`, or `--as`);
 * `--grid` acts within that grid only, as a scoped dispatcher would.
 * Exit code 0 when written (or a clean dry run), 1 when rows were refused, 2 for bad arguments or a file that
 * cannot be read (one line saying why).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config';
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
  'usage: npm run import:people -- <file.csv|file.xlsx> [--dry-run] [--mapping mapping.json] [--encoding utf-8|gbk] ' +
  '[--reason "…"] [--as <user>] [--grid <jurisdiction code>] [--threads N] [--report report.json]';
/** Problems printed; the rest go to --report. */
const PRINTED = 100;

class UsageError extends Error {}

function encodingOf(value: string | undefined): TextEncoding | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase().replace(/_/g, '-');
  if (v === 'utf-8' || v === 'utf8') return 'utf-8';
  if (v === 'gbk' || v === 'gb2312' || v === 'gb18030' || v === 'cp936') return 'gb18030';
  throw new UsageError(`--encoding must be utf-8 or gbk (got "${value}")`);
}

function readMapping(file: string | undefined): Map<string, ImportField> | undefined {
  if (file === undefined) return undefined;
  if (!fs.existsSync(file)) throw new UsageError(`no such mapping file: ${file}`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`the mapping file ${file} is not JSON: ${(err as Error).message}`);
  }
  return parseMapping(json);
}

async function main(): Promise<number> {
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
  if (!file) throw new UsageError('give the CSV or XLSX file to import');
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`no such file: ${file}`);
  if (values.grid !== undefined && !GRID_CODE.test(values.grid)) throw new UsageError(`--grid must be a grid code such as 130105001 (got "${values.grid}")`);
  const threads = values.threads === undefined ? os.availableParallelism() : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 0 || threads > 64) throw new UsageError(`--threads must be a whole number 0–64 (got "${values.threads}")`);
  const encoding = encodingOf(values.encoding);
  const mapping = readMapping(values.mapping);

  const config = loadConfig();
  // Errors only: an import's batch statements are long by nature, and slow-query warnings would drown the report.
  const log = createLogger({ logLevel: 'error' }, 2);
  const db = await openDatabase(config, log);
  try {
    await migrateLatest(db.knex);
    if (values.grid && (await currentGridsByCodes(db.knex, [values.grid])).length === 0) throw new UsageError(`--grid ${values.grid} is not the code of a current grid`);
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
        onProgress: (r) => {
          const now = Date.now();
          if (now - lastShown < 2000) return;
          lastShown = now;
          const seconds = (now - started) / 1000;
          process.stderr.write(`checked ${r.rows} rows (${r.refusedRows} refused) in ${seconds.toFixed(1)} s, ${Math.round(r.rows / seconds)} rows/s\n`);
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
  const verdict = r.written ? 'written' : r.dryRun && r.refusedRows === 0 ? 'dry run: nothing written' : 'refused: nothing written';
  const seconds = r.ms / 1000;
  const source = `${r.file} (${r.format}${r.encoding ? `, ${r.encoding}` : ''})`;
  console.log(
    `${verdict} — ${source}: ${r.rows} rows in ${seconds.toFixed(1)} s (${Math.round(r.rows / Math.max(seconds, 0.001))} rows/s): ` +
      `${r.accepted} accepted, ${r.refusedRows} refused; ${r.householdsCreated} new households`,
  );
  if (r.ignoredColumns.length) console.log(`  columns ignored: ${r.ignoredColumns.join(', ')}`);
  for (const p of r.problems.slice(0, PRINTED)) console.log(`  row ${p.row}, column ${p.column}: ${p.message}`);
  const more = r.problemCount - Math.min(PRINTED, r.problems.length);
  if (more > 0) console.log(`  … and ${more} more problems${r.problems.length > PRINTED ? ' (--report file.json lists the first 1,000)' : ''}`);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError || err instanceof ImportInputError) {
      console.error(err.message);
      if (err instanceof UsageError) console.error(USAGE);
      process.exit(2);
    }
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
