import type { Knex } from 'knex';

/**
 * Closing gaps of incidents:
 * - the audit log takes incidents as a subject (`revealIncidentContacts` opens a reporter's and parties' sealed
 *   phones and writes one row about the incident): the `subject_type` CHECK of 20261129000100_people is replaced
 *   by one that lists `incident` as well;
 * - indexes the housekeeping pass of the scheduler (src/modules/incident/housekeeping.ts) deletes by: outbox rows
 *   past their retention, the SLA alerts and deliveries that name them, uploads never attached to an incident.
 */
const AUDITED_BEFORE = `'person','person_tag','visit','tenant_registration'`;
const AUDITED = `${AUDITED_BEFORE},'incident'`;

const statements = [
  `ALTER TABLE audit_log DROP CONSTRAINT audit_log_subject_type_check`,
  `ALTER TABLE audit_log ADD CONSTRAINT audit_log_subject_type_check CHECK (subject_type IN (${AUDITED}))`,
  `CREATE INDEX incident_outbox_created ON incident_outbox (created_at)`,
  `CREATE INDEX incident_sla_alert_outbox ON incident_sla_alert (outbox_id)`,
  `CREATE INDEX incident_upload_unattached ON incident_upload (created_at) WHERE incident_id IS NULL`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const index of ['incident_upload_unattached', 'incident_sla_alert_outbox', 'incident_outbox_created']) await knex.raw(`DROP INDEX IF EXISTS ${index}`);
  // Rows about incidents cannot stay under the narrower rule, and the log refuses deletion: the CHECK stays wide.
  const { rows } = await knex.raw(`SELECT count(*)::int AS n FROM audit_log WHERE subject_type = 'incident'`);
  if (rows[0].n > 0) return;
  await knex.raw(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_subject_type_check`);
  await knex.raw(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_subject_type_check CHECK (subject_type IN (${AUDITED_BEFORE}))`);
}
