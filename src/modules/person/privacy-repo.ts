import type { Knex } from 'knex';
import type { AuditAction, PersonTag } from '../../generated/graphql';
import type { AuditEntryRow } from './mappers';

/**
 * SQL of reveals, erasure and the audit log: the only statements that read sealed columns (to open them for an
 * audited reveal) or clear them (erasure). Everything else reads people through repo.ts, which never selects a
 * sealed value.
 */

/** A person's sealed values and what decides who may open them, read in the reveal's transaction. */
export interface SealedPersonRow {
  id: string;
  grid_code: string | null;
  erased_at: Date | null;
  birth_date: string | null;
  id_number_sealed: Buffer | null;
  phone_sealed: Buffer | null;
  permit_sealed: Buffer | null;
}

const SEALED_FROM = `person p JOIN house h ON h.id = p.house_id JOIN building b ON b.id = h.building_id LEFT JOIN grid g ON g.id = b.grid_id`;

/**
 * The sealed values of a person, the row held FOR SHARE: an erasure running at the same time waits for the
 * reveal (or the reveal for the erasure, and then sees the stub).
 */
export async function sealedPerson(trx: Knex.Transaction, id: string): Promise<SealedPersonRow | null> {
  const { rows } = await trx.raw(
    `/* sealedPerson */ SELECT p.id, g.code AS grid_code, p.erased_at, p.birth_date::text AS birth_date,
       p.id_number_sealed, p.phone_sealed, p.permit_sealed
     FROM ${SEALED_FROM} WHERE p.id = ? FOR SHARE OF p`,
    [id],
  );
  return rows[0] ?? null;
}

/** The current tags of a person with their sealed details (null when none were recorded), in tagging order. */
export async function sealedTagDetails(trx: Knex.Transaction, personId: string): Promise<{ tag: PersonTag; details_sealed: Buffer | null }[]> {
  const { rows } = await trx.raw(
    `/* sealedTagDetails */ SELECT tag, details_sealed FROM person_tag WHERE person_id = ? AND removed_at IS NULL ORDER BY created_at, id`,
    [personId],
  );
  return rows;
}

/** Where a person's building stands (the grids to lock before the person's row is locked for erasure). */
export async function buildingPositionOfPerson(trx: Knex.Transaction, personId: string): Promise<{ lng: number; lat: number } | null> {
  const { rows } = await trx.raw(
    `/* buildingPositionOfPerson */ SELECT ST_X(b.location) AS lng, ST_Y(b.location) AS lat
     FROM person p JOIN house h ON h.id = p.house_id JOIN building b ON b.id = h.building_id WHERE p.id = ?`,
    [personId],
  );
  return rows[0] ?? null;
}

/** What an erasure needs to know of the person: which personal values exist (for the audit row) and where. */
export interface ErasablePersonRow {
  id: string;
  grid_code: string | null;
  erased_at: Date | null;
  id_number_index: Buffer | null;
  has_id_number: boolean;
  has_phone: boolean;
  has_birth_date: boolean;
  has_permit: boolean;
  has_group_details: boolean;
}

/** The person row locked FOR UPDATE (after the grids of their building were locked). */
export async function lockErasablePerson(trx: Knex.Transaction, id: string): Promise<ErasablePersonRow | null> {
  const { rows } = await trx.raw(
    `/* lockErasablePerson */ SELECT p.id, g.code AS grid_code, p.erased_at, p.id_number_index,
       p.id_number_sealed IS NOT NULL AS has_id_number, p.phone_sealed IS NOT NULL AS has_phone,
       p.birth_date IS NOT NULL AS has_birth_date, p.permit_sealed IS NOT NULL AS has_permit,
       EXISTS (SELECT 1 FROM person_tag t WHERE t.person_id = p.id AND t.details_sealed IS NOT NULL) AS has_group_details
     FROM ${SEALED_FROM} WHERE p.id = ? FOR UPDATE OF p`,
    [id],
  );
  return rows[0] ?? null;
}

/** How many rows of each kind an erasure cleared (kept in the audit row's detail: counts, no values). */
export interface ErasureCounts {
  tags: number;
  visits: number;
  tenantRegistrations: number;
}

/**
 * Clears every personal value of a person for good (PIPL art. 47): the person row (names, dates of birth,
 * sealed values with their blind indexes and masked forms), the details of all their tags (removed ones too),
 * the notes of their visits, and the tenant registrations that were theirs or carry their ID number. What
 * statistics count stays: gender, birth year, residence type, house, household, status, tags and plans, and
 * gate passages (which hold ids and times only).
 */
