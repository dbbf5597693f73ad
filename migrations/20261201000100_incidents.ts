import type { Knex } from 'knex';

/**
 * Incidents (事件): reported, routed to the responsible worker or a centre's queue, handled through the lifecycle
 * of src/modules/incident/lifecycle.ts, each step an immutable timeline entry.
 *
 * - `incident_category`: the data-driven dictionary (a city adds its own, "9+X", without a code change), with the
 *   13710 deadlines in minutes (24 h to assign, 24 h to the first progress, 30 days to resolve). Codes are
 *   Open311's `service_code`.
 * - `incident`: a located record (`grid_id` kept by `located_resolve`, re-resolved after grid edits while the
 *   incident is open), the grid it was reported in and that grid's ancestors then (frozen, for statistics), the
 *   centre (综治中心: a COMMUNITY, STREET or DISTRICT grid) whose dispatchers own it, its status and version, and
 *   the timestamps and deadlines the SLA and statistics read, all written in the transaction of the timeline
 *   entry that changed them. A resident reporter's phone is sealed like the people module's (blind index, mask).
 * - `incident_event`: the timeline, append-only at the database level (UPDATE, DELETE, TRUNCATE refused).
 * - `incident_outbox`: one row per change someone must hear about (the new assignee, the centre's screen),
 *   written in the incident's transaction, so subscriptions can deliver after commit and replay `since` an id.
 * - parties, photos (URLs, or files uploaded to POST /uploads: `incident_upload`), mediation (调解) sessions and outcome.
 *
 * `incident_centre(grid)`: the nearest COMMUNITY, else STREET, else DISTRICT grid at or above a grid. A trigger
 * keeps an open incident's centre with its grid while it is handled at the grid or community level.
 */
const CHANNELS = `'GRID_WORKER_APP','RESIDENT_QR','HOTLINE_12345','VIDEO_PATROL','WALK_IN','PETITION_OFFICE','COURT','PROCURATORATE_12309','OPEN311'`;
const STATUSES = `'REPORTED','ACCEPTED','ASSIGNED','IN_PROGRESS','RESOLVED','VERIFIED','CLOSED','REJECTED','ESCALATED','TRANSFERRED','SUSPENDED','REOPENED','MERGED'`;
const ACTIONS = `'REPORT','ACCEPT','ASSIGN','RECORD_PROGRESS','RESOLVE','VERIFY','CLOSE','REJECT','ESCALATE','TRANSFER','SUSPEND','RESUME','REOPEN','MERGE',
       'RECATEGORIZE','MEDIATION_SESSION','MEDIATION_OUTCOME'`;
const LEVELS = `'GRID','COMMUNITY','STREET','DISTRICT'`;
/** Statuses an incident leaves no more: everything else is open (re-resolved after grid edits, a duplicate candidate). */
const FINAL = `'CLOSED','REJECTED','MERGED'`;

const CATEGORIES: [code: string, name: string, dispute: boolean][] = [
  ['DISPUTE_FAMILY', '婚姻家庭', true],
  ['DISPUTE_NEIGHBOR', '邻里', true],
  ['DISPUTE_HOUSING_LAND', '房屋宅基地', true],
  ['DISPUTE_CONTRACT', '合同', true],
  ['DISPUTE_BUSINESS', '生产经营', true],
  ['DISPUTE_DAMAGES', '损害赔偿', true],
  ['DISPUTE_FOREST_LAND', '山林土地', true],
  ['DISPUTE_LAND_ACQUISITION', '征地拆迁', true],
  ['DISPUTE_ENVIRONMENT', '环境污染', true],
  ['DISPUTE_LABOR', '劳动争议', true],
  ['DISPUTE_WAGE_ARREARS', '拖欠农民工工资', true],
  ['DISPUTE_MEDICAL', '医疗', true],
  ['DISPUTE_TRAFFIC', '道路交通', true],
  ['DISPUTE_PROPERTY_MANAGEMENT', '物业', true],
  ['FIRE_SAFETY', '消防', false],
  ['PUBLIC_SECURITY', '社会治安', false],
  ['SAFETY_HAZARD', '安全隐患', false],
  ['LIVELIHOOD', '民生诉求', false],
  ['OTHER', '其他', false],
];

