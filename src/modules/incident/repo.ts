import type { Knex } from 'knex';
import type { HandlingLevel, IncidentAction, IncidentChannel, IncidentStatus } from '../../generated/graphql';
import type { ReportFields } from './report';
import type { SlaColumns } from './sla';
import type { CategoryRow, EventDetail, IncidentEventRow, IncidentRow, MediationRow, MediationSessionRow, PartyRow, PhotoRow } from './mappers';

/**
 * SQL for incidents: reads, the locked row of a write, the timeline and what comes with its entries. Lists are in
 * repo-list.ts, routing (the responsible worker, the centres) in routing.ts.
 */

/** Open incidents of the same category within this distance of a new one are possible duplicates. */
export const DUPLICATE_METERS = 250;

/** Statuses an incident never leaves, as SQL (the partial indexes' predicate: keep the text identical). */
export const FINAL_SQL = `('CLOSED','REJECTED','MERGED')`;

/** An incident row with its centre's code, its grids' codes and its assignee's account (for the policy). */
export const INCIDENT_FROM = `incident i
  JOIN grid cg ON cg.id = i.centre_grid_id
  LEFT JOIN grid rg ON rg.id = i.grid_id
  LEFT JOIN grid pg ON pg.id = i.reported_grid_id
  LEFT JOIN grid_worker aw ON aw.id = i.assignee_worker_id`;

export const INCIDENT_COLUMNS = `i.id, 'Incident' AS node_type, ST_X(i.location) AS lng, ST_Y(i.location) AS lat, i.grid_id,
  i.grid_distance_m, i.grid_resolved_at, i.version, i.created_at, i.updated_at, i.updated_by, NULL::timestamptz AS retired_at,
  i.tracking_code, i.category_code, i.title, i.description, i.address, i.channel, i.severity, i.people_involved, i.occurred_at,
  i.building_id, i.key_place_id, i.reported_grid_id, i.reported_grid_path, i.centre_grid_id, i.level, i.status,
  i.status_before_suspension, i.assignee_worker_id, i.transferred_organization_id, i.merged_into_id, i.reporter_subject,
  i.reporter_role, i.reporter_name, i.reporter_phone_masked, i.reporter_person_id, i.satisfaction, i.escalation_count,
  i.sla_assign_minutes, i.sla_first_progress_minutes, i.sla_resolve_minutes, i.reported_at, i.accepted_at, i.assigned_at,
  i.first_progress_at, i.resolved_at, i.closed_at, i.suspended_since,
  cg.code AS "centreCode", array_remove(ARRAY[rg.code, pg.code, cg.code], NULL) AS codes, aw.account AS "assigneeAccount"`;

export async function incidentsByIds(db: Knex, ids: readonly string[]): Promise<IncidentRow[]> {
  const { rows } = await db.raw(`/* incidentsByIds */ SELECT ${INCIDENT_COLUMNS} FROM ${INCIDENT_FROM} WHERE i.id = ANY(?::uuid[])`, [[...ids]]);
  return rows;
}

export interface NewIncident {
  trackingCode: string;
  category: CategoryRow;
  fields: ReportFields;
  point: { lng: number; lat: number };
  channel: IncidentChannel;
  reportedGridId: string;
  reportedGridPath: readonly string[];
  centreGridId: string;
  level: HandlingLevel;
  reporterSubject: string | null;
  reporterRole: string | null;
  reporterName: string | null;
  reporterPhone: { sealed: Buffer; index: Buffer; masked: string } | null;
  reporterPersonId: string | null;
  at: Date;
  sla: SlaColumns;
}

/**
 * A new incident, REPORTED at `at` with the category's deadlines (its grid set by the located-record trigger),
 * returned as `lockIncident` reads it: a row this transaction has just inserted is its own until it commits.
 */
