import type { AttentionLevel, PersonTag, TagPersonInput } from '../../generated/graphql';
import { badInput } from '../../errors';
import { msg, said, type Msg } from '../../i18n';
import { decodeCursor, fromGlobalId, UUID } from '../../graphql/relay';
import type { Problems, ProblemRow } from '../../shared/payload';
import { dateIssue, todayInChina } from './checks';
import type { ExpiringKey, OverdueKey, VisitKey } from './group-repo';
import type { PersonRow, PersonTagRow } from './mappers';

/**
 * The pure checks and small calculations of special and care groups (group-service.ts): problems named by
 * field, calendar days in China, the cursors of the groups' lists. Nothing here reads the database.
 */

const DAY_MS = 86_400_000;

/** 特殊人群: each has a follow-up plan and visits. The other tags are care groups (关爱人群). */
export const SPECIAL_TAGS: readonly PersonTag[] = ['COMMUNITY_CORRECTION', 'RELEASED_PRISONER', 'DRUG_REHABILITATION', 'SEVERE_MENTAL_DISORDER', 'KEY_YOUTH'];
export const isSpecialTag = (tag: PersonTag): boolean => SPECIAL_TAGS.includes(tag);

/** Days between visits when the plan gives none, by attention level. */
export const DEFAULT_VISIT_INTERVAL: Readonly<Record<AttentionLevel, number>> = { HIGH: 7, MEDIUM: 30, LOW: 90 };
const INTERVAL = { min: 1, max: 366 };
const MAX_DETAILS = 2000;

/**
 * What `tagPerson` can check without the database: a special group needs its plan (an interval of 1–366
 * days, by default the level's), a care group takes neither plan nor details; details are at most 2000
 * characters; `since` is a day not in the future.
 */
export function checkTagInput(
  input: TagPersonInput,
  today: string,
  problems: Problems,
): { special: boolean; details: string | null | undefined; interval: number | null; workerId: string | null } {
  const special = isSpecialTag(input.tag);
  const details = optionalText(input.details, 'input.details', 'details', MAX_DETAILS, problems);
  let interval: number | null = null;
  let workerId: string | null = null;
  if (special && !input.followUp) {
    problems.add(bad('input.followUp', msg('group.followUpNeeded', { tag: input.tag })));
  } else if (special && input.followUp) {
    interval = input.followUp.visitIntervalDays ?? DEFAULT_VISIT_INTERVAL[input.followUp.attentionLevel];
    if (!Number.isInteger(interval) || interval < INTERVAL.min || interval > INTERVAL.max) {
      problems.add(bad('input.followUp.visitIntervalDays', msg('group.interval', { min: INTERVAL.min, max: INTERVAL.max, got: interval })));
    }
    const given = input.followUp.responsibleWorkerId;
    if (given != null) {
      const parsed = fromGlobalId(given);
      if (parsed?.type === 'GridWorker') workerId = parsed.id;
      else problems.add(bad('input.followUp.responsibleWorkerId', msg('group.workerId', { got: given.slice(0, 100) })));
    }
  } else {
    if (input.followUp) problems.add(bad('input.followUp', msg('group.careNoFollowUp', { tag: input.tag })));
    if (details) problems.add(bad('input.details', msg('group.careNoDetails', { tag: input.tag })));
  }
  if (input.since != null) {
    const issue = dateIssue(input.since, today, '1900-01-01');
    if (issue) problems.add(bad('input.since', msg('group.since', { detail: issue })));
  }
  return { special, details, interval, workerId };
}

/** A BAD_VALUE problem of `field`; a catalogue message answers in the caller's language. */
export function bad(field: string, message: string | Msg): ProblemRow {
  return typeof message === 'string' ? { code: 'BAD_VALUE', field, message } : { code: 'BAD_VALUE', field, ...said(message) };
}

export function alreadyTagged(tag: PersonTag): ProblemRow {
  return bad('input.tag', msg('group.alreadyTagged', { tag }));
}

/** Tagging and visits are for people living here who were not erased. */
export function livingHere(person: PersonRow, problems: Problems): void {
  if (person.erased_at) problems.add(bad('input.personId', msg('group.erased')));
  else if (person.status !== 'LIVING_HERE') {
    problems.add(bad('input.personId', msg('group.notLiving', { status: person.status, since: person.moved_out_on ?? person.deceased_on ?? '' })));
  }
}

/** "COMMUNITY_CORRECTION, DISABLED" (empty for none), for a message naming a person's tags. */
export function tagList(tags: readonly PersonTagRow[]): string {
  return tags.map((t) => t.tag).join(', ');
}

/**
 * Optional free text: trimmed; empty is none (null); longer than `max` or holding control characters other
 * than line breaks and tabs is a problem (undefined).
 */
export function optionalText(value: string | null | undefined, field: string, label: string, max: number, problems: Problems): string | null | undefined {
  if (value == null) return null;
  const text = value.trim();
  if (text === '') return null;
  if ([...text].length > max) {
    problems.add(bad(field, msg('person.field', { label, detail: msg('text.tooLong', { length: [...text].length, max }) })));
    return undefined;
  }
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
    problems.add(bad(field, msg('person.field', { label, detail: msg('text.control') })));
    return undefined;
  }
  return text;
}

/** A calendar day `days` days after `date` (both YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The calendar day in China of an instant. */
export function chinaDate(at: Date): string {
  return todayInChina(at.getTime());
}

/** Midnight in China at the start of a calendar day. */
export function startOfChinaDay(date: string): Date {
  return new Date(`${date}T00:00:00+08:00`);
}

export function visitCursor(after: string): VisitKey {
  const [at, id] = decodeCursor(after, 2);
  if (typeof at !== 'string' || typeof id !== 'string' || !UUID.test(id) || Number.isNaN(Date.parse(at))) {
    throw badInput(msg('people.cursor'), 'after');
  }
  return [at, id];
}

export function overdueCursor(after: string): OverdueKey {
  const [due, id] = decodeCursor(after, 2);
  if (typeof due !== 'string' || typeof id !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(due) || !UUID.test(id)) {
    throw badInput(msg('people.cursor'), 'after');
  }
  return [due, id];
}

export function expiringCursor(after: string): ExpiringKey {
  const [expires, id] = decodeCursor(after, 2);
  if (typeof expires !== 'string' || typeof id !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(expires) || !UUID.test(id)) {
    throw badInput(msg('people.cursor'), 'after');
  }
  return [expires, id];
}
