import type { Knex } from 'knex';
import { toGlobalId } from '../src/graphql/relay';
import { ANONYMOUS, type Viewer } from '../src/modules/auth/viewer';
import { p90FromBuckets, wholeMonths } from '../src/modules/incident/stats';
import { foldStatistics } from '../src/modules/incident/stats-repo';
import { createIncidentFixture, incidentMutation, report, at, type IncidentFixture } from './fixtures/incident';
import { insertTimelineIncident, type TimelineStep } from './fixtures/incident-timeline';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok, user } from './support/graphql';

/**
 * `incidentStats` against hand-counted fixtures: incidents with timelines at known instants in October 2026 (China
 * time) in the incident fixture's district, read for each grid (grids and communities from the incidents, streets
 * and the district from the trigger-kept aggregates), rolled up, through a boundary redraw, and refused outside
 * the reader's jurisdiction. Every test runs in a transaction that is rolled back.
 */
afterAll(closeTestDb);

const ADMIN = user('ADMIN');
const FROM = '2026-10-01T00:00:00+08:00';
const TO = '2026-11-01T00:00:00+08:00';
const T = Date.parse('2026-10-10T09:00:00+08:00');
const HOUR = 3_600_000;

const FIGURES = `category { code } reported accepted rejected merged resolved closed escalated resolutionRate escalatedShare
  deadlines { kind onTime late onTimeRate } timeToResolve { count averageHours p90Hours p90Exact }
  satisfaction { rated satisfied basicallySatisfied unsatisfied satisfiedRate averageScore }`;
const STATS = `from to total { ${FIGURES} } byCategory { ${FIGURES} } daily { date reported resolved closed } resolvedInPeriod closedInPeriod`;

type Key = keyof IncidentFixture['grids'];

async function stats(db: Knex, key: string, viewer: Viewer = ADMIN, from = FROM, to = TO) {
  const result = await execute(db, `query($code: String!, $from: DateTime!, $to: DateTime!) { grid(code: $code) { incidentStats(from: $from, to: $to) { ${STATS} } } }`, { code: key, from, to }, { viewer });
  return ok(result).grid.incidentStats;
}

const steps = (...list: [TimelineStep['action'], number, TimelineStep['satisfaction']?][]): TimelineStep[] => list.map(([action, h, satisfaction]) => ({ action, h, satisfaction }));
const OK = (kind: string, onTime: number, late: number) => ({ kind, onTime, late, onTimeRate: onTime + late ? onTime / (onTime + late) : null });

/**
 * The hand-counted incidents (hours after the report):
 *   A G1 SAFETY_HAZARD   10-10 09:00  accept 1, assign 2, progress 5, resolve 10, 满意 24, close 25      all on time, 10 h
 *   B G1 SAFETY_HAZARD   10-10 09:00  assign 30 (late), progress 80 (late), resolve 960 (RED), 基本满意
 *   C G2 DISPUTE_NEIGHBOR 10-11 09:00 escalated once, resolved 20, 不满意 → reopened, resolved 72, 满意, closed
 *   D G3 SAFETY_HAZARD   10-12 09:00  rejected
 *   E G3 SAFETY_HAZARD   10-20 10:00  accepted, then nothing: assignment and resolution now past due
 *   F G4 FIRE_SAFETY     10-13 09:00  resolved 4.5, 基本满意
 *   G G1 SAFETY_HAZARD   09-30 20:00  resolved 10-02 08:00: before the window, resolved in it
 *   H G1 SAFETY_HAZARD   10-15 09:00  suspended 2–50 before its assignment at 51 (on time), resolved 60 (12 h net)
 *   I G1 SAFETY_HAZARD   10-05 09:00  assigned, progress, open: resolution past due (11-04)
 */