export async function insertIncident(trx: Knex.Transaction, n: NewIncident): Promise<IncidentRow> {
  const f = n.fields;
  const place = 'buildingId' in f.place ? { building: f.place.buildingId, keyPlace: null } : 'keyPlaceId' in f.place ? { building: null, keyPlace: f.place.keyPlaceId } : { building: null, keyPlace: null };
  const { rows } = await trx.raw(
    `/* insertIncident */ WITH i AS (INSERT INTO incident (tracking_code, category_code, title, description, address, channel, severity,
       people_involved, occurred_at, building_id, key_place_id, location, reported_grid_id, reported_grid_path, centre_grid_id,
       level, status, reporter_subject, reporter_role, reporter_name, reporter_phone_sealed, reporter_phone_index,
       reporter_phone_masked, reporter_person_id, sla_assign_minutes, sla_first_progress_minutes, sla_resolve_minutes,
       sla_assign_due_at, sla_progress_due_at, sla_resolve_due_at, sla_orange_at, sla_red_at, reported_at, created_at,
       updated_at, updated_by)
     VALUES (:trackingCode, :category, :title, :description, :address, :channel, :severity, :peopleInvolved, :occurredAt,
       :building, :keyPlace, ST_SetSRID(ST_MakePoint(:lng::float8, :lat::float8), 4326), :reportedGridId, :reportedGridPath::uuid[],
       :centreGridId, :level, 'REPORTED', :reporterSubject, :reporterRole, :reporterName, :phoneSealed, :phoneIndex,
       :phoneMasked, :reporterPersonId, :assignMinutes, :progressMinutes, :resolveMinutes, :assignDue, :progressDue,
       :resolveDue, :orangeAt, :redAt, :at, :at, :at, :reporterSubjectOrResident)
     RETURNING *)
     SELECT ${INCIDENT_COLUMNS} FROM ${INCIDENT_FROM.replace(/^incident i\b/, 'i')}`,
    {
      trackingCode: n.trackingCode,
      category: n.category.code,
      title: f.title,
      description: f.description,
      address: f.address,
      channel: n.channel,
      severity: f.severity,
      peopleInvolved: f.peopleInvolved,
      occurredAt: f.occurredAt,
      building: place.building,
      keyPlace: place.keyPlace,
      lng: n.point.lng,
      lat: n.point.lat,
      reportedGridId: n.reportedGridId,
      reportedGridPath: [...n.reportedGridPath],
      centreGridId: n.centreGridId,
      level: n.level,
      reporterSubject: n.reporterSubject,
      reporterRole: n.reporterRole,
      reporterName: n.reporterName,
      phoneSealed: n.reporterPhone?.sealed ?? null,
      phoneIndex: n.reporterPhone?.index ?? null,
      phoneMasked: n.reporterPhone?.masked ?? null,
      reporterPersonId: n.reporterPersonId,
      assignMinutes: n.category.assign_within_minutes,
      progressMinutes: n.category.first_progress_within_minutes,
      resolveMinutes: n.category.resolve_within_minutes,
      assignDue: n.sla.assignDueAt,
      progressDue: n.sla.progressDueAt,
      resolveDue: n.sla.resolveDueAt,
      orangeAt: n.sla.orangeAt,
      redAt: n.sla.redAt,
      at: n.at,
      reporterSubjectOrResident: n.reporterSubject ?? 'RESIDENT',
    },
  );
  return rows[0];
}

/** The incident, locked until the transaction ends: steps of one incident run one after the other. */
export async function lockIncident(trx: Knex.Transaction, id: string): Promise<IncidentRow | null> {
  const { rows } = await trx.raw(`/* lockIncident */ SELECT ${INCIDENT_COLUMNS} FROM ${INCIDENT_FROM} WHERE i.id = ? FOR UPDATE OF i`, [id]);
  return rows[0] ?? null;
}

export async function eventsOf(db: Knex, incidentIds: readonly string[]): Promise<IncidentEventRow[]> {
  const { rows } = await db.raw(
    `/* incidentEvents */ SELECT e.incident_id, e.seq, e.action, e.from_status, e.to_status, e.actor, e.actor_role, e.at, e.note,
       ST_X(e.location) AS lng, ST_Y(e.location) AS lat, e.detail
     FROM incident_event e WHERE e.incident_id = ANY(?::uuid[]) ORDER BY e.incident_id, e.seq`,
    [[...incidentIds]],
  );
  return rows;
}

export interface NewEvent {
  incidentId: string;
  action: IncidentAction;
  from: IncidentStatus | null;
  to: IncidentStatus;
  actor: string;
  actorRole: string | null;
  note: string | null;
  point: { lng: number; lat: number } | null;
  detail: EventDetail;
  /** Given for the report (the incident's `reported_at`); otherwise the database's clock. */
  at?: Date;
}

/**
 * Appends an entry (the next `seq`: the incident's row lock orders the writers) and returns its number and
 * instant, and the whole timeline as the deadlines read it (sla.ts), this entry included: one round trip where a
 * step would otherwise read the timeline back.
 */
