import type { Knex } from 'knex';
import type { BuildingKind, HouseUse, KeyPlaceKind } from '../../generated/graphql';
import type { BuildingRow, HouseRow, KeyPlaceRow } from './mappers';
import { BUILDING_COLUMNS, HOUSE_COLUMNS, KEY_PLACE_COLUMNS } from './repo';

/**
 * SQL writing places, always inside the caller's transaction. An edit reads its record first without a lock,
 * takes the grid locks of its position (location/repo.ts `lockResolution`), and only then locks the record
 * (FOR UPDATE) and the building a house is written in (FOR SHARE): the order grid edits take theirs in (grids,
 * then the rows they re-resolve), so neither waits for the other while holding what the other needs. Retiring
 * a building waits for a house being added to it and then sees that house.
 */

type Point = { lng: number; lat: number };
const POINT = 'ST_SetSRID(ST_MakePoint(?::float8, ?::float8), 4326)';
const SHAPE = `ST_GeomFromEWKB(decode(?, 'hex'))`;

/** The code of the grid a row belongs to (null outside every grid): its jurisdiction. */
const GRID_CODE = '(SELECT g.code FROM grid g WHERE g.id = t.grid_id) AS grid_code';

export type Locked<R> = R & { grid_code: string | null };
/** How a row is read for an edit: not locked (before the grid locks), or locked. */
export type RowLock = 'UPDATE' | 'SHARE' | null;

const forLock = (lock: RowLock, alias: string) => (lock ? ` FOR ${lock === 'UPDATE' ? 'UPDATE' : 'SHARE'} OF ${alias}` : '');

export async function buildingForEdit(db: Knex, id: string, lock: RowLock): Promise<Locked<BuildingRow> | null> {
  const { rows } = await db.raw(`/* buildingForEdit */ SELECT ${BUILDING_COLUMNS}, ${GRID_CODE} FROM building t WHERE t.id = ?${forLock(lock, 't')}`, [id]);
  return rows[0] ?? null;
}

export async function keyPlaceForEdit(db: Knex, id: string, lock: RowLock): Promise<Locked<KeyPlaceRow> | null> {
  const { rows } = await db.raw(`/* keyPlaceForEdit */ SELECT ${KEY_PLACE_COLUMNS}, ${GRID_CODE} FROM key_place t WHERE t.id = ?${forLock(lock, 't')}`, [id]);
  return rows[0] ?? null;
}

export async function houseForEdit(db: Knex, id: string, lock: RowLock): Promise<HouseRow | null> {
  const { rows } = await db.raw(
    `/* houseForEdit */ SELECT ${HOUSE_COLUMNS} FROM house h JOIN building b ON b.id = h.building_id WHERE h.id = ?${forLock(lock, 'h')}`,
    [id],
  );
  return rows[0] ?? null;
}

/** The current COMMUNITY grid a grid is or lies in (null: none in its chain). */
export async function communityOfGrid(db: Knex, gridId: string): Promise<{ id: string; code: string; name: string } | null> {
  const { rows } = await db.raw(
    `/* communityOfGrid */ SELECT c.id, c.code, c.name FROM grid g
     JOIN grid c ON c.level = 'COMMUNITY' AND c.valid_to IS NULL AND (c.id = g.id OR c.id = ANY(g.ancestor_ids))
     WHERE g.id = ?`,
    [gridId],
  );
  return rows[0] ?? null;
}

/**
 * Serialises the choice of building codes in one community until the transaction ends: two creates cannot
 * both take the same "next free" number.
 */