async function seedTimelines(db: Knex, f: IncidentFixture): Promise<Record<string, string>> {
  const day = (h: number) => new Date(T + h * HOUR);
  const list: [string, Key, [number, number], string, Date, TimelineStep[]][] = [
    ['A', 'G1', [0.5, 0.5], 'SAFETY_HAZARD', day(0), steps(['ACCEPT', 1], ['ASSIGN', 2], ['RECORD_PROGRESS', 5], ['RESOLVE', 10], ['VERIFY', 24, 'SATISFIED'], ['CLOSE', 25])],
    ['B', 'G1', [0.4, 0.5], 'SAFETY_HAZARD', day(0), steps(['ACCEPT', 1], ['ASSIGN', 30], ['RECORD_PROGRESS', 80], ['RESOLVE', 960], ['VERIFY', 984, 'BASICALLY_SATISFIED'])],
    ['C', 'G2', [0.5, 1.5], 'DISPUTE_NEIGHBOR', day(24), steps(['ACCEPT', 1], ['ASSIGN', 2], ['RECORD_PROGRESS', 3], ['ESCALATE', 4], ['ASSIGN', 5], ['RECORD_PROGRESS', 6],
      ['RESOLVE', 20], ['VERIFY', 48, 'UNSATISFIED'], ['REOPEN', 49], ['RECORD_PROGRESS', 50], ['RESOLVE', 72], ['VERIFY', 96, 'SATISFIED'], ['CLOSE', 97])],
    ['D', 'G3', [1.5, 0.5], 'SAFETY_HAZARD', day(48), steps(['REJECT', 1])],
    ['E', 'G3', [1.6, 0.5], 'SAFETY_HAZARD', new Date(Date.parse('2026-10-20T10:00:00+08:00')), steps(['ACCEPT', 1])],
    ['F', 'G4', [2.5, 0.5], 'FIRE_SAFETY', day(72), steps(['ACCEPT', 1], ['ASSIGN', 2], ['RECORD_PROGRESS', 3], ['RESOLVE', 4.5], ['VERIFY', 24, 'BASICALLY_SATISFIED'])],
    ['G', 'G1', [0.6, 0.5], 'SAFETY_HAZARD', new Date(Date.parse('2026-09-30T20:00:00+08:00')), steps(['ACCEPT', 1], ['ASSIGN', 2], ['RESOLVE', 36])],
    ['H', 'G1', [0.3, 0.3], 'SAFETY_HAZARD', day(120), steps(['ACCEPT', 1], ['SUSPEND', 2], ['RESUME', 50], ['ASSIGN', 51], ['RECORD_PROGRESS', 52], ['RESOLVE', 60])],
    ['I', 'G1', [0.9, 0.5], 'SAFETY_HAZARD', new Date(Date.parse('2026-10-05T09:00:00+08:00')), steps(['ACCEPT', 1], ['ASSIGN', 2], ['RECORD_PROGRESS', 3])],
  ];
  const ids: Record<string, string> = {};
  for (const [name, grid, [x, y], category, reportedAt, s] of list) {
    ids[name] = await insertTimelineIncident(db, { grid: f.grids[grid], point: at(x, y), category, reportedAt, steps: s });
  }
  return ids;
}

async function withTimelines(test: (db: Knex, f: IncidentFixture, ids: Record<string, string>) => Promise<void>): Promise<void> {
  await withRollback(async (trx) => {
    const f = await createIncidentFixture(trx);
    await test(trx, f, await seedTimelines(trx, f));
  });
}

/** Every count of a statistics answer (what must add up), rates and hours left out. */
function counts(s: any): number[] {
  const figures = (x: any) => [
    x.reported, x.accepted, x.rejected, x.merged, x.resolved, x.closed, x.escalated, x.timeToResolve.count,
    ...x.deadlines.flatMap((d: any) => [d.onTime, d.late]),
    x.satisfaction.rated, x.satisfaction.satisfied, x.satisfaction.basicallySatisfied, x.satisfaction.unsatisfied,
  ];
  return [...figures(s.total), ...s.daily.flatMap((d: any) => [d.reported, d.resolved, d.closed]), s.resolvedInPeriod, s.closedInPeriod];
}
const add = (a: number[], b: number[]) => a.map((x, i) => x + b[i]);

