import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { manyByKey, oneByKey } from '../../graphql/batch';
import type { CategoryRow, IncidentEventRow, IncidentRow, MediationRow, MediationSessionRow, PartyRow, PhotoRow } from './mappers';
import * as repo from './repo';

/** DataLoaders of the incident module, built per request (rows by incident id, put back in key order). */
export function createIncidentLoaders(db: Knex) {
  const byId = new DataLoader<string, IncidentRow | null>(async (ids): Promise<(IncidentRow | null)[]> => oneByKey(ids, await repo.incidentsByIds(db, ids), (r) => r.id));
  const events = new DataLoader<string, IncidentEventRow[]>(async (ids): Promise<IncidentEventRow[][]> => manyByKey(ids, await repo.eventsOf(db, ids), (r) => r.incident_id));
  const photos = new DataLoader<string, PhotoRow[]>(async (ids): Promise<PhotoRow[][]> => manyByKey(ids, await repo.photosOf(db, ids), (r) => r.incident_id));
  const parties = new DataLoader<string, PartyRow[]>(async (ids): Promise<PartyRow[][]> => manyByKey(ids, await repo.partiesOf(db, ids), (r) => r.incident_id));
  const mediation = new DataLoader<string, MediationRow | null>(async (ids): Promise<(MediationRow | null)[]> => oneByKey(ids, await repo.mediationsOf(db, ids), (r) => r.incident_id));
  const sessions = new DataLoader<string, MediationSessionRow[]>(async (ids): Promise<MediationSessionRow[][]> =>
    manyByKey(ids, await repo.sessionsOf(db, ids), (r) => r.incident_id),
  );
  /** The whole dictionary, read once per request (a few dozen rows). */
  const categories = new DataLoader<'all', CategoryRow[]>(async (keys): Promise<CategoryRow[][]> => {
    const rows = await repo.categories(db);
    return keys.map(() => rows);
  });
  /** Open incidents of the same category near each incident. */
  const duplicates = new DataLoader<IncidentRow, string[], string>(
    (rows): Promise<string[][]> =>
      Promise.all(rows.map((r) => repo.duplicateIdsNear(db, { lng: r.lng, lat: r.lat, category: r.category_code, excludeId: r.id, meters: repo.DUPLICATE_METERS, limit: 20 }))),
    { cacheKeyFn: (r) => r.id },
  );
  return { incident: { byId, events, photos, parties, mediation, sessions, categories, duplicates } };
}
