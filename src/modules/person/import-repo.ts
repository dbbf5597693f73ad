import type { Knex } from 'knex';

/**
 * SQL of a people import (import-writer.ts runs it batch by batch, inside the import's transaction). Houses
 * are keyed as the validator keys them: `building code \t unit ('' for none) \t room`.
 */
export interface HouseAddress {
  code: string;
  unit: number | null;
  room: string;
}

export const houseKey = (a: HouseAddress): string => `${a.code}\t${a.unit ?? ''}\t${a.room}`;

export function splitHouseKey(key: string): HouseAddress {
  const [code, unit, room] = key.split('\t');
  return { code, unit: unit === '' ? null : Number(unit), room };
}

export interface LockedHouse {
  id: string;
  buildingId: string;
  gridCode: string | null;
}

/** Current houses at these addresses, locked FOR SHARE (none can be retired under the import), with their building and its grid code. */
export async function lockHousesByAddress(db: Knex, addresses: HouseAddress[]): Promise<Map<string, LockedHouse>> {
  const { rows } = await db.raw(
    `/* importHousesByAddress */ SELECT k.code, k.unit, k.room, h.id::text AS id, b.id::text AS building_id, g.code AS grid_code
     FROM unnest(:codes::text[], :units::int[], :rooms::text[]) AS k(code, unit, room)
     JOIN building b ON b.code = k.code AND b.retired_at IS NULL
     LEFT JOIN grid g ON g.id = b.grid_id
     -- A sub-select of its own, so each house is found by the whole address index (building, unit, room).
     JOIN LATERAL (
       SELECT h.id FROM house h
       WHERE h.building_id = b.id AND coalesce(h.unit, 0) = coalesce(k.unit, 0) AND h.room = k.room AND h.retired_at IS NULL
       FOR SHARE
     ) h ON true`,
    { codes: addresses.map((a) => a.code), units: addresses.map((a) => a.unit), rooms: addresses.map((a) => a.room) },
  );
  return new Map(
    rows.map((r: HouseAddress & { id: string; building_id: string; grid_code: string | null }) => [houseKey(r), { id: r.id, buildingId: r.building_id, gridCode: r.grid_code }]),
  );
}

export async function currentBuildingCodes(db: Knex, codes: string[]): Promise<Set<string>> {
  const { rows } = await db.raw(`/* importBuildingsByCode */ SELECT code FROM building WHERE code = ANY(?::text[]) AND retired_at IS NULL`, [codes]);
  return new Set(rows.map((r: { code: string }) => r.code));
}

/** People registered with these blind indexes (base64), by index. */
export async function registeredByIndex(db: Knex, indexes: string[]): Promise<Map<string, string>> {
  const { rows } = await db.raw(
    `/* importRegisteredByIdNumber */ SELECT encode(p.id_number_index, 'base64') AS idx, p.id::text AS id
     FROM person p WHERE p.id_number_index = ANY(ARRAY(SELECT decode(x, 'base64') FROM unnest(?::text[]) AS x))`,
    [indexes],
  );
  return new Map(rows.map((r: { idx: string; id: string }) => [r.idx, r.id]));
}

export interface KnownHousehold {
  id: string;
  houseId: string;
  /** Whether a member living here is its head. */
  hasHead: boolean;
}

export async function householdsByNumber(db: Knex, numbers: string[]): Promise<Map<string, KnownHousehold>> {
  const { rows } = await db.raw(
    `/* importHouseholdsByNumber */ SELECT hh.number, hh.id::text AS id, hh.house_id::text AS house_id,
       EXISTS (SELECT 1 FROM person m WHERE m.household_id = hh.id AND m.relation_to_head = 'HEAD' AND m.status = 'LIVING_HERE') AS has_head
     FROM household hh WHERE hh.number = ANY(?::text[])`,
    [numbers],
  );
  return new Map(rows.map((r: { number: string; id: string; house_id: string; has_head: boolean }) => [r.number, { id: r.id, houseId: r.house_id, hasHead: r.has_head }]));
}

/** Where these households live, for messages: `building …, unit …, room …` by household number. */
export async function householdAddresses(db: Knex, numbers: string[]): Promise<Map<string, string>> {
  const { rows } = await db.raw(
    `/* importHouseholdAddresses */ SELECT hh.number, b.code, h.unit, h.room
     FROM household hh JOIN house h ON h.id = hh.house_id JOIN building b ON b.id = h.building_id WHERE hh.number = ANY(?::text[])`,
    [numbers],
  );
  return new Map(
    rows.map((r: { number: string; code: string; unit: number | null; room: string }) => [r.number, `building ${r.code}, ${r.unit !== null ? `unit ${r.unit}, ` : ''}room ${r.room}`]),
  );
}

