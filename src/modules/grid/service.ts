import { NEAREST_GRID_METERS } from '../location/repo';
import type { Context } from '../../context';
import type { CoordinateSystem, GridFilter, GridLevel } from '../../generated/graphql';
import { badInput } from '../../errors';
import { joined, msg } from '../../i18n';
import { checkPosition, degreesAround, metresToDegrees, toWgs84 } from '../../geo/coordinates';
import { geometryProblems, geometrySize } from '../../geo/geojson';
import { decodeGridCursor, expectGlobalId, pageSize } from '../../graphql/relay';
import { assertPermitted } from '../auth/policy';
import type { WorkerRow } from '../worker/mappers';
import * as repo from './repo';
import { locationResolver } from './resolve-batch';
import { resolveLocationAsOfRows } from './repo-resolve-as-of';
import type { GridConnectionSource, GridRow, LocationResolutionSource } from './mappers';

/** A position outside every grid but this close to one is resolved to it, flagged approximate. */
export const APPROXIMATE_WITHIN_METERS = NEAREST_GRID_METERS;
const MAX_SIMPLIFY_METERS = 10_000;
/** Names are at most 100 characters: a longer substring matches nothing, and costs a scan to find that out. */
const MAX_NAME_FILTER = 100;

export class GridService {
  constructor(private readonly ctx: Context) {}

  private get loaders() {
    return this.ctx.loaders.grid;
  }

  async grid(args: { id?: string | null; code?: string | null; asOf?: Date | null }): Promise<GridRow | null> {
    // AUTH (public; an API key needs READ_GRIDS)
    assertPermitted(this.ctx.viewer, 'grid:read');
    // VALIDATION
    const given = [args.id, args.code].filter((v) => v !== null && v !== undefined);
    if (given.length !== 1) throw badInput(msg('input.gridIdOrCode'));
    // RESOLUTION
    const asOf = args.asOf ?? null;
    if (args.id) return this.loaders.byIdAsOf(asOf).load(expectGlobalId(args.id, 'Grid', 'id'));
    return this.loaders.byCodeAsOf(asOf).load(args.code!);
  }

  byId(id: string | null): Promise<GridRow | null> {
    return id ? this.loaders.byId.load(id) : Promise.resolve(null);
  }

  /** The parent as of the same instant as the grid (the current parent for a current grid). */
  parent(grid: GridRow): Promise<GridRow | null> {
    return grid.parent_id ? this.loaders.byIdAsOf(grid.as_of ?? null).load(grid.parent_id) : Promise.resolve(null);
  }

  async ancestors(grid: GridRow): Promise<GridRow[]> {
    const rows = await this.loaders.byIdAsOf(grid.as_of ?? null).loadMany(grid.ancestor_ids);
    return rows.filter((r): r is GridRow => r !== null && !(r instanceof Error));
  }

  history(grid: GridRow) {
    return this.loaders.history.load(grid.id);
  }

  async list(filter: GridFilter | null | undefined, first: number | null | undefined, after: string | null | undefined) {
    // AUTH (public; an API key needs READ_GRIDS)
    assertPermitted(this.ctx.viewer, 'grid:read');
    // VALIDATION
    const limit = pageSize(first);
    const position = after ? decodeGridCursor(after) : null;
    const nameContains = filter?.nameContains?.trim() || null;
    if (nameContains && nameContains.length > MAX_NAME_FILTER) {
      throw badInput(msg('input.nameFilter', { length: nameContains.length, max: MAX_NAME_FILTER }), 'filter.nameContains');
    }
    const f: repo.GridListFilter = {
      level: filter?.level,
      parentIds: filter?.parentId ? [expectGlobalId(filter.parentId, 'Grid', 'filter.parentId')] : undefined,
      ancestorId: filter?.ancestorId ? expectGlobalId(filter.ancestorId, 'Grid', 'filter.ancestorId') : null,
      nameContains,
      bbox: filter?.bbox ? checkBbox(filter.bbox) : null,
      intersects: filter?.intersects ? checkGeometry(filter.intersects, 'filter.intersects', this.ctx.config.limits.maxFilterVertices) : null,
      asOf: filter?.asOf ?? null,
    };
    // RESOLUTION (a spatial filter by an arbitrary shape counts as expensive work)
    const guarded = <T>(work: () => Promise<T>) => (f.intersects ? this.ctx.expensive('intersects', work) : work());
    const rows = await guarded(() => repo.listGrids(this.ctx.db, f, position, limit + 1));
    this.loaders.primeAll(rows);
    return page(rows, limit, position !== null, () => guarded(() => repo.countGrids(this.ctx.db, f)));
  }

  async children(
    grid: GridRow,
    args: { level?: GridLevel | null; first?: number | null; after?: string | null },
  ): Promise<GridConnectionSource> {
    const limit = pageSize(args.first);
    const position = args.after ? decodeGridCursor(args.after) : null;
    const level = args.level ?? null;
    const asOf = grid.as_of ?? null;
    const rows = await this.loaders.childrenPage({ level, after: position, limit: limit + 1, asOf }).load(grid.id);
    return page(rows, limit, position !== null, () => this.loaders.childCount({ level, asOf }).load(grid.id));
  }

  async boundary(grid: { id: string; version: number }, simplifyMeters: number | null | undefined): Promise<string> {
    let tolerance: number | null = null;
    if (simplifyMeters !== null && simplifyMeters !== undefined) {
      if (!Number.isFinite(simplifyMeters) || simplifyMeters < 0 || simplifyMeters > MAX_SIMPLIFY_METERS) {
        throw badInput(msg('input.simplify', { max: MAX_SIMPLIFY_METERS, got: simplifyMeters }), 'simplifyMeters');
      }
      if (simplifyMeters > 0) tolerance = metresToDegrees(simplifyMeters);
    }
    const geojson = await this.loaders.boundary(tolerance).load({ id: grid.id, version: grid.version });
    if (geojson === null) throw new Error(`grid ${grid.id} version ${grid.version} has no boundary`);
    this.ctx.budget.charge(geojson.length);
    return geojson;
  }

