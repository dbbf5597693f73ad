import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { loaderFamily } from '../../graphql/batch';
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
  return { location: { dedicatedAt, gridAsOf } };
}