export async function insertEvent(trx: Knex.Transaction, e: NewEvent): Promise<{ seq: number; at: Date; timeline: { action: IncidentAction; at: Date }[] }> {
  // The statement's snapshot does not see its own insert: the new entry joins the earlier ones explicitly.
  const { rows } = await trx.raw(
    `/* insertIncidentEvent */ WITH ins AS (
       INSERT INTO incident_event (incident_id, seq, action, from_status, to_status, actor, actor_role, at, note, location, detail)
       SELECT :id, coalesce(max(seq), 0) + 1, :action, :from, :to, :actor, :role, coalesce(:at::timestamptz, clock_timestamp()), :note,
         CASE WHEN :lng::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(:lng::float8, :lat::float8), 4326) END, :detail::jsonb
       FROM incident_event WHERE incident_id = :id
       RETURNING seq, action, at)
     SELECT seq, action, at, true AS new FROM ins
     UNION ALL SELECT seq, action, at, false FROM incident_event WHERE incident_id = :id
     ORDER BY seq`,
    {
      id: e.incidentId,
      action: e.action,
      from: e.from,
      to: e.to,
      actor: e.actor,
      role: e.actorRole,
      at: e.at ?? null,
      note: e.note,
      lng: e.point?.lng ?? null,
      lat: e.point?.lat ?? null,
      detail: JSON.stringify(e.detail),
    },
  );
  const entry = (rows as { seq: number; at: Date; new: boolean }[]).find((r) => r.new)!;
  return { seq: entry.seq, at: entry.at, timeline: rows.map((r: { action: IncidentAction; at: Date }) => ({ action: r.action, at: r.at })) };
}

/** The NOTIFY channel outbox ids go out on (src/pubsub.ts listens). */
export const OUTBOX_CHANNEL = 'incident_outbox';

export interface OutboxRow {
  kind: string;
  workerIds: readonly string[];
  gridIds: readonly string[];
}

/**
 * Who must hear of an entry, as a CTE (`outbox`) to write in the statement that applies the entry, and the
 * statement's result: one NOTIFY per row (delivered at commit, never on a rollback; only the id: src/pubsub.ts
 * reads the row). Rows naming nobody are left out. Named bindings `outboxIncident`, `outboxSeq`, `outboxRows`.
 */
export function outboxSql(incidentId: string, seq: number, rows: readonly OutboxRow[]): { cte: string; notify: string; bindings: Record<string, unknown> } {
  const wanted = rows.filter((r) => r.workerIds.length > 0 || r.gridIds.length > 0);
  return {
    cte: `outbox AS (
       INSERT INTO incident_outbox (incident_id, event_seq, kind, worker_ids, grid_ids)
       SELECT :outboxIncident, :outboxSeq, r.kind, ARRAY(SELECT DISTINCT unnest(r.w::uuid[])), ARRAY(SELECT DISTINCT unnest(r.g::uuid[]))
       FROM json_to_recordset(:outboxRows::json) AS r(kind text, w text[], g text[])
       RETURNING id)`,
    notify: `SELECT pg_notify('${OUTBOX_CHANNEL}', id::text) FROM outbox ORDER BY id`,
    bindings: { outboxIncident: incidentId, outboxSeq: seq, outboxRows: JSON.stringify(wanted.map((r) => ({ kind: r.kind, w: r.workerIds, g: r.gridIds }))) },
  };
}

/** Who must hear of an entry, written with it (subscriptions deliver after commit, and replay from an id). */
export async function insertOutbox(trx: Knex.Transaction, incidentId: string, seq: number, rows: readonly OutboxRow[]): Promise<void> {
  if (!rows.some((r) => r.workerIds.length > 0 || r.gridIds.length > 0)) return;
  const outbox = outboxSql(incidentId, seq, rows);
  await trx.raw(`/* insertIncidentOutbox */ WITH ${outbox.cte} ${outbox.notify}`, outbox.bindings);
}

export async function photosOf(db: Knex, incidentIds: readonly string[]): Promise<PhotoRow[]> {
  const { rows } = await db.raw(
    `/* incidentPhotos */ SELECT incident_id, event_seq, url, content_type, bytes::float8 AS bytes
     FROM incident_photo WHERE incident_id = ANY(?::uuid[]) ORDER BY incident_id, event_seq, created_at, id`,
    [[...incidentIds]],
  );
  return rows;
}

export interface NewPhoto {
  url: string;
  contentType: string;
  bytes: number | null;
  /** The file uploaded to POST /uploads, attached to the incident here. */
  uploadId?: string;
}

