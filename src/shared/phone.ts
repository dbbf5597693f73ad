import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Phone numbers as people type them ("138-1234-5678", "+86 138 1234 5678") checked against the numbering plan
 * (libphonenumber's full metadata, which knows mobile from landline) and normalised to what is stored.
 */
export type PhoneCheck = { ok: true; value: string } | { ok: false; problem: string };

/** A mainland China mobile number, stored as its 11 national digits. */
export function mainlandMobile(input: string): PhoneCheck {
  const text = input.trim();
  if (!text) return { ok: false, problem: 'is empty' };
  const parsed = parsePhoneNumberFromString(text, 'CN');
  if (!parsed || !parsed.isValid()) return { ok: false, problem: `"${text.slice(0, 40)}" is not a valid phone number in mainland China` };
  if (parsed.country !== 'CN') return { ok: false, problem: `"${text.slice(0, 40)}" is a ${parsed.country ?? 'foreign'} number; a mainland China mobile number is needed` };
  if (parsed.getType() !== 'MOBILE') return { ok: false, problem: `"${text.slice(0, 40)}" is a landline; a mobile number is needed (11 digits starting with 1)` };
  return { ok: true, value: parsed.nationalNumber };
}