/** Inserts households; returns the numbers another transaction took meanwhile (not inserted). */
export async function insertHouseholds(db: Knex, households: { id: string; number: string; houseId: string }[], by: string): Promise<Set<string>> {
  const { rows } = await db.raw(
    `/* importInsertHouseholds */ INSERT INTO household (id, number, house_id, updated_by)
     SELECT n.id, n.number, n.house_id, :by FROM unnest(:ids::uuid[], :numbers::text[], :houses::uuid[]) AS n(id, number, house_id)
     ON CONFLICT (number) DO NOTHING RETURNING number`,
    { ids: households.map((h) => h.id), numbers: households.map((h) => h.number), houses: households.map((h) => h.houseId), by },
  );
  const inserted = new Set(rows.map((r: { number: string }) => r.number));
  return new Set(households.filter((h) => !inserted.has(h.number)).map((h) => h.number));
}

/** The person columns an import's JSON rows carry (personColumns less house, household, status and author; ids made by the validator). */
const ROW_TYPES = `n int, id uuid, residence_id uuid, name text, gender text, birth_date date, birth_year smallint, ethnicity text,
  id_number_sealed text, id_number_index text, id_number_masked text, phone_sealed text, phone_index text, phone_masked text,
  residence_type text, registered_address text, relation_to_head text, moved_in_on date, arrived_on date, arrival_reason text,
  permit_sealed text, permit_masked text, permit_expires_on date`;

/**
 * Inserts a batch's people (the JSON rows listed in `n`, each with its house, the house's building (the
 * person_building trigger then has nothing to look up) and household, in row order) and
 * opens their residences. A row whose ID number is registered already is skipped (the unique index decides,
 * one probe a row); the rows skipped come back, with their blind index (base64).
 */
export async function insertPeople(
  db: Knex,
  json: string,
  n: number[],
  houses: { id: string; buildingId: string }[],
  households: (string | null)[],
  by: string,
): Promise<{ n: number; id_number_index: string }[]> {
  const { rows } = await db.raw(
    `/* importPeople */ WITH r AS (
       SELECT r.*, k.house_id, k.building_id, k.household_id FROM json_to_recordset(CAST(:rows AS json)) AS r(${ROW_TYPES})
       JOIN unnest(:n::int[], :houses::uuid[], :buildings::uuid[], :households::uuid[]) AS k(n, house_id, building_id, household_id) USING (n)
     ), ins AS (
       INSERT INTO person (id, name, gender, birth_date, birth_year, ethnicity, id_number_sealed, id_number_index, id_number_masked,
         phone_sealed, phone_index, phone_masked, residence_type, registered_address, house_id, building_id, household_id, relation_to_head,
         status, moved_in_on, arrived_on, arrival_reason, permit_sealed, permit_masked, permit_expires_on, updated_by)
       SELECT r.id, r.name, r.gender, r.birth_date, r.birth_year, r.ethnicity, decode(r.id_number_sealed, 'base64'),
         decode(r.id_number_index, 'base64'), r.id_number_masked, decode(r.phone_sealed, 'base64'), decode(r.phone_index, 'base64'),
         r.phone_masked, r.residence_type, r.registered_address, r.house_id, r.building_id, r.household_id, r.relation_to_head, 'LIVING_HERE',
         r.moved_in_on, r.arrived_on, r.arrival_reason, decode(r.permit_sealed, 'base64'), r.permit_masked, r.permit_expires_on, :by
       FROM r ORDER BY r.n
       ON CONFLICT (id_number_index) WHERE id_number_index IS NOT NULL DO NOTHING
       RETURNING id, house_id, moved_in_on
     ), residences AS (
       INSERT INTO person_residence (id, person_id, house_id, moved_in_on)
       SELECT r.residence_id, ins.id, ins.house_id, ins.moved_in_on FROM ins JOIN r ON r.id = ins.id ORDER BY r.n
     )
     SELECT r.n, r.id_number_index FROM r WHERE r.id NOT IN (SELECT id FROM ins)`,
    { rows: json, n, houses: houses.map((h) => h.id), buildings: houses.map((h) => h.buildingId), households, by },
  );
  return rows;
}
