import type { Knex } from 'knex';
import { subtreeGridIds } from '../location/repo';

/**
 * SQL of the population figures, read from the per-building counters of migration 20261129000200 (its header
 * explains them): a place's figures are its buildings' counters summed, plus, for the two ages, the people of
 * the boundary birth years read from `person`.
 */

/** Whose buildings are counted: a grid's subtree, what a dedicated grid covers, or the whole deployment. */
export type PopulationScope = { subtreeOf: string } | { coveredBy: string } | 'everywhere';

export interface PopulationCounts {
  byResidenceType: { REGISTERED: number; FLOATING: number; OVERSEAS: number; UNSETTLED: number };
  households: number;
  housesOccupied: number;
  housesCurrent: number;
  byTag: Record<string, number>;
  aged60Plus: number;
  under18: number;
}

/**
 * The rows of a per-building table (alias `alias`) that lie in a scope: each scope building's rows by key, in a
 * LATERAL subquery fenced by OFFSET 0, so a street reads its few thousand buildings' rows by index and never
 * scans a city-wide table (a plain `IN (…)` is hashed against a full scan whenever the planner guesses the
 * scope large); everywhere, the whole table.
 */
function rowsIn(scope: PopulationScope, table: string, alias: string, condition = 'true'): string {
  if (scope === 'everywhere') return `${table} ${alias} WHERE ${condition}`;
  return `scope s CROSS JOIN LATERAL (SELECT * FROM ${table} ${alias} WHERE ${alias}.building_id = s.id AND ${condition} OFFSET 0) ${alias}`;
}

/** The buildings of a scope, as the body of the CTE `scope`. */
function scopeBuildings(scope: PopulationScope): string {
  if (scope === 'everywhere') return 'SELECT NULL::uuid AS id WHERE false';
  return 'subtreeOf' in scope
    ? `SELECT b.id FROM (${subtreeGridIds(':gridId::uuid')}) g CROSS JOIN LATERAL (SELECT b.id FROM building b WHERE b.grid_id = g.id OFFSET 0) b`
    : `SELECT b.id FROM grid g JOIN building b ON b.location && g.boundary AND ST_Covers(g.boundary, b.location) WHERE g.id = :gridId`;
}

const gridIdOf = (scope: PopulationScope) => (scope === 'everywhere' ? null : 'subtreeOf' in scope ? scope.subtreeOf : scope.coveredBy);

/** A birthday (MM-DD) of a living person; an erased stub's is July 1 (it keeps its birth year only). */
const BIRTHDAY = `coalesce(to_char(p.birth_date, 'MM-DD'), '07-01')`;

/**
 * The figures of a scope on `today` (YYYY-MM-DD, in China), with the counters' epoch year. Ages in full years,
 * as `ageOn` counts them: aged 60+ = born before the year Y − 60, or in it on or before today's month and day;
 * under 18 = born after Y − 18, or in it after today's month and day. The counters hold the ages as of the
 * epoch year (migration 20261129000200); the people of the boundary years, and of the years between the epoch
 * and Y when they differ, are read from `person`, in the same statement as the counters.
 */
