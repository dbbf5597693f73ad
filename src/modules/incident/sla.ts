import type { IncidentAction, SlaDeadlineKind, SlaReasonCode, SlaStatus } from '../../generated/graphql';

/**
 * The "13710" deadlines of an incident, derived from its timeline at any instant (no job has to run): pure, with
 * the instant passed in, so tests and `Incident.sla(at:)` control the clock.
 *
 * - ASSIGNMENT: from the report, met by the first assignment.
 * - FIRST_PROGRESS: from each assignment (and each reopening of an assigned case), met by the assignee's first
 *   progress or resolution; stopped without being met by an escalation, a transfer, a rejection, a merge.
 * - RESOLUTION: from the report and from each reopening, met by the resolution.
 * Suspended time does not count: a suspension moves every running deadline on by its length, and a deadline
 * that had not fallen due when the case was suspended has no due instant until it is resumed. A missed deadline
 * stays missed (the record of a case does not improve later). ASSIGNMENT and FIRST_PROGRESS missed make a case
 * ORANGE, RESOLUTION missed RED. China keeps no daylight saving, so hours and days are fixed lengths of time.
 */
export interface SlaEvent {
  action: IncidentAction;
  at: Date;
}

export interface SlaMinutes {
  assign: number;
  firstProgress: number;
  resolve: number;
}

export interface DeadlinePeriod {
  kind: SlaDeadlineKind;
  startedAt: Date;
  dueAt: Date | null;
  metAt: Date | null;
  stoppedAt: Date | null;
  breachedAt: Date | null;
}

export interface SlaReason {
  code: SlaReasonCode;
  label: string;
  breachedAt: Date;
}

export interface Sla {
  status: SlaStatus;
  dueAt: Date | null;
  breachedAt: Date | null;
  reasons: SlaReason[];
  paused: boolean;
  deadlines: DeadlinePeriod[];
}

const REASON: Record<SlaDeadlineKind, { code: SlaReasonCode; label: string; status: SlaStatus }> = {
  ASSIGNMENT: { code: 'ASSIGNMENT_LATE', label: '未按时分配', status: 'ORANGE' },
  FIRST_PROGRESS: { code: 'HANDLING_LATE', label: '未按时处理', status: 'ORANGE' },
  RESOLUTION: { code: 'RESOLUTION_OVERDUE', label: '超过办结期限', status: 'RED' },
};

const MINUTE = 60_000;

interface Pause {
  start: number;
  end: number | null;
}

interface Open {
  kind: SlaDeadlineKind;
  start: number;
  met: number | null;
  stopped: number | null;
}

/** The deadline periods the timeline opened, met and stopped, up to `now` (later entries ignored). */
function periodsOf(events: readonly SlaEvent[], now: number): { periods: Open[]; pauses: Pause[] } {
  const periods: Open[] = [];
  const pauses: Pause[] = [];
  let assigned = false;
  const running = (kind: SlaDeadlineKind) => periods.find((p) => p.kind === kind && p.met === null && p.stopped === null);
  const meet = (kind: SlaDeadlineKind, at: number) => {
    const p = running(kind);
    if (p) p.met = at;
  };
  const stop = (kind: SlaDeadlineKind, at: number) => {
    const p = running(kind);
    if (p) p.stopped = at;
  };
  const open = (kind: SlaDeadlineKind, at: number) => {
    stop(kind, at);
    periods.push({ kind, start: at, met: null, stopped: null });
  };
  for (const e of events) {
    const at = e.at.getTime();
    if (at > now) break;
    switch (e.action) {
      case 'REPORT':
        open('ASSIGNMENT', at);
        open('RESOLUTION', at);
        break;
      case 'ASSIGN':
        meet('ASSIGNMENT', at);
        open('FIRST_PROGRESS', at);
        assigned = true;
        break;
      case 'RECORD_PROGRESS':
        meet('FIRST_PROGRESS', at);
        break;
      case 'RESOLVE':
        meet('FIRST_PROGRESS', at);
        meet('RESOLUTION', at);
        break;
      case 'REOPEN':
        open('RESOLUTION', at);
        if (assigned) open('FIRST_PROGRESS', at);
        break;
      case 'ESCALATE':
      case 'TRANSFER':
        stop('FIRST_PROGRESS', at);
        assigned = false;
        break;
      case 'REJECT':
      case 'MERGE':
      case 'CLOSE': {
        for (const kind of ['ASSIGNMENT', 'FIRST_PROGRESS', 'RESOLUTION'] as const) stop(kind, at);
        // A case merged while suspended is paused no more: it is over.
        const last = pauses[pauses.length - 1];
        if (last && last.end === null) last.end = at;
        break;
      }
      case 'SUSPEND':
        pauses.push({ start: at, end: null });
        break;
      case 'RESUME': {
        const last = pauses[pauses.length - 1];
        if (last && last.end === null) last.end = at;
        break;
      }
      default:
        break;
    }
  }
  return { periods, pauses };
}

