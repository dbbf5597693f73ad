import type { Knex } from 'knex';
import type { Gender } from '../../generated/graphql';
import { subtreeGridIds } from '../location/repo';
import type { GateAccessRow, TenantRegistrationRow } from './mappers';

/**
 * SQL of tenants' self-registrations (一进一融一出) and the gate access of confirmed tenants. A registration's
 * jurisdiction is its building's grid now (joined on every read, like a person's). The sealed submission is
 * read only by the decision (`registrationForDecision`); every other read sees masked values.
 */
const REGISTRATION_COLUMNS = `'TenantRegistration' AS node_type, r.id, r.building_id, r.unit, r.room, r.name, r.gender,
  r.id_number_masked, r.phone_masked, r.status, r.submitted_at, r.decided_at, r.decided_by, r.rejection_reason,
  r.person_id, r.version, g.code AS grid_code,
  (SELECT h.id FROM house h WHERE h.building_id = r.building_id AND coalesce(h.unit, 0) = coalesce(r.unit, 0) AND h.room = r.room
     AND h.retired_at IS NULL) AS house_id`;
const REGISTRATION_FROM = `tenant_registration r JOIN building b ON b.id = r.building_id LEFT JOIN grid g ON g.id = b.grid_id`;

export async function registrationsByIds(db: Knex, ids: readonly string[]): Promise<TenantRegistrationRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.raw(`/* registrationsByIds */ SELECT ${REGISTRATION_COLUMNS} FROM ${REGISTRATION_FROM} WHERE r.id = ANY(?::uuid[])`, [[...ids]]);
  return rows;
}

/** A current building by its code, with what a registration is checked against. */
export async function currentBuildingByCode(db: Knex, code: string): Promise<{ id: string; code: string; name: string; address: string | null } | null> {
  const { rows } = await db.raw(`/* currentBuildingByCode */ SELECT id, code, name, address FROM building WHERE code = ? AND retired_at IS NULL`, [code]);
  return rows[0] ?? null;
}

/** The current house at (building, unit, room), as the unique index `house_address` keys it; `lock`: held shared. */
export async function currentHouseAt(db: Knex, buildingId: string, unit: number | null, room: string, lock: boolean): Promise<string | null> {
  const { rows } = await db.raw(
    `/* currentHouseAt */ SELECT id FROM house
     WHERE building_id = ? AND coalesce(unit, 0) = coalesce(?::int, 0) AND room = ? AND retired_at IS NULL${lock ? ' FOR SHARE' : ''}`,
    [buildingId, unit, room],
  );
  return rows[0]?.id ?? null;
}

/** The pending registration of this ID number (blind index) for this building, if any. */
export async function pendingRegistrationOf(db: Knex, buildingId: string, idNumberIndex: Buffer): Promise<string | null> {
  const { rows } = await db.raw(
    `/* pendingRegistrationOf */ SELECT id FROM tenant_registration WHERE building_id = ? AND id_number_index = ? AND status = 'PENDING'`,
    [buildingId, idNumberIndex],
  );
  return rows[0]?.id ?? null;
}

export interface RegistrationWrite {
  buildingId: string;
  unit: number | null;
  room: string;
  name: string;
  gender: Gender;
  birthYear: number;
  idNumberIndex: Buffer;
  idNumberMasked: string;
  phoneMasked: string;
  submissionSealed: Buffer;
}

export async function insertRegistration(db: Knex, r: RegistrationWrite): Promise<string> {
  const { rows } = await db.raw(
    `/* insertRegistration */ INSERT INTO tenant_registration
       (building_id, unit, room, name, gender, birth_year, id_number_index, id_number_masked, phone_masked, submission_sealed)
     VALUES (:buildingId, :unit, :room, :name, :gender, :birthYear, :idNumberIndex, :idNumberMasked, :phoneMasked, :submissionSealed)
     RETURNING id`,
    { ...r },
  );
  return rows[0].id;
}

