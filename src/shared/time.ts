import { english, msg, type Msg } from '../i18n';

/**
 * Instants as RFC 3339 date-times, read strictly: `2026-11-23T08:00:00Z`, `2026-11-23T16:00:00.5+08:00`. No
 * partial forms (`2026`, `1`, a date without a time), no calendar roll-over (`2026-02-30` is refused, not
 * read as 2 March), years 0001–9999 only (what PostgreSQL and every client can represent).
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export const INSTANT_EXAMPLE = '2026-11-23T08:00:00Z';

/** Why a text is not an instant: `issue` the catalogue message, `problem` its English text. */
export interface InstantProblem {
  problem: string;
  issue: Msg;
}

function refused(issue: Msg): InstantProblem {
  return { problem: english(issue), issue };
}

/** The instant, or why the text is not one. */
export function parseInstant(text: string): Date | InstantProblem {
  const m = RFC3339.exec(text);
  if (!m) return refused(msg('time.notRfc3339', { example: INSTANT_EXAMPLE }));
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 1) return refused(msg('time.yearZero'));
  if (month < 1 || month > 12) return refused(msg('time.noMonth', { month: mo }));
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
  if (day < 1 || day > daysInMonth) return refused(msg('time.noDay', { month: `${y}-${mo}`, day: d }));
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return refused(msg('time.noTime', { time: `${h}:${mi}:${s}` }));
  if (!z && (Number(oh) > 23 || Number(om) > 59)) return refused(msg('time.noOffset', { offset: `${sign}${oh}:${om}` }));
  const offsetMinutes = z ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const ms = frac ? Math.floor(Number(frac) * 1000) : 0;
  const utc = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s), ms) - offsetMinutes * 60_000;
  const date = new Date(utc);
  // Date.UTC maps years 0–99 to 1900–1999; set the year explicitly.
  if (year < 100) date.setUTCFullYear(date.getUTCFullYear() - 1900);
  // The offset can carry the first or last day of the range over its edge.
  const utcYear = date.getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) return refused(msg('time.outOfYears', { before: utcYear < 1 ? 1 : 0 }));
  return date;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The calendar date in China (UTC+8, no daylight saving) at `now`: a child born this morning in Beijing has today's date. */
export function todayInChina(now: number = Date.now()): string {
  if (now >= today.from && now < today.until) return today.date;
  const shifted = now + CHINA_OFFSET_MS;
  const start = shifted - (((shifted % DAY_MS) + DAY_MS) % DAY_MS) - CHINA_OFFSET_MS;
  today = { from: start, until: start + DAY_MS, date: chinaDateOf(now) };
  return today.date;
}

/** The calendar date in China at the instant `at` (epoch ms), uncached (todayInChina keeps the current one). */
export function chinaDateOf(at: number): string {
  return new Date(at + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

export const CHINA_OFFSET_MS = 8 * 3_600_000;
export const DAY_MS = 86_400_000;
/** The last day asked for and the instants it spans (an import asks once a row). */
let today = { from: 0, until: 0, date: '' };

/** Whether year-month-day is a day of the calendar (no roll-over: 2026-02-30 is not), years 1–9999. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day) || year < 1 || year > 9999) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const days = month === 2 ? (isLeap(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}
