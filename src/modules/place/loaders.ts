import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { loaderFamily, manyByKey, oneByKey } from '../../graphql/batch';
import type { BuildingRow, HouseRow, KeyPlaceRow } from './mappers';
import * as repo from './repo';

export interface HousePageParams {
  after: repo.HouseKey | null;
  /** Rows to fetch per building: the page size plus one, to know whether another page follows. */
  limit: number;
}

export function createPlaceLoaders(db: Knex) {
  /** Rows current or retired (a retired building is still what a conflict or a problem names). */
  const buildingById = new DataLoader<string, BuildingRow | null>(async (ids) => oneByKey(ids, await repo.buildingsByIds(db, ids), (r) => r.id));
  const buildingByCode = new DataLoader<string, BuildingRow | null>(async (codes) => {
    const rows = await repo.buildingsByCodes(db, codes);
    for (const row of rows) buildingById.prime(row.id, row);
    return oneByKey(codes, rows, (r) => r.code);
  });
  const houseById = new DataLoader<string, HouseRow | null>(async (ids) => oneByKey(ids, await repo.housesByIds(db, ids), (r) => r.id));
  const keyPlaceById = new DataLoader<string, KeyPlaceRow | null>(async (ids) => oneByKey(ids, await repo.keyPlacesByIds(db, ids), (r) => r.id));

  /** One page of houses for every building on a page, per distinct (after, first). */
  const housesPage = loaderFamily(
    (p: HousePageParams) => JSON.stringify(p),
    (p) =>
      new DataLoader<string, HouseRow[]>(async (buildingIds) => {
        const rows = await repo.housesOfBuildings(db, buildingIds, p.after, p.limit);
        for (const row of rows) houseById.prime(row.id, row);
        return manyByKey(buildingIds, rows, (r) => r.building_id);
      }),
  );
  const houseCount = new DataLoader<string, number>(async (buildingIds) =>
    oneByKey(buildingIds, await repo.houseCounts(db, buildingIds), (r) => r.building_id).map((r) => r?.n ?? 0),
  );

  return { place: { buildingById, buildingByCode, houseById, keyPlaceById, housesPage, houseCount } };
}
