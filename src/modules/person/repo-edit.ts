import type { Knex } from 'knex';
import type { PiiCipher } from '../../shared/pii';
import type { CheckedPersonFields } from './checks';
import type { PersonRow } from './mappers';
import { PERSON_COLUMNS, PERSON_FROM } from './repo';
import { sealIdNumber, sealPermit, sealPhone } from './sealing';

/**
 * SQL writing people, inside the caller's transaction. The order of locks is the places' (grids of the
 * building's position, then rows): a person write waits for a boundary edit under way and is then judged by
 * the grid its building has after it.
 */

/** A current house with its building (for the grid locks and the jurisdiction), by id or by address. */
export interface HouseTarget {
  house_id: string;
  building_id: string;
  building_code: string;
  building_name: string;
  unit: number | null;
  room: string;
  lng: number;
  lat: number;
  grid_code: string | null;
}

const HOUSE_TARGET = `SELECT h.id AS house_id, b.id AS building_id, b.code AS building_code, b.name AS building_name, h.unit, h.room,
  ST_X(b.location) AS lng, ST_Y(b.location) AS lat, g.code AS grid_code
  FROM house h JOIN building b ON b.id = h.building_id LEFT JOIN grid g ON g.id = b.grid_id`;

export async function houseTargetById(db: Knex, houseId: string, lock: boolean): Promise<HouseTarget | null> {
  const { rows } = await db.raw(
    `/* houseTargetById */ ${HOUSE_TARGET} WHERE h.id = ? AND h.retired_at IS NULL AND b.retired_at IS NULL${lock ? ' FOR SHARE OF h, b' : ''}`,
    [houseId],
  );
  return rows[0] ?? null;
}

export async function houseTargetByAddress(db: Knex, buildingCode: string, unit: number | null, room: string): Promise<HouseTarget | null> {
  const { rows } = await db.raw(
    `/* houseTargetByAddress */ ${HOUSE_TARGET}
     WHERE b.code = ? AND coalesce(h.unit, 0) = coalesce(?::int, 0) AND h.room = ? AND h.retired_at IS NULL AND b.retired_at IS NULL`,
    [buildingCode, unit, room],
  );
  return rows[0] ?? null;
}

/** The rooms of a building (for "no such room" messages): unit and room of its current houses, at most `limit`. */
export async function roomsOfBuilding(db: Knex, buildingCode: string, limit: number): Promise<{ exists: boolean; rooms: string[] }> {
  const { rows } = await db.raw(
    `/* roomsOfBuilding */ SELECT b.id, (SELECT array_agg(r ORDER BY r) FROM (
       SELECT coalesce(h.unit || '-', '') || h.room AS r FROM house h WHERE h.building_id = b.id AND h.retired_at IS NULL ORDER BY 1 LIMIT ?) x) AS rooms
     FROM building b WHERE b.code = ? AND b.retired_at IS NULL`,
    [limit, buildingCode],
  );
  return rows[0] ? { exists: true, rooms: rows[0].rooms ?? [] } : { exists: false, rooms: [] };
}

