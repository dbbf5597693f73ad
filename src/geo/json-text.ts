import { Readable, Transform } from 'node:stream';
import { msg, type Msg } from '../i18n';

/**
 * Saying, in one line, why a GeoJSON text cannot be read: GIS staff get files cut short by a download, files
 * in GeoJSONSeq (one feature per line, what `ogr2ogr -f GeoJSONSeq` and many tools stream) or in another format
 * altogether, and a parser's "unexpected token" says nothing about that. Used by the import CLI (a file,
 * streamed) and the `importGrids` mutation (a FeatureCollection sent as a JSON string).
 */

/**
 * A GeoJSON argument sent as a string that is not JSON: the scalar hands it on instead of failing the whole
 * request, so an import can answer with a ValidationError saying where the text breaks (other fields see an
 * object without a `type` and refuse it as they refuse any non-geometry).
 */
export class MalformedGeoJSON {
  constructor(readonly text: string) {}
}

/**
 * How much of the start of a text is looked at to recognise its format: HEAD_CHARS characters past the end of
 * the first line (a first line up to FIRST_LINE_MAX), which holds a whole feature in GeoJSONSeq: one with a
 * detailed boundary is often longer than HEAD_CHARS, and cut short it would not read as a feature.
 */
export const HEAD_CHARS = 64 * 1024;
export const FIRST_LINE_MAX = 64 * 1024 * 1024;

export interface UnreadableJsonSource {
  /** The start of the text (see HEAD_CHARS). */
  head: string;
  /** The whole text again, from the start (verified as a stream, so a huge file never sits in memory). */
  stream(): Readable;
}

/** Why the text is not one JSON value, naming the place (line, column) and the likely cause. */
export async function unreadableJsonProblem(source: UnreadableJsonSource, what: string | Msg): Promise<Msg> {
  const format = recognizedFormat(source.head, what);
  if (format) return format;
  const error = await verify(source.stream());
  if (!error) return msg('gridImport.notCollection', { what });
  if (error.offset >= error.total) return msg('gridImport.cutShort', { what, line: error.line, column: error.pos, offset: error.offset });
  // The parser's own words (English, technical) after where it stopped.
  const reason = error.message.replace(/^.*(?:cannot parse input|has expected):?\s*/, '') || 'unreadable';
  return msg('gridImport.badJson', { what, line: error.line, column: error.pos, reason });
}

/**
 * What else than a FeatureCollection the start of a text shows it to be: empty, GeoJSONSeq (RS-separated, or one
 * feature per line), a GeoPackage, a ZIP, a shapefile. Null when it may well be one.
 */
export function recognizedFormat(text: string, what: string | Msg): Msg | null {
  const head = text.replace(/^\uFEFF/, '');
  if (head.trim() === '') return msg('gridImport.empty', { what });
  if (isFeature(firstLine(head.trimStart())) && head.trimStart().slice(firstLine(head.trimStart()).length).trim() !== '') return msg('gridImport.ndjson', { what });
  if (head.trimStart().startsWith('\u001e')) return msg('gridImport.rs', { what });
  if (head.startsWith('SQLite format 3')) return msg('gridImport.gpkg', { what });
  if (head.startsWith('PK\u0003\u0004')) return msg('gridImport.zip', { what });
  if (head.startsWith("\u0000\u0000'\n")) return msg('gridImport.shp', { what });
  return null;
}

function firstLine(head: string): string {
  const end = head.indexOf('\n');
  return end < 0 ? head : head.slice(0, end);
}

function isFeature(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'Feature';
  } catch {
    return false;
  }
}

interface VerifyError {
  message: string;
  line: number;
  pos: number;
  offset: number;
  /** Characters read in all: an error at the very end means the text stopped short. */
  total: number;
}

/** Runs stream-json's verifier over the text: where (line, column, character offset) it stops being JSON. */
async function verify(input: Readable): Promise<VerifyError | null> {
  // stream-json is an ES module; loaded only when a text turned out to be unreadable.
  const { default: verifier } = await import('stream-json/utils/verifier.js');
  let total = 0;
  const counter = new Transform({
    decodeStrings: false,
    transform(chunk: string | Buffer, _encoding, done) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      total += text.length;
      done(null, text);
    },
  });
  const check = verifier.asStream();
  check.resume();
  return new Promise((resolve) => {
    const fail = (err: Error & { line?: number; pos?: number; offset?: number }) =>
      resolve({ message: err.message, line: err.line ?? 1, pos: err.pos ?? 1, offset: err.offset ?? 0, total });
    input.on('error', fail);
    counter.on('error', fail);
    check.on('error', fail);
    check.on('finish', () => resolve(null));
    input.setEncoding('utf8');
    input.pipe(counter).pipe(check);
  });
}

/** The head of a text (HEAD_CHARS past the end of its first line). */
export function headOf(text: string): string {
  const end = text.indexOf('\n');
  return text.slice(0, Math.min(end < 0 ? text.length : end + 1, FIRST_LINE_MAX) + HEAD_CHARS);
}

/** A string as a stream source for `unreadableJsonProblem`. */
export function textSource(text: string): UnreadableJsonSource {
  return { head: headOf(text), stream: () => Readable.from([text]) };
}