export async function erasePersonalValues(trx: Knex.Transaction, p: ErasablePersonRow, by: string): Promise<ErasureCounts> {
  await trx.raw(
    `/* erasePerson */ UPDATE person SET name = NULL, birth_date = NULL, ethnicity = NULL, registered_address = NULL,
       arrival_reason = NULL, id_number_sealed = NULL, id_number_index = NULL, id_number_masked = NULL,
       phone_sealed = NULL, phone_index = NULL, phone_masked = NULL, permit_sealed = NULL, permit_masked = NULL,
       permit_expires_on = NULL, erased_at = clock_timestamp(), version = version + 1, updated_at = clock_timestamp(),
       updated_by = ?
     WHERE id = ?`,
    [by, p.id],
  );
  const tags = await trx.raw(
    `/* eraseTagDetails */ UPDATE person_tag SET details_sealed = NULL, updated_at = clock_timestamp()
     WHERE person_id = ? AND details_sealed IS NOT NULL`,
    [p.id],
  );
  const visits = await trx.raw(`/* eraseVisitNotes */ UPDATE visit SET note_sealed = NULL WHERE person_id = ? AND note_sealed IS NOT NULL`, [p.id]);
  // A registration still pending can no longer be decided on (its submission is gone): it is closed as rejected.
  const registrations = await trx.raw(
    `/* eraseTenantRegistrations */ UPDATE tenant_registration SET name = NULL, id_number_index = NULL, id_number_masked = NULL,
       phone_masked = NULL, submission_sealed = NULL, erased_at = clock_timestamp(), version = version + 1,
       status = CASE WHEN status = 'PENDING' THEN 'REJECTED' ELSE status END,
       decided_at = CASE WHEN status = 'PENDING' THEN clock_timestamp() ELSE decided_at END,
       decided_by = CASE WHEN status = 'PENDING' THEN ? ELSE decided_by END,
       rejection_reason = CASE WHEN status = 'PENDING' THEN 'the personal data was erased' ELSE rejection_reason END
     WHERE (person_id = ? OR (?::bytea IS NOT NULL AND id_number_index = ?::bytea)) AND erased_at IS NULL`,
    [by, p.id, p.id_number_index, p.id_number_index],
  );
  return { tags: tags.rowCount ?? 0, visits: visits.rowCount ?? 0, tenantRegistrations: registrations.rowCount ?? 0 };
}

const AUDIT_COLUMNS = `a.id::text AS id, a.at, a.actor, a.role, a.action, a.subject_type, a.subject_id, a.fields, a.reason, a.request_id, a.detail`;

export async function auditEntryById(db: Knex, id: string): Promise<AuditEntryRow | null> {
  const { rows } = await db.raw(`/* auditEntryById */ SELECT ${AUDIT_COLUMNS} FROM audit_log a WHERE a.id = ?::bigint`, [id]);
  return rows[0] ?? null;
}

export interface AuditListFilter {
  actor: string | null;
  subjectId: string | null;
  subjectType: string | null;
  actions: AuditAction[] | null;
  /** Inclusive. */
  from: Date | null;
  /** Exclusive. */
  to: Date | null;
  /**
   * A scoped reader: rows of their own doing, and rows whose subject (a person, a person's tag or visit, a
   * tenant registration) lies in this grid code or below it now. Null: every row.
   */
  scope: { actor: string; rootCode: string | null } | null;
}

/**
 * The grid code of an audit row's subject as it lies now: a person's (and their tags' and visits') is their
 * house's building's grid, a tenant registration's its building's, an incident's its responsible grid (else its
 * centre). Null for an import or export.
 */
const SUBJECT_GRID_CODE = `(CASE
    WHEN a.subject_type IN ('person', 'person_tag', 'visit') THEN (
      SELECT g.code FROM person p JOIN house h ON h.id = p.house_id JOIN building b ON b.id = h.building_id JOIN grid g ON g.id = b.grid_id
      WHERE p.id = CASE a.subject_type
        WHEN 'person' THEN a.subject_id
        WHEN 'person_tag' THEN (SELECT t.person_id FROM person_tag t WHERE t.id = a.subject_id)
        ELSE (SELECT v.person_id FROM visit v WHERE v.id = a.subject_id) END)
    WHEN a.subject_type = 'tenant_registration' THEN (
      SELECT g.code FROM tenant_registration r JOIN building b ON b.id = r.building_id JOIN grid g ON g.id = b.grid_id WHERE r.id = a.subject_id)
    WHEN a.subject_type = 'incident' THEN (
      SELECT g.code FROM incident i JOIN grid g ON g.id = coalesce(i.grid_id, i.centre_grid_id) WHERE i.id = a.subject_id)
  END)`;

/**
 * A page of the audit log, newest first: keyset on (at, id). The cursor is the id of the last row seen (rows
 * are never deleted, so it always names one), its `at` read back here.
 */
export async function pageOfAudit(db: Knex, f: AuditListFilter, afterId: string | null, limit: number): Promise<AuditEntryRow[]> {
  const parts: string[] = [];
  const bindings: Knex.Value[] = [];
  if (f.actor !== null) {
    parts.push('a.actor = ?');
    bindings.push(f.actor);
  }
  if (f.subjectId !== null) {
    parts.push('a.subject_id = ?::uuid');
    bindings.push(f.subjectId);
    if (f.subjectType !== null) {
      parts.push('a.subject_type = ?');
      bindings.push(f.subjectType);
    }
  }
  if (f.actions) {
    parts.push('a.action = ANY(?::text[])');
    bindings.push(f.actions);
  }
  if (f.from) {
    parts.push('a.at >= ?');
    bindings.push(f.from);
  }
  if (f.to) {
    parts.push('a.at < ?');
    bindings.push(f.to);
  }
  if (f.scope) {
    if (f.scope.rootCode) {
      parts.push(`(a.actor = ? OR starts_with(${SUBJECT_GRID_CODE}, ?))`);
      bindings.push(f.scope.actor, f.scope.rootCode);
    } else {
      parts.push('a.actor = ?');
      bindings.push(f.scope.actor);
    }
  }
  if (afterId !== null) {
    parts.push('(a.at, a.id) < (SELECT c.at, c.id FROM audit_log c WHERE c.id = ?::bigint)');
    bindings.push(afterId);
  }
  const { rows } = await db.raw(
    `/* pageOfAudit */ SELECT ${AUDIT_COLUMNS} FROM audit_log a ${parts.length ? `WHERE ${parts.join(' AND ')}` : ''}
     ORDER BY a.at DESC, a.id DESC LIMIT ?`,
    [...bindings, limit],
  );
  return rows;
}
