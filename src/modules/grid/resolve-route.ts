import type { Context } from '../../context';
import type { CoordinateSystem } from '../../generated/graphql';
import { coordinateSystemNamed } from '../../geo/coordinates';
import { toGlobalId } from '../../graphql/relay';
import { positionIn } from '../../geo/output-crs';
import { msg } from '../../i18n';
import { asOfParam } from '../../shared/as-of';
import { RouteError, type RouteRequest } from '../module';
import type { WorkerRow } from '../worker/mappers';
import type { GridRow, LocationResolutionSource } from './mappers';

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * `GET /resolve?lng=&lat=&crs=&asOf=`: `resolveLocation` as plain JSON, for mini-programs and scripts that would
 * rather not speak GraphQL. The same service call as the GraphQL field (same authentication, rate limit, rule
 * and batching), answered with what a phone shows: the grid, its chain, the responsible workers (phones masked
 * as GraphQL masks them). Without GraphQL's parsing, validation and execution (and the request's loaders, which
 * nothing here reads), a request costs the API process less than half the CPU (bench/resolve.ts).
 */
export async function resolveRoute(request: RouteRequest): Promise<void> {
  const args = resolveArguments(request.url.searchParams);
  const ctx = request.context();
  const resolution = await ctx.services.grid.resolveLocation(args, { primeLoaders: false });
  const body = JSON.stringify(await resolutionJson(resolution, ctx, args.crs));
  request.res
    .writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(body)) })
    .end(body);
}

/** The query parameters as `resolveLocation`'s arguments; a 400 naming the parameter for anything wrong. */
export function resolveArguments(params: URLSearchParams): { lng: number; lat: number; crs: CoordinateSystem; asOf: Date | null } {
  const number = (param: 'lng' | 'lat'): number => {
    const value = params.get(param)?.trim();
    if (!value) throw new RouteError(400, msg('resolve.missing', { param }), 'BAD_USER_INPUT', param);
    if (!DECIMAL.test(value)) throw new RouteError(400, msg('resolve.notNumber', { param, got: value.slice(0, 40) }), 'BAD_USER_INPUT', param);
    return Number(value);
  };
  const lng = number('lng');
  const lat = number('lat');
  const crsParam = params.get('crs')?.trim().toUpperCase() || 'WGS84';
  const crs = coordinateSystemNamed(crsParam);
  if (!crs) throw new RouteError(400, msg('resolve.crs', { got: crsParam.slice(0, 40) }), 'BAD_USER_INPUT', 'crs');
  return { lng, lat, crs, asOf: asOfParam(params, 'asOf') };
}

const gridJson = (g: GridRow) => ({ id: toGlobalId('Grid', g.id), code: g.code, name: g.name, level: g.level });

/**
 * What `resolveLocation { point(crs) grid chain dedicatedGrids responsibleGrid responsibleWorkers approximate
 * distanceMeters }` answers: the point in the system it was given in, so a mini-program plots it on its basemap.
 */
async function resolutionJson(r: LocationResolutionSource, ctx: Context, crs: CoordinateSystem) {
  const workers = ctx.services.worker;
  const responsibleGrid = r.responsibleGridId ? (r.chain.find((g) => g.id === r.responsibleGridId) ?? (await ctx.services.grid.byId(r.responsibleGridId))) : null;
  return {
    point: positionIn(r.point, crs),
    grid: r.grid && gridJson(r.grid),
    chain: r.chain.map(gridJson),
    dedicatedGrids: r.dedicatedGrids.map(gridJson),
    responsibleGrid: responsibleGrid && gridJson(responsibleGrid),
    responsibleWorkers: r.responsibleWorkers.map((w: WorkerRow) => ({
      id: toGlobalId('GridWorker', w.id),
      name: w.name,
      phone: workers.phone(w),
      phoneMasked: !workers.phoneVisible(w),
      role: w.role,
    })),
    approximate: r.approximate,
    distanceMeters: r.distanceMeters,
  };
}
