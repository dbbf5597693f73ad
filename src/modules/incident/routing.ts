import type { Knex } from 'knex';
import type { GridLevel, HandlingLevel, IncidentChannel } from '../../generated/graphql';
import { RESPONSIBLE_ON, RESPONSIBLE_ORDER, STAFFED_GRID_OF_CHAIN } from '../worker/repo';

/**
 * Where an incident goes. Centres (综治中心) are the COMMUNITY, STREET and DISTRICT grids, each with its
 * dispatchers (tokens scoped to that grid); `incident_centre(grid)` (migration 20261201000100) is the nearest one
 * at or above a grid. An incident starts at the GRID level, owned by the community centre above its grid; each
 * escalation (吹哨) hands it up: grid → community (the same centre, now handling it itself) → street → district.
 * Reports from a grid worker's app or a resident's QR code are assigned at once to the primary responsible worker,
 * by the same rule as `resolveLocation` (worker/repo.ts `STAFFED_GRID_OF_CHAIN`); the others come to the centre.
 */
export const AUTO_ROUTED: readonly IncidentChannel[] = ['GRID_WORKER_APP', 'RESIDENT_QR'];

export interface CentreRow {
  id: string;
  code: string;
  name: string;
  level: GridLevel;
  parent_id: string | null;
}

export interface ResponsibleWorker {
  worker_id: string;
  grid_id: string;
  is_primary: boolean;
}

/** The active workers responsible for a grid (up its chain to the nearest staffed grid), primary first. */
export async function responsibleWorkers(db: Knex, gridId: string): Promise<ResponsibleWorker[]> {
  const { rows } = await db.raw(
    `/* incidentResponsibleWorkers */ WITH chain AS (
       SELECT c.id, c.depth FROM grid g JOIN grid c ON c.id = ANY(g.ancestor_ids || g.id) WHERE g.id = ?
     ), staffed AS (${STAFFED_GRID_OF_CHAIN('chain')})
     SELECT a.worker_id, s.id AS grid_id, a.is_primary FROM ${RESPONSIBLE_ON('staffed')} ORDER BY ${RESPONSIBLE_ORDER}`,
    [gridId],
  );
  return rows;
}

const CENTRE_COLUMNS = 'c.id, c.code, c.name, c.level, c.parent_id';


/**
 * The centre owning a new incident in a grid, the grid's level (where the incident starts), and the database's
 * clock now (the report's instant: every later entry of the timeline is stamped by the same clock).
 */
export async function placementOf(db: Knex, gridId: string): Promise<{ centre: CentreRow; gridLevel: GridLevel; at: Date }> {
  const { rows } = await db.raw(
    `/* incidentPlacement */ SELECT ${CENTRE_COLUMNS}, g.level AS grid_level, clock_timestamp() AS at
     FROM grid g JOIN grid c ON c.id = incident_centre(g.id) WHERE g.id = ?`,
    [gridId],
  );
  if (!rows[0]) throw new Error(`grid ${gridId} has no centre at or above it`);
  const { grid_level: gridLevel, at, ...centre } = rows[0];
  return { centre, gridLevel, at };
}

/** The centre above a centre (community → street → district); null above a district. */
export async function centreAbove(db: Knex, centreId: string): Promise<CentreRow | null> {
  const { rows } = await db.raw(
    `/* incidentCentreAbove */ SELECT ${CENTRE_COLUMNS} FROM grid t JOIN grid c ON c.id = incident_centre(t.parent_id) WHERE t.id = ?`,
    [centreId],
  );
  return rows[0] ?? null;
}

export async function centreById(db: Knex, id: string): Promise<CentreRow | null> {
  const { rows } = await db.raw(`/* incidentCentre */ SELECT ${CENTRE_COLUMNS} FROM grid c WHERE c.id = ?`, [id]);
  return rows[0] ?? null;
}

/** The level a new incident starts at: GRID, unless it lies outside every grid below its centre. */
export function initialLevel(gridLevel: GridLevel, centre: CentreRow): HandlingLevel {
  return gridLevel === 'GRID' || gridLevel === 'MICRO_GRID' ? 'GRID' : handlingLevelOf(centre.level);
}

export function handlingLevelOf(level: GridLevel): HandlingLevel {
  if (level === 'COMMUNITY' || level === 'STREET' || level === 'DISTRICT') return level;
  throw new Error(`a centre is a COMMUNITY, STREET or DISTRICT grid, not ${level}`);
}

/**
 * Where an escalation takes an incident: from the grid level to its centre (which now handles it itself), from a
 * centre to the centre above; null when it is already with the district.
 */
export async function escalationTarget(db: Knex, level: HandlingLevel, centre: CentreRow): Promise<{ level: HandlingLevel; centre: CentreRow } | null> {
  if (level === 'GRID') return { level: handlingLevelOf(centre.level), centre };
  const above = await centreAbove(db, centre.id);
  return above ? { level: handlingLevelOf(above.level), centre: above } : null;
}