export async function lockBuildingCodes(db: Knex, communityCode: string): Promise<void> {
  await db.raw(`/* lockBuildingCodes */ SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, [`building-code:${communityCode}`]);
}

/**
 * The lowest number 1–9999 no building under a community code has ever had (retired buildings keep theirs:
 * codes are never reused), or null when all are taken. A gap search probing the unique code index, so an
 * explicit code far up the range (…9999) leaves the numbers below it to the automatic ones.
 */
export async function lowestFreeBuildingNumber(db: Knex, communityCode: string): Promise<number | null> {
  const { rows } = await db.raw(
    `/* lowestFreeBuildingNumber */ SELECT n FROM generate_series(1, 9999) AS n
     WHERE NOT EXISTS (SELECT 1 FROM building b WHERE b.code = ? || lpad(n::text, 4, '0'))
     ORDER BY n LIMIT 1`,
    [communityCode],
  );
  return rows[0]?.n ?? null;
}

export async function buildingWithCode(db: Knex, code: string): Promise<{ id: string; name: string; retired_at: Date | null } | null> {
  const { rows } = await db.raw(`/* buildingWithCode */ SELECT id, name, retired_at FROM building WHERE code = ?`, [code]);
  return rows[0] ?? null;
}

/**
 * A shape (GeoJSON text, WGS-84) as PostGIS sees it: valid or not (and why, where), as EWKB hex, and where the
 * record's point lies relative to it. No row comes back when the embedded PostGIS fails on it.
 */
export interface CheckedShape {
  valid: boolean;
  reason: string | null;
  lng: number | null;
  lat: number | null;
  hex: string;
  covers: boolean | null;
  distance_m: number | null;
}

export async function checkShape(db: Knex, geojson: string, point: Point): Promise<CheckedShape | null> {
  const { rows } = await db.raw(
    `/* checkPlaceShape */ WITH s AS (
       SELECT ST_Multi(ST_ForcePolygonCCW(ST_SetSRID(ST_GeomFromGeoJSON(?), 4326))) AS g, ${POINT} AS p
     ), d AS (SELECT g, p, ST_IsValidDetail(g) AS d FROM s)
     SELECT (d).valid AS valid, (d).reason AS reason, ST_X((d).location) AS lng, ST_Y((d).location) AS lat,
            encode(ST_AsEWKB(g), 'hex') AS hex,
            CASE WHEN (d).valid THEN ST_Covers(g, p) END AS covers,
            CASE WHEN (d).valid THEN ST_Distance(g::geography, p::geography) END AS distance_m
     FROM d`,
    [geojson, point.lng, point.lat],
  );
  return rows[0] ?? null;
}

/** How far a point lies from a record's stored shape (0 inside; null when it has none). */
export async function distanceFromStoredShape(db: Knex, table: 'building' | 'key_place', id: string, point: Point): Promise<number | null> {
  const column = table === 'building' ? 'footprint' : 'area';
  const { rows } = await db.raw(
    `/* distanceFromStoredShape */ SELECT CASE WHEN ST_Covers(t.${column}, p.g) THEN 0 ELSE ST_Distance(t.${column}::geography, p.g::geography) END AS d
     FROM ${table} t, (SELECT ${POINT} AS g) p WHERE t.id = ? AND t.${column} IS NOT NULL`,
    [point.lng, point.lat, id],
  );
  return rows[0] ? Number(rows[0].d) : null;
}

/** How far a point lies from a grid's current boundary (0 on or inside it). */
export async function distanceFromGrid(db: Knex, gridId: string, point: Point): Promise<number | null> {
  const { rows } = await db.raw(
    `/* distanceFromGrid */ SELECT CASE WHEN ST_Covers(g.boundary, p.g) THEN 0 ELSE ST_Distance(g.boundary::geography, p.g::geography) END AS d
     FROM grid g, (SELECT ${POINT} AS g) p WHERE g.id = ?`,
    [point.lng, point.lat, gridId],
  );
  return rows[0] ? Number(rows[0].d) : null;
}

/** Current houses and facilities of a building: what stands in the way of retiring it. */
export async function buildingDependants(db: Knex, id: string): Promise<{ houses: number; facilities: number; maxFloor: number | null; maxUnit: number | null }> {
  const { rows } = await db.raw(
    `/* buildingDependants */ SELECT
       (SELECT count(*)::int FROM house WHERE building_id = :id AND retired_at IS NULL) AS houses,
       (SELECT count(*)::int FROM facility WHERE building_id = :id AND retired_at IS NULL) AS facilities,
       (SELECT max(floor) FROM house WHERE building_id = :id AND retired_at IS NULL) AS max_floor,
       (SELECT max(unit) FROM house WHERE building_id = :id AND retired_at IS NULL) AS max_unit`,
    { id },
  );
  const r = rows[0];
  return { houses: r.houses, facilities: r.facilities, maxFloor: r.max_floor, maxUnit: r.max_unit };
}

/** People living in a house (the population registry's residents): what stands in the way of retiring it. */
export async function houseResidents(db: Knex, houseId: string): Promise<number> {
  const { rows } = await db.raw(`/* houseResidents */ SELECT count(*)::int AS n FROM person WHERE house_id = ? AND status = 'LIVING_HERE'`, [houseId]);
  return rows[0].n;
}

/** The current house at (building, unit, room), other than `exceptId`: the unique index's rule. */
export async function houseAt(db: Knex, buildingId: string, unit: number | null, room: string, exceptId: string | null): Promise<string | null> {
  const { rows } = await db.raw(
    `/* houseAt */ SELECT id FROM house
     WHERE building_id = ? AND coalesce(unit, 0) = coalesce(?::int, 0) AND room = ? AND retired_at IS NULL AND id IS DISTINCT FROM ?::uuid`,
    [buildingId, unit, room, exceptId],
  );
  return rows[0]?.id ?? null;
}

/** The current organisation with this id, locked shared so it cannot be retired while a key place names it. */
export async function lockCurrentOrganization(db: Knex, id: string): Promise<{ id: string; name: string } | null> {
  const { rows } = await db.raw(`/* lockCurrentOrganization */ SELECT id, name FROM organization WHERE id = ? AND retired_at IS NULL FOR SHARE`, [id]);
  return rows[0] ?? null;
}

// ---- inserts and versioned updates ----

/** A column's new value: plain, a point, or a shape (EWKB hex; null removes it). */
type Value = string | number | null | { point: Point } | { shape: string | null };

/** The columns given a value (undefined: left out), each with its SQL expression and bindings. */
function columnValues(change: Readonly<Record<string, Value | undefined>>): { column: string; expr: string; bindings: Knex.Value[] }[] {
  const out: { column: string; expr: string; bindings: Knex.Value[] }[] = [];
  for (const [column, value] of Object.entries(change)) {
    if (value === undefined) continue;
    if (!/^[a-z_]+$/.test(column)) throw new Error(`not a column: ${column}`);
    if (value !== null && typeof value === 'object' && 'point' in value) {
      out.push({ column, expr: POINT, bindings: [value.point.lng, value.point.lat] });
    } else if (value !== null && typeof value === 'object' && 'shape' in value) {
      out.push(value.shape === null ? { column, expr: 'NULL', bindings: [] } : { column, expr: SHAPE, bindings: [value.shape] });
    } else {
      out.push({ column, expr: '?', bindings: [value] });
    }
  }
  return out;
}

async function insertRow(db: Knex, name: string, table: string, row: Readonly<Record<string, Value | undefined>>): Promise<string> {
  const values = columnValues(row);
  const { rows } = await db.raw(
    `/* ${name} */ INSERT INTO ${table} (${values.map((v) => v.column).join(', ')}) VALUES (${values.map((v) => v.expr).join(', ')}) RETURNING id`,
    values.flatMap((v) => v.bindings),
  );
  return rows[0].id;
}

/** A new version if the row is still at `expectedVersion`; returns whether it wrote. */
async function updateRow(
  db: Knex,
  name: string,
  table: string,
  id: string,
  expectedVersion: number,
  change: Readonly<Record<string, Value | undefined>>,
  by: string,
): Promise<boolean> {
  const values = columnValues(change);
  const sets = values.map((v) => `${v.column} = ${v.expr}, `).join('');
  const { rowCount } = await db.raw(
    `/* ${name} */ UPDATE ${table} SET ${sets}version = version + 1, updated_at = clock_timestamp(), updated_by = ?
     WHERE id = ? AND version = ? AND retired_at IS NULL`,
    [...values.flatMap((v) => v.bindings), by, id, expectedVersion],
  );
  return rowCount === 1;
}

export interface BuildingChange {
  name?: string;
  address?: string | null;
  kind?: BuildingKind;
  floors?: number | null;
  units?: number | null;
  location?: Point;
  /** EWKB hex; null removes it. */
  footprint?: string | null;
}

const buildingValues = (c: BuildingChange) => ({
  name: c.name,
  address: c.address,
  kind: c.kind,
  floors: c.floors,
  units: c.units,
  location: c.location ? { point: c.location } : undefined,
  footprint: c.footprint !== undefined ? { shape: c.footprint } : undefined,
});

export function insertBuilding(db: Knex, b: BuildingChange & { code: string; communityId: string; name: string; kind: BuildingKind; location: Point }, by: string) {
  return insertRow(db, 'insertBuilding', 'building', { code: b.code, community_id: b.communityId, updated_by: by, ...buildingValues(b) });
}

export function updateBuilding(db: Knex, id: string, expectedVersion: number, change: BuildingChange, by: string) {
  return updateRow(db, 'updateBuilding', 'building', id, expectedVersion, buildingValues(change), by);
}

export interface HouseChange {
  unit?: number | null;
  floor?: number | null;
  room?: string;
  areaSqm?: number | null;
  use?: HouseUse;
}

const houseValues = (c: HouseChange) => ({ unit: c.unit, floor: c.floor, room: c.room, area_sqm: c.areaSqm, use: c.use });

export function insertHouse(db: Knex, h: HouseChange & { buildingId: string; room: string; use: HouseUse }, by: string) {
  return insertRow(db, 'insertHouse', 'house', { building_id: h.buildingId, updated_by: by, ...houseValues(h) });
}

export function updateHouse(db: Knex, id: string, expectedVersion: number, change: HouseChange, by: string) {
  return updateRow(db, 'updateHouse', 'house', id, expectedVersion, houseValues(change), by);
}

export interface KeyPlaceChange {
  name?: string;
  kind?: KeyPlaceKind;
  address?: string | null;
  location?: Point;
  area?: string | null;
  organizationId?: string | null;
  dedicatedGridId?: string | null;
}

const keyPlaceValues = (c: KeyPlaceChange) => ({
  name: c.name,
  kind: c.kind,
  address: c.address,
  location: c.location ? { point: c.location } : undefined,
  area: c.area !== undefined ? { shape: c.area } : undefined,
  organization_id: c.organizationId,
  dedicated_grid_id: c.dedicatedGridId,
});

export function insertKeyPlace(db: Knex, k: KeyPlaceChange & { name: string; kind: KeyPlaceKind; location: Point }, by: string) {
  return insertRow(db, 'insertKeyPlace', 'key_place', { updated_by: by, ...keyPlaceValues(k) });
}

export function updateKeyPlace(db: Knex, id: string, expectedVersion: number, change: KeyPlaceChange, by: string) {
  return updateRow(db, 'updateKeyPlace', 'key_place', id, expectedVersion, keyPlaceValues(change), by);
}

/** Retires a building, house or key place if it is still at `expectedVersion`. */
export async function retire(db: Knex, table: 'building' | 'house' | 'key_place', id: string, expectedVersion: number, by: string): Promise<boolean> {
  const { rowCount } = await db.raw(
    `/* retire:${table} */ UPDATE ${table} SET retired_at = now.at, version = version + 1, updated_at = now.at, updated_by = ?
     FROM (SELECT clock_timestamp() AS at) now
     WHERE id = ? AND version = ? AND retired_at IS NULL`,
    [by, id, expectedVersion],
  );
  return rowCount === 1;
}