  /**
   * The active workers responsible for a grid: its own, else those of the nearest ancestor with any. The
   * chains of all grids on a page are fetched through one batched load.
   */
  async responsibleWorkers(grid: GridRow): Promise<WorkerRow[]> {
    const chain = [...grid.ancestor_ids, grid.id];
    const staffs = await this.ctx.loaders.worker.activeOnGrid.loadMany(chain);
    for (let i = staffs.length - 1; i >= 0; i--) {
      const staff = staffs[i];
      if (staff instanceof Error) throw staff;
      if (staff.length > 0) return staff;
    }
    return [];
  }

  /**
   * `primeLoaders: false` for a caller that reads nothing more through the request's loaders (GET /resolve): creating
   * them is a good part of a resolve's own cost in the API process.
   */
  async resolveLocation(
    args: { lng: number; lat: number; crs?: CoordinateSystem | null; asOf?: Date | null },
    { primeLoaders = true }: { primeLoaders?: boolean } = {},
  ): Promise<LocationResolutionSource> {
    // AUTH (public; an API key needs RESOLVE_LOCATION)
    assertPermitted(this.ctx.viewer, 'grid:resolve');
    // VALIDATION
    const input = checkPosition(args.lng, args.lat);
    const crs = args.crs ?? 'WGS84';
    const point = toWgs84(input, crs);
    // Near the poles or the antimeridian the GCJ-02 / BD-09 offset can carry a position past the range.
    if (Math.abs(point.lng) > 180 || Math.abs(point.lat) > 90) {
      throw badInput(msg('input.convertsOutOfRange', { lng: args.lng, lat: args.lat, crs, toLng: point.lng, toLat: point.lat }), 'lng');
    }
    // RESOLUTION
    if (args.asOf) return this.resolveLocationAsOf(point, args.asOf, primeLoaders);
    // Batched with other requests' positions, so on the shared handle rather than this request's.
    const found = await locationResolver(this.ctx.sharedDb, APPROXIMATE_WITHIN_METERS).load(point);
    if (primeLoaders) {
      this.loaders.primeAll(found.chain);
      this.loaders.primeAll(found.dedicated);
      this.ctx.loaders.worker.primeAll(found.workers);
    }
    const grid = found.gridId ? (found.chain.find((g) => g.id === found.gridId) ?? null) : null;
    return {
      point,
      grid,
      chain: grid ? found.chain : [],
      dedicatedGrids: found.dedicated,
      responsibleGridId: found.responsibleGridId,
      responsibleWorkers: found.workers,
      approximate: grid !== null && (found.distanceMeters ?? 0) > 0,
      distanceMeters: grid ? found.distanceMeters : null,
    };
  }

  /**
   * Resolution against the boundaries in force at a past instant (re-checking an old report): the same
   * rules, on the version history. Rare, so a plain statement rather than the batched fast path.
   */
  private async resolveLocationAsOf(point: { lng: number; lat: number }, asOf: Date, primeLoaders: boolean): Promise<LocationResolutionSource> {
    const found = await resolveLocationAsOfRows(this.ctx.db, point, APPROXIMATE_WITHIN_METERS, asOf);
    const grid = found.chain.at(-1) ?? null;
    if (primeLoaders) {
      this.loaders.primeAll([...found.chain, ...found.dedicated]);
      this.ctx.loaders.worker.primeAll(found.workers);
    }
    return {
      point,
      grid,
      chain: found.chain,
      dedicatedGrids: found.dedicated,
      responsibleGridId: found.responsibleGridId,
      responsibleWorkers: found.workers,
      approximate: grid !== null && (found.distanceMeters ?? 0) > 0,
      distanceMeters: grid ? found.distanceMeters : null,
    };
  }
}

/** Turns `limit + 1` fetched rows into a page: the extra row only says that another page follows. */
function page(rows: GridRow[], limit: number, afterGiven: boolean, totalCount: () => Promise<number>): GridConnectionSource {
  return { rows: rows.slice(0, limit), hasNextPage: rows.length > limit, hasPreviousPage: afterGiven, totalCount };
}

function checkGeometry(value: unknown, field: string, maxVertices: number): unknown {
  if (geometrySize(value, maxVertices) > maxVertices) {
    throw badInput(msg('input.filterVertices', { field, max: maxVertices }), field);
  }
  const problems = geometryProblems(value);
  if (problems.length) {
    throw badInput(msg('input.filterGeometry', { field, problems: joined(problems.slice(0, 5).map((p) => p.msg ?? p.message)) }), field);
  }
  return value;
}

export function checkBbox(bbox: readonly number[]): [number, number, number, number] {
  if (bbox.length !== 4) {
    throw badInput(msg('input.bboxLength', { got: bbox.length }), 'filter.bbox');
  }
  const [minLng, minLat, maxLng, maxLat] = bbox;
  checkPosition(minLng, minLat, { lng: 'filter.bbox[0] (minLng)', lat: 'filter.bbox[1] (minLat)' });
  checkPosition(maxLng, maxLat, { lng: 'filter.bbox[2] (maxLng)', lat: 'filter.bbox[3] (maxLat)' });
  if (minLng > maxLng || minLat > maxLat) {
    throw badInput(msg('input.bboxOrder', { bbox: bbox.join(', ') }), 'filter.bbox');
  }
  return [minLng, minLat, maxLng, maxLat];
}
