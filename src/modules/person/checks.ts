import type { Gender, ResidenceType } from '../../generated/graphql';
import { calendarDateIssue } from '../../graphql/scalars';
import { english, msg, said, type Msg } from '../../i18n';
import type { ProblemRow } from '../../shared/payload';
import { mainlandPhone } from '../../shared/phone';
import { nameIssue } from '../../shared/text';
import { checkIdNumber } from './id-number';

/**
 * The checks every way a person enters the registry shares (registerPerson, updatePerson, a tenant's
 * self-registration, a spreadsheet row): each wrong value is one problem naming its field (through `field`, so
 * an import can say "row 12, column 公民身份号码") and what is wrong. Pure: nothing here reads the database.
 */
export const MAX_PERSON_NAME = 50;
export const MAX_ADDRESS = 200;
export const MAX_ETHNICITY = 20;
export const MAX_REASON = 100;
const PERMIT_NUMBER = /^[0-9A-Za-z-]{4,40}$/;

export interface PersonFieldsInput {
  name?: string | null;
  gender?: Gender | null;
  birthDate?: string | null;
  ethnicity?: string | null;
  idNumber?: string | null;
  phone?: string | null;
  residenceType?: ResidenceType | null;
  registeredAddress?: string | null;
  movedInOn?: string | null;
  floating?: FloatingFieldsInput | null;
}

export interface FloatingFieldsInput {
  arrivedOn?: string | null;
  reason?: string | null;
  permitNumber?: string | null;
  permitExpiresOn?: string | null;
}

/**
 * Checked, normalised values. `undefined`: not given (an update leaves it); `null`: removed (an empty string
 * in an update). The birth date comes from the ID number when only that was given.
 */
export interface CheckedPersonFields {
  name?: string;
  gender?: Gender;
  birthDate?: string;
  ethnicity?: string | null;
  /** 18 characters, upgraded from 15 when that was given. */
  idNumber?: string | null;
  /** `13812345678` or `0311-86681234`. */
  phone?: string | null;
  residenceType?: ResidenceType;
  registeredAddress?: string | null;
  movedInOn?: string | null;
  floating?: {
    arrivedOn?: string | null;
    reason?: string | null;
    permitNumber?: string | null;
    permitExpiresOn?: string | null;
  };
}

export interface CheckOptions {
  /** `create`: name, gender and residence type required, a birth date or an ID number too. */
  mode: 'create' | 'update';
  /** The field path of an input key, e.g. `idNumber` → `input.idNumber` (or a spreadsheet column). */
  field: (key: string) => string;
  /** Today in China, YYYY-MM-DD (injected so tests and imports agree on one day). */
  today: string;
  /** For an update: the stored values the given ones must agree with (gender and birth date against a new ID number). */
  current?: { gender: Gender; birthDate: string | null; residenceType: ResidenceType };
}

/** Checks `input`, adding a problem per wrong value; returns the normalised values. */
export function checkPersonFields(input: PersonFieldsInput, problems: { add(p: ProblemRow): unknown }, options: CheckOptions): CheckedPersonFields {
  const { field, mode, today } = options;
  const bad = (key: string, message: Msg) => problems.add({ code: 'BAD_VALUE', field: field(key), ...said(labelled(key, message)) });
  const out: CheckedPersonFields = {};
  const creating = mode === 'create';

  if (input.name != null) {
    const problem = nameIssue(input.name, MAX_PERSON_NAME);
    if (problem) bad('name', problem);
    else out.name = input.name.trim();
  } else if (creating) bad('name', msg('person.required'));

  if (input.gender != null) out.gender = input.gender;
  else if (creating && !input.idNumber?.trim()) bad('gender', msg('person.genderRequired'));

  if (input.residenceType != null) out.residenceType = input.residenceType;
  else if (creating) bad('residenceType', msg('person.residenceTypeRequired'));

  let birthDate: string | undefined;
  if (input.birthDate != null) {
    const problem = dateIssue(input.birthDate, today, '1900-01-01');
    if (problem) bad('birthDate', problem);
    else birthDate = input.birthDate;
  }

  const gender = out.gender ?? options.current?.gender;
  if (input.idNumber != null && input.idNumber.trim() !== '') {
    const expectedBirth = birthDate ?? (input.birthDate == null ? (options.current?.birthDate ?? undefined) : undefined);
    const check = checkIdNumber(input.idNumber, { birthDate: expectedBirth, gender: input.gender != null || !creating ? gender : undefined });
    if (check.ok) {
      out.idNumber = check.value;
      birthDate ??= check.birthDate;
      if (creating && input.gender == null) out.gender = check.gender;
    } else {
      for (const problem of check.issues) bad('idNumber', problem);
    }
  } else if (input.idNumber === '' || (input.idNumber != null && input.idNumber.trim() === '')) {
    if (creating) bad('idNumber', msg('person.idEmpty'));
    else out.idNumber = null;
  }
  if (birthDate !== undefined) out.birthDate = birthDate;
  else if (creating && input.birthDate == null && input.idNumber == null) bad('birthDate', msg('person.birthRequired'));

  if (input.phone != null) {
    if (input.phone.trim() === '') {
      if (creating) bad('phone', msg('person.phoneEmpty'));
      else out.phone = null;
    } else {
      const phone = mainlandPhone(input.phone);
      if (phone.ok) out.phone = phone.value;
      else bad('phone', phone.issue);
    }
  }

  out.ethnicity = optionalText(input.ethnicity, 'ethnicity', MAX_ETHNICITY, bad);
  out.registeredAddress = optionalText(input.registeredAddress, 'registeredAddress', MAX_ADDRESS, bad);

  if (input.movedInOn != null) {
    const problem = dateIssue(input.movedInOn, today, out.birthDate ?? options.current?.birthDate ?? '1900-01-01');
    if (problem) bad('movedInOn', problem);
    else out.movedInOn = input.movedInOn;
  }

  const residenceType = out.residenceType ?? options.current?.residenceType;
  if (input.floating != null) {
    if (residenceType !== 'FLOATING') {
      bad('floating', msg('person.floatingOnly', { type: residenceType ?? '' }));
    } else {
      out.floating = checkFloating(input.floating, field, today, out.birthDate ?? options.current?.birthDate ?? '1900-01-01', problems);
    }
  } else if (creating && residenceType === 'FLOATING') {
    bad('floating', msg('person.floatingNeeded'));
  }
  return out;
}