describe('incidentStats', () => {
  it('counts a grid by hand: the cohort reported in the window, deadlines, satisfaction, exact p90 and the daily series', async () => {
    await withTimelines(async (db, f) => {
      const g1 = await stats(db, f.grids.G1.code);
      expect(g1.total).toEqual({
        category: null, reported: 4, accepted: 4, rejected: 0, merged: 0, resolved: 3, closed: 1, escalated: 0, resolutionRate: 0.75, escalatedShare: 0,
        deadlines: [OK('ASSIGNMENT', 3, 1), OK('FIRST_PROGRESS', 3, 1), OK('RESOLUTION', 2, 2)],
        timeToResolve: { count: 3, averageHours: expect.closeTo((10 + 960 + 12) / 3, 9), p90Hours: 960, p90Exact: true },
        satisfaction: { rated: 2, satisfied: 1, basicallySatisfied: 1, unsatisfied: 0, satisfiedRate: 1, averageScore: 2.5 },
      });
      expect(g1.byCategory.map((c: any) => [c.category.code, c.reported])).toEqual([['SAFETY_HAZARD', 4]]);
      expect(g1.daily).toHaveLength(31);
      expect(g1.daily.filter((d: any) => d.reported || d.resolved || d.closed)).toEqual([
        { date: '2026-10-02', reported: 0, resolved: 1, closed: 0 },
        { date: '2026-10-05', reported: 1, resolved: 0, closed: 0 },
        { date: '2026-10-10', reported: 2, resolved: 1, closed: 0 },
        { date: '2026-10-11', reported: 0, resolved: 0, closed: 1 },
        { date: '2026-10-15', reported: 1, resolved: 0, closed: 0 },
        { date: '2026-10-17', reported: 0, resolved: 1, closed: 0 },
      ]);
      expect([g1.resolvedInPeriod, g1.closedInPeriod]).toEqual([3, 1]);
      expect([g1.from, g1.to]).toEqual(['2026-09-30T16:00:00.000Z', '2026-10-31T16:00:00.000Z']);

      const c1 = await stats(db, f.grids.C1.code);
      expect(c1.total).toMatchObject({ reported: 5, resolved: 4, closed: 2, escalated: 1, resolutionRate: 0.8, escalatedShare: 0.2,
        deadlines: [OK('ASSIGNMENT', 4, 1), OK('FIRST_PROGRESS', 4, 1), OK('RESOLUTION', 3, 2)],
        timeToResolve: { count: 4, averageHours: 263.5, p90Hours: 960, p90Exact: true },
        satisfaction: { rated: 3, satisfied: 2, basicallySatisfied: 1, unsatisfied: 0, averageScore: 8 / 3 } });
      // The dictionary's order; each category's figures on their own (the dispute escalated, reopened, 72 h in the end).
      expect(c1.byCategory.map((c: any) => [c.category.code, c.reported, c.escalated, c.timeToResolve.p90Hours])).toEqual([
        ['DISPUTE_NEIGHBOR', 1, 1, 72], ['SAFETY_HAZARD', 4, 0, 960],
      ]);
      const c2 = await stats(db, f.grids.C2.code);
      expect(c2.total).toMatchObject({ reported: 2, accepted: 1, rejected: 1, resolved: 0, resolutionRate: 0,
        deadlines: [OK('ASSIGNMENT', 0, 1), OK('FIRST_PROGRESS', 0, 0), OK('RESOLUTION', 0, 1)],
        timeToResolve: { count: 0, averageHours: null, p90Hours: null }, satisfaction: { rated: 0, satisfiedRate: null, averageScore: null } });
    });
  });

  it('rolls up exactly: a street is its communities, the district its streets; rates from the sums; the p90 from the histogram', async () => {
    await withTimelines(async (db, f) => {
      const [d, s1, s2, c1, c2, g1, g2] = await Promise.all(['D', 'S1', 'S2', 'C1', 'C2', 'G1', 'G2'].map((k) => stats(db, f.grids[k as Key].code)));
      expect(counts(c1)).toEqual(add(counts(g1), counts(g2)));
      expect(counts(s1)).toEqual(add(counts(c1), counts(c2)));
      expect(counts(d)).toEqual(add(counts(s1), counts(s2)));
      expect(s1.total).toMatchObject({ reported: 7, accepted: 6, rejected: 1, resolved: 4, resolutionRate: 4 / 6,
        deadlines: [OK('ASSIGNMENT', 4, 2), OK('FIRST_PROGRESS', 4, 1), OK('RESOLUTION', 3, 3)] });
      // The street is read from the aggregates: the mean exact, the p90 from 5 % buckets (within 2.5 %).
      expect(s1.total.timeToResolve).toMatchObject({ count: 4, averageHours: 263.5, p90Exact: false });
      expect(Math.abs(s1.total.timeToResolve.p90Hours / 960 - 1)).toBeLessThanOrEqual(0.025);
      expect(d.total).toMatchObject({ reported: 8, resolved: 5, timeToResolve: { count: 5, averageHours: (10 + 960 + 12 + 72 + 4.5) / 5 } });
      expect(d.byCategory.map((c: any) => c.category.code)).toEqual(['DISPUTE_NEIGHBOR', 'FIRE_SAFETY', 'SAFETY_HAZARD']);
      expect(s2.total.satisfaction).toMatchObject({ rated: 1, basicallySatisfied: 1, averageScore: 2 });
      // A window of a month and a half: the whole month from the monthly histogram, the days after it from the daily one.
      const longer = await stats(db, f.grids.S1.code, ADMIN, '2026-09-15T00:00:00+08:00', TO);
      expect(longer.total.timeToResolve).toMatchObject({ count: 5, averageHours: (10 + 960 + 12 + 72 + 36) / 5 });
      expect(longer.total.reported).toBe(8);
      expect(Math.abs(longer.total.timeToResolve.p90Hours / 960 - 1)).toBeLessThanOrEqual(0.025);
      // Ten days inside one month: the days' bucket lists only. A, B, C, H resolved (10, 960, 72, 12 h): rank 4 of 4.
      const days = await stats(db, f.grids.S1.code, ADMIN, '2026-10-10T00:00:00+08:00', '2026-10-20T00:00:00+08:00');
      expect(days.total).toMatchObject({ reported: 5, resolved: 4, rejected: 1 });
      expect(Math.abs(days.total.timeToResolve.p90Hours / 960 - 1)).toBeLessThanOrEqual(0.025);
      const c1days = await stats(db, f.grids.C1.code, ADMIN, '2026-10-10T00:00:00+08:00', '2026-10-20T00:00:00+08:00');
      expect(c1days.byCategory.map((c: any) => [c.category.code, c.timeToResolve.p90Hours])).toEqual([['DISPUTE_NEIGHBOR', 72], ['SAFETY_HAZARD', 960]]);
      // The whole deployment (the unscoped ADMIN's default) holds the fixture's district and whatever else is there.
      const all = ok(await execute(db, `query { incidentStats(from: "${FROM}", to: "${TO}") { total { reported resolved } } }`, {}, { viewer: ADMIN })).incidentStats;
      expect(all.total.reported).toBeGreaterThanOrEqual(d.total.reported);

      // The triggers only append (concurrent reports never wait on a shared row); folding the pending rows into the
      // kept ones (the scheduler's tick) changes no figure.
      const pending = async () => (await db.raw(`SELECT (SELECT count(*) FROM incident_stats_day_pending WHERE scope_id = ?)::int AS n`, [f.grids.D.id])).rows[0].n;
      expect(await pending()).toBeGreaterThan(0);
      expect(await foldStatistics(db)).toBeGreaterThan(0);
      expect(await pending()).toBe(0);
      const [dFolded, s1Folded] = await Promise.all(['D', 'S1'].map((k) => stats(db, f.grids[k as Key].code)));
      expect(dFolded).toEqual(d);
      expect(s1Folded).toEqual(s1);
    });
  });

  it('keeps past figures when boundaries are redrawn: incidents stay with the grids they were reported in', async () => {
    await withTimelines(async (db, f, ids) => {
      const keys: Key[] = ['G1', 'G2', 'C1', 'C2', 'S1', 'D'];
      const before = await Promise.all(keys.map((k) => stats(db, f.grids[k].code)));
      // C1 and G1 give up the strip x ∈ [0.8, 1] to C2: the open incident I at x = 0.9 is C2's to handle now.
      const strip = (x0: number, x1: number, y0: number, y1: number) => ({ type: 'Polygon', coordinates: [[at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1), at(x0, y0)].map((p) => [p.lng, p.lat])] });
      for (const [key, shape] of [['G1', strip(0, 0.8, 0, 1)], ['G2', strip(0, 0.8, 1, 2)], ['C1', strip(0, 0.8, 0, 2)], ['C2', strip(0.8, 2, 0, 2)]] as const) {
        const r = ok(await execute(db, `mutation($input: UpdateGridBoundaryInput!) { updateGridBoundary(input: $input) { __typename } }`,
          { input: { id: toGlobalId('Grid', f.grids[key].id), boundary: shape, expectedVersion: 1, reason: '区划调整' } }, { viewer: ADMIN }));
        expect(r.updateGridBoundary.__typename).toBe('UpdateGridBoundarySuccess');
      }
      const moved = ok(await execute(db, `{ incident(id: "${toGlobalId('Incident', ids.I)}") { grid { code } reportedGrid { code } } }`, {}, { viewer: ADMIN })).incident;
      expect(moved).toEqual({ grid: { code: f.grids.C2.code }, reportedGrid: { code: f.grids.G1.code } });
      const after = await Promise.all(keys.map((k) => stats(db, f.grids[k].code)));
      expect(after).toEqual(before);
    });
  });

  it('counts what the API does, as it happens: a report auto-assigned, handled and resolved today', async () => {
    await withRollback(async (db) => {
      const f = await createIncidentFixture(db);
      const midnight = Math.floor((Date.now() + 8 * HOUR) / (24 * HOUR)) * 24 * HOUR - 8 * HOUR;
      const [from, to] = [new Date(midnight).toISOString(), new Date(midnight + 24 * HOUR).toISOString()];
      const reported = await report(db, f.workers.W2.viewer, 0.5, 0.5);
      const { id } = reported.incident;
      const progress = await incidentMutation(db, 'recordProgress', { id, expectedVersion: 3, note: '已到现场' }, f.workers.W1.viewer);
      expect(progress.__typename).toBe('IncidentSuccess');
      const resolved = await incidentMutation(db, 'resolveIncident', { id, expectedVersion: 4, note: '已清理' }, f.workers.W1.viewer);
      expect(resolved.__typename).toBe('IncidentSuccess');
      for (const key of ['G1', 'S1', 'D'] as const) {
        const s = await stats(db, f.grids[key].code, ADMIN, from, to);
        expect(s.total).toMatchObject({ reported: 1, accepted: 1, resolved: 1, closed: 0, deadlines: [OK('ASSIGNMENT', 1, 0), OK('FIRST_PROGRESS', 1, 0), OK('RESOLUTION', 1, 0)] });
        expect(s.daily).toEqual([{ date: expect.any(String), reported: 1, resolved: 1, closed: 0 }]);
      }
      // 不满意 at the follow-up visit, reopened: resolved no more, its time to resolve taken out of the histogram.
      const centre = f.dispatcher('C1');
      expect((await incidentMutation(db, 'verifyIncident', { id, expectedVersion: 5, satisfaction: 'UNSATISFIED' }, centre)).__typename).toBe('IncidentSuccess');
      expect((await incidentMutation(db, 'reopenIncident', { id, expectedVersion: 6, reason: '居民不满意，重新办理' }, centre)).__typename).toBe('IncidentSuccess');
      for (const key of ['G1', 'S1'] as const) {
        const s = await stats(db, f.grids[key].code, ADMIN, from, to);
        expect(s.total).toMatchObject({ reported: 1, resolved: 0, timeToResolve: { count: 0, p90Hours: null }, satisfaction: { rated: 1, unsatisfied: 1 } });
        expect(s.daily).toEqual([{ date: expect.any(String), reported: 1, resolved: 0, closed: 0 }]);
      }
    });
  });

  it('answers staff and VIEWER within their jurisdiction only, and refuses windows that are not whole days in China', async () => {
    await withTimelines(async (db, f) => {
      const refusal = async (viewer: Viewer, code: string, from = FROM) => {
        const r = await execute(db, `query($code: String!, $from: DateTime!) { grid(code: $code) { incidentStats(from: $from, to: "${TO}") { total { reported } } } }`, { code, from }, { viewer });
        return r.errors?.[0]?.extensions;
      };
      expect((await refusal(ANONYMOUS, f.grids.S1.code))?.code).toBe('FORBIDDEN');
      expect((await refusal(user('GIS_EDITOR'), f.grids.S1.code))?.code).toBe('FORBIDDEN');
      expect((await refusal(f.workers.W4.viewer, f.grids.S1.code))?.code).toBe('FORBIDDEN');
      expect(await refusal(f.workers.W4.viewer, f.grids.G4.code)).toBeUndefined();
      expect(await refusal(ADMIN, f.grids.S1.code, '2026-10-01T00:00:00Z')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
      // A VIEWER of the street: counts only, its own jurisdiction by default.
      const viewer = user('VIEWER', f.grids.S1.code);
      const mine = ok(await execute(db, `query { incidentStats(from: "${FROM}", to: "${TO}") { ${STATS} } }`, {}, { viewer })).incidentStats;
      expect(mine).toEqual(await stats(db, f.grids.S1.code));
      const other = await execute(db, `query { incidentStats(gridCode: "${f.grids.S2.code}", from: "${FROM}", to: "${TO}") { total { reported } } }`, {}, { viewer });
      expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });
  });
});

