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

/**
 * A contact phone (an organisation's, later a resident's): a mainland mobile (stored as its 11 digits, as workers' are) or a landline
 * with its area code (stored as `0311-86681234`), checked against libphonenumber's numbering plan. Service
 * numbers (400/800, 95xxx) and extensions are refused: the contact is a person one can ring directly.
 */
export function mainlandPhone(input: string): PhoneCheck {
  const text = input.trim();
  return isKnownMobile(text) ? { ok: true, value: text } : checkMainlandPhone(text);
}

/** mainlandPhone without the remembered mobile prefixes (below): every number through libphonenumber. */
export function checkMainlandPhone(input: string): PhoneCheck {
  const text = input.trim();
  const shown = `"${text.slice(0, 40)}"`;
  if (!text) return { ok: false, problem: 'is empty' };
  const parsed = parsePhoneNumberFromString(text, 'CN');
  if (!parsed || !parsed.isValid()) {
    return { ok: false, problem: `${shown} is not a valid phone number in mainland China (a landline needs its area code, e.g. 0311-86681234)` };
  }
  if (parsed.country !== 'CN') return { ok: false, problem: `${shown} is a ${parsed.country ?? 'foreign'} number; a mainland China number is needed` };
  if (parsed.ext) return { ok: false, problem: `${shown} has an extension; give the direct number (extensions are not kept)` };
  const type = parsed.getType();
  if (type === 'MOBILE') return { ok: true, value: parsed.nationalNumber };
  if (type === 'FIXED_LINE' || type === 'FIXED_LINE_OR_MOBILE') {
    // formatNational gives "0311 8668 1234": the area code with its trunk 0, then the local number.
    const [areaCode, ...local] = parsed.formatNational().split(' ');
    return { ok: true, value: `${areaCode}-${local.join('')}` };
  }
  return { ok: false, problem: `${shown} is a service number (${type ?? 'unknown kind'}); give a mobile or a landline with its area code` };
}

/**
 * 11 digits starting with 1 whose first seven digits are those of a number found to be a mobile: a mobile too.
 * libphonenumber's China patterns tell a mobile by at most its first five digits and its length, so the
 * answer for seven is exact; remembering it spares an import of a million residents a million pattern
 * matches. Only "is a mobile" is remembered (anything else goes through the full check and its message), for
 * at most 100,000 prefixes (the whole numbering plan has ~40,000 mobile ones in use).
 */
const MOBILE_SHAPE = /^1\d{10}$/;
const mobilePrefixes = new Set<string>();

function isKnownMobile(text: string): boolean {
  if (!MOBILE_SHAPE.test(text)) return false;
  const prefix = text.slice(0, 7);
  if (mobilePrefixes.has(prefix)) return true;
  const parsed = parsePhoneNumberFromString(text, 'CN');
  if (!parsed || !parsed.isValid() || parsed.country !== 'CN' || parsed.getType() !== 'MOBILE' || parsed.nationalNumber !== text) return false;
  if (mobilePrefixes.size >= 100_000) mobilePrefixes.clear();
  mobilePrefixes.add(prefix);
  return true;
}
