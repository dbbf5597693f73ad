import type { Context } from '../../context';
import { badInput, forbidden } from '../../errors';
import { msg } from '../../i18n';
import type { SlaDeadlineKind } from '../../generated/graphql';
import { CHINA_OFFSET_MS, chinaDateOf, DAY_MS } from '../../shared/time';
import { assertPermitted, assertPrincipal, GRID_CODE } from '../auth/policy';
import type { GridRow } from '../grid/mappers';
import type { CategoryRow } from './mappers';
import { categories } from './repo';
import * as repo from './stats-repo';

/**
 * Incident statistics (counts only, never a person) of a grid's subtree over whole days in China, readable under
 * the policy's `incident:count`. Districts, streets and the whole deployment read the trigger-kept aggregates
 * (plus the running deadlines that have fallen due since: time passing writes no row); grids below them read
 * their incidents through the same SQL definition (migration 20261202000100). The window rules are in
 * schema/incident-stats.graphql.
 */

/** Grid depths the aggregates keep (0 the district, 1 the street: the migration's AGGREGATED_PATH_ELEMENTS). */
const AGGREGATED_DEPTH = 1;
export const MAX_STATS_DAYS = 731;
/** The histogram's bucket width (migration 20261202000100): bucket k ≥ 1 is [1.05^(k−1), 1.05^k) minutes. */
const BUCKET_RATIO = 1.05;

export interface DeadlineFigures {
  kind: SlaDeadlineKind;
  onTime: number;
  late: number;
  onTimeRate: number | null;
}

export interface FiguresSource {
  category: CategoryRow | null;
  reported: number;
  accepted: number;
  rejected: number;
  merged: number;
  resolved: number;
  closed: number;
  escalated: number;
  resolutionRate: number | null;
  escalatedShare: number | null;
  deadlines: DeadlineFigures[];
  timeToResolve: { count: number; averageHours: number | null; p90Hours: number | null; p90Exact: boolean };
  satisfaction: { rated: number; satisfied: number; basicallySatisfied: number; unsatisfied: number; satisfiedRate: number | null; averageScore: number | null };
}

export interface StatsSource {
  from: Date;
  to: Date;
  total: FiguresSource;
  byCategory: FiguresSource[];
  daily: { date: string; reported: number; resolved: number; closed: number }[];
  resolvedInPeriod: number;
  closedInPeriod: number;
}

export class IncidentStatsService {
  constructor(private readonly ctx: Context) {}

  /** `Grid.incidentStats`. */
  async ofGrid(grid: GridRow, from: Date, to: Date): Promise<StatsSource> {
    // AUTH
    assertPrincipal(this.ctx.viewer, 'incident:count', { code: grid.code }, `grid ${grid.code} (${grid.name})`);
    // VALIDATION
    const window = windowOf(from, to);
    // RESOLUTION
    return grid.depth <= AGGREGATED_DEPTH ? this.aggregated(grid.id, window) : this.fromIncidents(grid.id, window);
  }

  /** `Query.incidentStats`: a grid by code, else the caller's jurisdiction (the whole deployment when unscoped). */
  async ofCode(gridCode: string | null | undefined, from: Date, to: Date): Promise<StatsSource> {
    // AUTH (anonymous callers are refused FORBIDDEN here)
    const principal = assertPermitted(this.ctx.viewer, 'incident:count');
    const code = gridCode ?? principal?.jurisdictionCode ?? null;
    if (code === null) return this.aggregated(repo.EVERYWHERE, windowOf(from, to));
    const grid = GRID_CODE.test(code) ? await this.ctx.loaders.grid.byCode.load(code) : null;
    if (!grid && gridCode) throw badInput(msg('located.noGridCode', { field: 'gridCode', code: gridCode.slice(0, 30) }), 'gridCode');
    if (!grid) throw forbidden(msg('people.noJurisdiction', { code }));
    return this.ofGrid(grid, from, to);
  }

  private async aggregated(scopeId: string, w: repo.Window): Promise<StatsSource> {
    const [rows, due, buckets, dictionary] = await Promise.all([
      repo.aggregatedFigures(this.ctx.db, scopeId, w),
      repo.deadlinesDueSince(this.ctx.db, scopeId, w),
      repo.durationBuckets(this.ctx.db, scopeId, w, wholeMonths(w)),
      categories(this.ctx.db),
    ]);
    for (const d of due) {
      for (const target of rows.filter((r) => r.day === null && (r.category_code === d.category_code || r.category_code === null))) {
        for (const k of repo.DEADLINE_COLUMNS) target[k] += d[k];
      }
    }
    const p90 = (category: string | null) => p90FromBuckets(buckets.filter((b) => category === null || b.category_code === category));
    return assemble(rows, dictionary, w, p90, false);
  }

  private async fromIncidents(gridId: string, w: repo.Window): Promise<StatsSource> {
    const [rows, dictionary] = await Promise.all([repo.figuresFromIncidents(this.ctx.db, gridId, w), categories(this.ctx.db)]);
    const p90 = (category: string | null) => rows.find((r) => r.day === null && r.category_code === category)?.p90_seconds ?? null;
    return assemble(rows, dictionary, w, p90, true);
  }
}

