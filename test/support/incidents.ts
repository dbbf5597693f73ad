import type { Knex } from 'knex';
import { fromGlobalId } from '../../src/graphql/relay';

/**
 * Removes incidents a test committed (tests that race real connections or go through a real server cannot roll
 * back), with everything that names them. The timeline is append-only at the database level: its guard trigger is
 * switched off inside this one transaction only (ALTER TABLE is transactional, and holds the table meanwhile), so
 * nothing else may ever delete from it. Statistics follow through their own DELETE trigger on `incident`.
 */
export async function removeIncidents(db: Knex, ids: readonly string[]): Promise<void> {
  const uuids = ids.map((id) => fromGlobalId(id)?.id ?? id);
  if (!uuids.length) return;
  await db.transaction(async (trx) => {
    const of = (table: string, column = 'incident_id') => trx.raw(`DELETE FROM ${table} WHERE ${column} = ANY(?::uuid[])`, [uuids]);
    await trx.raw(`DELETE FROM incident_delivery WHERE outbox_id IN (SELECT id FROM incident_outbox WHERE incident_id = ANY(?::uuid[]))`, [uuids]);
    for (const table of ['incident_sla_alert', 'incident_outbox', 'incident_photo', 'incident_upload', 'incident_party', 'incident_mediation_session', 'incident_mediation']) await of(table);
    await trx.raw('ALTER TABLE incident_event DISABLE TRIGGER incident_event_no_update');
    await of('incident_event');
    await trx.raw('ALTER TABLE incident_event ENABLE TRIGGER incident_event_no_update');
    await of('incident', 'id');
  });
}
