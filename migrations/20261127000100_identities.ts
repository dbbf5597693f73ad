import type { Knex } from 'knex';

/**
 * Identities the next features need, and worker history:
 * - `grid_worker.account`: the sign-in account (a token's `sub`) of a worker, so "my assignments", visit logs
 *   and dispatch know which worker is calling.
 * - `grid_worker_status`: every status a worker has had (ACTIVE / ON_LEAVE / LEFT) and when, written by a
 *   trigger like `grid_version`, so `resolveLocation(asOf:)` uses the status in force then and no code path
 *   can change a status without leaving history. `changed_by` / `change_reason` on the worker say who made
 *   the latest change and why; the trigger copies them into the history row.
 * - `grid_assignment.created_by` / `ended_by` / `end_reason`: who assigned and unassigned.
 * - `api_key`: machines (a gate controller, the 12345 hotline bridge, an Open311 client) that call the API.
 *   Only a SHA-256 of each key is stored; the key itself is shown once, when it is created.
 */
const statements = [
  `ALTER TABLE grid_worker
     ADD COLUMN account text CHECK (account IS NULL OR account ~ '^[A-Za-z0-9._@:-]{1,200}$'),
     ADD COLUMN changed_by text,
     ADD COLUMN change_reason text`,
  `CREATE UNIQUE INDEX grid_worker_account ON grid_worker (account) WHERE account IS NOT NULL`,
  `CREATE TABLE grid_worker_status (
     worker_id uuid NOT NULL REFERENCES grid_worker(id),
     status text NOT NULL CHECK (status IN ('ACTIVE','ON_LEAVE','LEFT')),
     valid_from timestamptz NOT NULL,
     valid_to timestamptz,
     changed_by text,
     change_reason text,
     PRIMARY KEY (worker_id, valid_from),
     CHECK (valid_to IS NULL OR valid_to >= valid_from)
   )`,
  `CREATE UNIQUE INDEX grid_worker_status_current ON grid_worker_status (worker_id) WHERE valid_to IS NULL`,
  `INSERT INTO grid_worker_status (worker_id, status, valid_from, changed_by, change_reason)
   SELECT id, status, created_at, 'migration', 'status when its history began' FROM grid_worker`,
  `CREATE FUNCTION grid_worker_record_status() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE
     since timestamptz := CASE WHEN TG_OP = 'INSERT' THEN NEW.created_at ELSE clock_timestamp() END;
   BEGIN
     IF TG_OP = 'UPDATE' AND NEW.status = OLD.status THEN
       RETURN NEW;
     END IF;
     UPDATE grid_worker_status SET valid_to = since WHERE worker_id = NEW.id AND valid_to IS NULL;
     INSERT INTO grid_worker_status (worker_id, status, valid_from, changed_by, change_reason)
     VALUES (NEW.id, NEW.status, since, NEW.changed_by, NEW.change_reason);
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER grid_worker_status_history AFTER INSERT OR UPDATE OF status ON grid_worker
   FOR EACH ROW EXECUTE FUNCTION grid_worker_record_status()`,
  `ALTER TABLE grid_assignment
     ADD COLUMN created_by text,
     ADD COLUMN ended_by text,
     ADD COLUMN end_reason text`,
  `CREATE TABLE api_key (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
     prefix text NOT NULL UNIQUE,
     secret_hash text NOT NULL,
     jurisdiction_code text CHECK (jurisdiction_code IS NULL OR jurisdiction_code ~ '^[0-9]{6}([0-9]{3}){0,4}$'),
     operations text[] NOT NULL CHECK (cardinality(operations) > 0),
     created_by text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     revoked_at timestamptz,
     revoked_by text,
     last_used_at timestamptz
   )`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS api_key');
  await knex.raw('ALTER TABLE grid_assignment DROP COLUMN IF EXISTS created_by, DROP COLUMN IF EXISTS ended_by, DROP COLUMN IF EXISTS end_reason');
  await knex.raw('DROP TRIGGER IF EXISTS grid_worker_status_history ON grid_worker');
  await knex.raw('DROP FUNCTION IF EXISTS grid_worker_record_status()');
  await knex.raw('DROP TABLE IF EXISTS grid_worker_status');
  await knex.raw('DROP INDEX IF EXISTS grid_worker_account');
  await knex.raw('ALTER TABLE grid_worker DROP COLUMN IF EXISTS account, DROP COLUMN IF EXISTS changed_by, DROP COLUMN IF EXISTS change_reason');
}
