import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import type { Context } from '../../context';
import { withLongStatements } from '../../db/deadline';
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
 * the same grid reached along two paths) is computed once. Each runs under the cap on expensive work and
 * with the long statement timeout (never past the request's deadline); the questions of one batch run side
 * by side, each on its own pool connection; one that fails fails alone.
 */
function perQuery<R>(ctx: Context, run: (db: Knex, q: repo.CoverageQuery) => Promise<R>): DataLoader<repo.CoverageQuery, R, string> {
  const { db, deadline, config } = ctx;
  const one = async (q: repo.CoverageQuery) => {
    const result = await ctx.expensive('coverage', () => withLongStatements(db, deadline, config.db.longStatementTimeoutMs, (trx) => run(trx, q)));
    ctx.budget.charge(JSON.stringify(result ?? null).length); // gap, overlap and outside polygons can be large
    return result;
  };
  return new DataLoader<repo.CoverageQuery, R, string>(
    (queries) => Promise.all(queries.map((q) => one(q).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))))),
    { cacheKeyFn: coverageKey },
  );
}

export function createCoverageLoaders(ctx: Context) {
  const { db } = ctx;
  /** Grid area, union of descendants, gaps and outside parts: one statement per (grid, level, minAreaSqm). */
  const tiling = perQuery(ctx, (trx, q) => repo.coverageTiling(trx, q));
  /** The pairwise overlap search: one statement per (grid, level, minAreaSqm), only when overlaps are asked. */
  const overlaps = perQuery(ctx, (trx, q) => repo.coverageOverlaps(trx, q));

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
