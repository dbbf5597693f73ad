import type { Knex } from 'knex';
import type { Gender, PersonStatus, RelationToHead, ResidenceType } from '../../generated/graphql';
import type { PiiCipher } from '../../shared/pii';
import type { HouseholdRow, PersonRow } from './mappers';
import { sealIdNumber, sealPermit, sealPhone } from './sealing';

/**
 * SQL reading and writing people. A person's grid is never stored: it is their house's building's (`b.grid_id`),
 * joined on every read, so a boundary edit that moves the building moves them and rewrites no person row.
 */
export const PERSON_FROM = `person p JOIN house h ON h.id = p.house_id JOIN building b ON b.id = h.building_id LEFT JOIN grid g ON g.id = b.grid_id`;

export const PERSON_COLUMNS = `'Person' AS node_type, p.id, p.name, p.gender, p.birth_date::text AS birth_date, p.birth_year, p.ethnicity,
  p.id_number_masked, p.phone_masked, p.residence_type, p.registered_address, p.house_id, h.building_id, b.grid_id,
  g.code AS grid_code, p.household_id, p.relation_to_head, p.status, p.moved_in_on::text AS moved_in_on,
  p.moved_out_on::text AS moved_out_on, p.deceased_on::text AS deceased_on, p.arrived_on::text AS arrived_on,
  p.arrival_reason, p.permit_masked, p.permit_expires_on::text AS permit_expires_on, p.version, p.created_at,
  p.updated_at, p.updated_by, p.erased_at`;

export async function peopleByIds(db: Knex, ids: readonly string[]): Promise<PersonRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.raw(`/* peopleByIds */ SELECT ${PERSON_COLUMNS} FROM ${PERSON_FROM} WHERE p.id = ANY(?::uuid[])`, [[...ids]]);
  return rows;
}

/** The person with this ID number's blind index (any status), or null. */
export async function personIdByIdNumberIndex(db: Knex, index: Buffer): Promise<string | null> {
  const { rows } = await db.raw(`/* personByIdNumber */ SELECT id FROM person WHERE id_number_index = ?`, [index]);
  return rows[0]?.id ?? null;
}

export const HOUSEHOLD_COLUMNS = `'Household' AS node_type, hh.id, hh.number, hh.house_id, g.code AS grid_code, hh.version, hh.created_at`;
const HOUSEHOLD_FROM = `household hh JOIN house h ON h.id = hh.house_id JOIN building b ON b.id = h.building_id LEFT JOIN grid g ON g.id = b.grid_id`;

export async function householdsByIds(db: Knex, ids: readonly string[]): Promise<HouseholdRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.raw(`/* householdsByIds */ SELECT ${HOUSEHOLD_COLUMNS} FROM ${HOUSEHOLD_FROM} WHERE hh.id = ANY(?::uuid[])`, [[...ids]]);
  return rows;
}

export async function householdByNumber(db: Knex, number: string): Promise<HouseholdRow | null> {
  const { rows } = await db.raw(`/* householdByNumber */ SELECT ${HOUSEHOLD_COLUMNS} FROM ${HOUSEHOLD_FROM} WHERE hh.number = ?`, [number]);
  return rows[0] ?? null;
}

/** Households with a living member in each house, by house id. */
export async function householdsOfHouses(db: Knex, houseIds: readonly string[]): Promise<HouseholdRow[]> {
  if (houseIds.length === 0) return [];
  const { rows } = await db.raw(
    `/* householdsOfHouses */ SELECT ${HOUSEHOLD_COLUMNS} FROM ${HOUSEHOLD_FROM}
     WHERE hh.house_id = ANY(?::uuid[]) AND EXISTS (SELECT 1 FROM person m WHERE m.household_id = hh.id AND m.status = 'LIVING_HERE')
     ORDER BY hh.number`,
    [[...houseIds]],
  );
  return rows;
}

export async function insertHousehold(db: Knex, number: string, houseId: string, by: string): Promise<string> {
  const { rows } = await db.raw(`/* insertHousehold */ INSERT INTO household (number, house_id, updated_by) VALUES (?, ?, ?) RETURNING id`, [number, houseId, by]);
  return rows[0].id;
}

/** A person as written: clear values, checked and normalised; sealed here, on the way in. */
export interface PersonWrite {
  name: string;
  gender: Gender;
  birthDate: string | null;
  birthYear: number;
  ethnicity: string | null;
  idNumber: string | null;
  phone: string | null;
  residenceType: ResidenceType;
  registeredAddress: string | null;
  houseId: string;
  householdId: string | null;
  relationToHead: RelationToHead | null;
  status?: PersonStatus;
  movedInOn: string | null;
  arrivedOn: string | null;
  arrivalReason: string | null;
  permitNumber: string | null;
  permitExpiresOn: string | null;
}

/** The columns of a new person row, personal values sealed (what an import batches, and `insertPerson` writes). */
export function personColumns(cipher: PiiCipher, p: PersonWrite, by: string): Record<string, string | number | Buffer | null> {
  const id = p.idNumber ? sealIdNumber(cipher, p.idNumber) : null;
  const phone = p.phone ? sealPhone(cipher, p.phone) : null;
  const permit = p.permitNumber ? sealPermit(cipher, p.permitNumber) : null;
  return {
    name: p.name,
    gender: p.gender,
    birth_date: p.birthDate,
    birth_year: p.birthYear,
    ethnicity: p.ethnicity,
    id_number_sealed: id?.sealed ?? null,
    id_number_index: id?.index ?? null,
    id_number_masked: id?.masked ?? null,
    phone_sealed: phone?.sealed ?? null,
    phone_index: phone?.index ?? null,
    phone_masked: phone?.masked ?? null,
    residence_type: p.residenceType,
    registered_address: p.registeredAddress,
    house_id: p.houseId,
    household_id: p.householdId,
    relation_to_head: p.relationToHead,
    status: p.status ?? 'LIVING_HERE',
    moved_in_on: p.movedInOn,
    arrived_on: p.arrivedOn,
    arrival_reason: p.arrivalReason,
    permit_sealed: permit?.sealed ?? null,
    permit_masked: permit?.masked ?? null,
    permit_expires_on: p.permitExpiresOn,
    updated_by: by,
  };
}

/** Inserts a person and opens their residence history; returns the id. */
export async function insertPerson(db: Knex, cipher: PiiCipher, p: PersonWrite, by: string): Promise<string> {
  const columns = personColumns(cipher, p, by);
  const names = Object.keys(columns);
  const { rows } = await db.raw(
    `/* insertPerson */ WITH ins AS (
       INSERT INTO person (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) RETURNING id, house_id, moved_in_on
     ), res AS (INSERT INTO person_residence (person_id, house_id, moved_in_on) SELECT id, house_id, moved_in_on FROM ins)
     SELECT id FROM ins`,
    Object.values(columns),
  );
  return rows[0].id;
}
