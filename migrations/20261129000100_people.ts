import type { Knex } from 'knex';

/**
 * People and households (实有人口): the population registry. A person lives in a house, and their grid is the
 * house's building's grid (a derived located kind: a boundary edit moves them with the building and rewrites
 * no person row).
 *
 * Personal data (PIPL art. 28, GB/T 35273 §6.3): ID numbers, phones, residence-permit numbers, special-group
 * details and visit notes are sealed by the application (AES-256-GCM, src/shared/pii.ts: `*_sealed` columns
 * hold key version ‖ IV ‖ tag ‖ ciphertext) and never stored in clear. Exact lookup by ID number or phone goes
 * through a keyed blind index (`*_index`, HMAC-SHA256). The masked forms everyone is shown (`130105********123X`,
 * `138****5678`) are kept beside them, so lists never open a sealed value.
 *
 * Erasure (PIPL art. 47) clears every personal column of a row and keeps an anonymous stub (gender, birth year,
 * residence type, house, household, status, group tags) so statistics stay right.
 *
 * `audit_log` is append-only: the database refuses UPDATE, DELETE and TRUNCATE on it, whoever asks.
 */
const RESIDENCE_TYPES = `'REGISTERED','FLOATING','OVERSEAS','UNSETTLED'`;
const RELATIONS = `'HEAD','SPOUSE','CHILD','CHILD_IN_LAW','PARENT','PARENT_IN_LAW','GRANDPARENT','GRANDCHILD','SIBLING',
       'OTHER_RELATIVE','NON_RELATIVE'`;
const TAGS = `'COMMUNITY_CORRECTION','RELEASED_PRISONER','DRUG_REHABILITATION','SEVERE_MENTAL_DISORDER','KEY_YOUTH',
       'ELDERLY_LIVING_ALONE','DISABLED','LEFT_BEHIND_CHILD','LOW_INCOME'`;
const SPECIAL_TAGS = `'COMMUNITY_CORRECTION','RELEASED_PRISONER','DRUG_REHABILITATION','SEVERE_MENTAL_DISORDER','KEY_YOUTH'`;
const AUDITED = `'person','person_tag','visit','tenant_registration'`;