export async function insertPhotos(trx: Knex.Transaction, incidentId: string, seq: number, photos: readonly NewPhoto[], by: string): Promise<void> {
  if (photos.length === 0) return;
  await trx.raw(
    `/* insertIncidentPhotos */ INSERT INTO incident_photo (incident_id, event_seq, url, content_type, bytes, upload_id, created_by)
     SELECT ?, ?, p.url, p.content_type, p.bytes, p.upload_id, ? FROM json_to_recordset(?::json) AS p(url text, content_type text, bytes bigint, upload_id uuid)`,
    [incidentId, seq, by, JSON.stringify(photos.map((p) => ({ url: p.url, content_type: p.contentType, bytes: p.bytes, upload_id: p.uploadId ?? null })))],
  );
  const uploads = photos.flatMap((p) => (p.uploadId ? [p.uploadId] : []));
  if (uploads.length) {
    await trx.raw('/* attachIncidentUploads */ UPDATE incident_upload SET incident_id = ? WHERE id = ANY(?::uuid[])', [incidentId, uploads]);
  }
}

export async function partiesOf(db: Knex, incidentIds: readonly string[]): Promise<PartyRow[]> {
  const { rows } = await db.raw(
    `/* incidentParties */ SELECT id, incident_id, role, person_id, organization_id, name, phone_masked
     FROM incident_party WHERE incident_id = ANY(?::uuid[]) ORDER BY incident_id, created_at, id`,
    [[...incidentIds]],
  );
  return rows;
}

export interface NewParty {
  role: string;
  personId: string | null;
  organizationId: string | null;
  name: string | null;
  phone: { sealed: Buffer; index: Buffer; masked: string } | null;
}

export async function insertParties(trx: Knex.Transaction, incidentId: string, parties: readonly NewParty[]): Promise<void> {
  for (const p of parties) {
    await trx.raw(
      `/* insertIncidentParty */ INSERT INTO incident_party (incident_id, role, person_id, organization_id, name, phone_sealed, phone_index, phone_masked)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [incidentId, p.role, p.personId, p.organizationId, p.name, p.phone?.sealed ?? null, p.phone?.index ?? null, p.phone?.masked ?? null],
    );
  }
}

export async function mediationsOf(db: Knex, incidentIds: readonly string[]): Promise<MediationRow[]> {
  const { rows } = await db.raw(
    `/* incidentMediations */ SELECT incident_id, mediator, outcome, agreement_terms, referral, outcome_at
     FROM incident_mediation WHERE incident_id = ANY(?::uuid[])`,
    [[...incidentIds]],
  );
  return rows;
}

export async function sessionsOf(db: Knex, incidentIds: readonly string[]): Promise<MediationSessionRow[]> {
  const { rows } = await db.raw(
    `/* incidentMediationSessions */ SELECT incident_id, mediator, held_at, place, attendees, note
     FROM incident_mediation_session WHERE incident_id = ANY(?::uuid[]) ORDER BY incident_id, held_at, created_at`,
    [[...incidentIds]],
  );
  return rows;
}

export async function categories(db: Knex): Promise<CategoryRow[]> {
  const { rows } = await db.raw(
    `/* incidentCategories */ SELECT code, name, parent_code, assign_within_minutes, first_progress_within_minutes, resolve_within_minutes,
       is_dispute, active, sort FROM incident_category ORDER BY sort, code`,
  );
  return rows;
}

/**
 * Open incidents of a category within `meters` of a point (on the spheroid, through the partial GiST index on
 * open incidents' geography), nearest first.
 */
export async function duplicateIdsNear(
  db: Knex,
  q: { lng: number; lat: number; category: string; excludeId: string | null; meters: number; limit: number },
): Promise<string[]> {
  const { rows } = await db.raw(
    `/* incidentDuplicates */ WITH p AS (SELECT ST_SetSRID(ST_MakePoint(:lng::float8, :lat::float8), 4326)::geography AS g)
     SELECT i.id FROM incident i, p
     WHERE i.status NOT IN ${FINAL_SQL} AND i.category_code = :category AND i.id IS DISTINCT FROM :exclude::uuid
       AND ST_DWithin(i.location::geography, p.g, :meters)
     ORDER BY ST_Distance(i.location::geography, p.g), i.id LIMIT :limit`,
    { lng: q.lng, lat: q.lat, category: q.category, exclude: q.excludeId, meters: q.meters, limit: q.limit },
  );
  return rows.map((r: { id: string }) => r.id);
}
