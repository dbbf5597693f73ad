import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import type { GridLevel } from '../../generated/graphql';
import { loaderFamily, manyByKey, oneByKey } from '../../graphql/batch';
import * as repo from './repo';
import type { GridRow, GridVersionRow } from './mappers';

export interface ChildrenPageParams {
  level: GridLevel | null;
  after: readonly [string, string] | null;
  /** Rows to fetch per parent: the page size plus one, to know whether another page follows. */
  limit: number;
  asOf: Date | null;
}

const asOfKey = (asOf: Date | null | undefined) => (asOf ? asOf.toISOString() : 'now');

export function createGridLoaders(db: Knex) {
  /** Grids by id: the current state, or (`byIdAsOf`) the version in force at an instant. */
  const byIdAsOf = loaderFamily(
    (asOf: Date | null) => asOfKey(asOf),
    (asOf) => new DataLoader<string, GridRow | null>(async (ids) => oneByKey(ids, await repo.gridsByIds(db, ids, asOf), (r) => r.id)),
  );
  const byId = byIdAsOf(null);

  const byCodeAsOf = loaderFamily(
    (asOf: Date | null) => asOfKey(asOf),
    (asOf) =>
      new DataLoader<string, GridRow | null>(async (codes) => {
        const rows = asOf ? await repo.gridsByCodes(db, codes, asOf) : await repo.currentGridsByCodes(db, codes);
        for (const row of rows) byIdAsOf(asOf).prime(row.id, row);
        return oneByKey(codes, rows, (r) => r.code);
      }),
  );
  const byCode = byCodeAsOf(null);

  /**
   * Whole current rows, never primed: the resolve fast path primes `byId` with rows that leave out the audit
   * columns, which fields asking for those read from here.
   */
  const complete = new DataLoader<string, GridRow | null>(async (ids) => oneByKey(ids, await repo.gridsByIds(db, ids), (r) => r.id));

  const primeAll = (rows: readonly GridRow[]) => {
    for (const row of rows) byIdAsOf(row.as_of ?? null).prime(row.id, row);
  };

  const childrenPage = loaderFamily(
    (p: ChildrenPageParams) => JSON.stringify({ ...p, asOf: asOfKey(p.asOf) }),
    (p) =>
      new DataLoader<string, GridRow[]>(async (parentIds) => {
        const rows = await repo.childrenOfParents(db, parentIds, p.level, p.after, p.limit, p.asOf);
        primeAll(rows);
        return manyByKey(parentIds, rows, (r) => r.parent_id!);
      }),
  );

  const childCount = loaderFamily(
    (p: { level: GridLevel | null; asOf: Date | null }) => `${p.level ?? '*'}@${asOfKey(p.asOf)}`,
    (p) =>
      new DataLoader<string, number>(async (parentIds) => {
        const rows = await repo.childCounts(db, parentIds, p.level, p.asOf);
        return oneByKey(parentIds, rows, (r) => r.parent_id).map((r) => r?.n ?? 0);
      }),
  );

  /** Boundaries by grid id and version (any version; the current one too). */
  const boundary = loaderFamily(
    (toleranceDegrees: number | null) => String(toleranceDegrees),
    (toleranceDegrees) =>
      new DataLoader<{ id: string; version: number }, string | null, string>(
        async (keys) => {
          const rows = await repo.boundaries(db, keys, toleranceDegrees);
          return oneByKey(keys.map((k) => `${k.id}:${k.version}`), rows, (r) => `${r.id}:${r.version}`).map((r) => r?.geojson ?? null);
        },
        { cacheKeyFn: (k) => `${k.id}:${k.version}` },
      ),
  );

  const history = new DataLoader<string, GridVersionRow[]>(async (ids) =>
    manyByKey(ids, await repo.versionsOfGrids(db, ids), (r) => r.grid_id),
  );

  return { byId, byIdAsOf, byCode, byCodeAsOf, complete, primeAll, childrenPage, childCount, boundary, history };
}

export type GridLoaders = ReturnType<typeof createGridLoaders>;
