import { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { unauthenticated } from '../../errors';
import { msg, type Locale } from '../../i18n';
import { assertPermitted } from '../auth/policy';
import type { Principal, Viewer } from '../auth/viewer';
import { writeAudit } from './audit-repo';
import { todayInChina } from './checks';
import type { ImportField } from './import-columns';
import { openPeopleFile, type TextEncoding } from './import-parse';
import { createValidationPool } from './import-pool';
import { ReportBuilder, type PeopleImportReport } from './import-report';
import type { RawBatch, ValidatedBatch } from './import-validate';
import { PeopleImportWriter } from './import-writer';

/**
 * Importing people from a spreadsheet (policy `person:import`: ADMIN or DISPATCHER; every row's house within
 * their jurisdiction), all or nothing. Three stages run at once: the file is parsed on the main thread, rows
 * are checked and sealed on worker threads, and the database writes go batch by batch into one transaction
 * held open for the whole file. A refused row (or a dry run) rolls everything back at the end; only the
 * refused rows' problems are kept meanwhile, so a million-row file never sits in memory. A written import
 * leaves one audit row (file name and counts, never a personal value).
 */
export interface PeopleImportOptions {
  /** The file's name, for the report and the audit row. */
  fileName: string;
  dryRun: boolean;
  /** Why the people are imported (the audit row's reason); default "import of <file>". */
  reason?: string | null;
  /** CSV encoding, when not detected. */
  encoding?: TextEncoding;
  /** Header → field, for headers the import does not know (import-columns.ts parseMapping). */
  mapping?: ReadonlyMap<string, ImportField>;
  /** Worker threads checking rows (0: on the calling thread). */
  threads: number;
  batchSize?: number;
  /** The language of the report's problems: the request's (Accept-Language), or the command line's; default English. */
  locale?: Locale;
  /** Called after each batch is written (the CLI prints progress); problems are said only in the final report. */
  onProgress?: (report: PeopleImportReport) => void;
}

export interface PeopleImportDeps {
  db: Knex;
  config: Config;
  viewer: Viewer;
  requestId: string;
}

const BATCH = 2000;

class Rollback extends Error {}

/**
 * Imports the people of `source` (the file's bytes). Throws FORBIDDEN/UNAUTHENTICATED for a caller who may
 * not import, and `ImportInputError` for a file that cannot be read at all (before anything is written).
 */
export async function importPeople(deps: PeopleImportDeps, source: AsyncIterable<Buffer | string>, options: PeopleImportOptions): Promise<PeopleImportReport> {
  // AUTH: the role here, the jurisdiction row by row once each house is known
  const principal = assertPermitted(deps.viewer, 'person:import');
  if (!principal) throw unauthenticated(msg('auth.tokenNeededPlain', { what: msg('action.person:import') }));
  const started = Date.now();
  // VALIDATION of the file as a whole: readable, a header row with every required column
  const file = await openPeopleFile(source, { encoding: options.encoding, mapping: options.mapping, batchSize: options.batchSize ?? BATCH });
  const builder = new ReportBuilder({ file: options.fileName, format: file.format, encoding: file.encoding, dryRun: options.dryRun, columns: file.columns });
  const pool = createValidationPool(options.threads, { pii: deps.config.pii, today: todayInChina() });
  let written = false;
  try {
    // RESOLUTION: one transaction for the whole file
    await deps.db.transaction(async (trx) => {
      await trx.raw(`SET LOCAL statement_timeout = ${Math.round(deps.config.db.longStatementTimeoutMs)}`);
      const writer = new PeopleImportWriter(trx, principal, builder);
      const write = async (batch: ValidatedBatch) => {
        await writer.write(batch);
        options.onProgress?.(builder.report);
      };
      await pipeline(file.batches, (batch) => pool.validate(batch), write, Math.max(2, options.threads * 2), () => stop(source));
      writer.finish();
      if (builder.report.refusedRows > 0 || options.dryRun) throw new Rollback();
      await audit(trx, deps, principal, options, builder.report);
    });
    written = true;
  } catch (err) {
    if (!(err instanceof Rollback)) {
      stop(source);
      throw err;
    }
  } finally {
    await pool.close();
  }
  return builder.finish(started, written, options.locale ?? 'en');
}

/** Stops reading a source that is a stream (an upload whose import failed: nobody reads the rest). */
function stop(source: AsyncIterable<Buffer | string>): void {
  if (source instanceof Readable) source.destroy();
}

async function audit(trx: Knex.Transaction, deps: PeopleImportDeps, principal: Principal, options: PeopleImportOptions, r: PeopleImportReport): Promise<void> {
  await writeAudit(trx, { requestId: deps.requestId }, principal, {
    action: 'IMPORT',
    subjectType: 'person',
    reason: options.reason?.trim() || `import of ${options.fileName}`,
    detail: { file: options.fileName, format: r.format, rows: r.accepted, householdsCreated: r.householdsCreated },
  });
}

/**
 * Runs `read` → `check` → `write` with up to `depth` batches between reading and writing: reading and the
 * checks (on other threads) go on while a batch is written, and batches are written in file order. The first
 * failure of any stage stops the others (`abort` stops a reader waiting for input that may never come).
 */
async function pipeline(
  batches: AsyncGenerator<RawBatch>,
  check: (batch: RawBatch) => Promise<ValidatedBatch>,
  write: (batch: ValidatedBatch) => Promise<void>,
  depth: number,
  abort: () => void,
): Promise<void> {
  const queue: Promise<ValidatedBatch>[] = [];
  let readDone = false;
  const state: { failure: { error: unknown } | null } = { failure: null };
  let waiting: (() => void)[] = [];
  const changed = () => {
    const wake = waiting;
    waiting = [];
    for (const w of wake) w();
  };
  const nextChange = () => new Promise<void>((resolve) => waiting.push(resolve));

  const reading = (async () => {
    try {
      for await (const batch of batches) {
        while (queue.length >= depth && !state.failure) await nextChange();
        if (state.failure) return;
        const checked = check(batch);
        checked.catch(() => undefined); // awaited, and its failure seen, by the writer
        queue.push(checked);
        changed();
      }
    } catch (err) {
      state.failure ??= { error: err };
    } finally {
      readDone = true;
      changed();
    }
  })();

  try {
    for (;;) {
      while (queue.length === 0 && !readDone && !state.failure) await nextChange();
      if (state.failure) throw state.failure.error;
      const next = queue.shift();
      if (!next) break;
      changed();
      await write(await next);
    }
  } catch (err) {
    state.failure ??= { error: err };
    changed();
    abort();
    await reading;
    throw state.failure.error;
  }
  await reading;
}
