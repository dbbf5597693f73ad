import type { Knex } from 'knex';
import type { PartyRow } from './mappers';

/** The sealed contacts of one incident (revealIncidentContacts), read inside the reveal's transaction. */

export interface SealedContacts {
  reporterPhone: Buffer | null;
  parties: (PartyRow & { phone_sealed: Buffer | null })[];
}

export async function sealedContacts(trx: Knex.Transaction, incidentId: string): Promise<SealedContacts> {
  const { rows } = await trx.raw(`/* incidentReporterPhoneSealed */ SELECT reporter_phone_sealed FROM incident WHERE id = ? FOR SHARE`, [incidentId]);
  const parties = await trx.raw(
    `/* incidentPartiesSealed */ SELECT id, incident_id, role, person_id, organization_id, name, phone_masked, phone_sealed
     FROM incident_party WHERE incident_id = ? ORDER BY created_at, id`,
    [incidentId],
  );
  return { reporterPhone: rows[0]?.reporter_phone_sealed ?? null, parties: parties.rows };
}
