import { pipeline, Readable } from 'node:stream';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import {
  dateCellText,
  FIELD_NAMES,
  ImportInputError,
  knownHeaders,
  mapColumns,
  numberCellText,
  type ColumnMap,
  type ImportField,
} from './import-columns';
import type { RawBatch } from './import-validate';

/**
 * Reading a people file as a stream of row batches: CSV through csv-parse (UTF-8 with or without BOM, or the
 * GBK/GB 18030 that Excel in China saves, detected from the first 64 KiB or given), XLSX through exceljs's
 * streaming WorkbookReader (its first worksheet; dates as Date objects or serial numbers; long numbers a
 * spreadsheet rounded kept recognisable). The header row is found (title rows above it skipped) and mapped
 * before any data row is read; rows reach the caller in batches and nothing holds the whole file.
 */
export type PeopleFileFormat = 'csv' | 'xlsx';
export type TextEncoding = 'utf-8' | 'gb18030';

export interface ReadOptions {
  /** For CSV: the encoding, when not to be detected. */
  encoding?: TextEncoding;
  mapping?: ReadonlyMap<string, ImportField>;
  /** Rows per batch. */
  batchSize: number;
}

export interface PeopleFile {
  format: PeopleFileFormat;
  /** CSV: the encoding read (detected or given). */
  encoding: TextEncoding | null;
  columns: ColumnMap;
  /** The data rows, in file order. Iterate once. */
  batches: AsyncGenerator<RawBatch>;
}

/** How many bytes decide the encoding and the format. */
const SAMPLE_BYTES = 64 * 1024;
/** Rows before the header that may be titles (XX社区实有人口登记表) or notes. */
const MAX_TITLE_ROWS = 10;
/** A header row names at least this many known columns. */
const MIN_KNOWN_HEADERS = 3;

/** A row of cells as read, before mapping: its row number (1-based, as the spreadsheet shows it) and its texts. */
interface SheetRow {
  row: number;
  cells: string[];
}

/**
 * Opens a people file: detects XLSX (a ZIP) or CSV from its first bytes, finds the header row and maps it.
 * Throws `ImportInputError` for a file that cannot be read (an .xls, UTF-16) or lacks a required column.
 */
export async function openPeopleFile(source: AsyncIterable<Buffer | string>, options: ReadOptions): Promise<PeopleFile> {
  const { sample, rest, failure } = await sampleOf(source, SAMPLE_BYTES);
  const format = formatOf(sample);
  // XLSX cells are read as text by the field of their column (a rounded ID number, a serial date), known once
  // the header row is: the reader looks it up as it goes.
  const fieldAt: (ImportField | null)[] = [];
  let encoding: TextEncoding | null = null;
  let rows: AsyncGenerator<SheetRow>;
  if (format === 'xlsx') {
    rows = xlsxRows(rest, (i) => fieldAt[i] ?? null, failure);
  } else {
    encoding = options.encoding ?? detectEncoding(sample);
    rows = csvRows(rest, encoding, failure);
  }
  let columns: ColumnMap;
  try {
    columns = mapColumns(await findHeader(rows, options.mapping), options.mapping);
  } catch (err) {
    // Nothing more is read: the reader and what it reads from are closed.
    rest.destroy();
    await rows.return(undefined).catch(() => undefined);
    throw err;
  }
  for (const [field, i] of Object.entries(columns.index) as [ImportField, number][]) fieldAt[i] = field;
  return { format, encoding, columns, batches: batchesOf(rows, columns, options.batchSize) };
}

/**
 * The first `bytes` of the source (to tell the format and encoding), and a stream of all of it. A failure of
 * the source itself (an upload cut short or too large) is kept in `failure`, so the readers pass it on as it
 * is rather than as a file that cannot be read.
 */
async function sampleOf(source: AsyncIterable<Buffer | string>, bytes: number): Promise<{ sample: Buffer; rest: Readable; failure: { error?: unknown } }> {
  const iterator = source[Symbol.asyncIterator]();
  const failure: { error?: unknown } = {};
  const next = async () => {
    try {
      const item = await iterator.next();
      return item.done ? null : typeof item.value === 'string' ? Buffer.from(item.value) : item.value;
    } catch (err) {
      failure.error = err;
      throw err;
    }
  };
  const head: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < bytes) {
    const chunk = await next();
    if (chunk === null) {
      done = true;
      break;
    }
    head.push(chunk);
    size += chunk.length;
  }
  async function* all(): AsyncGenerator<Buffer> {
    yield* head;
    if (done) return;
    for (let chunk = await next(); chunk !== null; chunk = await next()) yield chunk;
  }
  return { sample: Buffer.concat(head), rest: Readable.from(all(), { objectMode: false }), failure };
}