export async function personForEdit(db: Knex, id: string, lock: boolean): Promise<(PersonRow & { lng: number; lat: number }) | null> {
  const { rows } = await db.raw(
    `/* personForEdit */ SELECT ${PERSON_COLUMNS}, ST_X(b.location) AS lng, ST_Y(b.location) AS lat FROM ${PERSON_FROM} WHERE p.id = ?${lock ? ' FOR UPDATE OF p' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

/** The household with this id or number, locked, with its house. */
export async function householdForEdit(db: Knex, by: { id: string } | { number: string }): Promise<{ id: string; number: string; house_id: string } | null> {
  const [column, value] = 'id' in by ? ['id', by.id] : ['number', by.number];
  const { rows } = await db.raw(`/* householdForEdit */ SELECT id, number, house_id FROM household WHERE ${column} = ? FOR UPDATE`, [value]);
  return rows[0] ?? null;
}

/** The living head of a household other than `exceptId`, if any. */
export async function headOf(db: Knex, householdId: string, exceptId: string | null): Promise<string | null> {
  const { rows } = await db.raw(
    `/* headOf */ SELECT id FROM person WHERE household_id = ? AND relation_to_head = 'HEAD' AND status = 'LIVING_HERE' AND id IS DISTINCT FROM ?::uuid`,
    [householdId, exceptId],
  );
  return rows[0]?.id ?? null;
}

/** The person holding this blind index (ID number), with where they live, if any. */
export async function holderOfIdNumber(
  db: Knex,
  index: Buffer,
): Promise<{ id: string; status: string; grid_code: string | null; building_code: string; erased_at: Date | null } | null> {
  const { rows } = await db.raw(
    `/* holderOfIdNumber */ SELECT p.id, p.status, g.code AS grid_code, b.code AS building_code, p.erased_at FROM ${PERSON_FROM} WHERE p.id_number_index = ?`,
    [index],
  );
  return rows[0] ?? null;
}

type Column = string | number | Buffer | null;

/** The columns a checked update changes (undefined fields are left as they are), personal values sealed. */
export function changedColumns(cipher: PiiCipher, c: CheckedPersonFields): Record<string, Column> {
  const out: Record<string, Column> = {};
  if (c.name !== undefined) out.name = c.name;
  if (c.gender !== undefined) out.gender = c.gender;
  if (c.birthDate !== undefined) {
    out.birth_date = c.birthDate;
    out.birth_year = Number(c.birthDate.slice(0, 4));
  }
  if (c.ethnicity !== undefined) out.ethnicity = c.ethnicity;
  if (c.idNumber !== undefined) {
    const v = c.idNumber ? sealIdNumber(cipher, c.idNumber) : null;
    Object.assign(out, { id_number_sealed: v?.sealed ?? null, id_number_index: v?.index ?? null, id_number_masked: v?.masked ?? null });
  }
  if (c.phone !== undefined) {
    const v = c.phone ? sealPhone(cipher, c.phone) : null;
    Object.assign(out, { phone_sealed: v?.sealed ?? null, phone_index: v?.index ?? null, phone_masked: v?.masked ?? null });
  }
  if (c.residenceType !== undefined) out.residence_type = c.residenceType;
  if (c.registeredAddress !== undefined) out.registered_address = c.registeredAddress;
  if (c.movedInOn !== undefined) out.moved_in_on = c.movedInOn;
  const f = c.floating;
  if (f) {
    if (f.arrivedOn !== undefined) out.arrived_on = f.arrivedOn;
    if (f.reason !== undefined) out.arrival_reason = f.reason;
    if (f.permitNumber !== undefined) {
      const v = f.permitNumber ? sealPermit(cipher, f.permitNumber) : null;
      Object.assign(out, { permit_sealed: v?.sealed ?? null, permit_masked: v?.masked ?? null });
    }
    if (f.permitExpiresOn !== undefined) out.permit_expires_on = f.permitExpiresOn;
  }
  return out;
}

/** Writes `columns` as a new version if the person is still at `expectedVersion`; whether it wrote. */
export async function updatePerson(db: Knex, id: string, expectedVersion: number, columns: Record<string, Column>, by: string): Promise<boolean> {
  const names = Object.keys(columns);
  for (const name of names) if (!/^[a-z_]+$/.test(name)) throw new Error(`not a column: ${name}`);
  const sets = names.map((n) => `${n} = ?, `).join('');
  const { rowCount } = await db.raw(
    `/* updatePerson */ UPDATE person SET ${sets}version = version + 1, updated_at = clock_timestamp(), updated_by = ?
     WHERE id = ? AND version = ? AND erased_at IS NULL`,
    [...Object.values(columns), by, id, expectedVersion],
  );
  return rowCount === 1;
}

/** Closes the open residence row of a person (the day they left) and, with `to`, opens the next. */
export async function closeResidence(db: Knex, personId: string, on: string, to: { houseId: string; on: string } | null): Promise<void> {
  await db.raw(`/* closeResidence */ UPDATE person_residence SET moved_out_on = ? WHERE person_id = ? AND moved_out_on IS NULL`, [on, personId]);
  if (to) await db.raw(`/* openResidence */ INSERT INTO person_residence (person_id, house_id, moved_in_on) VALUES (?, ?, ?)`, [personId, to.houseId, to.on]);
}

/** Stops a person's gate access (they moved out or died). */
export async function revokeGateAccess(db: Knex, personId: string): Promise<void> {
  await db.raw(`/* revokeGateAccess */ UPDATE gate_access SET revoked_at = clock_timestamp() WHERE person_id = ? AND revoked_at IS NULL`, [personId]);
}

export async function setHouseOwners(db: Knex, houseId: string, personIds: readonly string[], since: string | null, by: string): Promise<void> {
  await db.raw(`/* clearHouseOwners */ DELETE FROM house_owner WHERE house_id = ? AND NOT (person_id = ANY(?::uuid[]))`, [houseId, [...personIds]]);
  if (personIds.length > 0) {
    await db.raw(
      `/* addHouseOwners */ INSERT INTO house_owner (house_id, person_id, since, created_by)
       SELECT ?, unnest(?::uuid[]), ?::date, ? ON CONFLICT (house_id, person_id) DO NOTHING`,
      [houseId, [...personIds], since, by],
    );
  }
}
