import { english, msg, type Msg } from '../../i18n';
import { isCalendarDate, parseInstant, todayInChina } from '../../shared/time';

/**
 * 公民身份号码 — the citizen identity number of GB 11643-1999: a 6-digit region code (where the number was first
 * issued), the birth date as YYYYMMDD, a 3-digit sequence whose last digit is odd for men and even for women,
 * and a check character by ISO 7064 MOD 11-2 (10 written as X). Numbers issued before 1999 had 15 digits: no
 * century in the date and no check character. Residence permits of Hong Kong, Macao and Taiwan residents
 * (港澳台居民居住证) carry numbers of the same format with regions 810000, 820000 and 830000.
 *
 * Region codes are deliberately not looked up: a number keeps the code of the county where it was issued even
 * after that county is merged or renamed, so only the province part is checked for plausibility.
 */
export type Gender = 'MALE' | 'FEMALE';

export interface IdNumber {
  /** The normalised 18-character number, X upper-case. */
  value: string;
  /** YYYY-MM-DD, characters 7–14. */
  birthDate: string;
  /** From the parity of the 17th digit (odd: male). */
  gender: Gender;
  /** The first 6 digits. */
  region: string;
  /** The 15-digit number as given, when it was upgraded to 18. */
  upgradedFrom15?: string;
}

/** A refused number: `issues` the catalogue messages, `problems` their English text. */
export type IdNumberCheck = ({ ok: true } & IdNumber) | { ok: false; problems: string[]; issues: Msg[] };

export interface IdNumberExpectations {
  /** YYYY-MM-DD: the birth date recorded beside the number, which characters 7–14 must match. */
  birthDate?: string;
  gender?: Gender;
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const PROVINCE = /^(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3])$/;
const PROVINCE_RANGES = '11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81–83';
const EARLIEST_BIRTH_DATE = '1900-01-01';

/** The check character of the first 17 digits: (12 − Σ dᵢ·wᵢ mod 11) mod 11, with 10 written as X. */
export function idNumberCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  const check = (12 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

/**
 * Checks a number as a clerk types it or a spreadsheet holds it: surrounding spaces, a lowercase x and full-width
 * characters (０-９, Ｘ, typed with a Chinese input method) are forgiven and normalised, a 15-digit number is
 * upgraded; everything else wrong is listed, each problem saying which characters are at fault.
 */
export function checkIdNumber(input: string, expect: IdNumberExpectations = {}): IdNumberCheck {
  const text = normalise(input);
  const shape = shapeProblems(text);
  if (shape.length > 0) return refused(shape);

  const legacy = text.length === 15;
  const first17 = legacy ? `${text.slice(0, 6)}19${text.slice(6)}` : text.slice(0, 17);
  const value = first17 + (legacy ? idNumberCheckCharacter(first17) : text[17]);
  const birthDate = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  const gender: Gender = Number(value[16]) % 2 === 1 ? 'MALE' : 'FEMALE';

  const problems: Msg[] = [];
  const province = value.slice(0, 2);
  if (!PROVINCE.test(province)) problems.push(msg('id.province', { province, ranges: PROVINCE_RANGES }));
  const dateProblem = birthDateProblem(birthDate, { legacy: legacy ? 1 : 0, digits: legacy ? text.slice(6, 12) : value.slice(6, 14) });
  if (dateProblem) problems.push(dateProblem);
  else if (expect.birthDate !== undefined && expect.birthDate !== birthDate) problems.push(msg('id.birthMismatch', { date: birthDate, expected: expect.birthDate }));
  if (expect.gender !== undefined && expect.gender !== gender) {
    problems.push(msg('id.genderMismatch', { legacy: legacy ? 1 : 0, male: gender === 'MALE' ? 1 : 0, gender: expect.gender }));
  }
  if (!legacy) {
    const expected = idNumberCheckCharacter(first17);
    if (text[17] !== expected) problems.push(msg('id.checkCharacter', { expected, got: text[17] }));
  }
  if (problems.length > 0) return refused(problems);
  return { ok: true, value, birthDate, gender, region: value.slice(0, 6), ...(legacy ? { upgradedFrom15: text } : {}) };
}

function refused(issues: Msg[]): IdNumberCheck {
  return { ok: false, problems: issues.map(english), issues };
}

/** Surrounding spaces trimmed (full-width ones too), full-width digits and X made ASCII, x upper-cased. */
function normalise(input: string): string {
  return input
    .trim()
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[xｘＸ]/g, 'X');
}