function checkFloating(
  input: FloatingFieldsInput,
  field: (key: string) => string,
  today: string,
  earliest: string,
  problems: { add(p: ProblemRow): unknown },
): NonNullable<CheckedPersonFields['floating']> {
  const bad = (key: string, message: Msg) => problems.add({ code: 'BAD_VALUE', field: field(`floating.${key}`), ...said(labelled(key, message)) });
  const out: NonNullable<CheckedPersonFields['floating']> = {};
  if (input.arrivedOn != null) {
    const problem = dateIssue(input.arrivedOn, today, earliest);
    if (problem) bad('arrivedOn', problem);
    else out.arrivedOn = input.arrivedOn;
  }
  out.reason = optionalText(input.reason, 'reason', MAX_REASON, bad);
  if (input.permitNumber != null) {
    const permit = input.permitNumber.trim();
    if (permit === '') out.permitNumber = null;
    else if (!PERMIT_NUMBER.test(permit)) bad('permitNumber', msg('person.permitShape', { length: permit.length }));
    else out.permitNumber = permit.toUpperCase();
  }
  if (input.permitExpiresOn != null) {
    const problem = calendarDateIssue(input.permitExpiresOn);
    if (problem) bad('permitExpiresOn', problem);
    else if (out.arrivedOn && input.permitExpiresOn < out.arrivedOn) bad('permitExpiresOn', msg('person.permitBeforeArrival', { expires: input.permitExpiresOn, arrived: out.arrivedOn }));
    else out.permitExpiresOn = input.permitExpiresOn;
  }
  return out;
}

/** Why a date is not a calendar date between `earliest` and `today`, or null. */
export function dateProblem(value: string, today: string, earliest: string): string | null {
  const issue = dateIssue(value, today, earliest);
  return issue && english(issue);
}

/** `dateProblem` as a catalogue message. */
export function dateIssue(value: string, today: string, earliest: string): Msg | null {
  const problem = calendarDateIssue(value);
  if (problem) return msg('time.badDate', { value: value.slice(0, 40), problem });
  if (value > today) return msg('time.future', { value, today });
  if (value < earliest) return msg('time.before', { value, earliest });
  return null;
}

/** Optional free text: trimmed; '' removes it (null); too long or with control characters is a problem. */
function optionalText(value: string | null | undefined, key: string, max: number, bad: (key: string, message: Msg) => void): string | null | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (text === '') return null;
  if (text.length > max) {
    bad(key, msg('text.tooLong', { length: text.length, max }));
    return undefined;
  }
  if (/\p{Cc}/u.test(text)) {
    bad(key, msg('text.control'));
    return undefined;
  }
  return text;
}

const LABELLED = ['name', 'gender', 'idNumber', 'birthDate', 'ethnicity', 'phone', 'residenceType', 'registeredAddress', 'movedInOn', 'floating', 'arrivedOn', 'reason', 'permitNumber', 'permitExpiresOn'] as const;

/** A problem behind the name of its field ("ID number: …", "公民身份号码：…"). */
function labelled(key: string, detail: Msg): Msg {
  const known = (LABELLED as readonly string[]).includes(key) ? (key as (typeof LABELLED)[number]) : null;
  return msg('person.field', { label: known ? msg(`label.${known}`) : key, detail });
}

export { todayInChina } from '../../shared/time';

/** Age in full years (周岁) on `today` of someone born on `birthDate` (both YYYY-MM-DD). */
export function ageOn(birthDate: string, today: string): number {
  const years = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return today.slice(5) >= birthDate.slice(5) ? years : years - 1;
}
