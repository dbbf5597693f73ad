import type { Context } from '../../context';
import type { CoordinateSystem, NearInput, PositionInput } from '../../generated/graphql';
import { badInput } from '../../errors';
import { messageOf, msg } from '../../i18n';
import { checkPosition, toWgs84, type LngLat } from '../../geo/coordinates';
import { expectGlobalId } from '../../graphql/relay';
import type { Problems } from '../../shared/payload';
import { GRID_CODE } from '../auth/policy';
import type { GridRow } from '../grid/mappers';
import { checkBbox } from '../grid/service';
import { NEAR_MAX_METERS, pastInstant, type LocatedFilter } from './repo-list';
import type { CountedRecords } from './repo-inventory';
import type { InventorySource, LocatedRow } from './mappers';

/** What every located list's filter takes (each module's filter input has these fields). */
export interface LocatedFilterInput {
  gridId?: string | null;
  gridCode?: string | null;
  bbox?: readonly number[] | null;
  nameContains?: string | null;
  near?: NearInput | null;
}

/** Names are at most 100 characters: a longer substring matches nothing. */
const MAX_CONTAINS = 100;

/**
 * The shared half of every located kind: reading a filter's common fields, positions on input (any `crs`), and
 * the grid, chain and overlays of a row (now, or as of the instant it was read at).
 */
export class LocationService {
  constructor(private readonly ctx: Context) {}

  /**
   * The common part of a list filter, checked: the grid (by id or code, its subtree inclusive), the box, the
   * substrings, `near` converted to WGS-84. `field` prefixes argument names in messages.
   */
  async filter(input: LocatedFilterInput | null | undefined, field = 'filter'): Promise<LocatedFilter & { grid: GridRow | null }> {
    const f = input ?? {};
    const grid = await this.gridOf(f.gridId, f.gridCode, field);
    const nameContains = this.contains(f.nameContains, `${field}.nameContains`);
    return {
      grid,
      subtreeOf: grid?.id ?? null,
      bbox: f.bbox ? checkBbox(f.bbox) : null,
      nameContains,
      near: f.near ? this.near(f.near, `${field}.near`) : null,
      gate: this.ctx.expensive,
    };
  }

  /** A substring filter on a free-text column, checked like `nameContains`. */
  contains(value: string | null | undefined, field: string): string | null {
    if (value && value.length > MAX_CONTAINS) throw badInput(msg('located.contains', { field, max: MAX_CONTAINS }), field);
    return value?.trim() || null;
  }

  /**
   * The grid a filter names by id or by code (exactly one, or neither); a current grid. `field` is the input
   * object holding them (`filter`), or '' for arguments of the field itself; `names` the two arguments' names.
   */
  async gridOf(
    id: string | null | undefined,
    code: string | null | undefined,
    field: string,
    names: { id: string; code: string } = { id: 'gridId', code: 'gridCode' },
  ): Promise<GridRow | null> {
    const idField = field ? `${field}.${names.id}` : names.id;
    const codeField = field ? `${field}.${names.code}` : names.code;
    if (id && code) throw badInput(msg('located.idOrCode', { idField, codeField }), idField);
    if (id) {
      const grid = await this.ctx.services.grid.byId(expectGlobalId(id, 'Grid', idField));
      if (!grid) throw badInput(msg('located.noGridId', { field: idField, id }), idField);
      return grid;
    }
    if (code) {
      if (!GRID_CODE.test(code)) throw badInput(msg('located.codeShape', { field: codeField, got: code.slice(0, 40) }), codeField);
      const grid = await this.ctx.loaders.grid.byCode.load(code);
      if (!grid) throw badInput(msg('located.noGridCode', { field: codeField, code }), codeField);
      return grid;
    }
    return null;
  }

  near(input: NearInput, field: string): { lng: number; lat: number; meters: number } {
    const point = this.toWgs84(checkPosition(input.lng, input.lat, { lng: `${field}.lng`, lat: `${field}.lat` }), input.crs ?? 'WGS84', field);
    if (!Number.isFinite(input.meters) || input.meters < 1 || input.meters > NEAR_MAX_METERS) {
      throw badInput(msg('located.nearMeters', { field, max: NEAR_MAX_METERS, got: input.meters }), `${field}.meters`);
    }
    return { ...point, meters: input.meters };
  }

  private toWgs84(point: LngLat, crs: CoordinateSystem, field: string): LngLat {
    const out = toWgs84(point, crs);
    if (Math.abs(out.lng) > 180 || Math.abs(out.lat) > 90) {
      throw badInput(msg('grid.field', { field, detail: msg('input.convertsOutOfRange', { lng: point.lng, lat: point.lat, crs, toLng: out.lng, toLat: out.lat }) }), field);
    }
    return out;
  }

  /**
   * A position on a mutation's input, in WGS-84: null with a problem on `field` when it is not a usable
   * position (not finite, out of range, swapped axes).
   */
  positionInput(input: PositionInput, crs: CoordinateSystem | null | undefined, field: string, problems: Problems): LngLat | null {
    try {
      return this.toWgs84(checkPosition(input.lng, input.lat, { lng: `${field}.lng`, lat: `${field}.lat` }), crs ?? 'WGS84', field);
    } catch (err) {
      // The position's refusal keeps its catalogue message, to answer in the caller's language.
      const said = err instanceof Error && 'extensions' in err ? messageOf(err.extensions) : undefined;
      problems.add({ code: 'BAD_VALUE', field, message: (err as Error).message, msg: said });
      return null;
    }
  }

  /** The grid a row belongs to: now, or, read as of an instant, then (by the versions in force then). */
  async grid(row: LocatedRow): Promise<GridRow | null> {
    if (row.as_of) {
      return row.grid_id ? this.ctx.loaders.grid.byIdAsOf(row.as_of).load(row.grid_id) : null;
    }
    return row.grid_id ? this.ctx.services.grid.byId(row.grid_id) : null;
  }

  async chain(row: LocatedRow): Promise<GridRow[]> {
    const grid = await this.grid(row);
    return grid ? [...(await this.ctx.services.grid.ancestors(grid)), grid] : [];
  }

  async dedicatedGrids(row: LocatedRow): Promise<GridRow[]> {
    const asOf = row.as_of ?? null;
    const ids = await this.ctx.loaders.location.dedicatedAt(asOf).load({ lng: row.lng, lat: row.lat });
    const grids = await Promise.all(ids.map((id) => this.ctx.loaders.grid.byIdAsOf(asOf).load(id)));
    return grids.filter((g): g is GridRow => g !== null).sort((a, b) => (a.code < b.code ? -1 : 1));
  }

  /** An inventory count over the grid's whole subtree (`Grid.inventory`), by category. */
  async counts(source: InventorySource, spec: CountedRecords): Promise<{ kind: string; status: string | null; count: number }[]> {
    const asOf = pastInstant(source.asOf);
    const load = () => this.ctx.loaders.location.inventory({ spec, asOf }).load(source.gridId);
    // As of an instant every record near the grid is resolved again: expensive work, one at a time.
    const rows = asOf ? await this.ctx.expensive('history', load) : await load();
    return rows.map(({ kind, status, count }) => ({ kind, status, count }));
  }
}
