/** Calendar dates as the registry stores them (`YYYY-MM-DD`), counted in whole days (UTC, no time zone drift). */
const DAY_MS = 86_400_000;

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** A birth date on which someone is exactly `age` (周岁) on `on`: between `age + 1` years less a day and `age` years before. */
export function birthDateForAge(on: string, age: number, dayFraction: number): string {
  const year = Number(on.slice(0, 4)) - age;
  const anniversary = safeDate(year, on.slice(5));
  return addDays(anniversary, -Math.floor(dayFraction * 365));
}

/** `MM-DD` in `year`; 29 February becomes the 28th in a common year. */
function safeDate(year: number, monthDay: string): string {
  const y = String(year).padStart(4, '0');
  if (monthDay === '02-29' && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return `${y}-02-28`;
  return `${y}-${monthDay}`;
}

export function laterDate(a: string, b: string): string {
  return a > b ? a : b;
}
