import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import type { Context } from '../../context';
import { withLongStatements } from '../../db/deadline';
import { oneByKey } from '../../graphql/batch';
import * as coverageRepo from './coverage-repo';
import type { FacilityRow } from './mappers';
import * as repo from './repo';

/**
 * One costly statement per grid, under the cap on expensive work and the long statement timeout (never past
 * the request's deadline); the grids of one batch run side by side, and one that fails fails alone.
 */
function perGrid<R>(ctx: Context, run: (db: Knex, gridId: string) => Promise<R>): DataLoader<string, R> {
  const { db, deadline, config } = ctx;
  const one = (gridId: string) =>
    ctx.expensive('coverage', () => withLongStatements(db, deadline, config.db.longStatementTimeoutMs, (trx) => run(trx, gridId)));
  return new DataLoader<string, R>((gridIds) =>
    Promise.all(gridIds.map((id) => one(id).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))))),
  );
}

export function createFacilityLoaders(db: Knex, ctx: Context) {
  /** Facilities by id, retired ones included. */
  const byId = new DataLoader<string, FacilityRow | null>(async (ids) => oneByKey(ids, await repo.facilitiesByIds(db, ids), (r) => r.id));

  /**
   * Rows of a list, for a later `facility(id:)` in the request: only rows as `byId` reads them. One read as of
   * an instant carries the grid of then; one from a `near` list carries its distance from the point asked
   * about, which would show as `distanceMeters` wherever the facility is read again.
   */
  const primeAll = (rows: readonly FacilityRow[]) => {
    for (const row of rows) if (!row.as_of && row.distance_m == null) byId.prime(row.id, row);
  };

  /** Each camera's view sector as GeoJSON text. */
  const sector = new DataLoader<string, string | null>(async (ids) =>
    oneByKey(ids, await repo.sectorsByIds(db, ids), (r) => r.id).map((r) => r?.sector ?? null),
  );

  /** Whether an ONLINE camera sees each key place now. */
  const keyPlaceCovered = new DataLoader<string, boolean>(async (ids) =>
    oneByKey(ids, await coverageRepo.keyPlacesCovered(db, ids), (r) => r.id).map((r) => r?.covered ?? false),
  );

  return {
    byId,
    primeAll,
    sector,
    keyPlaceCovered,
    /** Key places and cameras of each grid's subtree (expensive work). */
    cameraCounts: perGrid(ctx, (trx, gridId) => coverageRepo.cameraCounts(trx, gridId)),
    /** Area of each grid within some ONLINE camera's view (expensive work). */
    cameraArea: perGrid(ctx, (trx, gridId) => coverageRepo.cameraArea(trx, gridId)),
  };
}

export type FacilityLoaders = ReturnType<typeof createFacilityLoaders>;
