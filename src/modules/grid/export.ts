import type { ServerResponse } from 'node:http';
import type { Knex } from 'knex';
import type { GridLevel } from '../../generated/graphql';
import { fromGlobalId, toGlobalId } from '../../graphql/relay';
import { parseInstant } from '../../shared/time';
import { GRID_CODE } from '../auth/policy';
import * as repo from './repo';

/**
 * `GET /export/grids.geojson?level=&ancestor=&asOf=`: grids as a GeoJSON FeatureCollection, streamed page by
 * page (a city's 100,000 micro-grids never sit in memory at once). Properties are the ones `importGrids`
 * reads by default (code, name, parentCode) plus id, level and version, so an export imports back unchanged.
 */
const PAGE = 1000;
const LEVELS: readonly GridLevel[] = ['DISTRICT', 'STREET', 'COMMUNITY', 'GRID', 'MICRO_GRID', 'DEDICATED'];

export class ExportRequestError extends Error {}

export interface ExportFilter {
  level: GridLevel | null;
  ancestorId: string | null;
  asOf: Date | null;
}

/**
 * Reads and checks the query string before anything is sent: every problem answers 400 with what is wrong.
 * `ancestor` is a grid code or a global id.
 */
export async function exportFilter(db: Knex, params: URLSearchParams): Promise<ExportFilter> {
  const level = params.get('level');
  if (level && !LEVELS.includes(level as GridLevel)) {
    throw new ExportRequestError(`level must be one of ${LEVELS.join(', ')} (got "${level.slice(0, 40)}")`);
  }
  const asOfText = params.get('asOf');
  let asOf: Date | null = null;
  if (asOfText) {
    const parsed = parseInstant(asOfText);
    if (!(parsed instanceof Date)) throw new ExportRequestError(`asOf ${parsed.problem} (got "${asOfText.slice(0, 40)}")`);
    asOf = parsed;
  }
  const ancestor = params.get('ancestor');
  let ancestorId: string | null = null;
  if (ancestor) {
    const global = fromGlobalId(ancestor);
    if (global?.type === 'Grid') ancestorId = global.id;
    else if (!GRID_CODE.test(ancestor)) {
      throw new ExportRequestError(`ancestor must be a grid code (6 digits, then 3 per level, e.g. 130105001) or a grid id (got "${ancestor.slice(0, 40)}")`);
    } else {
      const [row] = await repo.currentGridsByCodes(db, [ancestor]);
      if (!row) throw new ExportRequestError(`ancestor: no current grid has the code ${ancestor}`);
      ancestorId = row.id;
    }
  }
  return { level: (level as GridLevel) || null, ancestorId, asOf };
}

/**
 * Streams the FeatureCollection. The first page is read before the status line goes out, so a failure of
 * the query itself still gets a proper error status; a failure after that can only cut the body short,
 * which the client sees as an incomplete download (the connection is reset), never as a valid file.
 * `guard` wraps each page's query (the cap on expensive work): a slot is held while the database works, not
 * while a slow client reads, so clients that stop reading hold nothing but their own sockets.
 */
export interface ExportGuard {
  /** The first page: refused (429) when the cap on expensive work is full. */
  first<T>(work: () => Promise<T>): Promise<T>;
  /** The next pages, promised once the first went out: wait for a slot. */
  next<T>(work: () => Promise<T>): Promise<T>;
}

const UNGUARDED: ExportGuard = { first: (work) => work(), next: (work) => work() };

export async function streamGridsGeoJSON(db: Knex, filter: ExportFilter, res: ServerResponse, guard: ExportGuard = UNGUARDED): Promise<number> {
  const page = (after: [string, string] | null) => (after ? guard.next : guard.first)(() => repo.exportPage(db, filter, after, PAGE));
  let rows = await page(null);
  const stamp = (filter.asOf ?? new Date()).toISOString().slice(0, 10);
  res.writeHead(200, {
    'content-type': 'application/geo+json; charset=utf-8',
    'content-disposition': `attachment; filename="grids-${(filter.level ?? 'all').toLowerCase()}-${stamp}.geojson"`,
  });
  let count = 0;
  await write(res, '{"type":"FeatureCollection","features":[');
  for (;;) {
    if (rows.length === 0) break;
    const chunk = rows
      .map((r) => {
        const properties = { id: toGlobalId('Grid', r.id), code: r.code, name: r.name, level: r.level, parentCode: r.parent_code, version: r.version };
        return `${count++ === 0 ? '' : ','}\n{"type":"Feature","properties":${JSON.stringify(properties)},"geometry":${r.geometry}}`;
      })
      .join('');
    await write(res, chunk);
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1];
    rows = await page([last.code, last.id]);
  }
  await write(res, '\n]}\n');
  res.end();
  return count;
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
 * Writes, waiting for the socket to drain when its buffer is full (a slow client must not fill memory); a
 * client that goes away, or reads nothing for STALL_MS, ends the export (and frees its database connection
 * and concurrency slot).
 */
async function write(res: ServerResponse, text: string): Promise<void> {
  if (res.destroyed) throw new ClientGoneError();
  if (res.write(text)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      res.off('drain', drained);
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
    res.once('drain', drained);
    res.once('close', closed);
  });
}
