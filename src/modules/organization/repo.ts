import type { Knex } from 'knex';
import type { OrganizationKind, RiskLevel } from '../../generated/graphql';
import type { LocatedTable } from '../location/repo-list';
import { LOCATED_COLUMNS } from '../location/mappers';
import { NEAREST_GRID_METERS } from '../location/repo';
import type { OrganizationRow } from './mappers';

/**
 * SQL for organisations (组织) and what they manage. `grid_code` travels with every row because it decides who
 * sees the contact phone in clear.
 */
const COLUMNS = `'Organization' AS node_type, ${LOCATED_COLUMNS}, t.name, t.kind, t.credit_code, t.address, t.contact_name,
  t.contact_phone, t.employee_count, t.risk_level, (SELECT g.code FROM grid g WHERE g.id = t.grid_id) AS grid_code`;

/** The organisation table as the shared located listing reads it (ordered by name). */
export const ORGANIZATION_TABLE: LocatedTable = { table: 'organization', columns: COLUMNS, orderColumn: 't.name' };

/** The list condition for `filter.riskLevel`. */
export function riskLevelIn(levels: readonly RiskLevel[]): (q: Knex.QueryBuilder) => void {
  return (q) => q.whereRaw('t.risk_level = ANY(?::text[])', [[...levels]]);
}

/** By id, retired ones included (a retire's payload and `Problem.subjects` show them). */
export async function organizationsByIds(db: Knex, ids: readonly string[]): Promise<OrganizationRow[]> {
  const { rows } = await db.raw(`/* organizationsByIds */ SELECT ${COLUMNS} FROM organization t WHERE t.id = ANY(?::uuid[])`, [[...ids]]);
  return rows;
}

/** What an organisation may manage: the link table, and what "current" means for the linked rows. */
const MANAGED = {
  grid: { link: 'organization_managed_grid', key: 'grid_id', table: 'grid', current: 'x.valid_to IS NULL' },
  building: { link: 'organization_managed_building', key: 'building_id', table: 'building', current: 'x.retired_at IS NULL' },
} as const;

/** The current grids or buildings each organisation manages (their ids), by code. */
export async function managedIds(db: Knex, what: keyof typeof MANAGED, organizationIds: readonly string[]): Promise<{ organization_id: string; id: string }[]> {
  const m = MANAGED[what];
  const { rows } = await db.raw(
    `/* managedIds:${what} */ SELECT m.organization_id, x.id FROM ${m.link} m JOIN ${m.table} x ON x.id = m.${m.key}
     WHERE m.organization_id = ANY(?::uuid[]) AND ${m.current} ORDER BY m.organization_id, x.code`,
    [[...organizationIds]],
  );
  return rows;
}

/** The current organisations managing each building, by name. */
export async function managersOfBuildings(db: Knex, buildingIds: readonly string[]): Promise<(OrganizationRow & { building_id: string })[]> {
  const { rows } = await db.raw(
    `/* managersOfBuildings */ SELECT m.building_id, ${COLUMNS}
     FROM organization_managed_building m JOIN organization t ON t.id = m.organization_id
     WHERE m.building_id = ANY(?::uuid[]) AND t.retired_at IS NULL ORDER BY m.building_id, t.name, t.id`,
    [[...buildingIds]],
  );
  return rows;
}

// ---- writes (inside the caller's transaction) ----

/**
 * The current organisation; `lock`ed, it is held for the rest of the transaction (edits of one organisation
 * run in turn), unlocked, it is the row as committed (an edit reads it to know which grids to lock first).
 */
