import type { IncidentAction } from '../src/generated/graphql';
import { slaAt, slaColumns, slaStatusSql, type SlaEvent, type SlaMinutes } from '../src/modules/incident/sla';
import { closeTestDb, testDb } from './support/db';

/**
 * The 13710 deadlines at fixed instants, with the clock passed in: defaults of 24 h to assign, 24 h to the first
 * progress, 30 days to resolve; pauses, a reopen, a change of category, a case created already suspended.
 */
const T0 = Date.parse('2026-12-01T00:00:00Z');
const H = 3_600_000;
const D = 24 * H;
const at = (ms: number) => new Date(T0 + ms);
const DEFAULTS: SlaMinutes = { assign: 24 * 60, firstProgress: 24 * 60, resolve: 30 * 24 * 60 };

function timeline(...steps: [IncidentAction, number][]): SlaEvent[] {
  return [{ action: 'REPORT', at: at(0) }, ...steps.map(([action, ms]) => ({ action, at: at(ms) }))];
}

const codes = (events: SlaEvent[], ms: number, minutes = DEFAULTS) => slaAt(events, minutes, at(ms)).reasons.map((r) => r.code);

afterAll(closeTestDb);

describe('slaAt', () => {
  it('turns ORANGE 未按时分配 the moment the assignment deadline passes, and stays so after a late assignment', () => {
    const reported = timeline();
    expect(slaAt(reported, DEFAULTS, at(23 * H))).toMatchObject({ status: 'GREEN', dueAt: at(24 * H), breachedAt: null, reasons: [] });
    expect(slaAt(reported, DEFAULTS, at(24 * H)).status).toBe('GREEN');
    expect(slaAt(reported, DEFAULTS, at(24 * H + 1))).toMatchObject({
      status: 'ORANGE',
      breachedAt: at(24 * H),
      reasons: [{ code: 'ASSIGNMENT_LATE', label: '未按时分配', breachedAt: at(24 * H) }],
    });
    const late = timeline(['ACCEPT', 25 * H], ['ASSIGN', 26 * H], ['RECORD_PROGRESS', 27 * H]);
    expect(codes(late, 28 * H)).toEqual(['ASSIGNMENT_LATE']);
  });

  it('counts the first progress from the assignment (未按时处理), and again from a reassignment', () => {
    const assigned = timeline(['ACCEPT', 1 * H], ['ASSIGN', 2 * H]);
    expect(slaAt(assigned, DEFAULTS, at(25 * H))).toMatchObject({ status: 'GREEN', dueAt: at(26 * H) });
    expect(slaAt(assigned, DEFAULTS, at(26 * H + 1))).toMatchObject({ status: 'ORANGE', reasons: [{ code: 'HANDLING_LATE', breachedAt: at(26 * H) }] });
    // Progress in time, then a reassignment: the new assignee gets their own 24 h.
    const reassigned = timeline(['ACCEPT', 1 * H], ['ASSIGN', 2 * H], ['RECORD_PROGRESS', 3 * H], ['ASSIGN', 10 * H]);
    expect(slaAt(reassigned, DEFAULTS, at(33 * H))).toMatchObject({ status: 'GREEN', dueAt: at(34 * H) });
    expect(codes(reassigned, 35 * H)).toEqual(['HANDLING_LATE']);
  });

  it('goes RED 超过办结期限 30 days after the report, and RED outranks ORANGE', () => {
    const slow = timeline(['ACCEPT', 1 * H], ['ASSIGN', 30 * H], ['RECORD_PROGRESS', 31 * H]);
    expect(slaAt(slow, DEFAULTS, at(30 * D - 1))).toMatchObject({ status: 'ORANGE', dueAt: at(30 * D) });
    expect(slaAt(slow, DEFAULTS, at(30 * D + 1))).toMatchObject({
      status: 'RED',
      breachedAt: at(30 * D),
      reasons: [{ code: 'ASSIGNMENT_LATE' }, { code: 'RESOLUTION_OVERDUE', label: '超过办结期限', breachedAt: at(30 * D) }],
    });
    const resolved = timeline(['ACCEPT', 1 * H], ['ASSIGN', 2 * H], ['RECORD_PROGRESS', 3 * H], ['RESOLVE', 29 * D]);
    expect(slaAt(resolved, DEFAULTS, at(60 * D))).toMatchObject({ status: 'GREEN', dueAt: null, reasons: [] });
  });

  it('does not count suspended time: the deadlines move on by the pause', () => {
    const paused = timeline(['SUSPEND', 10 * H], ['RESUME', 20 * H]);
    expect(slaAt(paused, DEFAULTS, at(15 * H))).toMatchObject({ status: 'GREEN', paused: true, dueAt: null });
    expect(slaAt(paused, DEFAULTS, at(33 * H))).toMatchObject({ status: 'GREEN', paused: false, dueAt: at(34 * H) });
    expect(slaAt(paused, DEFAULTS, at(35 * H))).toMatchObject({ status: 'ORANGE', breachedAt: at(34 * H) });
    // Suspended for ever: nothing falls due.
    expect(slaAt(timeline(['SUSPEND', 10 * H]), DEFAULTS, at(400 * D))).toMatchObject({ status: 'GREEN', paused: true, reasons: [] });
    // A deadline missed before the pause stays missed during it.
    expect(slaAt(timeline(['SUSPEND', 30 * H]), DEFAULTS, at(40 * H))).toMatchObject({ status: 'ORANGE', paused: true, breachedAt: at(24 * H) });
    // Two pauses add up; the resolution deadline moves by both.
    const twice = timeline(['ACCEPT', 1 * H], ['ASSIGN', 2 * H], ['RECORD_PROGRESS', 3 * H], ['SUSPEND', 1 * D], ['RESUME', 3 * D], ['SUSPEND', 10 * D], ['RESUME', 15 * D]);
    expect(slaAt(twice, DEFAULTS, at(36 * D))).toMatchObject({ status: 'GREEN', dueAt: at(37 * D) });
    expect(slaAt(twice, DEFAULTS, at(37 * D + 1)).status).toBe('RED');
  });

  it('starts a case created already suspended with its clocks stopped', () => {
    const suspended = timeline(['SUSPEND', 0]);
    expect(slaAt(suspended, DEFAULTS, at(1000 * H))).toMatchObject({ status: 'GREEN', paused: true, dueAt: null, reasons: [] });
    const resumed = timeline(['SUSPEND', 0], ['RESUME', 1000 * H]);
    expect(slaAt(resumed, DEFAULTS, at(1000 * H))).toMatchObject({ status: 'GREEN', dueAt: at(1024 * H) });
    expect(slaAt(resumed, DEFAULTS, at(1024 * H + 1))).toMatchObject({ status: 'ORANGE', breachedAt: at(1024 * H) });
  });

  it('gives a reopened case new handling and resolution deadlines, and keeps what was missed before', () => {
    const reopened = timeline(['ACCEPT', 1 * H], ['ASSIGN', 2 * H], ['RECORD_PROGRESS', 3 * H], ['RESOLVE', 10 * D], ['VERIFY', 11 * D], ['REOPEN', 20 * D]);
    // The assignee must act again within 24 h of the reopening; the case has 30 days from it to be resolved.
    expect(slaAt(reopened, DEFAULTS, at(20 * D + 23 * H))).toMatchObject({ status: 'GREEN', dueAt: at(21 * D) });
    expect(slaAt(reopened, DEFAULTS, at(21 * D + 1))).toMatchObject({ status: 'ORANGE', reasons: [{ code: 'HANDLING_LATE', breachedAt: at(21 * D) }] });
    const handled = [...reopened, { action: 'RECORD_PROGRESS' as const, at: at(20 * D + 1 * H) }];
    expect(slaAt(handled, DEFAULTS, at(49 * D))).toMatchObject({ status: 'GREEN', dueAt: at(50 * D) });
    expect(slaAt(handled, DEFAULTS, at(50 * D + 1)).status).toBe('RED');
    // Late the first time round: still late after the reopening.
    const lateThenReopened = timeline(['ACCEPT', 1 * H], ['ASSIGN', 2 * H], ['RECORD_PROGRESS', 3 * H], ['RESOLVE', 31 * D], ['REOPEN', 32 * D], ['RECORD_PROGRESS', 32 * D + H]);
    expect(slaAt(lateThenReopened, DEFAULTS, at(33 * D))).toMatchObject({ status: 'RED', breachedAt: at(30 * D) });
  });

  it('applies the deadlines of the category the case has now (a change of category)', () => {
    const events = timeline(['RECATEGORIZE', 20 * H]);
    expect(slaAt(events, DEFAULTS, at(22 * H)).status).toBe('GREEN');
    // The new category gives 12 hours to assign: the case was late from hour 12 on.
    const urgent = { ...DEFAULTS, assign: 12 * 60 };
    expect(slaAt(events, urgent, at(22 * H))).toMatchObject({ status: 'ORANGE', breachedAt: at(12 * H) });
    expect(slaAt(events, { ...DEFAULTS, assign: 48 * 60 }, at(30 * H))).toMatchObject({ status: 'GREEN', dueAt: at(48 * H) });
  });

  it('stops the handling clock when the case leaves the assignee, and every clock when it ends', () => {
    const escalated = timeline(['ACCEPT', 1 * H], ['ASSIGN', 2 * H], ['ESCALATE', 5 * H]);
    expect(slaAt(escalated, DEFAULTS, at(100 * H))).toMatchObject({ status: 'GREEN', dueAt: at(30 * D) });
    const reassigned = [...escalated, { action: 'ASSIGN' as const, at: at(100 * H) }];
    expect(slaAt(reassigned, DEFAULTS, at(125 * H)).reasons.map((r) => r.code)).toEqual(['HANDLING_LATE']);
    const rejected = timeline(['REJECT', 2 * H]);
    expect(slaAt(rejected, DEFAULTS, at(100 * D))).toMatchObject({ status: 'GREEN', dueAt: null });
    const mergedWhileSuspended = timeline(['SUSPEND', 1 * H], ['MERGE', 2 * H]);
    expect(slaAt(mergedWhileSuspended, DEFAULTS, at(100 * D))).toMatchObject({ status: 'GREEN', paused: false, dueAt: null });
  });

  it('ignores entries after the instant asked about', () => {
    const events = timeline(['ACCEPT', 1 * H], ['ASSIGN', 30 * H]);
    expect(slaAt(events, DEFAULTS, at(2 * H))).toMatchObject({ status: 'GREEN', dueAt: at(24 * H) });
  });
});

