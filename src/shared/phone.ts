import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { english, msg, type Msg } from '../i18n';

/**
 * Phone numbers as people type them ("138-1234-5678", "+86 138 1234 5678") checked against the numbering plan
 * (libphonenumber's full metadata, which knows mobile from landline) and normalised to what is stored.
 */
export type PhoneCheck = { ok: true; value: string } | { ok: false; problem: string; issue: Msg };

/** A refused number: `issue` the catalogue message, `problem` its English text. */
function refused(issue: Msg): PhoneCheck {
  return { ok: false, problem: english(issue), issue };
}

/** A mainland China mobile number, stored as its 11 national digits. */
export function mainlandMobile(input: string): PhoneCheck {
  const text = input.trim();
  const shown = text.slice(0, 40);
  if (!text) return refused(msg('phone.empty'));
  const parsed = parsePhoneNumberFromString(text, 'CN');
  if (!parsed || !parsed.isValid()) return refused(msg('phone.invalidMobile', { text: shown }));
  if (parsed.country !== 'CN') return refused(msg('phone.foreignMobile', { text: shown, country: parsed.country ?? '' }));
  if (parsed.getType() !== 'MOBILE') return refused(msg('phone.landline', { text: shown }));
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
  const shown = text.slice(0, 40);
  if (!text) return refused(msg('phone.empty'));
  const parsed = parsePhoneNumberFromString(text, 'CN');
  if (!parsed || !parsed.isValid()) return refused(msg('phone.invalid', { text: shown }));
  if (parsed.country !== 'CN') return refused(msg('phone.foreign', { text: shown, country: parsed.country ?? '' }));
  if (parsed.ext) return refused(msg('phone.extension', { text: shown }));
  const type = parsed.getType();
  if (type === 'MOBILE') return { ok: true, value: parsed.nationalNumber };
  if (type === 'FIXED_LINE' || type === 'FIXED_LINE_OR_MOBILE') {
    // formatNational gives "0311 8668 1234": the area code with its trunk 0, then the local number.
    const [areaCode, ...local] = parsed.formatNational().split(' ');
    return { ok: true, value: `${areaCode}-${local.join('')}` };
  }
  return refused(msg('phone.service', { text: shown, type: type ?? 'unknown kind' }));
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
