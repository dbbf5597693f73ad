import type { Knex } from 'knex';

/**
 * Live dispatch (src/pubsub.ts, src/modules/incident/live.ts):
 * - `incident_sla_alert`: one row per deadline breach the SLA scheduler has announced (an incident turning ORANGE
 *   or RED at an instant), so each is announced once, whichever instance holds the scheduler's lock.
 * - `incident_delivery`: which assignment notices reached a worker, by an open subscription or through the
 *   notifier, so the scheduler sends the notifier (SMS / push) only the ones no socket took.
 * - indexes to find open incidents by the instant they turn orange or red.
 */
const FINAL = `'CLOSED','REJECTED','MERGED'`;

const statements = [
  `CREATE TABLE incident_sla_alert (
     incident_id uuid NOT NULL REFERENCES incident(id),
     colour text NOT NULL CHECK (colour IN ('ORANGE','RED')),
     breached_at timestamptz NOT NULL,
     outbox_id bigint NOT NULL REFERENCES incident_outbox(id),
     PRIMARY KEY (incident_id, colour, breached_at)
   )`,
  `CREATE TABLE incident_delivery (
     outbox_id bigint NOT NULL REFERENCES incident_outbox(id),
     worker_id uuid NOT NULL,
     via text NOT NULL CHECK (via IN ('SOCKET','NOTIFIER')),
     at timestamptz NOT NULL DEFAULT clock_timestamp(),
     PRIMARY KEY (outbox_id, worker_id)
   )`,
  // The instants open incidents turn orange and red (src/modules/incident/scheduler.ts ORANGE_AT, RED_AT).
  `CREATE INDEX incident_orange_open ON incident ((LEAST(sla_orange_at, sla_assign_due_at, sla_progress_due_at))) WHERE status NOT IN (${FINAL})`,
  `CREATE INDEX incident_red_open ON incident ((LEAST(sla_red_at, sla_resolve_due_at))) WHERE status NOT IN (${FINAL})`,
  `CREATE INDEX incident_outbox_assign ON incident_outbox (created_at) WHERE kind = 'ASSIGN'`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['incident_delivery', 'incident_sla_alert']) await knex.raw(`DROP TABLE IF EXISTS ${table}`);
  await knex.raw('DROP INDEX IF EXISTS incident_orange_open');
  await knex.raw('DROP INDEX IF EXISTS incident_red_open');
  await knex.raw('DROP INDEX IF EXISTS incident_outbox_assign');
}
