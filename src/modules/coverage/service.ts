import type { Context } from '../../context';
import type { GridLevel } from '../../generated/graphql';
import { badInput } from '../../errors';
import { msg } from '../../i18n';
import { decodeGridCursor, pageSize } from '../../graphql/relay';
import { CHILD_LEVELS } from '../grid/hierarchy';
import type { GridConnectionSource, GridRow } from '../grid/mappers';
import type { StaffingCounts } from './loaders';
import type { CoverageSource, GapRow, OutsideRow, OverlapRow, StaffingSource } from './mappers';

export interface TilingFigures {
  areaSqm: number;
  coveredSqm: number;
  coveredRatio: number;
  childCount: number;
  gaps: GapRow[];
  gapAreaSqm: number;
  outside: OutsideRow[];
  outsideAreaSqm: number;
}

/**
 * Coverage figures: how well grids tile their parents (gaps, overlaps, parts outside) and how many GRID-level
 * grids have an active worker (网格员覆盖率). Reads only, public like the grids themselves: no AUTH section.
 */
export class CoverageService {
  constructor(private readonly ctx: Context) {}

  private get loaders() {
    return this.ctx.loaders.coverage;
  }

  /** Checks the arguments and returns the question; the figures are loaded by the fields that need them. */
  coverage(grid: GridRow, args: { childLevel?: GridLevel | null; minAreaSqm?: number | null }): CoverageSource {
    // VALIDATION
    refuseAsOf(grid, 'coverage');
    const below = regularLevelsBelow(grid.level);
    if (below.length === 0) {
      throw badInput(msg('coverage.nothingBelow', { dedicated: grid.level === 'DEDICATED' ? 1 : 0, level: grid.level, name: grid.name, code: grid.code }), 'childLevel');
    }
    const childLevel = args.childLevel ?? below[0];
    if (!below.includes(childLevel)) {
      throw badInput(msg('coverage.childLevel', { level: grid.level, below: below.join(', '), got: childLevel }), 'childLevel');
    }
    const minAreaSqm = args.minAreaSqm ?? 1;
    if (!Number.isFinite(minAreaSqm) || minAreaSqm < 0) {
      throw badInput(msg('coverage.minArea', { got: minAreaSqm }), 'minAreaSqm');
    }
    // RESOLUTION
    return { grid, childLevel, minAreaSqm };
  }

  /** Area, covered area and ratio, gaps, outside parts: everything one union of the descendants answers. */
  async tiling(source: CoverageSource): Promise<TilingFigures> {
    const row = await this.loaders.tiling.load(query(source));
    // No row: the grid was retired meanwhile, or PostGIS failed on these shapes (the embedded database
    // drops a row whose geometry operation fails instead of raising the error).
    if (!row) throw new Error(`the database returned no coverage figures for ${source.grid.code}`);
    // Covered = grid ∩ union = grid − gaps: derived rather than measured again, so the figures add up exactly
    // and a gapless tiling reads 1, not 0.9999999.
    const coveredSqm = row.area_sqm - row.gap_area_sqm;
    return {
      areaSqm: row.area_sqm,
      coveredSqm,
      coveredRatio: row.area_sqm > 0 ? coveredSqm / row.area_sqm : 0,
      childCount: row.child_count,
      gaps: row.gaps,
      gapAreaSqm: row.gap_area_sqm,
      outside: row.outside,
      outsideAreaSqm: row.outside_area_sqm,
    };
  }

  async overlaps(source: CoverageSource): Promise<{ overlaps: OverlapRow[]; overlapAreaSqm: number }> {
    const row = await this.loaders.overlaps.load(query(source));
    return { overlaps: row.overlaps, overlapAreaSqm: row.overlap_area_sqm };
  }

  staffing(grid: GridRow): StaffingSource {
    refuseAsOf(grid, 'staffing');
    return { grid };
  }

  /** Counts and ratio; the ratio is null when there is nothing to staff (below the GRID level). */
  async staffingFigures(source: StaffingSource): Promise<StaffingCounts & { ratio: number | null }> {
    const counts = await this.loaders.staffingCounts.load(source.grid.id);
    return { ...counts, ratio: counts.gridCount > 0 ? counts.staffedCount / counts.gridCount : null };
  }

  async unstaffed(source: StaffingSource, args: { first?: number | null; after?: string | null }): Promise<GridConnectionSource> {
    // VALIDATION
    const limit = pageSize(args.first);
    const after = args.after ? decodeGridCursor(args.after) : null;
    // RESOLUTION
    const rows = await this.loaders.unstaffedPage({ after, limit: limit + 1 }).load(source.grid.id);
    this.ctx.loaders.grid.primeAll(rows);
    return {
      rows: rows.slice(0, limit),
      hasNextPage: rows.length > limit,
      hasPreviousPage: after !== null,
      totalCount: async () => {
        const counts = await this.loaders.staffingCounts.load(source.grid.id);
        return counts.gridCount - counts.staffedCount;
      },
    };
  }
}

/**
 * Coverage and staffing describe the current grids and assignments. Answering them for a grid read as of a
 * past instant with today's figures would mislead, and worker status keeps no history to answer otherwise.
 */
function refuseAsOf(grid: GridRow, field: string): void {
  if (grid.as_of) {
    throw badInput(msg('coverage.currentOnly', { field, code: grid.code }), field);
  }
}

const query = (s: CoverageSource) => ({ gridId: s.grid.id, childLevel: s.childLevel, minAreaSqm: s.minAreaSqm });

/** The regular levels below `level`, nearest first (DEDICATED overlays are not part of the tiling). */
export function regularLevelsBelow(level: GridLevel): GridLevel[] {
  const below: GridLevel[] = [];
  for (let next = regularChild(level); next; next = regularChild(next)) below.push(next);
  return below;
}

const regularChild = (level: GridLevel) => CHILD_LEVELS[level].find((l) => l !== 'DEDICATED');