describe('the colour in SQL', () => {
  // Timelines and instants after their last entry: the SQL over the columns slaColumns keeps must give what
  // slaAt gives, in PostgreSQL itself.
  const cases: [string, SlaEvent[], SlaMinutes][] = [
    ['fresh', timeline(), DEFAULTS],
    ['assigned', timeline(['ACCEPT', 1 * H], ['ASSIGN', 2 * H]), DEFAULTS],
    ['in progress', timeline(['ACCEPT', 1 * H], ['ASSIGN', 2 * H], ['RECORD_PROGRESS', 3 * H]), DEFAULTS],
    ['late assignment', timeline(['ACCEPT', 30 * H], ['ASSIGN', 30 * H]), DEFAULTS],
    ['suspended', timeline(['SUSPEND', 10 * H]), DEFAULTS],
    ['suspended late', timeline(['SUSPEND', 30 * H]), DEFAULTS],
    ['resumed', timeline(['SUSPEND', 10 * H], ['RESUME', 20 * H]), DEFAULTS],
    ['reopened', timeline(['ACCEPT', 1 * H], ['ASSIGN', 2 * H], ['RESOLVE', 3 * D], ['REOPEN', 5 * D]), DEFAULTS],
    ['short category', timeline(['RECATEGORIZE', 1 * H]), { assign: 90, firstProgress: 60, resolve: 600 }],
    ['resolved', timeline(['ACCEPT', 1 * H], ['ASSIGN', 2 * H], ['RESOLVE', 3 * H]), DEFAULTS],
  ];
  const offsets = [0, 1 * H, 23 * H, 25 * H, 3 * D, 29 * D, 31 * D, 90 * D];

  it('agrees with slaAt at every instant after the latest entry', async () => {
    const rows = cases.flatMap(([name, events, minutes]) => {
      const last = events[events.length - 1].at.getTime();
      const c = slaColumns(events, minutes);
      return offsets.map((o) => ({ name: `${name} +${o / H} h`, now: new Date(last + o), expected: slaAt(events, minutes, new Date(last + o)).status, ...c }));
    });
    const { rows: got } = await testDb().raw(
      `SELECT r.name, ${slaStatusSql('r.now')} AS status FROM json_to_recordset(?::json) AS r(name text, now timestamptz,
         "assignDueAt" timestamptz, "progressDueAt" timestamptz, "resolveDueAt" timestamptz, "orangeAt" timestamptz, "redAt" timestamptz)
       CROSS JOIN LATERAL (SELECT r."assignDueAt" AS sla_assign_due_at, r."progressDueAt" AS sla_progress_due_at, r."resolveDueAt" AS sla_resolve_due_at,
         r."orangeAt" AS sla_orange_at, r."redAt" AS sla_red_at) i`,
      [JSON.stringify(rows)],
    );
    expect(Object.fromEntries(got.map((r: { name: string; status: string }) => [r.name, r.status]))).toEqual(
      Object.fromEntries(rows.map((r) => [r.name, r.expected])),
    );
    expect(new Set(rows.map((r) => r.expected))).toEqual(new Set(['GREEN', 'ORANGE', 'RED']));
  });
});
