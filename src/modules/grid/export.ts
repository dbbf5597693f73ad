import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import type { Knex } from 'knex';
import type { CoordinateSystem, GridLevel } from '../../generated/graphql';
import { COORDINATE_SYSTEMS, coordinateSystemNamed, metresToDegrees, toWgs84 } from '../../geo/coordinates';
import { geometryIn } from '../../geo/output-crs';
import { fromGlobalId, toGlobalId } from '../../graphql/relay';
import { answeredNotModified, cacheHeaders, weakEtag } from '../../http/etag';
import { compressStream, negotiateEncoding } from '../../http/compression';
import { asOfParam } from '../../shared/as-of';
import { GRID_CODE } from '../auth/policy';
import * as repo from './repo';
import { exportFingerprint, exportPage, type ExportQuery, type ExportRow } from './repo-export';

/**
 * `GET /export/grids.geojson?level=&ancestor=&asOf=&bbox=&simplifyMeters=&precision=&crs=`: grids as a GeoJSON
 * FeatureCollection, streamed page by page (a city's 100,000 micro-grids never sit in memory at once), gzip or
 * brotli compressed as the client accepts, with an ETag (304 when unchanged). Properties are the ones
 * `importGrids` reads by default (code, name, parentCode) plus id, level and version (the expected version of a
 * re-import), so an export imports back unchanged.
 */
const PAGE = 1000;
const LEVELS: readonly GridLevel[] = ['DISTRICT', 'STREET', 'COMMUNITY', 'GRID', 'MICRO_GRID', 'DEDICATED'];
/** The same bound as `Grid.boundary(simplifyMeters:)`: beyond 10 km a street's outline is gone anyway. */
export const MAX_SIMPLIFY_METERS = 10_000;
/** Decimal places: 15 (the default) is every digit a double holds; 7 is about 1 cm, 5 about 1 m. */
export const MAX_PRECISION = 15;
const MIN_PRECISION = 1;
/** Bumped when the bytes of an export change for the same data and parameters (an ETag must change with them). */
const FORMAT_VERSION = 2;

export class ExportRequestError extends Error {}

export interface ExportFilter extends ExportQuery {
  /** The coordinate system positions are written in (converted in the API with gcoord). */
  crs: CoordinateSystem;
}

/**
 * Reads and checks the query string before anything is sent: every problem answers 400 naming the parameter.
 * `ancestor` is a grid code or a global id; `bbox` is in the `crs` asked for (a GCJ-02 map sends its viewport as
 * it sees it) and converted to WGS-84 corner by corner.
 */
export async function exportFilter(db: Knex, params: URLSearchParams): Promise<ExportFilter> {
  const level = params.get('level');
  if (level && !LEVELS.includes(level as GridLevel)) {
    throw new ExportRequestError(`level must be one of ${LEVELS.join(', ')} (got "${level.slice(0, 40)}")`);
  }
  const asOf = asOfParam(params, 'asOf');
  const crs = crsParam(params.get('crs'));
  const simplifyMeters = numberParam(params, 'simplifyMeters', 0, MAX_SIMPLIFY_METERS, false);
  const decimals = numberParam(params, 'precision', MIN_PRECISION, MAX_PRECISION, true) ?? MAX_PRECISION;
  return {
    level: (level as GridLevel) || null,
    ancestorId: await ancestorParam(db, params.get('ancestor')),
    asOf,
    crs,
    bbox: bboxParam(params.get('bbox'), crs),
    simplifyDegrees: simplifyMeters ? metresToDegrees(simplifyMeters) : null,
    decimals,
  };
}

async function ancestorParam(db: Knex, ancestor: string | null): Promise<string | null> {
  if (!ancestor) return null;
  const global = fromGlobalId(ancestor);
  if (global?.type === 'Grid') return global.id;
  if (!GRID_CODE.test(ancestor)) {
    throw new ExportRequestError(`ancestor must be a grid code (6 digits, then 3 per level, e.g. 130105001) or a grid id (got "${ancestor.slice(0, 40)}")`);
  }
  const [row] = await repo.currentGridsByCodes(db, [ancestor]);
  if (!row) throw new ExportRequestError(`ancestor: no current grid has the code ${ancestor}`);
  return row.id;
}