/**
 * The instant a deadline of `minutes` started at `start` falls due, moved on by the pauses after its start; null
 * when a pause still under way began before it fell due (the clock is stopped).
 */
function dueInstant(start: number, minutes: number, pauses: readonly Pause[]): number | null {
  let due = start + minutes * MINUTE;
  for (const p of pauses) {
    const from = Math.max(p.start, start);
    if (from >= due) break;
    if (p.end === null) return null;
    if (p.end > from) due += p.end - from;
  }
  return due;
}

/** The incident's deadlines and colour at `now`, from its timeline (entries in order) and its deadlines' lengths. */
export function slaAt(events: readonly SlaEvent[], minutes: SlaMinutes, now: Date): Sla {
  const t = now.getTime();
  const { periods, pauses } = periodsOf(events, t);
  const length: Record<SlaDeadlineKind, number> = { ASSIGNMENT: minutes.assign, FIRST_PROGRESS: minutes.firstProgress, RESOLUTION: minutes.resolve };
  const deadlines: DeadlinePeriod[] = periods.map((p) => {
    const due = dueInstant(p.start, length[p.kind], pauses);
    const end = p.met ?? p.stopped ?? t;
    const date = (ms: number | null) => (ms === null ? null : new Date(ms));
    return { kind: p.kind, startedAt: new Date(p.start), dueAt: date(due), metAt: date(p.met), stoppedAt: date(p.stopped), breachedAt: due !== null && due < end ? new Date(due) : null };
  });
  const reasons: SlaReason[] = [];
  for (const kind of ['ASSIGNMENT', 'FIRST_PROGRESS', 'RESOLUTION'] as const) {
    const first = earliest(deadlines.filter((d) => d.kind === kind).map((d) => d.breachedAt));
    if (first) reasons.push({ code: REASON[kind].code, label: REASON[kind].label, breachedAt: first });
  }
  const red = reasons.filter((r) => r.code === 'RESOLUTION_OVERDUE');
  const status: SlaStatus = red.length ? 'RED' : reasons.length ? 'ORANGE' : 'GREEN';
  const running = deadlines.filter((d) => d.metAt === null && d.stoppedAt === null);
  return {
    status,
    dueAt: earliest(running.map((d) => d.dueAt)),
    breachedAt: earliest((red.length ? red : reasons).map((r) => r.breachedAt)),
    reasons,
    paused: pauses.some((p) => p.end === null),
    deadlines,
  };
}

/**
 * What the incident row keeps so lists can filter by colour in SQL (`slaStatusSql`), evaluated at its latest
 * timeline entry: the due instants of the deadlines still running (null while suspended: their clocks are
 * stopped), and the first ORANGE and RED breaches so far. Later, with no entry written, a running deadline turns
 * its colour exactly when its due instant passes, which is what the SQL compares.
 */
export interface SlaColumns {
  assignDueAt: Date | null;
  progressDueAt: Date | null;
  resolveDueAt: Date | null;
  orangeAt: Date | null;
  redAt: Date | null;
}

export function slaColumns(events: readonly SlaEvent[], minutes: SlaMinutes): SlaColumns {
  const last = events[events.length - 1];
  const sla = slaAt(events, minutes, last.at);
  const runningDue = (kind: SlaDeadlineKind) => sla.deadlines.find((d) => d.kind === kind && d.metAt === null && d.stoppedAt === null)?.dueAt ?? null;
  return {
    assignDueAt: sla.paused ? null : runningDue('ASSIGNMENT'),
    progressDueAt: sla.paused ? null : runningDue('FIRST_PROGRESS'),
    resolveDueAt: sla.paused ? null : runningDue('RESOLUTION'),
    orangeAt: earliest(sla.reasons.filter((r) => r.code !== 'RESOLUTION_OVERDUE').map((r) => r.breachedAt)),
    redAt: earliest(sla.reasons.filter((r) => r.code === 'RESOLUTION_OVERDUE').map((r) => r.breachedAt)),
  };
}

/**
 * The colour now in SQL, from the columns `slaColumns` keeps (alias `i` unless told): the same answer as `slaAt`
 * at any instant after the latest entry (a test holds the two together).
 */
export const slaStatusSql = (now: string, i = 'i') => `CASE
    WHEN ${i}.sla_red_at IS NOT NULL OR ${i}.sla_resolve_due_at < ${now} THEN 'RED'
    WHEN ${i}.sla_orange_at IS NOT NULL OR ${i}.sla_assign_due_at < ${now} OR ${i}.sla_progress_due_at < ${now} THEN 'ORANGE'
    ELSE 'GREEN' END`;

function earliest(dates: readonly (Date | null)[]): Date | null {
  let min: Date | null = null;
  for (const d of dates) if (d && (!min || d < min)) min = d;
  return min;
}

