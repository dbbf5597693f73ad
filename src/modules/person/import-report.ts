import { text, type Locale, type Msg } from '../../i18n';
import { fieldHeader, type ColumnMap, type ImportField } from './import-columns';
import type { PeopleFileFormat, TextEncoding } from './import-parse';

/**
 * What a people import says back: whether it wrote, how many rows it read and refused, and per refused row
 * its row number, column and problem (the first MAX_LISTED of them; the count says how many there were).
 * Never a personal value: a problem quotes at most the cell it is about, which the importer sent.
 */
export const MAX_LISTED = 1000;

export interface ImportProblem {
  /** The row as the spreadsheet numbers it (the header row is usually 1). */
  row: number;
  /** The column's header as the file writes it (or the field's Chinese header when the file has no such column). */
  column: string;
  message: string;
}

export interface PeopleImportReport {
  file: string;
  format: PeopleFileFormat;
  /** CSV: the encoding read. */
  encoding: TextEncoding | null;
  dryRun: boolean;
  /** True when the people were written (no refused row, not a dry run). */
  written: boolean;
  /** Data rows read (blank rows not counted). */
  rows: number;
  /** Rows that passed every check (written, unless refused rows or a dry run rolled everything back). */
  accepted: number;
  refusedRows: number;
  /** New households (户号 not registered before) the accepted rows make (or would make, when nothing was written). */
  householdsCreated: number;
  problemCount: number;
  /** Sorted by row; at most MAX_LISTED. */
  problems: ImportProblem[];
  /** Field → the header it was read from. */
  columns: Partial<Record<ImportField, string>>;
  /** Headers of columns the import does not read. */
  ignoredColumns: string[];
  ms: number;
}

/** Collects a report while the rows stream by: problems capped, refused rows counted once each (a bit a row). */
export class ReportBuilder {
  readonly report: PeopleImportReport;
  private refused = new Uint8Array(1 << 14);

  constructor(init: { file: string; format: PeopleFileFormat; encoding: TextEncoding | null; dryRun: boolean; columns: ColumnMap }) {
    this.report = {
      file: init.file,
      format: init.format,
      encoding: init.encoding,
      dryRun: init.dryRun,
      written: false,
      rows: 0,
      accepted: 0,
      refusedRows: 0,
      householdsCreated: 0,
      problemCount: 0,
      problems: [],
      columns: { ...init.columns.header },
      ignoredColumns: init.columns.ignored,
      ms: 0,
    };
  }

  /** The header a field's problems are reported under. */
  column(field: ImportField): string {
    return this.report.columns[field] ?? fieldHeader(field);
  }

  /** Until `finish`, a problem's message is kept as a catalogue message. */
  private readonly messages: (Msg | string)[] = [];

  refuse(row: number, field: ImportField, message: Msg | string): void {
    this.report.problemCount += 1;
    if (this.report.problems.length < MAX_LISTED) {
      this.report.problems.push({ row, column: this.column(field), message: '' });
      this.messages.push(message);
    }
    this.markRefused(row);
  }

  markRefused(row: number): void {
    const byte = row >>> 3;
    if (byte >= this.refused.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.refused.length * 2));
      grown.set(this.refused);
      this.refused = grown;
    }
    const bit = 1 << (row & 7);
    if ((this.refused[byte] & bit) === 0) {
      this.refused[byte] |= bit;
      this.report.refusedRows += 1;
    }
  }

  isRefused(row: number): boolean {
    const byte = row >>> 3;
    return byte < this.refused.length && (this.refused[byte] & (1 << (row & 7))) !== 0;
  }

  /** The report, its problems said in `locale` (the importer's: Accept-Language, or the command line's). */
  finish(started: number, written: boolean, locale: Locale): PeopleImportReport {
    this.report.problems.forEach((p, i) => (p.message = text(this.messages[i], locale)));
    this.report.problems.sort((a, b) => a.row - b.row);
    this.report.written = written;
    this.report.ms = Date.now() - started;
    return this.report;
  }
}
