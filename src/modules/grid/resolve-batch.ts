import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { resolveLocationRows, type LocationQuery, type ResolvedLocationRows } from './repo-resolve';

/**
 * Mobile clients call `resolveLocation` far more than anything else. Under load, the positions that arrive
 * during one turn of the event loop, from any number of requests, are resolved by one statement: one round
 * trip and one execution of the prepared plan instead of one per request. A DataLoader with its cache off
 * does exactly that batching (and nothing else: no answer outlives its batch). One per database handle,
 * so a test's transaction batches only its own calls.
 */
const MAX_BATCH = 64;
const batchers = new WeakMap<Knex, DataLoader<LocationQuery, ResolvedLocationRows>>();

export function locationResolver(db: Knex, maxDistanceMeters: number): DataLoader<LocationQuery, ResolvedLocationRows> {
  let batcher = batchers.get(db);
  if (!batcher) {
    batcher = new DataLoader((queries) => resolveLocationRows(db, queries, maxDistanceMeters), {
      cache: false,
      maxBatchSize: MAX_BATCH,
      // After the I/O callbacks of this turn have run, so requests that arrived together are in one batch.
      batchScheduleFn: (callback) => setImmediate(callback),
    });
    batchers.set(db, batcher);
  }
  return batcher;
}