/** A registration as a decision needs it: its building's position (for the grid locks), and the sealed submission. */
export type RegistrationForDecision = TenantRegistrationRow & {
  building_code: string;
  building_name: string;
  building_retired: boolean;
  lng: number;
  lat: number;
  submission_sealed: Uint8Array | null;
};

/** `lock`: the registration held for update until the transaction ends, its building shared. */
export async function registrationForDecision(db: Knex, id: string, lock: boolean): Promise<RegistrationForDecision | null> {
  const { rows } = await db.raw(
    `/* registrationForDecision */ SELECT ${REGISTRATION_COLUMNS}, b.code AS building_code, b.name AS building_name,
       b.retired_at IS NOT NULL AS building_retired, ST_X(b.location) AS lng, ST_Y(b.location) AS lat, r.submission_sealed
     FROM ${REGISTRATION_FROM} WHERE r.id = ?${lock ? ' FOR UPDATE OF r FOR SHARE OF b' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

/**
 * Records the decision. The sealed submission is dropped with it: once decided, what was confirmed lives in the
 * person row, and a rejected submission has no further use (PIPL art. 19: kept no longer than needed).
 */
export async function decideRegistration(
  db: Knex,
  id: string,
  d: { status: 'CONFIRMED' | 'REJECTED'; by: string; personId: string | null; reason: string | null },
): Promise<void> {
  await db.raw(
    `/* decideRegistration */ UPDATE tenant_registration
     SET status = :status, decided_at = clock_timestamp(), decided_by = :by, person_id = :personId, rejection_reason = :reason,
         submission_sealed = NULL, version = version + 1
     WHERE id = :id`,
    { ...d, id },
  );
}

/** Pending registrations of buildings in a grid's subtree (null: everywhere), oldest first, after the registration `after`. */
export async function pageOfPending(db: Knex, subtreeOf: string | null, after: string | null, limit: number): Promise<TenantRegistrationRow[]> {
  const within = subtreeOf ? `AND b.grid_id IN (${subtreeGridIds(':subtreeOf')})` : '';
  const cursor = after ? `AND (r.submitted_at, r.id) > (SELECT c.submitted_at, c.id FROM tenant_registration c WHERE c.id = :after)` : '';
  const { rows } = await db.raw(
    `/* pageOfPendingRegistrations */ SELECT ${REGISTRATION_COLUMNS} FROM ${REGISTRATION_FROM}
     WHERE r.status = 'PENDING' ${within} ${cursor} ORDER BY r.submitted_at, r.id LIMIT :limit`,
    { subtreeOf, after, limit },
  );
  return rows;
}

export async function countPending(db: Knex, subtreeOf: string | null): Promise<number> {
  const within = subtreeOf ? `AND b.grid_id IN (${subtreeGridIds(':subtreeOf')})` : '';
  const { rows } = await db.raw(
    `/* countPendingRegistrations */ SELECT count(*)::int AS n FROM ${REGISTRATION_FROM} WHERE r.status = 'PENDING' ${within}`,
    { subtreeOf },
  );
  return rows[0].n;
}

// ---- gate access ----

/**
 * The one definition of a grant in force (alias `a` for gate_access, `p` for the person, `h` for their house):
 * it lapses `:days` × 24 hours (whatever the session's time zone does with calendar days) after the later of the grant and the last passage, ends when revoked, and holds only
 * while the person lives in that building. Judged when read, at the instant given, so no job has to expire it.
 */
const EXPIRES_AT = `greatest(a.granted_at, a.last_passage_at) + make_interval(hours => 24 * :days)`;
const LIVING_THERE = `(p.status = 'LIVING_HERE' AND h.building_id = a.building_id)`;
const activeAt = (instant: string) =>
  `(a.revoked_at IS NULL OR ${instant} < a.revoked_at) AND ${instant} >= a.granted_at AND ${instant} < ${EXPIRES_AT} AND ${LIVING_THERE}`;
const ACCESS_FROM = `gate_access a JOIN person p ON p.id = a.person_id JOIN house h ON h.id = p.house_id`;
const accessColumns = (instant: string) =>
  `a.person_id, a.building_id, a.granted_at, a.last_passage_at, a.revoked_at, ${EXPIRES_AT} AS expires_at, (${activeAt(instant)}) AS active`;

/** Each person's gate access now: to the building they live in if granted there, else their latest grant. */
export async function gateAccessOfPeople(db: Knex, personIds: readonly string[], days: number): Promise<GateAccessRow[]> {
  if (personIds.length === 0) return [];
  const { rows } = await db.raw(
    `/* gateAccessOfPeople */ SELECT DISTINCT ON (a.person_id) ${accessColumns('statement_timestamp()')}
     FROM ${ACCESS_FROM} WHERE a.person_id = ANY(CAST(:ids AS uuid[]))
     ORDER BY a.person_id, (a.building_id = h.building_id) DESC, a.granted_at DESC`,
    { ids: [...personIds], days },
  );
  return rows;
}

/** A person's access to one building now (null: never granted there). */
export async function gateAccessNow(db: Knex, personId: string, buildingId: string, days: number): Promise<GateAccessRow | null> {
  const { rows } = await db.raw(
    `/* gateAccessNow */ SELECT ${accessColumns('statement_timestamp()')} FROM ${ACCESS_FROM} WHERE a.person_id = :personId AND a.building_id = :buildingId`,
    { personId, buildingId, days },
  );
  return rows[0] ?? null;
}

/** A grant as a passage at `at` (null: now) finds it, locked until the transaction ends. */
export type AccessAtPassage = GateAccessRow & { at: Date; living_there: boolean };

export async function lockGateAccessAt(db: Knex, personId: string, buildingId: string, at: Date | null, days: number): Promise<AccessAtPassage | null> {
  const instant = 'coalesce(CAST(:at AS timestamptz), statement_timestamp())';
  const { rows } = await db.raw(
    `/* lockGateAccessAt */ SELECT ${accessColumns(instant)}, ${LIVING_THERE} AS living_there, ${instant} AS at
     FROM ${ACCESS_FROM} WHERE a.person_id = :personId AND a.building_id = :buildingId FOR UPDATE OF a`,
    { personId, buildingId, at, days },
  );
  return rows[0] ?? null;
}

/** Grants (or grants again, from now, clearing the lapse and any revocation) access to a building's gates. */
export async function grantGateAccess(db: Knex, personId: string, buildingId: string, by: string): Promise<void> {
  await db.raw(
    `/* grantGateAccess */ INSERT INTO gate_access (person_id, building_id, granted_by) VALUES (?, ?, ?)
     ON CONFLICT (person_id, building_id) DO UPDATE
     SET granted_at = clock_timestamp(), granted_by = EXCLUDED.granted_by, last_passage_at = NULL, revoked_at = NULL`,
    [personId, buildingId, by],
  );
}

/** An allowed passage moves the last passage forward, never back (gates may report late and out of order). */
export async function advanceLastPassage(db: Knex, personId: string, buildingId: string, at: Date): Promise<void> {
  await db.raw(
    `/* advanceLastPassage */ UPDATE gate_access SET last_passage_at = greatest(last_passage_at, ?::timestamptz)
     WHERE person_id = ? AND building_id = ?`,
    [at, personId, buildingId],
  );
}

/** Every passage the gate system reports, allowed or not (`at` null: now). */
export async function insertGatePassage(db: Knex, p: { gateId: string; personId: string | null; at: Date | null; allowed: boolean; by: string }): Promise<void> {
  await db.raw(
    `/* insertGatePassage */ INSERT INTO gate_passage (gate_id, person_id, at, allowed, reported_by)
     VALUES (?, ?, coalesce(?::timestamptz, statement_timestamp()), ?, ?)`,
    [p.gateId, p.personId, p.at, p.allowed, p.by],
  );
}

/** Whether a person with this id exists (whatever their status). */
export async function personExists(db: Knex, id: string): Promise<boolean> {
  const { rows } = await db.raw(`/* personExists */ SELECT 1 FROM person WHERE id = ?`, [id]);
  return rows.length > 0;
}