const statements = [
  // A time-ordered uuid (RFC 9562 version 7): ids sort by creation, so "newest first" is the primary key's order.
  `CREATE FUNCTION uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
     SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING
       substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
   $$`,
  `CREATE FUNCTION incident_centre(g uuid) RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
     SELECT c.id FROM grid t CROSS JOIN LATERAL unnest(t.ancestor_ids || t.id) WITH ORDINALITY AS u(id, n)
     JOIN grid c ON c.id = u.id
     WHERE t.id = g AND c.level IN ('COMMUNITY','STREET','DISTRICT')
     ORDER BY u.n DESC LIMIT 1
   $$`,
  `CREATE TABLE incident_category (
     code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,63}$'),
     name text NOT NULL CHECK (length(btrim(name)) > 0),
     parent_code text REFERENCES incident_category(code),
     assign_within_minutes integer NOT NULL DEFAULT 1440 CHECK (assign_within_minutes > 0),
     first_progress_within_minutes integer NOT NULL DEFAULT 1440 CHECK (first_progress_within_minutes > 0),
     resolve_within_minutes integer NOT NULL DEFAULT 43200 CHECK (resolve_within_minutes > 0),
     is_dispute boolean NOT NULL DEFAULT false,
     active boolean NOT NULL DEFAULT true,
     sort integer NOT NULL DEFAULT 0,
     updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     updated_by text
   )`,
  `INSERT INTO incident_category (code, name, is_dispute, sort, updated_by) VALUES
     ${CATEGORIES.map(([code, name, dispute], i) => `('${code}', '${name}', ${dispute}, ${(i + 1) * 10}, 'migration')`).join(',\n     ')}`,
  `CREATE TABLE incident (
     id uuid PRIMARY KEY DEFAULT uuid_v7(),
     tracking_code text NOT NULL UNIQUE CHECK (tracking_code ~ '^[0-9A-HJKMNP-TV-Z]{12}$'),
     category_code text NOT NULL REFERENCES incident_category(code),
     title text NOT NULL CHECK (length(btrim(title)) > 0),
     description text,
     address text,
     channel text NOT NULL CHECK (channel IN (${CHANNELS})),
     severity text NOT NULL DEFAULT 'MEDIUM' CHECK (severity IN ('LOW','MEDIUM','HIGH','CRITICAL')),
     people_involved integer CHECK (people_involved >= 0),
     occurred_at timestamptz,
     building_id uuid REFERENCES building(id),
     key_place_id uuid REFERENCES key_place(id),
     location geometry(Point, 4326) NOT NULL,
     grid_id uuid REFERENCES grid(id),
     grid_distance_m float8,
     grid_resolved_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     reported_grid_id uuid REFERENCES grid(id),
     reported_grid_path uuid[] NOT NULL DEFAULT '{}',
     centre_grid_id uuid NOT NULL REFERENCES grid(id),
     level text NOT NULL CHECK (level IN (${LEVELS})),
     status text NOT NULL CHECK (status IN (${STATUSES})),
     status_before_suspension text CHECK (status_before_suspension IN (${STATUSES})),
     assignee_worker_id uuid REFERENCES grid_worker(id),
     transferred_organization_id uuid REFERENCES organization(id),
     merged_into_id uuid REFERENCES incident(id),
     reporter_subject text,
     reporter_role text,
     reporter_name text,
     reporter_phone_sealed bytea,
     reporter_phone_index bytea,
     reporter_phone_masked text,
     reporter_person_id uuid REFERENCES person(id),
     satisfaction text CHECK (satisfaction IN ('SATISFIED','BASICALLY_SATISFIED','UNSATISFIED')),
     escalation_count integer NOT NULL DEFAULT 0,
     sla_assign_minutes integer NOT NULL CHECK (sla_assign_minutes > 0),
     sla_first_progress_minutes integer NOT NULL CHECK (sla_first_progress_minutes > 0),
     sla_resolve_minutes integer NOT NULL CHECK (sla_resolve_minutes > 0),
     sla_assign_due_at timestamptz,
     sla_progress_due_at timestamptz,
     sla_resolve_due_at timestamptz,
     sla_orange_at timestamptz,
     sla_red_at timestamptz,
     reported_at timestamptz NOT NULL,
     accepted_at timestamptz,
     assigned_at timestamptz,
     first_progress_at timestamptz,
     resolved_at timestamptz,
     closed_at timestamptz,
     suspended_total interval NOT NULL DEFAULT '0',
     suspended_since timestamptz,
     version integer NOT NULL DEFAULT 1,
     created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     updated_by text,
     CHECK ((status = 'SUSPENDED') = (suspended_since IS NOT NULL AND status_before_suspension IS NOT NULL)),
     CHECK ((status = 'MERGED') = (merged_into_id IS NOT NULL)),
     CHECK (merged_into_id IS DISTINCT FROM id)
   )`,
  `CREATE INDEX incident_location_gist ON incident USING gist (location)`,
  `CREATE INDEX incident_open_geog ON incident USING gist ((location::geography)) WHERE status NOT IN (${FINAL})`,
  `CREATE INDEX incident_grid ON incident (grid_id, id)`,
  `CREATE INDEX incident_reported_grid ON incident (reported_grid_id, reported_at)`,
  `CREATE INDEX incident_reported_path ON incident USING gin (reported_grid_path)`,
  `CREATE INDEX incident_centre_open ON incident (centre_grid_id, id) WHERE status NOT IN (${FINAL})`,
  `CREATE INDEX incident_assignee ON incident (assignee_worker_id, id) WHERE assignee_worker_id IS NOT NULL`,
  `CREATE INDEX incident_merged_into ON incident (merged_into_id) WHERE merged_into_id IS NOT NULL`,
  `CREATE INDEX incident_reporter_phone ON incident (reporter_phone_index) WHERE reporter_phone_index IS NOT NULL`,
  `CREATE INDEX incident_category_code ON incident (category_code)`,
  `CREATE INDEX incident_building ON incident (building_id) WHERE building_id IS NOT NULL`,
  `CREATE INDEX incident_key_place ON incident (key_place_id) WHERE key_place_id IS NOT NULL`,
  `CREATE INDEX incident_organization ON incident (transferred_organization_id) WHERE transferred_organization_id IS NOT NULL`,
  `CREATE INDEX incident_reporter_person ON incident (reporter_person_id) WHERE reporter_person_id IS NOT NULL`,
  `CREATE TRIGGER incident_grid BEFORE INSERT OR UPDATE OF location ON incident
   FOR EACH ROW EXECUTE FUNCTION located_resolve()`,
  // A grid edit re-resolves an open incident's grid (relocateWithin): while the grid or community level handles
  // it, the community centre above the new grid owns it; an escalated one stays with the street or district.
  `CREATE FUNCTION incident_centre_follows() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF NEW.grid_id IS NOT NULL AND NEW.grid_id IS DISTINCT FROM OLD.grid_id AND NEW.level IN ('GRID','COMMUNITY') THEN
       NEW.centre_grid_id := coalesce(incident_centre(NEW.grid_id), NEW.centre_grid_id);
     END IF;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER incident_route BEFORE UPDATE OF grid_id ON incident
   FOR EACH ROW EXECUTE FUNCTION incident_centre_follows()`,
  `CREATE TABLE incident_event (
     incident_id uuid NOT NULL REFERENCES incident(id),
     seq integer NOT NULL CHECK (seq >= 1),
     action text NOT NULL CHECK (action IN (${ACTIONS})),
     from_status text CHECK (from_status IN (${STATUSES})),
     to_status text NOT NULL CHECK (to_status IN (${STATUSES})),
     actor text NOT NULL,
     actor_role text,
     at timestamptz NOT NULL DEFAULT clock_timestamp(),
     note text,
     location geometry(Point, 4326),
     detail jsonb NOT NULL DEFAULT '{}',
     PRIMARY KEY (incident_id, seq)
   )`,
  `CREATE FUNCTION incident_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION 'incident_event is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
   END $$`,
  `CREATE TRIGGER incident_event_no_update BEFORE UPDATE OR DELETE ON incident_event FOR EACH ROW EXECUTE FUNCTION incident_event_append_only()`,
  `CREATE TRIGGER incident_event_no_truncate BEFORE TRUNCATE ON incident_event FOR EACH STATEMENT EXECUTE FUNCTION incident_event_append_only()`,
  `CREATE TABLE incident_outbox (
     id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     incident_id uuid NOT NULL REFERENCES incident(id),
     event_seq integer NOT NULL,
     kind text NOT NULL,
     worker_ids uuid[] NOT NULL DEFAULT '{}',
     grid_ids uuid[] NOT NULL DEFAULT '{}',
     created_at timestamptz NOT NULL DEFAULT clock_timestamp()
   )`,
  `CREATE INDEX incident_outbox_incident ON incident_outbox (incident_id, id)`,
  `CREATE INDEX incident_outbox_workers ON incident_outbox USING gin (worker_ids)`,
  `CREATE INDEX incident_outbox_grids ON incident_outbox USING gin (grid_ids)`,
  `CREATE TABLE incident_party (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     incident_id uuid NOT NULL REFERENCES incident(id),
     role text NOT NULL CHECK (role IN ('APPLICANT','RESPONDENT','OTHER')),
     person_id uuid REFERENCES person(id),
     organization_id uuid REFERENCES organization(id),
     name text CHECK (name IS NULL OR length(btrim(name)) > 0),
     phone_sealed bytea,
     phone_index bytea,
     phone_masked text,
     created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
     CHECK (num_nonnulls(person_id, organization_id, name) = 1)
   )`,
  `CREATE INDEX incident_party_incident ON incident_party (incident_id)`,
  `CREATE INDEX incident_party_person ON incident_party (person_id) WHERE person_id IS NOT NULL`,
  `CREATE INDEX incident_party_organization ON incident_party (organization_id) WHERE organization_id IS NOT NULL`,
  // A file sent to POST /uploads (kept under UPLOAD_DIR by its id), attached to one incident's photo at most.
  `CREATE TABLE incident_upload (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     content_type text NOT NULL,
     bytes bigint NOT NULL CHECK (bytes > 0),
     sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
     uploaded_by text NOT NULL,
     incident_id uuid REFERENCES incident(id),
     created_at timestamptz NOT NULL DEFAULT clock_timestamp()
   )`,
  `CREATE INDEX incident_upload_incident ON incident_upload (incident_id) WHERE incident_id IS NOT NULL`,
  `CREATE TABLE incident_photo (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     incident_id uuid NOT NULL REFERENCES incident(id),
     event_seq integer NOT NULL,
     upload_id uuid UNIQUE REFERENCES incident_upload(id),
     url text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
     content_type text NOT NULL,
     bytes bigint CHECK (bytes > 0),
     created_by text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT clock_timestamp()
   )`,
  `CREATE INDEX incident_photo_incident ON incident_photo (incident_id, event_seq)`,
  `CREATE TABLE incident_mediation (
     incident_id uuid PRIMARY KEY REFERENCES incident(id),
     mediator text NOT NULL CHECK (length(btrim(mediator)) > 0),
     outcome text CHECK (outcome IN ('AGREEMENT_REACHED','FAILED')),
     agreement_terms text,
     referral text CHECK (referral IN ('LITIGATION','ARBITRATION')),
     outcome_at timestamptz,
     outcome_by text,
     CHECK (outcome IS DISTINCT FROM 'AGREEMENT_REACHED' OR (agreement_terms IS NOT NULL AND referral IS NULL)),
     CHECK (outcome IS DISTINCT FROM 'FAILED' OR (referral IS NOT NULL AND agreement_terms IS NULL))
   )`,
  `CREATE TABLE incident_mediation_session (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     incident_id uuid NOT NULL REFERENCES incident(id),
     event_seq integer NOT NULL,
     mediator text NOT NULL,
     held_at timestamptz NOT NULL,
     place text NOT NULL,
     attendees text[] NOT NULL DEFAULT '{}',
     note text,
     created_by text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT clock_timestamp()
   )`,
  `CREATE INDEX incident_mediation_session_incident ON incident_mediation_session (incident_id, held_at)`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['incident_mediation_session', 'incident_mediation', 'incident_photo', 'incident_upload', 'incident_party', 'incident_outbox', 'incident_event', 'incident', 'incident_category']) {
    await knex.raw(`DROP TABLE IF EXISTS ${table} CASCADE`);
  }
  await knex.raw('DROP FUNCTION IF EXISTS incident_event_append_only() CASCADE');
  await knex.raw('DROP FUNCTION IF EXISTS incident_centre_follows() CASCADE');
  await knex.raw('DROP FUNCTION IF EXISTS incident_centre(uuid)');
  await knex.raw('DROP FUNCTION IF EXISTS uuid_v7()');
}
