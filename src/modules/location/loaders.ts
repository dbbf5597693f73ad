import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { loaderFamily, manyByKey } from '../../graphql/batch';
import { countsInSubtrees, type CountedRecords, type CountRow } from './repo-inventory';
import * as repo from './repo';

type Point = { lng: number; lat: number };
const pointKey = (p: Point) => `${p.lng},${p.lat}`;

export function createLocationLoaders(db: Knex) {
  /** Dedicated overlay grids covering each point, now or as of an instant. */
  const dedicatedAt = loaderFamily(
    (asOf: Date | null) => (asOf ? asOf.toISOString() : 'now'),
    (asOf) =>
      new DataLoader<Point, string[], string>((points) => repo.dedicatedGridIdsAt(db, points, asOf), { cacheKeyFn: pointKey }),
  );
  /** The grid each point resolved to at an instant. */
  const gridAsOf = loaderFamily(
    (asOf: Date) => asOf.toISOString(),
    (asOf) => new DataLoader<Point, string | null, string>((points) => repo.gridIdsAsOf(db, points, asOf), { cacheKeyFn: pointKey }),
  );
  /** Inventory counts of every grid asked about in a request: one statement per kind of count and instant. */
  const inventory = loaderFamily(
    (p: { spec: CountedRecords; asOf: Date | null }) => `${p.spec.table}|${p.spec.kind}|${p.spec.status ?? ''}|${p.asOf?.toISOString() ?? 'now'}`,
    (p) =>
      new DataLoader<string, CountRow[]>(async (gridIds) =>
        manyByKey(gridIds, await countsInSubtrees(db, p.spec, gridIds, p.asOf), (r) => r.scope_id),
      ),
  );
  return { location: { dedicatedAt, gridAsOf, inventory } };
}