function formatOf(sample: Buffer): PeopleFileFormat {
  if (sample.length === 0) throw new ImportInputError('the file is empty');
  if (sample.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return 'xlsx';
  if (sample.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]))) {
    throw new ImportInputError('this is an .xls file (Excel 97–2003), which is not read: save it as .xlsx (Excel 工作簿) or as CSV');
  }
  if ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff)) {
    throw new ImportInputError('this is a UTF-16 text file ("Unicode 文本"): save it as CSV UTF-8 (逗号分隔) or as CSV');
  }
  return 'csv';
}

/**
 * UTF-8 when the file starts with its BOM or its first bytes are valid UTF-8 (a character cut at the end of
 * the sample allowed); otherwise GB 18030, the superset of GBK that Excel in China writes CSV in.
 */
export function detectEncoding(sample: Buffer): TextEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return 'utf-8';
  } catch {
    return 'gb18030';
  }
}

async function* csvRows(input: Readable, encoding: TextEncoding, source: { error?: unknown }): AsyncGenerator<SheetRow> {
  // Blank lines are records too (Excel numbers them as rows); relax_column_count: short rows are padded later.
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: false, relax_quotes: true });
  // A failure anywhere (the source, the decoder) ends the parser with it, where the loop below sees it.
  const ignore = () => undefined;
  if (encoding === 'utf-8') pipeline(input, parser, ignore);
  else pipeline(input, iconv.decodeStream('gb18030'), parser, ignore);
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) yield { row: ++row, cells: record };
  } catch (err) {
    if ('error' in source) throw source.error;
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('CSV_')) {
      throw new ImportInputError(`the CSV cannot be read after row ${row}: ${err.message}`);
    }
    throw err;
  }
}

/** The XLSX reader's cell values, as text for the field of their column. */
function cellText(value: unknown, field: ImportField | null): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return field ? numberCellText(field, value) : String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return dateCellText(value);
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; result?: unknown; text?: unknown; error?: unknown };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellText(v.result, field);
    if (typeof v.text === 'string') return v.text;
    if (v.error !== undefined) return '';
  }
  return String(value);
}

async function* xlsxRows(input: Readable, fieldAt: (column: number) => ImportField | null, source: { error?: unknown }): AsyncGenerator<SheetRow> {
  // exceljs is big: loaded when an XLSX file comes, not with the service.
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore' });
  let first = true;
  try {
    for await (const sheet of reader) {
      // Only the first worksheet is read; the others are passed over (drained) unread.
      if (!first) continue;
      first = false;
      for await (const row of sheet as AsyncIterable<{ number: number; values: unknown }>) {
        const values = Array.isArray(row.values) ? row.values : [];
        // exceljs row values are 1-based: index 0 is always empty.
        const cells: string[] = [];
        for (let c = 1; c < values.length; c++) cells.push(cellText(values[c], fieldAt(c - 1)));
        yield { row: row.number, cells };
      }
    }
  } catch (err) {
    if ('error' in source) throw source.error;
    if (err instanceof ImportInputError) throw err;
    throw new ImportInputError(`the XLSX file cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (first) throw new ImportInputError('the XLSX file has no worksheet');
}

/**
 * The header row: the first row naming at least three known columns among the first few (title rows above it
 * skipped); when none does, the first non-empty row, for mapColumns to say what it lacks.
 */
async function findHeader(rows: AsyncGenerator<SheetRow>, mapping?: ReadonlyMap<string, ImportField>): Promise<string[]> {
  let first: string[] | null = null;
  for (let seen = 0; seen < MAX_TITLE_ROWS; ) {
    const next = await rows.next();
    if (next.done) break;
    if (next.value.cells.every((c) => c.trim() === '')) continue;
    if (knownHeaders(next.value.cells, mapping) >= MIN_KNOWN_HEADERS) return next.value.cells;
    first ??= next.value.cells;
    seen++;
  }
  if (!first) throw new ImportInputError('the file holds no rows: not even a header row');
  return first;
}

async function* batchesOf(rows: AsyncGenerator<SheetRow>, columns: ColumnMap, batchSize: number): AsyncGenerator<RawBatch> {
  const indexes = FIELD_NAMES.map((f) => columns.index[f] ?? -1);
  let seq = 0;
  let batch: RawBatch = { seq, rows: [], cells: [] };
  const take = (r: SheetRow) => {
    const cells = indexes.map((i) => (i >= 0 ? (r.cells[i] ?? '') : ''));
    if (cells.every((c) => c.trim() === '')) return; // a blank row (or one of ignored columns only)
    batch.rows.push(r.row);
    batch.cells.push(cells);
  };
  for await (const r of { [Symbol.asyncIterator]: () => rows }) {
    take(r);
    if (batch.rows.length >= batchSize) {
      yield batch;
      batch = { seq: ++seq, rows: [], cells: [] };
    }
  }
  if (batch.rows.length > 0) yield batch;
}