describe('statistics helpers', () => {
  it('reads the p90 from buckets as the nearest rank, at the bucket’s geometric middle', () => {
    const bucketOf = (seconds: number) => (seconds < 60 ? 0 : 1 + Math.floor(Math.log(seconds / 60) / Math.log(1.05)));
    const hours = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100];
    const p90 = p90FromBuckets(hours.map((h) => ({ bucket: bucketOf(h * 3600), n: 1 })))!;
    expect(Math.abs(p90 / (9 * 3600) - 1)).toBeLessThanOrEqual(0.025);
    expect(p90FromBuckets([])).toBeNull();
    expect(p90FromBuckets([{ bucket: 0, n: 3 }])).toBe(30);
  });

  it('splits a window into whole months and edge days', () => {
    expect(wholeMonths({ fromDay: '2026-10-01', toDay: '2026-11-01' })).toEqual({ from: '2026-10-01', to: '2026-11-01' });
    expect(wholeMonths({ fromDay: '2026-09-15', toDay: '2026-11-20' })).toEqual({ from: '2026-10-01', to: '2026-11-01' });
    expect(wholeMonths({ fromDay: '2026-12-02', toDay: '2027-01-31' })).toBeNull();
    expect(wholeMonths({ fromDay: '2026-12-01', toDay: '2027-02-01' })).toEqual({ from: '2026-12-01', to: '2027-02-01' });
  });
});