const statements = [
  `CREATE TABLE household (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     number text NOT NULL UNIQUE CHECK (number ~ '^[0-9A-Za-z-]{1,32}$'),
     house_id uuid NOT NULL REFERENCES house(id),
     version integer NOT NULL DEFAULT 1,
     created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     updated_by text
   )`,
  `CREATE INDEX household_house ON household (house_id)`,
  `CREATE TABLE person (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     name text CHECK (name IS NULL OR length(btrim(name)) > 0),
     gender text NOT NULL CHECK (gender IN ('MALE','FEMALE')),
     birth_date date,
     birth_year smallint NOT NULL CHECK (birth_year BETWEEN 1880 AND 2200),
     ethnicity text,
     id_number_sealed bytea,
     id_number_index bytea,
     id_number_masked text,
     phone_sealed bytea,
     phone_index bytea,
     phone_masked text,
     residence_type text NOT NULL CHECK (residence_type IN (${RESIDENCE_TYPES})),
     registered_address text,
     house_id uuid NOT NULL REFERENCES house(id),
     household_id uuid REFERENCES household(id),
     relation_to_head text CHECK (relation_to_head IN (${RELATIONS})),
     status text NOT NULL DEFAULT 'LIVING_HERE' CHECK (status IN ('LIVING_HERE','MOVED_OUT','DECEASED')),
     moved_in_on date,
     moved_out_on date,
     deceased_on date,
     arrived_on date,
     arrival_reason text,
     permit_sealed bytea,
     permit_masked text,
     permit_expires_on date,
     version integer NOT NULL DEFAULT 1,
     created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     updated_by text,
     erased_at timestamptz,
     CHECK (birth_date IS NULL OR extract(year FROM birth_date) = birth_year),
     CHECK ((id_number_sealed IS NULL) = (id_number_index IS NULL)),
     CHECK ((phone_sealed IS NULL) = (phone_index IS NULL)),
     CHECK (erased_at IS NULL OR (name IS NULL AND birth_date IS NULL AND id_number_sealed IS NULL AND phone_sealed IS NULL
            AND permit_sealed IS NULL AND registered_address IS NULL AND ethnicity IS NULL AND arrival_reason IS NULL)),
     CHECK (erased_at IS NOT NULL OR name IS NOT NULL)
   )`,
  // One person per ID number, whatever their status (a returning resident is moved back, not registered twice).
  `CREATE UNIQUE INDEX person_id_number ON person (id_number_index) WHERE id_number_index IS NOT NULL`,
  `CREATE INDEX person_phone ON person (phone_index) WHERE phone_index IS NOT NULL`,
  `CREATE INDEX person_house ON person (house_id, status)`,
  `CREATE INDEX person_household ON person (household_id) WHERE household_id IS NOT NULL`,
  `CREATE UNIQUE INDEX household_head ON person (household_id) WHERE relation_to_head = 'HEAD' AND status = 'LIVING_HERE'`,
  `CREATE INDEX person_permit_expiry ON person (permit_expires_on)
   WHERE residence_type = 'FLOATING' AND status = 'LIVING_HERE' AND permit_expires_on IS NOT NULL`,
  // Where someone lived, and when: movePerson closes one row and opens the next.
  `CREATE TABLE person_residence (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     person_id uuid NOT NULL REFERENCES person(id),
     house_id uuid NOT NULL REFERENCES house(id),
     moved_in_on date,
     moved_out_on date,
     created_at timestamptz NOT NULL DEFAULT clock_timestamp()
   )`,
  `CREATE INDEX person_residence_person ON person_residence (person_id, created_at)`,
  `CREATE INDEX person_residence_house ON person_residence (house_id)`,
  `CREATE TABLE house_owner (
     house_id uuid NOT NULL REFERENCES house(id),
     person_id uuid NOT NULL REFERENCES person(id),
     since date,
     created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     created_by text,
     PRIMARY KEY (house_id, person_id)
   )`,
  `CREATE INDEX house_owner_person ON house_owner (person_id)`,
  // Special and care groups. A special group carries its follow-up plan; removal keeps the row (history).
  `CREATE TABLE person_tag (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     person_id uuid NOT NULL REFERENCES person(id),
     tag text NOT NULL CHECK (tag IN (${TAGS})),
     since date,
     details_sealed bytea,
     attention_level text CHECK (attention_level IN ('HIGH','MEDIUM','LOW')),
     responsible_worker_id uuid REFERENCES grid_worker(id),
     visit_interval_days integer CHECK (visit_interval_days BETWEEN 1 AND 366),
     last_visit_at timestamptz,
     next_visit_due date,
     version integer NOT NULL DEFAULT 1,
     created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     created_by text,
     updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     removed_at timestamptz,
     removed_by text,
     removal_reason text,
     CHECK ((tag IN (${SPECIAL_TAGS})) = (attention_level IS NOT NULL AND visit_interval_days IS NOT NULL AND next_visit_due IS NOT NULL))
   )`,
  `CREATE UNIQUE INDEX person_tag_current ON person_tag (person_id, tag) WHERE removed_at IS NULL`,
  `CREATE INDEX person_tag_person ON person_tag (person_id)`,
  `CREATE INDEX person_tag_due ON person_tag (next_visit_due) WHERE removed_at IS NULL AND next_visit_due IS NOT NULL`,
  `CREATE INDEX person_tag_worker ON person_tag (responsible_worker_id, next_visit_due) WHERE removed_at IS NULL`,
  // Visits keep the grid they were made in (resolved once, when logged: a later boundary edit does not rewrite history).
  `CREATE TABLE visit (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     person_id uuid NOT NULL REFERENCES person(id),
     person_tag_id uuid REFERENCES person_tag(id),
     worker_id uuid REFERENCES grid_worker(id),
     visited_at timestamptz NOT NULL,
     note_sealed bytea,
     location geometry(Point, 4326),
     grid_id uuid REFERENCES grid(id),
     grid_distance_m float8,
     created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     created_by text
   )`,
  `CREATE INDEX visit_person ON visit (person_id, visited_at DESC)`,
  `CREATE INDEX visit_tag ON visit (person_tag_id, visited_at DESC)`,
  // 一进一融一出: a tenant's self-registration from the building's QR code, until a grid worker decides on it.
  `CREATE TABLE tenant_registration (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     building_id uuid NOT NULL REFERENCES building(id),
     unit integer,
     room text NOT NULL,
     name text,
     gender text CHECK (gender IN ('MALE','FEMALE')),
     birth_year smallint,
     id_number_index bytea,
     id_number_masked text,
     phone_masked text,
     submission_sealed bytea,
     status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING','CONFIRMED','REJECTED')),
     submitted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     decided_at timestamptz,
     decided_by text,
     rejection_reason text,
     person_id uuid REFERENCES person(id),
     version integer NOT NULL DEFAULT 1,
     erased_at timestamptz
   )`,
  `CREATE INDEX tenant_registration_pending ON tenant_registration (building_id, submitted_at) WHERE status = 'PENDING'`,
  `CREATE INDEX tenant_registration_person ON tenant_registration (person_id) WHERE person_id IS NOT NULL`,
  `CREATE INDEX tenant_registration_id_number ON tenant_registration (id_number_index) WHERE status = 'PENDING'`,
  // Gate access of confirmed floating residents: active while the last passage (or the grant) is recent enough,
  // judged at read time, so it lapses by itself with no job running.
  `CREATE TABLE gate_access (
     person_id uuid NOT NULL REFERENCES person(id),
     building_id uuid NOT NULL REFERENCES building(id),
     granted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     granted_by text,
     last_passage_at timestamptz,
     revoked_at timestamptz,
     PRIMARY KEY (person_id, building_id)
   )`,
  `CREATE INDEX gate_access_building ON gate_access (building_id)`,
  `CREATE TABLE gate_passage (
     id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     gate_id uuid NOT NULL REFERENCES facility(id),
     person_id uuid REFERENCES person(id),
     at timestamptz NOT NULL,
     allowed boolean NOT NULL,
     reported_by text,
     created_at timestamptz NOT NULL DEFAULT clock_timestamp()
   )`,
  `CREATE INDEX gate_passage_person ON gate_passage (person_id, at DESC)`,
  `CREATE INDEX gate_passage_gate ON gate_passage (gate_id, at DESC)`,
  `CREATE TABLE audit_log (
     id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     at timestamptz NOT NULL DEFAULT clock_timestamp(),
     actor text NOT NULL,
     role text,
     action text NOT NULL CHECK (action IN ('REVEAL','ERASE','EXPORT','IMPORT')),
     subject_type text CHECK (subject_type IN (${AUDITED})),
     subject_id uuid,
     fields text[] NOT NULL DEFAULT '{}',
     reason text NOT NULL CHECK (length(btrim(reason)) > 0),
     request_id text,
     detail jsonb
   )`,
  `CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC)`,
  `CREATE INDEX audit_log_actor ON audit_log (actor, at DESC)`,
  `CREATE INDEX audit_log_subject ON audit_log (subject_id, at DESC)`,
  `CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
   END $$`,
  `CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
  `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['audit_log', 'gate_passage', 'gate_access', 'tenant_registration', 'visit', 'person_tag', 'house_owner', 'person_residence', 'person', 'household']) {
    await knex.raw(`DROP TABLE IF EXISTS ${table} CASCADE`);
  }
  await knex.raw('DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE');
}
