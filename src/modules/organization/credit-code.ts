import { english, msg, type Msg } from '../../i18n';
/**
 * 统一社会信用代码 — the unified social credit code of GB 32100-2015: 18 characters from a 31-character set
 * (digits and capital letters without I, O, Z, S, V): a registration authority (1), an organisation category (1),
 * a GB/T 2260 region (6), the GB 11714 organisation code (9) and a check character (1). The check character
 * makes Σ value(cᵢ)·wᵢ over the first 17 plus value(c₁₈) a multiple of 31, with wᵢ = 3^(i-1) mod 31.
 */
export const CREDIT_CODE_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const VALUE = new Map([...CREDIT_CODE_CHARSET].map((c, i) => [c, i]));

/** The check character for the first 17 characters (which must be from the charset). */
export function creditCodeCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += VALUE.get(first17[i])! * WEIGHTS[i];
  return CREDIT_CODE_CHARSET[(31 - (sum % 31)) % 31];
}

/** A refused code: `issue` the catalogue message, `message` its English text. */
export type CreditCodeCheck = { ok: true; code: string } | { ok: false; message: string; issue: Msg };

function refused(issue: Msg): CreditCodeCheck {
  return { ok: false, message: english(issue), issue };
}

/**
 * Checks a code as a person types it: surrounding spaces and lowercase are forgiven (normalised), anything else
 * wrong is said precisely, naming the character at fault.
 */
export function checkCreditCode(input: string): CreditCodeCheck {
  const code = input.trim().toUpperCase();
  if (/^\d{15}$/.test(code)) {
    return refused(msg('credit.registrationNumber'));
  }
  if (code.length !== 18) return refused(msg('credit.length', { got: [...code].length }));
  for (let i = 0; i < 18; i++) {
    if (!VALUE.has(code[i])) {
      const meant = ({ I: '1', O: '0', Z: '2', S: '5', V: 'U' } as Record<string, string>)[code[i]] ?? '';
      return refused(msg('credit.character', { at: i + 1, char: code[i], meant }));
    }
  }
  if (!/^\d{6}$/.test(code.slice(2, 8))) {
    return refused(msg('credit.region', { got: code.slice(2, 8) }));
  }
  const expected = creditCodeCheckCharacter(code);
  if (code[17] !== expected) return refused(msg('credit.checkCharacter', { expected, got: code[17] }));
  return { ok: true, code };
}

/** A valid code from its first 17 characters (seeds, tests). */
export function completeCreditCode(first17: string): string {
  return first17 + creditCodeCheckCharacter(first17);
}
