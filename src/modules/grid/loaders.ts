import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import type { GridLevel } from '../../generated/graphql';
import { loaderFamily, manyByKey, oneByKey } from '../../graphql/batch';
import * as repo from './repo';
import type { GridRow } from './mappers';

export interface ChildrenPageParams {
  level: GridLevel | null;
  after: readonly [string, string] | null;
  /** Rows to fetch per parent: the page size plus one, to know whether another page follows. */
  limit: number;
}

export function createGridLoaders(db: Knex) {
  const byId = new DataLoader<string, GridRow | null>(async (ids) => oneByKey(ids, await repo.gridsByIds(db, ids), (r) => r.id));

  const byCode = new DataLoader<string, GridRow | null>(async (codes) => {
    const rows = await repo.currentGridsByCodes(db, codes);
    for (const row of rows) byId.prime(row.id, row);
    return oneByKey(codes, rows, (r) => r.code);
  });

  const primeAll = (rows: readonly GridRow[]) => {
    for (const row of rows) byId.prime(row.id, row);
  };

  const childrenPage = loaderFamily(
    (p: ChildrenPageParams) => JSON.stringify(p),
    (p) =>
      new DataLoader<string, GridRow[]>(async (parentIds) => {
        const rows = await repo.childrenOfParents(db, parentIds, p.level, p.after, p.limit);
        primeAll(rows);
        return manyByKey(parentIds, rows, (r) => r.parent_id!);
      }),
  );

  const childCount = loaderFamily(
    (level: GridLevel | null) => level ?? '*',
    (level) =>
      new DataLoader<string, number>(async (parentIds) => {
        const rows = await repo.childCounts(db, parentIds, level);
        return oneByKey(parentIds, rows, (r) => r.parent_id).map((r) => r?.n ?? 0);
      }),
  );

  const boundary = loaderFamily(
    (toleranceDegrees: number | null) => String(toleranceDegrees),
    (toleranceDegrees) =>
      new DataLoader<string, string | null>(async (ids) =>
        oneByKey(ids, await repo.boundaries(db, ids, toleranceDegrees), (r) => r.id).map((r) => r?.geojson ?? null),
      ),
  );

  return { byId, byCode, primeAll, childrenPage, childCount, boundary };
}

export type GridLoaders = ReturnType<typeof createGridLoaders>;
