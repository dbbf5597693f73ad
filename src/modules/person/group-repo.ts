import type { Knex } from 'knex';
import type { AttentionLevel, PersonTag } from '../../generated/graphql';
import { NEAREST_GRID_METERS, subtreeGridIds } from '../location/repo';
import type { PersonRow, PersonTagRow, VisitRow } from './mappers';
import { PERSON_COLUMNS, PERSON_FROM } from './repo';
import { RESPONSIBLE_ON, RESPONSIBLE_ORDER, STAFFED_GRID_OF_CHAIN } from '../worker/repo';

/**
 * SQL of special and care groups: tags (a removed tag keeps its row: the history), follow-up plans, visits,
 * overdue visits and expiring residence permits. No statement here returns a sealed value except
 * `visitNotes`, which the service opens for callers who may read the person.
 *
 * "Today" is always passed in (the calendar day in China, computed once by the service), never read from the
 * database's clock and time zone, so every figure of one answer agrees with the others.
 */

/** The days a plan is late on `today` (a bound `?::date`): 0 when not late. */
const DAYS_OVERDUE = `greatest(0, ?::date - pt.next_visit_due)`;

const TAG_COLUMNS = `pt.id, pt.person_id, pt.tag, pt.since::text AS since, pt.details_sealed IS NOT NULL AS has_details,
  pt.attention_level, pt.responsible_worker_id, pt.visit_interval_days, pt.last_visit_at,
  pt.next_visit_due::text AS next_visit_due, coalesce(${DAYS_OVERDUE}, 0)::int AS days_overdue, pt.created_at`;

/** Current tags of many people, special groups first, each group in the order of the enum. */
export async function currentTagsOfPeople(db: Knex, personIds: readonly string[], today: string): Promise<PersonTagRow[]> {
  if (personIds.length === 0) return [];
  const { rows } = await db.raw(
    `/* currentTagsOfPeople */ SELECT ${TAG_COLUMNS} FROM person_tag pt
     WHERE pt.person_id = ANY(?::uuid[]) AND pt.removed_at IS NULL
     ORDER BY pt.person_id, pt.next_visit_due IS NULL, pt.created_at, pt.id`,
    [today, [...personIds]],
  );
  return rows;
}

/** Tags by id, current or removed. */
export async function tagsByIds(db: Knex, ids: readonly string[], today: string): Promise<PersonTagRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.raw(`/* tagsByIds */ SELECT ${TAG_COLUMNS} FROM person_tag pt WHERE pt.id = ANY(?::uuid[])`, [today, [...ids]]);
  return rows;
}

// ---- writes (inside a transaction that locked the grids of the person's building, then the person) ----

/**
 * The person with their building's position, the row locked FOR SHARE: a tag or a visit changes no person
 * column, but the status and erasure they are checked against must hold until the commit.
 */