/** The answer from the sums (by category, by day, total), the category dictionary and the p90 of each. */
function assemble(rows: repo.FigureRow[], dictionary: CategoryRow[], w: repo.Window, p90: (category: string | null) => number | null, exact: boolean): StatsSource {
  const totalRow = rows.find((r) => r.day === null && r.category_code === null) ?? emptyRow();
  const figures = (r: repo.FigureRow, category: CategoryRow | null) => figuresOf(r, category, p90(category?.code ?? null), exact);
  const byCode = new Map(rows.filter((r) => r.day === null && r.category_code !== null && r.reported > 0).map((r) => [r.category_code!, r]));
  const byDay = new Map(rows.filter((r) => r.day !== null).map((r) => [r.day!, r]));
  const daily = daysOf(w).map((date) => {
    const r = byDay.get(date);
    return { date, reported: r?.reported ?? 0, resolved: r?.resolved_on_day ?? 0, closed: r?.closed_on_day ?? 0 };
  });
  return {
    from: w.fromAt,
    to: w.toAt,
    total: figures(totalRow, null),
    // In the dictionary's order (an incident's category is always in it: a foreign key).
    byCategory: dictionary.filter((c) => byCode.has(c.code)).map((c) => figures(byCode.get(c.code)!, c)),
    daily,
    resolvedInPeriod: totalRow.resolved_on_day,
    closedInPeriod: totalRow.closed_on_day,
  };
}

/** Each deadline's two counters, in the order the SDL promises. */
const DEADLINE_PAIRS: readonly (readonly [SlaDeadlineKind, readonly [repo.DeadlineColumn, repo.DeadlineColumn]])[] = [
  ['ASSIGNMENT', ['assign_on_time', 'assign_late']],
  ['FIRST_PROGRESS', ['progress_on_time', 'progress_late']],
  ['RESOLUTION', ['resolve_on_time', 'resolve_late']],
];

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
const HOUR_S = 3600;

function figuresOf(r: repo.FigureRow, category: CategoryRow | null, p90Seconds: number | null, exact: boolean): FiguresSource {
  const rated = r.satisfied + r.basically_satisfied + r.unsatisfied;
  return {
    category,
    reported: r.reported,
    accepted: r.accepted,
    rejected: r.rejected,
    merged: r.merged,
    resolved: r.resolved,
    closed: r.closed,
    escalated: r.escalated,
    resolutionRate: ratio(r.resolved, r.reported - r.rejected - r.merged),
    escalatedShare: ratio(r.escalated, r.reported),
    deadlines: DEADLINE_PAIRS.map(([kind, [onTime, late]]) => ({ kind, onTime: r[onTime], late: r[late], onTimeRate: ratio(r[onTime], r[onTime] + r[late]) })),
    timeToResolve: {
      count: r.resolved,
      averageHours: r.resolved > 0 ? r.resolve_seconds / r.resolved / HOUR_S : null,
      p90Hours: r.resolved > 0 && p90Seconds !== null ? p90Seconds / HOUR_S : null,
      p90Exact: exact,
    },
    satisfaction: {
      rated,
      satisfied: r.satisfied,
      basicallySatisfied: r.basically_satisfied,
      unsatisfied: r.unsatisfied,
      satisfiedRate: ratio(r.satisfied + r.basically_satisfied, rated),
      averageScore: ratio(3 * r.satisfied + 2 * r.basically_satisfied + r.unsatisfied, rated),
    },
  };
}

/** Nearest-rank p90 from histogram buckets, as the bucket's geometric middle (30 s for bucket 0), in seconds. */
export function p90FromBuckets(buckets: readonly { bucket: number; n: number }[]): number | null {
  const counts = new Map<number, number>();
  for (const b of buckets) counts.set(b.bucket, (counts.get(b.bucket) ?? 0) + b.n);
  const total = [...counts.values()].reduce((s, n) => s + n, 0);
  if (total <= 0) return null;
  const rank = Math.ceil(0.9 * total);
  let seen = 0;
  for (const bucket of [...counts.keys()].sort((a, b) => a - b)) {
    seen += counts.get(bucket)!;
    if (seen >= rank) return bucket === 0 ? 30 : 60 * BUCKET_RATIO ** (bucket - 0.5);
  }
  return null;
}

function emptyRow(): repo.FigureRow {
  return { ...Object.fromEntries(repo.FIGURE_COLUMNS.map((c) => [c, 0])), category_code: null, day: null, resolve_seconds: 0 } as repo.FigureRow;
}

const chinaDay = (at: Date) => chinaDateOf(at.getTime());

/** The window, refused unless it is whole days in China (midnights at +08:00), `from` before `to`, at most MAX_STATS_DAYS. */
export function windowOf(from: Date, to: Date, now = new Date()): repo.Window {
  for (const [name, at] of [['from', from], ['to', to]] as const) {
    if ((at.getTime() + CHINA_OFFSET_MS) % DAY_MS !== 0) {
      throw badInput(msg('incident.statsMidnight', { field: name, example: `${chinaDay(at)}T00:00:00+08:00`, got: at.toISOString() }), name);
    }
  }
  const days = (to.getTime() - from.getTime()) / DAY_MS;
  if (days < 1) throw badInput(msg('incident.statsOrder', { from: chinaDay(from), to: chinaDay(to) }), 'to');
  if (days > MAX_STATS_DAYS) throw badInput(msg('incident.statsTooLong', { days, max: MAX_STATS_DAYS }), 'to');
  return { fromDay: chinaDay(from), toDay: chinaDay(to), fromAt: from, toAt: to, now };
}

/** The whole calendar months inside the window (first days, `to` excluded), or null when none is. */
export function wholeMonths(w: Pick<repo.Window, 'fromDay' | 'toDay'>): { from: string; to: string } | null {
  const first = w.fromDay.endsWith('-01') ? w.fromDay : nextMonth(w.fromDay);
  const last = `${w.toDay.slice(0, 7)}-01`;
  return first < last ? { from: first, to: last } : null;
}

function nextMonth(day: string): string {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

function daysOf(w: repo.Window): string[] {
  const out: string[] = [];
  for (let t = w.fromAt.getTime(); t < w.toAt.getTime(); t += DAY_MS) out.push(chinaDay(new Date(t)));
  return out;
}
