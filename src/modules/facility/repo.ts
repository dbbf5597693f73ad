import { subtreeGridIds } from '../location/repo';
import type { Knex } from 'knex';
import type { CameraCategory, FacilityKind, FacilityStatus } from '../../generated/graphql';
import type { LocatedTable } from '../location/repo-list';
import { LOCATED_COLUMNS } from '../location/mappers';
import type { FacilityRow } from './mappers';

/**
 * SQL for facilities (cameras, gates, hydrants, AEDs, hazards). The camera's view polygon (`sector`) is kept
 * by a trigger from bearing, field of view and range; it is read only where a client asks for it.
 */

/** The columns of a facility row (alias `t`); `grid_code` travels with it for the jurisdiction check. */
export const FACILITY_COLUMNS = `'Facility' AS node_type, t.name, t.kind, t.status, t.building_id, t.bearing, t.fov, t.range_m,
  t.camera_category, (SELECT g.code FROM grid g WHERE g.id = t.grid_id) AS grid_code, ${LOCATED_COLUMNS}`;

/** The facility table for `pageOfLocated`: by name (the `facility_grid` index), or nearest first. */
export const FACILITY_TABLE: LocatedTable = { table: 'facility', columns: FACILITY_COLUMNS, orderColumn: 't.name' };

/** The list conditions only facilities have (alias `t`), for `pageOfLocated`'s `where`. */
export function facilityConditions(c: { statuses: string[] | null; categories: string[] | null; buildingId: string | null }) {
  return (q: Knex.QueryBuilder): void => {
    if (c.statuses) q.whereRaw('t.status = ANY(?::text[])', [c.statuses]);
    if (c.categories) q.whereRaw('t.camera_category = ANY(?::text[])', [c.categories]);
    if (c.buildingId) q.where('t.building_id', c.buildingId);
  };
}

/** Facilities by id, retired ones included (a payload or a link may name one). */
export async function facilitiesByIds(db: Knex, ids: readonly string[]): Promise<FacilityRow[]> {
  const { rows } = await db.raw(`/* facilitiesByIds */ SELECT ${FACILITY_COLUMNS} FROM facility t WHERE t.id = ANY(?::uuid[])`, [[...ids]]);
  return rows;
}

/**
 * The list condition "lies now in the grid `rootId` or below it" (on the stored, current grid): what a caller
 * with a jurisdiction may read, for lists whose own scope does not imply it (as of an instant, a building's).
 */
export function currentlyWithin(rootId: string): (q: Knex.QueryBuilder) => void {
  return (q) => q.whereRaw(`t.grid_id IN (${subtreeGridIds('?')})`, [rootId, rootId]);
}

/** Each camera's view sector as GeoJSON text, by facility id. */
export async function sectorsByIds(db: Knex, ids: readonly string[]): Promise<{ id: string; sector: string | null }[]> {
  const { rows } = await db.raw(
    `/* facilitySectors */ SELECT t.id, ST_AsGeoJSON(t.sector) AS sector FROM facility t WHERE t.id = ANY(?::uuid[])`,
    [[...ids]],
  );
  return rows;
}

// ---- writes (inside the edit's transaction) ----

/**
 * The current facility; `lock`ed, it is held for the rest of the transaction (edits of one facility run one
 * after the other), unlocked, it is the row as committed (an edit reads it to know which grids to lock first).
 */