export async function currentOrganization(db: Knex, id: string, lock: boolean): Promise<OrganizationRow | null> {
  const { rows } = await db.raw(
    `/* ${lock ? 'lockOrganization' : 'currentOrganization'} */ SELECT ${COLUMNS} FROM organization t WHERE t.id = ? AND t.retired_at IS NULL
     ${lock ? 'FOR UPDATE OF t' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

/**
 * Serialises writes of one credit code until the transaction ends, so the holder check that follows sees any
 * other write of the same code (the unique index stays the last word).
 */
export async function lockCreditCode(db: Knex, code: string): Promise<void> {
  await db.raw(`/* lockCreditCode */ SELECT pg_advisory_xact_lock(hashtextextended('organization.credit_code:' || ?, 0))`, [code]);
}

/** The organisation (retired ones too: the unique index covers them) holding a credit code, other than `exceptId`. */
export async function creditCodeHolder(db: Knex, code: string, exceptId: string | null): Promise<{ id: string; name: string; retired: boolean } | null> {
  const { rows } = await db.raw(
    `/* creditCodeHolder */ SELECT id, name, retired_at IS NOT NULL AS retired FROM organization
     WHERE credit_code = ? AND id IS DISTINCT FROM ?::uuid`,
    [code, exceptId],
  );
  return rows[0] ?? null;
}

/** Of these grids, the current ones, with their codes (for the jurisdiction check). */
export async function currentGrids(db: Knex, ids: readonly string[]): Promise<{ id: string; code: string; name: string }[]> {
  const { rows } = await db.raw(`/* currentGridsForManagement */ SELECT id, code, name FROM grid WHERE id = ANY(?::uuid[]) AND valid_to IS NULL`, [[...ids]]);
  return rows;
}

/**
 * Of these buildings, the current ones with their grid's code, locked shared so that retiring one waits for
 * this write (and then sees who manages it).
 */
export async function lockCurrentBuildings(db: Knex, ids: readonly string[]): Promise<{ id: string; code: string; grid_code: string | null }[]> {
  const { rows } = await db.raw(
    `/* lockCurrentBuildings */ SELECT b.id, b.code, g.code AS grid_code FROM building b LEFT JOIN grid g ON g.id = b.grid_id
     WHERE b.id = ANY(?::uuid[]) AND b.retired_at IS NULL ORDER BY b.id FOR SHARE OF b`,
    [[...ids]],
  );
  return rows;
}

/** What an organisation manages now, every link (current grids and buildings or not), with codes. */
export async function managedLinks(
  db: Knex,
  organizationId: string,
): Promise<{ grids: { id: string; code: string }[]; buildings: { id: string; code: string; grid_code: string | null }[] }> {
  const grids = await db.raw(
    `/* managedGridLinks */ SELECT g.id, g.code FROM organization_managed_grid m JOIN grid g ON g.id = m.grid_id WHERE m.organization_id = ?`,
    [organizationId],
  );
  const buildings = await db.raw(
    `/* managedBuildingLinks */ SELECT b.id, b.code, g.code AS grid_code FROM organization_managed_building m
     JOIN building b ON b.id = m.building_id LEFT JOIN grid g ON g.id = b.grid_id WHERE m.organization_id = ?`,
    [organizationId],
  );
  return { grids: grids.rows, buildings: buildings.rows };
}

export interface OrganizationValues {
  name: string;
  kind: OrganizationKind;
  creditCode: string | null;
  address: string | null;
  contactName: string | null;
  contactPhone: string | null;
  employeeCount: number | null;
  riskLevel: RiskLevel;
  location: { lng: number; lat: number };
}

export async function insertOrganization(db: Knex, v: OrganizationValues, by: string): Promise<string> {
  const { rows } = await db.raw(
    `/* insertOrganization */ INSERT INTO organization
       (name, kind, credit_code, address, contact_name, contact_phone, employee_count, risk_level, location, updated_by)
     VALUES (:name, :kind, :creditCode, :address, :contactName, :contactPhone, :employeeCount, :riskLevel,
             ST_SetSRID(ST_MakePoint(CAST(:lng AS float8), CAST(:lat AS float8)), 4326), :by)
     RETURNING id`,
    {
      name: v.name,
      kind: v.kind,
      creditCode: v.creditCode,
      address: v.address,
      contactName: v.contactName,
      contactPhone: v.contactPhone,
      employeeCount: v.employeeCount,
      riskLevel: v.riskLevel,
      lng: v.location.lng,
      lat: v.location.lat,
      by,
    },
  );
  return rows[0].id;
}

const UPDATABLE = {
  name: 'name',
  kind: 'kind',
  creditCode: 'credit_code',
  address: 'address',
  contactName: 'contact_name',
  contactPhone: 'contact_phone',
  employeeCount: 'employee_count',
  riskLevel: 'risk_level',
} as const;

/**
 * A new version if the organisation is still at `expectedVersion`: fields left undefined keep their value
 * (null removes a value). The location is written only when it moves, since writing it re-resolves the grid.
 * Returns whether it wrote.
 */
export async function updateOrganization(
  db: Knex,
  id: string,
  expectedVersion: number,
  change: Partial<OrganizationValues>,
  by: string,
): Promise<boolean> {
  const sets: string[] = [];
  const bindings: Knex.Value[] = [];
  for (const [key, column] of Object.entries(UPDATABLE) as [keyof typeof UPDATABLE, string][]) {
    if (change[key] === undefined) continue;
    sets.push(`${column} = ?`);
    bindings.push(change[key]);
  }
  if (change.location) {
    sets.push('location = ST_SetSRID(ST_MakePoint(?::float8, ?::float8), 4326)');
    bindings.push(change.location.lng, change.location.lat);
  }
  const { rowCount } = await db.raw(
    `/* updateOrganization */ UPDATE organization SET ${[...sets, 'version = version + 1', 'updated_at = clock_timestamp()', 'updated_by = ?'].join(', ')}
     WHERE id = ? AND version = ? AND retired_at IS NULL`,
    [...bindings, by, id, expectedVersion],
  );
  return rowCount === 1;
}

/** Both stamps are the statement's one instant, from `clock_timestamp()` as the table's defaults are. */
export async function retireOrganization(db: Knex, id: string, expectedVersion: number, by: string): Promise<boolean> {
  const { rowCount } = await db.raw(
    `/* retireOrganization */ UPDATE organization o SET retired_at = c.at, version = o.version + 1, updated_at = c.at, updated_by = ?
     FROM (SELECT clock_timestamp() AS at) c WHERE o.id = ? AND o.version = ? AND o.retired_at IS NULL`,
    [by, id, expectedVersion],
  );
  return rowCount === 1;
}

export async function replaceManagedGrids(db: Knex, organizationId: string, gridIds: readonly string[]): Promise<void> {
  await db.raw(`/* clearManagedGrids */ DELETE FROM organization_managed_grid WHERE organization_id = ?`, [organizationId]);
  await db.raw(
    `/* insertManagedGrids */ INSERT INTO organization_managed_grid (organization_id, grid_id) SELECT ?, unnest(?::uuid[])`,
    [organizationId, [...gridIds]],
  );
}

export async function replaceManagedBuildings(db: Knex, organizationId: string, buildingIds: readonly string[]): Promise<void> {
  await db.raw(`/* clearManagedBuildings */ DELETE FROM organization_managed_building WHERE organization_id = ?`, [organizationId]);
  await db.raw(
    `/* insertManagedBuildings */ INSERT INTO organization_managed_building (organization_id, building_id) SELECT ?, unnest(?::uuid[])`,
    [organizationId, [...buildingIds]],
  );
}

/** The current key places an organisation is responsible for (those its retirement would leave without one). */
export async function keyPlacesOf(db: Knex, organizationId: string): Promise<{ id: string; name: string }[]> {
  const { rows } = await db.raw(
    `/* keyPlacesOfOrganization */ SELECT id, name FROM key_place WHERE organization_id = ? AND retired_at IS NULL ORDER BY name, id`,
    [organizationId],
  );
  return rows;
}