export async function populationCounts(db: Knex, scope: PopulationScope, today: string): Promise<PopulationCounts & { epoch: number }> {
  const year = Number(today.slice(0, 4));
  const bindings = { gridId: gridIdOf(scope), y61: year - 61, y60: year - 60, y18: year - 18, md: today.slice(5) };
  const born = (from: string, to: string) => `p.birth_year > ${from} AND p.birth_year <= ${to}`;
  const sql = `/* populationCounts */ WITH scope AS MATERIALIZED (${scopeBuildings(scope)}),
     k AS MATERIALIZED (
       SELECT year AS epoch, ARRAY(
         SELECT generate_series(least(year - 61, :y61) + 1, greatest(year - 61, :y60))
         UNION SELECT generate_series(least(year - 18, :y18 - 1) + 1, greatest(year - 18, :y18))) AS years
       FROM population_epoch
     )
     SELECT c.*, t.tags, x.*, k.epoch
     FROM k,
     (
       SELECT ${COUNTERS.map((n) => `coalesce(sum(p.${n}), 0)::int AS ${n}`).join(', ')}
       FROM ${rowsIn(scope, 'building_population', 'p')}
     ) c,
     (SELECT coalesce(json_object_agg(tag, n), '{}'::json) AS tags FROM (
        SELECT t.tag, sum(t.n)::int AS n FROM ${rowsIn(scope, 'building_tag_count', 't')} GROUP BY t.tag HAVING sum(t.n) <> 0
      ) t) t,
     (SELECT (count(*) FILTER (WHERE ${born('k.epoch - 61', ':y61')}) - count(*) FILTER (WHERE ${born(':y61', 'k.epoch - 61')})
              + count(*) FILTER (WHERE p.birth_year = :y60 AND ${BIRTHDAY} <= :md))::int AS older_since_epoch,
             (count(*) FILTER (WHERE ${born('k.epoch - 18', ':y18')}) - count(*) FILTER (WHERE ${born(':y18', 'k.epoch - 18')}))::int AS adult_since_epoch,
             count(*) FILTER (WHERE p.birth_year = :y18 AND ${BIRTHDAY} > :md)::int AS not18yet
      FROM k, ${rowsIn(scope, 'person', 'p', `p.status = 'LIVING_HERE' AND p.birth_year = ANY(k.years)`)}) x`;
  // JIT is off for the pool (src/db/knex.ts): the per-building probes of a district pass jit_above_cost.
  const { rows } = await db.raw(sql, bindings);
  const r = rows[0];
  const total = r.registered + r.floating + r.overseas + r.unsettled;
  return {
    byResidenceType: { REGISTERED: r.registered, FLOATING: r.floating, OVERSEAS: r.overseas, UNSETTLED: r.unsettled },
    households: r.households,
    housesOccupied: r.houses_occupied,
    housesCurrent: r.houses_current,
    byTag: r.tags,
    aged60Plus: r.born_older + r.older_since_epoch,
    under18: total - (r.born_adult + r.adult_since_epoch) + r.not18yet,
    epoch: r.epoch,
  };
}

/** building_population's counters. */
const COUNTERS = ['registered', 'floating', 'overseas', 'unsettled', 'households', 'houses_occupied', 'houses_current', 'born_older', 'born_adult'];

/**
 * Moves the counters' epoch to `year` (the people of the cohorts between join or leave the age counters):
 * once a year, started by the first read of a new year. Returns the epoch year, or null when a write held the
 * epoch (then a later read tries again).
 */
export async function advanceEpoch(db: Knex, year: number, timeoutMs: number): Promise<number | null> {
  return db.transaction(async (trx) => {
    await trx.raw(`SET LOCAL statement_timeout = ${Math.round(timeoutMs)}`);
    const { rows } = await trx.raw(`/* populationAdvanceEpoch */ SELECT population_advance_epoch(?) AS year`, [year]);
    return rows[0].year;
  });
}

/** Households of the buildings whose grid is `gridId` (SQL), each building's counters by key. */
const HOUSEHOLDS_IN = (gridId: string) =>
  `(SELECT coalesce(sum((SELECT p.households FROM building_population p WHERE p.building_id = b.id)), 0) FROM building b WHERE b.grid_id = ${gridId})`;

export interface HouseholdCoverageCounts {
  microGrids: number;
  within: number;
  /** Outside the range, fewest households first (then by code). */
  outside: { gridId: string; households: number }[];
}

/**
 * Current micro-grids at or below a grid, with their households (households with a living member, by the
 * micro-grid of their house's building): how many, how many within [min, max], and those outside. A micro-grid
 * is mostly a leaf: its own buildings by index; the grids below it only when it has children.
 */
export async function householdCoverage(db: Knex, gridId: string, min: number, max: number): Promise<HouseholdCoverageCounts> {
  const { rows } = await db.raw(
      `/* householdCoverage */ WITH m AS MATERIALIZED (
       SELECT mg.id, mg.code, (
         ${HOUSEHOLDS_IN('mg.id')}
         + CASE WHEN EXISTS (SELECT 1 FROM grid c WHERE c.parent_id = mg.id)
                THEN (SELECT coalesce(sum(${HOUSEHOLDS_IN('c.id')}), 0) FROM grid c WHERE c.ancestor_ids @> ARRAY[mg.id]) ELSE 0 END
       )::int AS households
       FROM (${subtreeGridIds(':gridId::uuid')}) s JOIN grid mg ON mg.id = s.id
       WHERE mg.level = 'MICRO_GRID' AND mg.valid_to IS NULL
     )
     SELECT (SELECT count(*)::int FROM m) AS micro_grids,
            (SELECT count(*)::int FROM m WHERE households BETWEEN :min AND :max) AS within,
            coalesce((SELECT json_agg(json_build_object('gridId', id, 'households', households) ORDER BY households, code)
                      FROM m WHERE households NOT BETWEEN :min AND :max), '[]'::json) AS outside`,
      { gridId, min, max },
  );
  return { microGrids: rows[0].micro_grids, within: rows[0].within, outside: rows[0].outside };
}