export async function currentFacility(db: Knex, id: string, lock: boolean): Promise<FacilityRow | null> {
  const { rows } = await db.raw(
    `/* ${lock ? 'lockFacility' : 'currentFacility'} */ SELECT ${FACILITY_COLUMNS} FROM facility t WHERE t.id = ? AND t.retired_at IS NULL
     ${lock ? 'FOR UPDATE OF t' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

export interface BuildingNearRow {
  id: string;
  code: string;
  name: string;
  /** Metres on the spheroid from the facility's position to the building's footprint (or point). */
  distance_m: number;
}

/**
 * A current building and how far a position lies from it; null when no current building has that id. The
 * building is locked shared until the transaction ends: a retire of it (which counts its current facilities)
 * waits for this write and then sees the facility, and one already under way is waited for and then seen
 * retired.
 */
export async function buildingNear(db: Knex, buildingId: string, point: { lng: number; lat: number }): Promise<BuildingNearRow | null> {
  const { rows } = await db.raw(
    `/* facilityBuildingNear */ SELECT b.id, b.code, b.name,
       ST_Distance(coalesce(b.footprint, b.location)::geography, ST_SetSRID(ST_MakePoint(?::float8, ?::float8), 4326)::geography) AS distance_m
     FROM building b WHERE b.id = ? AND b.retired_at IS NULL FOR SHARE OF b`,
    [point.lng, point.lat, buildingId],
  );
  return rows[0] ?? null;
}

export interface CameraValues {
  bearing: number;
  fov: number;
  rangeM: number;
  category: CameraCategory;
}

export interface NewFacility {
  name: string;
  kind: FacilityKind;
  status: FacilityStatus;
  point: { lng: number; lat: number };
  buildingId: string | null;
  camera: CameraValues | null;
}

export async function insertFacility(db: Knex, f: NewFacility, subject: string): Promise<string> {
  const { rows } = await db.raw(
    `/* insertFacility */ INSERT INTO facility (name, kind, status, location, building_id, bearing, fov, range_m, camera_category, updated_by)
     VALUES (:name, :kind, :status, ST_SetSRID(ST_MakePoint(:lng::float8, :lat::float8), 4326), :buildingId, :bearing, :fov, :rangeM,
             :category, :subject)
     RETURNING id`,
    {
      name: f.name,
      kind: f.kind,
      status: f.status,
      lng: f.point.lng,
      lat: f.point.lat,
      buildingId: f.buildingId,
      bearing: f.camera?.bearing ?? null,
      fov: f.camera?.fov ?? null,
      rangeM: f.camera?.rangeM ?? null,
      category: f.camera?.category ?? null,
      subject,
    },
  );
  return rows[0].id;
}

/** What an update changes; undefined keeps the value, `buildingId: null` detaches it from its building. */
export interface FacilityChange {
  name?: string;
  status?: FacilityStatus;
  point?: { lng: number; lat: number };
  buildingId?: string | null;
  camera?: CameraValues;
}

/**
 * A new version of the facility if it is still at `expectedVersion`; returns whether it wrote. The position
 * and the view are written only when they change, so the triggers that re-resolve the grid and redraw the
 * sector (`UPDATE OF location, bearing, ...`) run only then.
 */
export async function updateFacility(db: Knex, id: string, expectedVersion: number, c: FacilityChange, subject: string): Promise<boolean> {
  const sets = ['name = coalesce(:name::text, name)', 'status = coalesce(:status::text, status)'];
  if (c.point) sets.push('location = ST_SetSRID(ST_MakePoint(:lng::float8, :lat::float8), 4326)');
  if (c.buildingId !== undefined) sets.push('building_id = :buildingId::uuid');
  if (c.camera) sets.push('bearing = :bearing::float8, fov = :fov::float8, range_m = :rangeM::float8, camera_category = :category::text');
  const { rowCount } = await db.raw(
    `/* updateFacility */ UPDATE facility SET ${sets.join(', ')}, version = version + 1, updated_at = clock_timestamp(), updated_by = :subject
     WHERE id = :id AND version = :expectedVersion AND retired_at IS NULL`,
    {
      name: c.name ?? null,
      status: c.status ?? null,
      lng: c.point?.lng ?? null,
      lat: c.point?.lat ?? null,
      buildingId: c.buildingId ?? null,
      bearing: c.camera?.bearing ?? null,
      fov: c.camera?.fov ?? null,
      rangeM: c.camera?.rangeM ?? null,
      category: c.camera?.category ?? null,
      subject,
      id,
      expectedVersion,
    },
  );
  return rowCount === 1;
}

/**
 * Retires the facility (it leaves every list and count; its status says RETIRED) if still at `expectedVersion`.
 * Both stamps are the one instant of the statement (`clock_timestamp()`, as the table's defaults: answers as
 * of an instant compare them with other writes of the same transaction).
 */
export async function retireFacility(db: Knex, id: string, expectedVersion: number, subject: string): Promise<boolean> {
  const { rowCount } = await db.raw(
    `/* retireFacility */ UPDATE facility f SET status = 'RETIRED', retired_at = c.at, version = f.version + 1, updated_at = c.at, updated_by = ?
     FROM (SELECT clock_timestamp() AS at) c WHERE f.id = ? AND f.version = ? AND f.retired_at IS NULL`,
    [subject, id, expectedVersion],
  );
  return rowCount === 1;
}
