import type { Knex } from 'knex';
import type { LocatedTable } from '../location/repo-list';
import { LOCATED_COLUMNS } from '../location/mappers';
import type { BuildingRow, HouseRow, KeyPlaceRow } from './mappers';

/**
 * SQL reading places: buildings, houses, key places, and the counts `Grid.inventory` rolls up. Writes are in
 * repo-edit.ts. Geometries leave the database as GeoJSON text (ST_AsGeoJSON); no geometry is filtered in
 * JavaScript.
 */

export const BUILDING_COLUMNS = `'Building' AS node_type, ${LOCATED_COLUMNS}, t.code, t.name, t.address, t.kind, t.floors,
  t.units, t.community_id, ST_AsGeoJSON(t.footprint) AS footprint`;

export const KEY_PLACE_COLUMNS = `'KeyPlace' AS node_type, ${LOCATED_COLUMNS}, t.name, t.kind, t.address,
  ST_AsGeoJSON(t.area) AS area, t.organization_id, t.dedicated_grid_id`;

/** A house with its building's grid (alias `h` for the house, `b` for the building). */
export const HOUSE_COLUMNS = `'House' AS node_type, h.id, h.building_id, h.unit, h.floor, h.room, h.area_sqm::float8 AS area_sqm,
  h.use, b.grid_id, h.version, h.created_at, h.updated_at, h.updated_by, h.retired_at`;

/** How `pageOfLocated` lists buildings: by code. */
export const BUILDINGS: LocatedTable = { table: 'building', columns: BUILDING_COLUMNS, orderColumn: 't.code' };
/** How `pageOfLocated` lists key places: by name. */
export const KEY_PLACES: LocatedTable = { table: 'key_place', columns: KEY_PLACE_COLUMNS, orderColumn: 't.name' };

/** How a missing unit and floor sort (first): below every unit and floor a house may have. */
export const NO_UNIT = 0;
export const NO_FLOOR = -11;

/** A building's houses are listed by this key (unit and floor may be null: they sort first). */
const HOUSE_ORDER = `coalesce(h.unit, ${NO_UNIT}), coalesce(h.floor, ${NO_FLOOR}), h.room, h.id`;

export async function buildingsByIds(db: Knex, ids: readonly string[]): Promise<BuildingRow[]> {
  const { rows } = await db.raw(`/* buildingsByIds */ SELECT ${BUILDING_COLUMNS} FROM building t WHERE t.id = ANY(?::uuid[])`, [[...ids]]);
  return rows;
}

export async function buildingsByCodes(db: Knex, codes: readonly string[]): Promise<BuildingRow[]> {
  const { rows } = await db.raw(`/* buildingsByCodes */ SELECT ${BUILDING_COLUMNS} FROM building t WHERE t.code = ANY(?::text[])`, [[...codes]]);
  return rows;
}

export async function keyPlacesByIds(db: Knex, ids: readonly string[]): Promise<KeyPlaceRow[]> {
  const { rows } = await db.raw(`/* keyPlacesByIds */ SELECT ${KEY_PLACE_COLUMNS} FROM key_place t WHERE t.id = ANY(?::uuid[])`, [[...ids]]);
  return rows;
}

export async function housesByIds(db: Knex, ids: readonly string[]): Promise<HouseRow[]> {
  const { rows } = await db.raw(
    `/* housesByIds */ SELECT ${HOUSE_COLUMNS} FROM house h JOIN building b ON b.id = h.building_id WHERE h.id = ANY(?::uuid[])`,
    [[...ids]],
  );
  return rows;
}

/** Where a page of houses starts: after this (unit, floor, room, id), as `HOUSE_ORDER` sorts them. */
export type HouseKey = readonly [number, number, string, string];

export function houseKey(h: HouseRow): HouseKey {
  return [h.unit ?? NO_UNIT, h.floor ?? NO_FLOOR, h.room, h.id];
}

/** One page of current houses for each building (`limit` rows at most each), by unit, floor, room. */
export async function housesOfBuildings(db: Knex, buildingIds: readonly string[], after: HouseKey | null, limit: number): Promise<HouseRow[]> {
  const { rows } = await db.raw(
    `/* housesOfBuildings */ SELECT ${HOUSE_COLUMNS}
     FROM unnest(?::uuid[]) AS q(building_id)
     JOIN building b ON b.id = q.building_id
     CROSS JOIN LATERAL (
       SELECT h.* FROM house h
       WHERE h.building_id = q.building_id AND h.retired_at IS NULL
         AND (?::boolean OR (${HOUSE_ORDER}) > (?::int, ?::int, ?::text, ?::uuid))
       ORDER BY ${HOUSE_ORDER} LIMIT ?
     ) h
     ORDER BY h.building_id, ${HOUSE_ORDER}`,
    [[...buildingIds], after === null, after?.[0] ?? 0, after?.[1] ?? 0, after?.[2] ?? '', after?.[3] ?? '00000000-0000-0000-0000-000000000000', limit],
  );
  return rows;
}

export async function houseCounts(db: Knex, buildingIds: readonly string[]): Promise<{ building_id: string; n: number }[]> {
  const { rows } = await db.raw(
    `/* houseCounts */ SELECT c.building_id, sum(c.n)::int AS n FROM building_house_count c
     WHERE c.building_id = ANY(?::uuid[]) GROUP BY c.building_id`,
    [[...buildingIds]],
  );
  return rows;
}