export async function personForGroupEdit(db: Knex, id: string, lock: boolean): Promise<(PersonRow & { lng: number; lat: number }) | null> {
  const { rows } = await db.raw(
    `/* personForGroupEdit */ SELECT ${PERSON_COLUMNS}, ST_X(b.location) AS lng, ST_Y(b.location) AS lat
     FROM ${PERSON_FROM} WHERE p.id = ?${lock ? ' FOR SHARE OF p' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

/** The person's current tags, locked (a visit moves its plan on; an untag removes one). */
export async function currentTagsForEdit(db: Knex, personId: string, today: string): Promise<PersonTagRow[]> {
  const { rows } = await db.raw(
    `/* currentTagsForEdit */ SELECT ${TAG_COLUMNS} FROM person_tag pt
     WHERE pt.person_id = ? AND pt.removed_at IS NULL ORDER BY pt.created_at, pt.id FOR UPDATE OF pt`,
    [today, personId],
  );
  return rows;
}

/**
 * The worker who answers for a grid by default: the same rule as `resolveLocation`'s responsible workers (the
 * deepest grid of the chain with an active worker), its primary worker first, then by name.
 */
export async function defaultResponsibleWorker(db: Knex, gridId: string): Promise<string | null> {
  const { rows } = await db.raw(
    `/* defaultResponsibleWorker */ WITH chain AS (
       SELECT c.id, c.depth FROM grid g JOIN grid c ON c.id = ANY(g.ancestor_ids || g.id) WHERE g.id = ?
     ), staffed AS (${STAFFED_GRID_OF_CHAIN('chain')})
     SELECT w.id FROM ${RESPONSIBLE_ON('staffed')} ORDER BY ${RESPONSIBLE_ORDER} LIMIT 1`,
    [gridId],
  );
  return rows[0]?.id ?? null;
}

/** A worker with the codes of the grids they are currently assigned to (none: no current assignment). */
export async function workerWithCurrentGrids(db: Knex, id: string): Promise<{ id: string; name: string; status: string; codes: string[] } | null> {
  const { rows } = await db.raw(
    `/* workerWithCurrentGrids */ SELECT w.id, w.name, w.status,
       ARRAY(SELECT g.code FROM grid_assignment a JOIN grid g ON g.id = a.grid_id
             WHERE a.worker_id = w.id AND a.valid_to IS NULL ORDER BY g.code) AS codes
     FROM grid_worker w WHERE w.id = ?`,
    [id],
  );
  return rows[0] ?? null;
}

/** The worker record of a signed-in account (`grid_worker.account` = the token's subject). */
export async function workerIdOfAccount(db: Knex, account: string): Promise<string | null> {
  const { rows } = await db.raw(`/* workerIdOfAccount */ SELECT id FROM grid_worker WHERE account = ?`, [account]);
  return rows[0]?.id ?? null;
}

export interface NewTag {
  personId: string;
  tag: PersonTag;
  since: string | null;
  detailsSealed: Buffer | null;
  plan: { attentionLevel: AttentionLevel; responsibleWorkerId: string | null; visitIntervalDays: number; nextVisitDue: string } | null;
}

export async function insertTag(db: Knex, t: NewTag, by: string): Promise<string> {
  const { rows } = await db.raw(
    `/* insertTag */ INSERT INTO person_tag (person_id, tag, since, details_sealed, attention_level, responsible_worker_id,
       visit_interval_days, next_visit_due, created_by)
     VALUES (:personId, :tag, :since::date, :details, :level, :worker, :interval, :due::date, :by) RETURNING id`,
    {
      personId: t.personId,
      tag: t.tag,
      since: t.since,
      details: t.detailsSealed,
      level: t.plan?.attentionLevel ?? null,
      worker: t.plan?.responsibleWorkerId ?? null,
      interval: t.plan?.visitIntervalDays ?? null,
      due: t.plan?.nextVisitDue ?? null,
      by,
    },
  );
  return rows[0].id;
}

/** Ends a current tag; its row stays (who removed it, when and why). */
export async function removeTag(db: Knex, tagId: string, by: string, reason: string): Promise<void> {
  await db.raw(
    `/* removeTag */ UPDATE person_tag SET removed_at = clock_timestamp(), removed_by = ?, removal_reason = ?,
       updated_at = clock_timestamp(), version = version + 1
     WHERE id = ? AND removed_at IS NULL`,
    [by, reason, tagId],
  );
}

export interface NewVisit {
  personId: string;
  tagId: string;
  workerId: string | null;
  visitedAt: Date;
  noteSealed: Buffer | null;
  /** WGS-84; its grid is resolved here, once, by the shared rule, and kept. */
  location: { lng: number; lat: number } | null;
}

export async function insertVisit(db: Knex, v: NewVisit, by: string): Promise<string> {
  const bindings = {
    personId: v.personId,
    tagId: v.tagId,
    workerId: v.workerId,
    visitedAt: v.visitedAt,
    note: v.noteSealed,
    by,
    lng: v.location?.lng ?? null,
    lat: v.location?.lat ?? null,
  };
  const columns = `person_id, person_tag_id, worker_id, visited_at, note_sealed, created_by, location, grid_id, grid_distance_m`;
  const values = `:personId::uuid, :tagId::uuid, :workerId::uuid, :visitedAt::timestamptz, :note::bytea, :by`;
  const sql = v.location
    ? `/* insertVisit */ INSERT INTO visit (${columns})
       SELECT ${values}, pt.g, r.grid_id, r.distance_m
       FROM (SELECT ST_SetSRID(ST_MakePoint(:lng::float8, :lat::float8), 4326) AS g) pt
       LEFT JOIN LATERAL grid_resolution(pt.g, ${NEAREST_GRID_METERS}) r ON true
       RETURNING id`
    : `/* insertVisit */ INSERT INTO visit (${columns}) VALUES (${values}, NULL, NULL, NULL) RETURNING id`;
  const { rows } = await db.raw(sql, bindings);
  return rows[0].id;
}

/**
 * Moves a plan on after a visit: the latest visit (a visit logged late for an earlier day changes nothing)
 * and the next due day, that visit's calendar day in China plus the interval.
 */
export async function planAfterVisit(db: Knex, tagId: string, visitedAt: Date): Promise<void> {
  await db.raw(
    `/* planAfterVisit */ WITH latest AS (
       SELECT id, greatest(last_visit_at, ?::timestamptz) AS at FROM person_tag WHERE id = ?
     )
     UPDATE person_tag pt SET last_visit_at = l.at,
       next_visit_due = ((l.at AT TIME ZONE 'UTC') + interval '8 hours')::date + pt.visit_interval_days,
       updated_at = clock_timestamp(), version = pt.version + 1
     FROM latest l WHERE pt.id = l.id`,
    [visitedAt, tagId],
  );
}

// ---- visits ----

const VISIT_COLUMNS = `'Visit' AS node_type, v.id, v.person_id, pt.tag, v.worker_id, v.visited_at, v.note_sealed,
  ST_X(v.location) AS lng, ST_Y(v.location) AS lat, v.grid_id, v.created_at,
  to_char(v.visited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS order_at`;
const VISIT_FROM = `visit v LEFT JOIN person_tag pt ON pt.id = v.person_tag_id`;

/** A visit as read: its note still sealed (the service opens it for callers who may read the person). */
export type SealedVisitRow = Omit<VisitRow, 'note'> & { note_sealed: Buffer | null; order_at: string };

export async function visitsByIds(db: Knex, ids: readonly string[]): Promise<SealedVisitRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.raw(`/* visitsByIds */ SELECT ${VISIT_COLUMNS} FROM ${VISIT_FROM} WHERE v.id = ANY(?::uuid[])`, [[...ids]]);
  return rows;
}

/** The position of a visit in a tag's list: newest first. */
export type VisitKey = [at: string, id: string];

/** Visits of a tag, newest first, after `after` (exclusive). */
export async function pageOfVisits(db: Knex, tagId: string, after: VisitKey | null, limit: number): Promise<SealedVisitRow[]> {
  const cursor = after ? ` AND (v.visited_at, v.id) < (?::timestamptz, ?::uuid)` : '';
  const { rows } = await db.raw(
    `/* pageOfVisits */ SELECT ${VISIT_COLUMNS} FROM ${VISIT_FROM}
     WHERE v.person_tag_id = ?${cursor} ORDER BY v.visited_at DESC, v.id DESC LIMIT ?`,
    [tagId, ...(after ?? []), limit],
  );
  return rows;
}

export async function countVisits(db: Knex, tagId: string): Promise<number> {
  const { rows } = await db.raw(`/* countVisits */ SELECT count(*)::int AS n FROM visit WHERE person_tag_id = ?`, [tagId]);
  return rows[0].n;
}

// ---- overdue visits ----

export interface OverdueFilter {
  /** People whose building lies in this grid or below it (null: anywhere). */
  subtreeOf: string | null;
  /** Plans this worker is responsible for (null: anyone's). */
  workerId: string | null;
  today: string;
}

/** The position of a late plan in the list: the most overdue (earliest due) first. */
export type OverdueKey = [due: string, tagId: string];

function overdueWhere(f: OverdueFilter): { sql: string; bindings: Knex.Value[] } {
  const parts = [
    'pt.removed_at IS NULL',
    'pt.next_visit_due < ?::date',
    `p.status = 'LIVING_HERE'`,
    'p.erased_at IS NULL',
  ];
  const bindings: Knex.Value[] = [f.today];
  if (f.subtreeOf) {
    parts.push(`b.grid_id IN (${subtreeGridIds('?::uuid')})`);
    bindings.push(f.subtreeOf, f.subtreeOf);
  }
  if (f.workerId) {
    parts.push('pt.responsible_worker_id = ?');
    bindings.push(f.workerId);
  }
  return { sql: parts.join(' AND '), bindings };
}

const TAG_AS = (prefix: string) =>
  `pt.id AS ${prefix}id, pt.person_id AS ${prefix}person_id, pt.tag AS ${prefix}tag, pt.since::text AS ${prefix}since,
   pt.details_sealed IS NOT NULL AS ${prefix}has_details, pt.attention_level AS ${prefix}attention_level,
   pt.responsible_worker_id AS ${prefix}responsible_worker_id, pt.visit_interval_days AS ${prefix}visit_interval_days,
   pt.last_visit_at AS ${prefix}last_visit_at, pt.next_visit_due::text AS ${prefix}next_visit_due,
   (?::date - pt.next_visit_due)::int AS ${prefix}days_overdue, pt.created_at AS ${prefix}created_at`;

/** A row of `pageOfOverdue`: the person's columns and the tag's, prefixed `tag_`. */
type OverdueDbRow = PersonRow & {
  tag_id: string;
  tag_person_id: string;
  tag_tag: PersonTag;
  tag_since: string | null;
  tag_has_details: boolean;
  tag_attention_level: AttentionLevel | null;
  tag_responsible_worker_id: string | null;
  tag_visit_interval_days: number | null;
  tag_last_visit_at: Date | null;
  tag_next_visit_due: string | null;
  tag_days_overdue: number;
  tag_created_at: Date;
};

/** Late plans with their people, most overdue first, after `after` (exclusive). */
export async function pageOfOverdue(db: Knex, f: OverdueFilter, after: OverdueKey | null, limit: number): Promise<{ person: PersonRow; tag: PersonTagRow }[]> {
  const w = overdueWhere(f);
  const cursor = after ? ` AND (pt.next_visit_due, pt.id) > (?::date, ?::uuid)` : '';
  const { rows } = await db.raw(
    `/* pageOfOverdue */ SELECT ${PERSON_COLUMNS}, ${TAG_AS('tag_')}
     FROM person_tag pt JOIN ${PERSON_FROM} ON p.id = pt.person_id
     WHERE ${w.sql}${cursor} ORDER BY pt.next_visit_due, pt.id LIMIT ?`,
    [f.today, ...w.bindings, ...(after ?? []), limit],
  );
  return rows.map((row: OverdueDbRow) => {
    const {
      tag_id, tag_person_id, tag_tag, tag_since, tag_has_details, tag_attention_level, tag_responsible_worker_id,
      tag_visit_interval_days, tag_last_visit_at, tag_next_visit_due, tag_days_overdue, tag_created_at, ...person
    } = row;
    const tag: PersonTagRow = {
      id: tag_id,
      person_id: tag_person_id,
      tag: tag_tag,
      since: tag_since,
      has_details: tag_has_details,
      attention_level: tag_attention_level,
      responsible_worker_id: tag_responsible_worker_id,
      visit_interval_days: tag_visit_interval_days,
      last_visit_at: tag_last_visit_at,
      next_visit_due: tag_next_visit_due,
      days_overdue: tag_days_overdue,
      created_at: tag_created_at,
    };
    return { person, tag };
  });
}

export async function countOverdue(db: Knex, f: OverdueFilter): Promise<number> {
  const w = overdueWhere(f);
  const { rows } = await db.raw(
    `/* countOverdue */ SELECT count(*)::int AS n FROM person_tag pt JOIN ${PERSON_FROM} ON p.id = pt.person_id WHERE ${w.sql}`,
    w.bindings,
  );
  return rows[0].n;
}

// ---- expiring residence permits ----

export interface ExpiringFilter {
  subtreeOf: string | null;
  /** Permits expiring on or before this day (expired ones included). */
  until: string;
}

/** The position of a person in the list: the soonest expiry first. */
export type ExpiringKey = [expires: string, id: string];

function expiringWhere(f: ExpiringFilter): { sql: string; bindings: Knex.Value[] } {
  // The partial index person_permit_expiry holds exactly the rows of the first four conditions.
  const parts = [
    `p.residence_type = 'FLOATING'`,
    `p.status = 'LIVING_HERE'`,
    'p.permit_expires_on IS NOT NULL',
    'p.permit_expires_on <= ?::date',
    'p.erased_at IS NULL',
  ];
  const bindings: Knex.Value[] = [f.until];
  if (f.subtreeOf) {
    parts.push(`b.grid_id IN (${subtreeGridIds('?::uuid')})`);
    bindings.push(f.subtreeOf, f.subtreeOf);
  }
  return { sql: parts.join(' AND '), bindings };
}

export async function pageOfExpiringPermits(db: Knex, f: ExpiringFilter, after: ExpiringKey | null, limit: number): Promise<PersonRow[]> {
  const w = expiringWhere(f);
  const cursor = after ? ` AND (p.permit_expires_on, p.id) > (?::date, ?::uuid)` : '';
  const { rows } = await db.raw(
    `/* pageOfExpiringPermits */ SELECT ${PERSON_COLUMNS} FROM ${PERSON_FROM}
     WHERE ${w.sql}${cursor} ORDER BY p.permit_expires_on, p.id LIMIT ?`,
    [...w.bindings, ...(after ?? []), limit],
  );
  return rows;
}

export async function countExpiringPermits(db: Knex, f: ExpiringFilter): Promise<number> {
  const w = expiringWhere(f);
  const { rows } = await db.raw(`/* countExpiringPermits */ SELECT count(*)::int AS n FROM ${PERSON_FROM} WHERE ${w.sql}`, w.bindings);
  return rows[0].n;
}