function crsParam(value: string | null): CoordinateSystem {
  if (value === null || value === '') return 'WGS84';
  const found = coordinateSystemNamed(value);
  if (!found) throw new ExportRequestError(`crs must be one of ${COORDINATE_SYSTEMS.join(', ')} (got "${value.slice(0, 40)}")`);
  return found;
}

function numberParam(params: URLSearchParams, name: string, min: number, max: number, integer: boolean): number | null {
  const text = params.get(name);
  if (text === null || text === '') return null;
  const n = /^\s*-?\d+(\.\d+)?\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new ExportRequestError(`${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max} (got "${text.slice(0, 40)}")`);
  }
  return n;
}

function bboxParam(text: string | null, crs: CoordinateSystem): [number, number, number, number] | null {
  if (text === null || text === '') return null;
  const got = `(got "${text.slice(0, 80)}")`;
  const parts = text.split(',').map((p) => (/^\s*-?\d+(\.\d+)?\s*$/.test(p) ? Number(p) : NaN));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) {
    throw new ExportRequestError(`bbox must be four numbers minLng,minLat,maxLng,maxLat, e.g. bbox=114.44,38.03,114.47,38.06 ${got}`);
  }
  const [minLng, minLat, maxLng, maxLat] = parts;
  if ([minLng, maxLng].some((v) => Math.abs(v) > 180) || [minLat, maxLat].some((v) => Math.abs(v) > 90)) {
    throw new ExportRequestError(`bbox: longitudes must be within -180..180 and latitudes within -90..90, in the order minLng,minLat,maxLng,maxLat ${got}`);
  }
  if (minLng >= maxLng || minLat >= maxLat) throw new ExportRequestError(`bbox: the minimum must be below the maximum (minLng,minLat,maxLng,maxLat) ${got}`);
  const sw = toWgs84({ lng: minLng, lat: minLat }, crs);
  const ne = toWgs84({ lng: maxLng, lat: maxLat }, crs);
  return [sw.lng, sw.lat, ne.lng, ne.lat];
}

/**
 * Streams the FeatureCollection. The first page is read before the status line goes out, so a failure of
 * the query itself still gets a proper error status; a failure after that can only cut the body short,
 * which the client sees as an incomplete download (the connection is reset), never as a valid file.
 * `guard` wraps each query (the cap on expensive work): a slot is held while the database works, not
 * while a slow client reads, so clients that stop reading hold nothing but their own sockets.
 */
export interface ExportGuard {
  /** The first query: refused (429) when the cap on expensive work is full. */
  first<T>(work: () => Promise<T>): Promise<T>;
  /** The next queries, promised once the first went out: wait for a slot. */
  next<T>(work: () => Promise<T>): Promise<T>;
}

const UNGUARDED: ExportGuard = { first: (work) => work(), next: (work) => work() };

export interface ExportResponse {
  res: ServerResponse;
  /** The request's headers: Accept-Encoding and If-None-Match. */
  headers: IncomingHttpHeaders;
  /** Whether the answer may sit in shared caches (anonymous callers) or only the caller's own. */
  shared: boolean;
}

