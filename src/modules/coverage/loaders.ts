import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { loaderFamily, manyByKey, oneByKey } from '../../graphql/batch';
import type { GridRow } from '../grid/mappers';
import * as repo from './repo';

export interface UnstaffedPageParams {
  after: readonly [string, string] | null;
  /** Rows to fetch per grid: the page size plus one, to know whether another page follows. */
  limit: number;
}

export interface StaffingCounts {
  gridCount: number;
  staffedCount: number;
}

const coverageKey = (q: repo.CoverageQuery) => `${q.gridId}|${q.childLevel}|${q.minAreaSqm}`;

/**
 * Runs one costly statement per distinct question: the same coverage asked twice in a request (aliases,
 * the same grid reached along two paths) is computed once. The questions of one batch run side by side,
 * each on its own pool connection; one that fails fails alone.
 */
function perQuery<R>(run: (q: repo.CoverageQuery) => Promise<R>): DataLoader<repo.CoverageQuery, R, string> {
  return new DataLoader<repo.CoverageQuery, R, string>(
    (queries) => Promise.all(queries.map((q) => run(q).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))))),
    { cacheKeyFn: coverageKey },
  );
}

export function createCoverageLoaders(db: Knex) {
  /** Grid area, union of descendants, gaps and outside parts: one statement per (grid, level, minAreaSqm). */
  const tiling = perQuery((q) => repo.coverageTiling(db, q));
  /** The pairwise overlap search: one statement per (grid, level, minAreaSqm), only when overlaps are asked. */
  const overlaps = perQuery((q) => repo.coverageOverlaps(db, q));

  /** Staffing figures of every grid on a page in one statement. */
  const staffingCounts = new DataLoader<string, StaffingCounts>(async (gridIds) =>
    oneByKey(gridIds, await repo.staffingCounts(db, gridIds), (r) => r.scope_id).map((r) => ({
      gridCount: r?.grid_count ?? 0,
      staffedCount: r?.staffed_count ?? 0,
    })),
  );

  /** One page of unstaffed grids for every grid on a page, per distinct (after, first). */
  const unstaffedPage = loaderFamily(
    (p: UnstaffedPageParams) => JSON.stringify(p),
    (p) =>
      new DataLoader<string, GridRow[]>(async (gridIds) =>
        manyByKey(gridIds, await repo.unstaffedGrids(db, gridIds, p.after, p.limit), (r) => r.scope_id),
      ),
  );

  return { tiling, overlaps, staffingCounts, unstaffedPage };
}

export type CoverageLoaders = ReturnType<typeof createCoverageLoaders>;
