import type { HandlingLevel, IncidentAction, IncidentStatus, Satisfaction } from '../../src/generated/graphql';
import { transition, type Step } from '../../src/modules/incident/lifecycle';
import type { EventDetail } from '../../src/modules/incident/mappers';
import type { IncidentChanges } from '../../src/modules/incident/timeline';
import type { SeededRandom } from './random';

/**
 * One demo incident's timeline, step by step through the module's own transition table (lifecycle.ts): a step
 * the table does not allow from where the story stands is a bug in the story and throws. Each entry carries the
 * columns it changes (as the step mutations pass them to `recordStep`), so the incident row is the fold of its
 * entries (incident-row.ts). Staff act in working hours (08:00–20:00 in China); the system routes at once.
 */
export interface Actor {
  subject: string;
  role: string | null;
}

export interface StoryEvent {
  seq: number;
  action: IncidentAction;
  from: IncidentStatus | null;
  to: IncidentStatus;
  actor: string;
  actorRole: string | null;
  /** Milliseconds since the epoch. */
  at: number;
  note: string | null;
  detail: EventDetail;
  /** Recorded where the incident is (the report, a worker's progress and resolution on site). */
  onSite: boolean;
  changes: IncidentChanges;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
const CHINA = 8 * HOUR;
const WORK_START_HOUR = 8;
const WORK_END_HOUR = 20;

/** The instant `at`, or the next working-hours instant after it (a few minutes into the morning). */
export function inWorkingHours(at: number, rng: SeededRandom): number {
  const local = at + CHINA;
  const hour = Math.floor((local % DAY) / HOUR);
  if (hour >= WORK_START_HOUR && hour < WORK_END_HOUR) return at;
  const dayStart = local - (local % DAY) + (hour >= WORK_END_HOUR ? DAY : 0);
  return dayStart + WORK_START_HOUR * HOUR + rng.int(90) * MINUTE - CHINA;
}

/** A lognormal delay around `median` ms (`sigma` its spread), at least a minute. */
export function lognormal(rng: SeededRandom, median: number, sigma: number): number {
  const u = Math.max(rng.next(), 1e-9);
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  return Math.max(MINUTE, median * Math.exp(sigma * normal));
}

export const minutes = (n: number) => n * MINUTE;
export const hours = (n: number) => n * HOUR;

/** What a step records besides its action: its note, detail, the columns it changes; `anyTime`: not held to working hours. */
export interface StepEntry {
  note?: string | null;
  detail?: EventDetail;
  changes?: IncidentChanges;
  onSite?: boolean;
  anyTime?: boolean;
}

/** The timeline under construction: its status, who holds it, and the clock of its last entry. */
export class Story {
  readonly events: StoryEvent[] = [];
  status: IncidentStatus | null = null;
  private beforeSuspension: IncidentStatus | null = null;
  level: HandlingLevel = 'GRID';
  centreId: string;
  assigneeId: string | null = null;
  escalations = 0;
  /** The instant of the latest entry. */
  t: number;

  constructor(
    readonly rng: SeededRandom,
    reportedAt: number,
    centreId: string,
  ) {
    this.t = reportedAt;
    this.centreId = centreId;
  }

  /** The first entry: REPORTED, from no status. */
  report(actor: Actor, detail: EventDetail): void {
    this.push('REPORT', null, 'REPORTED', actor, this.t, { detail, onSite: true });
    this.status = 'REPORTED';
  }

  /** A step `delay` ms after the last one (moved into working hours unless `anyTime`), as the table allows it. */
  step(action: Step, actor: Actor, delay: number, entry: StepEntry = {}): StoryEvent {
    const r = transition(action, this.status!, this.beforeSuspension);
    if (!r.ok) throw new Error(`demo incident story: ${action} is not allowed from ${this.status} (allowed: ${r.allowed.join(', ')})`);
    const due = this.t + delay;
    const at = Math.max(entry.anyTime ? due : inWorkingHours(due, this.rng), this.t + 1000);
    const changes = entry.changes ?? {};
    const event = this.push(action, this.status, r.to, actor, at, entry);
    if (action === 'SUSPEND') this.beforeSuspension = this.status;
    if (action === 'RESUME') this.beforeSuspension = null;
    this.status = r.to;
    if (changes.assignee_worker_id !== undefined) this.assigneeId = changes.assignee_worker_id;
    if (changes.level) this.level = changes.level;
    if (changes.centre_grid_id) this.centreId = changes.centre_grid_id;
    if (changes.escalation_count !== undefined) this.escalations = changes.escalation_count;
    return event;
  }

  /** 回访 and 归档: the centre's call-back with the resident's satisfaction, then the archive. */
  verify(actor: Actor, satisfaction: Satisfaction, note: string, delay: number): void {
    this.step('VERIFY', actor, delay, { note, detail: { satisfaction }, changes: { satisfaction } });
  }

  private push(action: IncidentAction, from: IncidentStatus | null, to: IncidentStatus, actor: Actor, at: number, entry: StepEntry): StoryEvent {
    const event: StoryEvent = {
      seq: this.events.length + 1, action, from, to, actor: actor.subject, actorRole: actor.role, at,
      note: entry.note ?? null, detail: entry.detail ?? {}, onSite: entry.onSite ?? false, changes: entry.changes ?? {},
    };
    this.events.push(event);
    this.t = at;
    return event;
  }
}
