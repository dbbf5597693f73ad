import { Readable, Transform } from 'node:stream';

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

/** How much of the start of a text is looked at to recognise its format. */
export const HEAD_CHARS = 64 * 1024;

export interface UnreadableJsonSource {
  /** The start of the text (up to HEAD_CHARS characters). */
  head: string;
  /** The whole text again, from the start (verified as a stream, so a huge file never sits in memory). */
  stream(): Readable;
}

/** Why the text is not one JSON value, naming the place (line, column) and the likely cause. */
export async function unreadableJsonProblem(source: UnreadableJsonSource, what: string): Promise<string> {
  const format = recognizedFormat(source.head, what);
  if (format) return format;
  const error = await verify(source.stream());
  if (!error) return `${what} is JSON, but not a GeoJSON FeatureCollection ({"type": "FeatureCollection", "features": [...]})`;
  const where = `line ${error.line}, column ${error.pos}`;
  if (error.offset >= error.total) {
    return `${what} ends in the middle of the JSON at ${where} (character ${error.offset}): it was cut short, by an interrupted download or copy; export it again`;
  }
  const reason = error.message.replace(/^.*(?:cannot parse input|has expected):?\s*/, '') || 'unreadable';
  return `${what} is not valid JSON at ${where}: ${reason}`;
}

/**
 * What else than a FeatureCollection the start of a text shows it to be: empty, GeoJSONSeq (RS-separated, or one
 * feature per line), a GeoPackage, a ZIP, a shapefile. Null when it may well be one.
 */
export function recognizedFormat(text: string, what: string): string | null {
  const head = text.replace(/^\uFEFF/, '');
  if (head.trim() === '') return `${what} is empty`;
  if (isFeature(firstLine(head.trimStart())) && head.trimStart().slice(firstLine(head.trimStart()).length).trim() !== '') return ndjson(what);
  if (head.trimStart().startsWith('\u001e')) {
    return `${what} is GeoJSONSeq (RFC 8142: features separated by RS characters), not a FeatureCollection: convert it with \`ogr2ogr -f GeoJSON out.geojson in.geojsons\``;
  }
  if (head.startsWith('SQLite format 3')) {
    return `${what} is a GeoPackage, not GeoJSON: convert it with \`ogr2ogr -f GeoJSON -t_srs EPSG:4326 out.geojson in.gpkg\``;
  }
  if (head.startsWith('PK\u0003\u0004')) return `${what} is a ZIP archive (a zipped shapefile?), not GeoJSON: unzip it and convert the .shp with ogr2ogr`;
  if (head.startsWith("\u0000\u0000'\n")) {
    return `${what} is a shapefile (.shp), not GeoJSON: convert it with \`ogr2ogr -f GeoJSON -t_srs EPSG:4326 -lco RFC7946=YES out.geojson in.shp\``;
  }
  return null;
}

function ndjson(what: string): string {
  return (
    `${what} holds one feature per line (newline-delimited GeoJSON / GeoJSONSeq), not a FeatureCollection: ` +
    'convert it with `ogr2ogr -f GeoJSON out.geojson in.geojsonl`'
  );
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

/** A string as a stream source for `unreadableJsonProblem`. */
export function textSource(text: string): UnreadableJsonSource {
  return { head: text.slice(0, HEAD_CHARS), stream: () => Readable.from([text]) };
}