/** The shape nearly every number has (the import checks a million): 17 digits and a digit or X, or 15 digits. */
const WELL_SHAPED = /^(?:\d{17}[\dX]|\d{15})$/;

/** What keeps the text from being read as a number at all: emptiness, stray characters, the wrong length. */
function shapeProblems(text: string): Msg[] {
  if (WELL_SHAPED.test(text)) return [];
  const characters = Array.from(text);
  if (characters.length === 0) return [msg('id.empty')];
  const legacy = characters.length === 15;
  const stray = characters
    .map((c, i) => ({ c, position: i + 1 }))
    .filter(({ c, position }) => !/[0-9]/.test(c) && !(c === 'X' && !legacy && position === characters.length));
  const problems: Msg[] = [];
  if (stray.length > 0) {
    const shown = stray.slice(0, 5);
    const at = shown.map(({ position }) => position).join(',');
    problems.push(msg('id.stray', { at, chars: shown.map(({ c }) => c).join(''), more: Math.max(0, stray.length - 5), legacy: legacy ? 1 : 0 }));
  }
  if (characters.length !== 18 && !legacy) problems.push(msg('id.length', { got: characters.length }));
  return problems;
}

/** Why `date` (YYYY-MM-DD from the number, whose `digits` are given) cannot be a birth date; null when it can. */
function birthDateProblem(date: string, where: { legacy: number; digits: string }): Msg | null {
  if (!isCalendarDate(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)))) {
    const parsed = parseInstant(`${date}T00:00:00Z`);
    return msg('id.birthNotDate', { ...where, problem: parsed instanceof Date ? msg('id.noSuchDay') : parsed.issue });
  }
  if (date < EARLIEST_BIRTH_DATE) return msg('id.birthBefore', { ...where, date, earliest: EARLIEST_BIRTH_DATE });
  const today = todayInChina();
  if (date > today) return msg('id.birthAfter', { ...where, date, today });
  return null;
}


/** First 6 and last 4 shown, the 8 between (the birth date and the sequence) starred: `130105********123X`. */
export function maskIdNumber(value: string): string {
  if (WELL_SHAPED.test(value)) return `${value.slice(0, 6)}${'*'.repeat(value.length - 10)}${value.slice(-4)}`;
  const characters = Array.from(value);
  if (characters.length <= 10) return '*'.repeat(characters.length);
  return characters.slice(0, 6).join('') + '*'.repeat(characters.length - 10) + characters.slice(-4).join('');
}

/**
 * A valid number for tests and seeds: `sequence` (0–999) has its last bit flipped when its parity does not
 * match `gender`, and the check character is computed.
 */
export function makeIdNumber(region: string, birthDate: string, sequence: number, gender?: Gender): string {
  if (!/^\d{6}$/.test(region)) throw new Error(`makeIdNumber: region must be 6 digits (got "${region}")`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate) || !(parseInstant(`${birthDate}T00:00:00Z`) instanceof Date)) {
    throw new Error(`makeIdNumber: birthDate must be a real date as YYYY-MM-DD (got "${birthDate}")`);
  }
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 999) throw new Error(`makeIdNumber: sequence must be an integer 0–999 (got ${sequence})`);
  const odd = sequence % 2 === 1;
  const adjusted = gender !== undefined && odd !== (gender === 'MALE') ? sequence ^ 1 : sequence;
  const first17 = region + birthDate.replace(/-/g, '') + String(adjusted).padStart(3, '0');
  return first17 + idNumberCheckCharacter(first17);
}
