import type { Context } from '../../context';
import { badInput, forbidden } from '../../errors';
import { msg } from '../../i18n';
import type { PersonTag, ResidenceType } from '../../generated/graphql';
import { assertPermitted, assertPrincipal, GRID_CODE } from '../auth/policy';
import type { GridRow } from '../grid/mappers';
import { todayInChina } from './checks';
import type { HouseholdCoverageSource, PopulationSource } from './mappers';
import * as repo from './population-repo';

/** Largest household count `householdCoverage` accepts as a bound. */
export const MAX_HOUSEHOLD_BOUND = 100_000;

const RESIDENCE_TYPES: readonly ResidenceType[] = ['REGISTERED', 'FLOATING', 'OVERSEAS', 'UNSETTLED'];

/** Every tag, by the kind of group it is (a new tag does not compile until it is placed here). */
const GROUP_OF: Record<PersonTag, 'special' | 'care'> = {
  COMMUNITY_CORRECTION: 'special',
  RELEASED_PRISONER: 'special',
  DRUG_REHABILITATION: 'special',
  SEVERE_MENTAL_DISORDER: 'special',
  KEY_YOUTH: 'special',
  ELDERLY_LIVING_ALONE: 'care',
  DISABLED: 'care',
  LEFT_BEHIND_CHILD: 'care',
  LOW_INCOME: 'care',
};
const TAGS = Object.keys(GROUP_OF) as PersonTag[];

/**
 * Population figures (counts only, never a person), rolled up by grid: a grid's figures are its buildings'
 * counters summed (population-repo.ts), so a district's are the sums of its streets'. Readable under the
 * policy's `person:count` (staff, VIEWER, API keys with READ_GRIDS) within the caller's jurisdiction.
 */
export class PopulationService {
  constructor(private readonly ctx: Context) {}

  /** `Grid.population`: the grid's subtree (a dedicated grid: the buildings its boundary covers), today. */
  async ofGrid(grid: GridRow): Promise<PopulationSource> {
    // AUTH
    assertPrincipal(this.ctx.viewer, 'person:count', { code: grid.code }, `grid ${grid.code} (${grid.name})`);
    // RESOLUTION
    return this.figures(scopeOf(grid));
  }

  /** `Query.population`: the caller's jurisdiction; the whole deployment for an unscoped caller. */
  async ofJurisdiction(): Promise<PopulationSource> {
    // AUTH (anonymous callers are refused FORBIDDEN here)
    const principal = assertPermitted(this.ctx.viewer, 'person:count');
    const code = principal?.jurisdictionCode ?? null;
    if (code === null) return this.figures('everywhere');
    const root = GRID_CODE.test(code) ? await this.ctx.loaders.grid.byCode.load(code) : null;
    if (!root) throw forbidden(msg('people.noJurisdiction', { code }));
    return this.ofGrid(root);
  }

  /**
   * `Grid.householdCoverage`: the current micro-grids at or below the grid and their households, against the
   * standard `min`–`max` (the configuration's unless given).
   */
  async householdCoverage(grid: GridRow, min: number | null | undefined, max: number | null | undefined): Promise<HouseholdCoverageSource> {
    // AUTH
    assertPrincipal(this.ctx.viewer, 'person:count', { code: grid.code }, `grid ${grid.code} (${grid.name})`);
    // VALIDATION
    const standard = this.ctx.config.population.households;
    const lo = min ?? standard.min;
    const hi = max ?? standard.max;
    for (const [name, value] of [['min', lo], ['max', hi]] as const) {
      if (!Number.isInteger(value) || value < 0 || value > MAX_HOUSEHOLD_BOUND) {
        throw badInput(msg('population.bound', { name, max: MAX_HOUSEHOLD_BOUND, got: value }), name);
      }
    }
    if (lo > hi) throw badInput(msg('population.order', { min: lo, max: hi }), 'min');
    // RESOLUTION
    const counts = await repo.householdCoverage(this.ctx.db, grid.id, lo, hi);
    return { min: lo, max: hi, ...counts };
  }

  private async figures(scope: repo.PopulationScope): Promise<PopulationSource> {
    const today = todayInChina();
    const c = await repo.populationCounts(this.ctx.db, scope, today);
    this.advanceEpochTo(Number(today.slice(0, 4)), c.epoch);
    const byTag = (group: 'special' | 'care') => TAGS.filter((t) => GROUP_OF[t] === group).map((tag) => ({ tag, count: c.byTag[tag] ?? 0 }));
    return {
      total: RESIDENCE_TYPES.reduce((sum, t) => sum + c.byResidenceType[t], 0),
      byResidenceType: RESIDENCE_TYPES.map((residenceType) => ({ residenceType, count: c.byResidenceType[residenceType] })),
      households: c.households,
      housesOccupied: c.housesOccupied,
      housesVacant: c.housesCurrent - c.housesOccupied,
      bySpecialGroup: byTag('special'),
      byCareGroup: byTag('care'),
      aged60Plus: c.aged60Plus,
      under18: c.under18,
    };
  }

  /**
   * The figures are exact whatever the counters' epoch year; in a new year they read one more cohort year per
   * age until the epoch moves. The first read of the year starts the move in the background, on the pool
   * (never inside a caller's transaction), once per process at a time; a write holding the epoch makes it give
   * up, and a later read tries again.
   */
  private advanceEpochTo(year: number, epoch: number): void {
    const db = this.ctx.db;
    if (epoch === year || advancing || db.isTransaction) return;
    const log = this.ctx.log;
    advancing = repo
      .advanceEpoch(db, year, this.ctx.config.db.longStatementTimeoutMs)
      .then((moved) =>
        log.info({ year }, moved === null ? 'population age counters: a write held the epoch; a later read moves it' : 'population age counters moved to a new year'),
      )
      .catch((err: unknown) => log.warn({ err, year }, 'population age counters: moving to a new year failed; a later read tries again'))
      .finally(() => (advancing = null));
  }
}

/** The epoch move under way in this process, if any. */
let advancing: Promise<unknown> | null = null;

/** A regular grid counts its subtree's buildings; a dedicated one (an overlay) the buildings it covers. */
function scopeOf(grid: GridRow): repo.PopulationScope {
  return grid.level === 'DEDICATED' ? { coveredBy: grid.id } : { subtreeOf: grid.id };
}
