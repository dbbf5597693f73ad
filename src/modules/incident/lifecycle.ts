import type { IncidentAction, IncidentStatus } from '../../generated/graphql';
import { english, joined, msg, type Msg } from '../../i18n';

/**
 * The incident lifecycle as one transition table (登记 → 受理 → 分派 → 办理 → 办结 → 回访 → 归档, with its side
 * paths). Pure: no database, no policy. Each mutation asks `transition(action, from)`; whatever it answers is
 * written as one timeline entry (`to` equal to `from` for the records that change no status).
 */

/** Statuses an incident never leaves. */
export const FINAL_STATUSES: readonly IncidentStatus[] = ['CLOSED', 'REJECTED', 'MERGED'];

/** Open: not final (re-resolved after grid edits, a candidate duplicate, merge target). */
export const isOpen = (status: IncidentStatus): boolean => !FINAL_STATUSES.includes(status);

/** Waiting for a dispatcher of the owning centre (its queue). */
export const AWAITING_DISPATCH: readonly IncidentStatus[] = ['REPORTED', 'ACCEPTED', 'ESCALATED'];

/** Where a step leads: a status, the same status (a record), or back to where the suspension found it. */
type Target = IncidentStatus | 'SAME' | 'BEFORE_SUSPENSION';

/** Being worked on: somebody (a worker, a centre, a department) has it in hand. */
const HANDLING: readonly IncidentStatus[] = ['ACCEPTED', 'ASSIGNED', 'IN_PROGRESS', 'ESCALATED', 'TRANSFERRED', 'REOPENED'];
const NOT_FINAL: readonly IncidentStatus[] = ['REPORTED', ...HANDLING, 'SUSPENDED', 'RESOLVED', 'VERIFIED'];

/** REPORT creates the incident (from no status) and is not in the table. */
export type Step = Exclude<IncidentAction, 'REPORT'>;

export const TRANSITIONS: Readonly<Record<Step, { from: readonly IncidentStatus[]; to: Target }>> = {
  ACCEPT: { from: ['REPORTED'], to: 'ACCEPTED' },
  // Assigning again from ASSIGNED or IN_PROGRESS is a reassignment (改派); after an escalation the level above
  // assigns; a department can send a transferred case back.
  ASSIGN: { from: ['ACCEPTED', 'ASSIGNED', 'IN_PROGRESS', 'ESCALATED', 'TRANSFERRED', 'REOPENED'], to: 'ASSIGNED' },
  RECORD_PROGRESS: { from: ['ASSIGNED', 'IN_PROGRESS', 'REOPENED'], to: 'IN_PROGRESS' },
  // A centre may resolve an escalated case itself; a department's result is recorded on a transferred one.
  RESOLVE: { from: ['ASSIGNED', 'IN_PROGRESS', 'ESCALATED', 'TRANSFERRED'], to: 'RESOLVED' },
  VERIFY: { from: ['RESOLVED'], to: 'VERIFIED' },
  CLOSE: { from: ['VERIFIED'], to: 'CLOSED' },
  REJECT: { from: ['REPORTED', 'ACCEPTED'], to: 'REJECTED' },
  ESCALATE: { from: ['ACCEPTED', 'ASSIGNED', 'IN_PROGRESS', 'ESCALATED', 'REOPENED'], to: 'ESCALATED' },
  TRANSFER: { from: ['ACCEPTED', 'ASSIGNED', 'IN_PROGRESS', 'ESCALATED', 'REOPENED'], to: 'TRANSFERRED' },
  // A case can be suspended the moment it is reported (a report that cannot be acted on yet).
  SUSPEND: { from: ['REPORTED', ...HANDLING], to: 'SUSPENDED' },
  RESUME: { from: ['SUSPENDED'], to: 'BEFORE_SUSPENSION' },
  REOPEN: { from: ['RESOLVED', 'VERIFIED'], to: 'REOPENED' },
  MERGE: { from: ['REPORTED', ...HANDLING, 'SUSPENDED'], to: 'MERGED' },
  RECATEGORIZE: { from: NOT_FINAL, to: 'SAME' },
  MEDIATION_SESSION: { from: HANDLING, to: 'SAME' },
  MEDIATION_OUTCOME: { from: HANDLING, to: 'SAME' },
};

export const STEPS = Object.keys(TRANSITIONS) as Step[];

/** The mutation that takes each step, for messages ("allowed: assignIncident, escalateIncident"). */
export const MUTATION_OF: Readonly<Record<Step, string>> = {
  ACCEPT: 'acceptIncident',
  ASSIGN: 'assignIncident',
  RECORD_PROGRESS: 'recordProgress',
  RESOLVE: 'resolveIncident',
  VERIFY: 'verifyIncident',
  CLOSE: 'closeIncident',
  REJECT: 'rejectIncident',
  ESCALATE: 'escalateIncident',
  TRANSFER: 'transferIncident',
  SUSPEND: 'suspendIncident',
  RESUME: 'resumeIncident',
  REOPEN: 'reopenIncident',
  MERGE: 'mergeIncident',
  RECATEGORIZE: 'recategorizeIncident',
  MEDIATION_SESSION: 'recordMediationSession',
  MEDIATION_OUTCOME: 'recordMediationOutcome',
};

/** The steps the table allows from a status, in table order. */
export function allowedSteps(from: IncidentStatus): Step[] {
  return STEPS.filter((step) => TRANSITIONS[step].from.includes(from));
}

export type Transition = { ok: true; to: IncidentStatus } | { ok: false; allowed: Step[] };

/**
 * Where `step` leads from `from`, or the steps allowed instead. `beforeSuspension` is the status a SUSPENDED
 * incident had when it was suspended (what RESUME returns to).
 */
export function transition(step: Step, from: IncidentStatus, beforeSuspension: IncidentStatus | null = null): Transition {
  const rule = TRANSITIONS[step];
  if (!rule.from.includes(from)) return { ok: false, allowed: allowedSteps(from) };
  if (rule.to === 'SAME') return { ok: true, to: from };
  if (rule.to === 'BEFORE_SUSPENSION') {
    if (!beforeSuspension) throw new Error('a suspended incident without the status it was suspended in');
    return { ok: true, to: beforeSuspension };
  }
  return { ok: true, to: rule.to };
}

/** "cannot assign an incident that is CLOSED (allowed: none; it is final)", for a ValidationError. */
export function refusalMessage(step: Step, from: IncidentStatus, allowed: readonly Step[]): string {
  return english(refusalIssue(step, from, allowed));
}

/** `refusalMessage` as a catalogue message (ILLEGAL_TRANSITION in the caller's language). */
export function refusalIssue(step: Step, from: IncidentStatus, allowed: readonly Step[]): Msg {
  return msg('incident.illegal', { mutation: MUTATION_OF[step], from, allowed: joined(allowed.map((s) => MUTATION_OF[s]), msg('list.comma')) });
}