/** Streams the export; returns how many features went out (0 for a 304). */
export async function streamGridsGeoJSON(db: Knex, filter: ExportFilter, out: ExportResponse, guard: ExportGuard = UNGUARDED): Promise<number> {
  const { res, headers } = out;
  const fingerprint = await guard.first(() => exportFingerprint(db, filter));
  const etag = weakEtag([FORMAT_VERSION, filter, fingerprint]);
  // The bytes depend on the encoding, the grids on who asks.
  const cache = cacheHeaders(res, etag, out.shared);
  if (answeredNotModified(res, headers, cache)) return 0;
  const page = (after: [string, string] | null) => guard.next(() => exportPage(db, filter, after, PAGE));
  let rows = await page(null);
  const stamp = (filter.asOf ?? new Date()).toISOString().slice(0, 10);
  const encoding = negotiateEncoding(headers);
  res.writeHead(200, {
    'content-type': 'application/geo+json; charset=utf-8',
    'content-disposition': `attachment; filename="grids-${(filter.level ?? 'all').toLowerCase()}-${stamp}.geojson"`,
    ...cache,
    ...(encoding ? { 'content-encoding': encoding } : {}),
  });
  const sink: Writable = encoding ? compressStream(encoding) : res;
  if (sink !== res) sink.pipe(res);
  try {
    let count = 0;
    // A foreign member (RFC 7946 §6.1) saying what the positions are: the importer refuses to read them as another.
    const system = filter.crs === 'WGS84' ? '' : `"coordinateSystem":"${filter.crs}",`;
    await write(sink, res, `{"type":"FeatureCollection",${system}"features":[`);
    for (;;) {
      if (rows.length === 0) break;
      await write(sink, res, rows.map((r) => `${count++ === 0 ? '' : ','}\n${featureText(r, filter)}`).join(''));
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1];
      rows = await page([last.code, last.id]);
    }
    await write(sink, res, '\n]}\n');
    sink.end();
    return count;
  } catch (err) {
    if (sink !== res) sink.destroy();
    throw err;
  }
}

/**
 * Decimal places below which an export no longer imports back unchanged: 7 rounds by about 1 cm, inside the
 * import's 5 cm snap onto the stored vertices; 6 rounds by about 10 cm.
 */
const LOSSLESS_PRECISION = 7;

function featureText(r: ExportRow, filter: ExportFilter): string {
  // A simplified or coarsely rounded export carries no version: re-imported, it would pass the version check and
  // overwrite the detailed boundaries with its simplified ones (without a version, an UPSERT is today's
  // unchecked one, and the dry run shows the area changes).
  const lossy = filter.simplifyDegrees !== null || filter.decimals < LOSSLESS_PRECISION;
  const properties = { id: toGlobalId('Grid', r.id), code: r.code, name: r.name, level: r.level, parentCode: r.parent_code, ...(lossy ? {} : { version: r.version }) };
  // Converted positions are rounded here (PostGIS rounded the WGS-84 ones); the only numbers in a geometry are coordinates.
  const geometry = filter.crs === 'WGS84' ? r.geometry : JSON.stringify(geometryIn(r.geometry, filter.crs), roundTo(filter.decimals));
  return `{"type":"Feature","properties":${JSON.stringify(properties)},"geometry":${geometry}}`;
}

/** A JSON.stringify replacer rounding numbers to `decimals` places (15: as they are, every digit a double holds). */
function roundTo(decimals: number): ((key: string, value: unknown) => unknown) | undefined {
  if (decimals >= MAX_PRECISION) return undefined;
  const scale = 10 ** decimals;
  return (_key, value) => (typeof value === 'number' ? Math.round(value * scale) / scale : value);
}

/** The client closed the connection before the export was complete. */
export class ClientGoneError extends Error {
  constructor() {
    super('the client closed the connection during the export');
  }
}

/** How long a client may read nothing before the export gives up on it. */
const STALL_MS = 30_000;

/**
 * Writes to `sink` (the response, or the compressor piped into it), waiting for it to drain when its buffer is
 * full (a slow client must not fill memory); a client that goes away, or reads nothing for STALL_MS, ends the
 * export (and frees its database connection and concurrency slot).
 */
async function write(sink: Writable, res: ServerResponse, text: string): Promise<void> {
  if (res.destroyed) throw new ClientGoneError();
  if (sink.write(text)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      sink.off('drain', drained);
      res.off('close', closed);
      if (err) reject(err);
      else resolve();
    };
    const drained = () => done();
    const closed = () => done(new ClientGoneError());
    const timer = setTimeout(() => {
      res.destroy();
      done(new ClientGoneError());
    }, STALL_MS);
    sink.once('drain', drained);
    res.once('close', closed);
  });
}
