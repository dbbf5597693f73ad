import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { manyByKey, oneByKey } from '../../graphql/batch';
import type { OrganizationRow } from './mappers';
import * as repo from './repo';

export function createOrganizationLoaders(db: Knex) {
  /** By id, retired ones included. */
  const byId = new DataLoader<string, OrganizationRow | null>(async (ids) => oneByKey(ids, await repo.organizationsByIds(db, ids), (r) => r.id));

  const managed = (what: 'grid' | 'building') =>
    new DataLoader<string, string[]>(async (ids) =>
      manyByKey(ids, await repo.managedIds(db, what, ids), (r) => r.organization_id).map((rows) => rows.map((r) => r.id)),
    );
  const managedGridIds = managed('grid');
  const managedBuildingIds = managed('building');

  const managersOfBuilding = new DataLoader<string, OrganizationRow[]>(async (buildingIds) => {
    const rows = await repo.managersOfBuildings(db, buildingIds);
    for (const row of rows) byId.prime(row.id, row);
    return manyByKey(buildingIds, rows, (r) => r.building_id);
  });

  return { byId, managedGridIds, managedBuildingIds, managersOfBuilding };
}
