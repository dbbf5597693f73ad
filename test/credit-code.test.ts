import { checkCreditCode, completeCreditCode, creditCodeCheckCharacter, CREDIT_CODE_CHARSET } from '../src/modules/organization/credit-code';
import { checkMainlandPhone, mainlandPhone } from '../src/shared/phone';

/** GB 32100-2015 check characters, and the messages a clerk typing a code off a business licence gets. */

const rejected = (input: string) => {
  const r = checkCreditCode(input);
  if (r.ok) throw new Error(`${input} was accepted`);
  return r.message;
};

describe('checkCreditCode', () => {
  it.each(['91110108551385082Q', '91350100M000100Y43', '91110000100011743X'])('accepts the real code %s as it is', (code) => {
    expect(checkCreditCode(code)).toEqual({ ok: true, code });
  });

  it('computes the check character from the first 17 (weights 3^(i-1) mod 31)', () => {
    expect(creditCodeCheckCharacter('91110108551385082')).toBe('Q');
    expect(creditCodeCheckCharacter('91350100M000100Y4')).toBe('3');
    expect(completeCreditCode('91130105MA0ABCDE1')).toHaveLength(18);
    expect(checkCreditCode(completeCreditCode('91130105MA0ABCDE1')).ok).toBe(true);
  });

  it('a wrong check character names the expected one', () => {
    expect(rejected('91110108551385082A')).toMatch(/should be Q, not A/);
    expect(rejected('91350100M000100Y44')).toMatch(/should be 3, not 4/);
  });

  it('one mistyped character anywhere is caught by the check character', () => {
    const code = '91110108551385082Q';
    for (let i = 0; i < 17; i++) {
      const replacement = CREDIT_CODE_CHARSET[(CREDIT_CODE_CHARSET.indexOf(code[i]) + 1) % 31];
      const typo = code.slice(0, i) + replacement + code.slice(i + 1);
      if (i >= 2 && i < 8 && !/\d/.test(replacement)) continue; // the region's shape is checked first
      expect(checkCreditCode(typo).ok).toBe(false);
    }
  });

  it('lowercase and surrounding spaces are accepted and upper-cased', () => {
    expect(checkCreditCode(' 91350100m000100y43 ')).toEqual({ ok: true, code: '91350100M000100Y43' });
    expect(checkCreditCode('91110108551385082q')).toEqual({ ok: true, code: '91110108551385082Q' });
  });

  it.each([
    ['I', '1'],
    ['O', '0'],
    ['Z', '2'],
    ['S', '5'],
    ['V', 'U'],
  ])('refuses the letter %s with a hint (did you mean %s?)', (letter, meant) => {
    const message = rejected(`91350100M000100${letter}43`);
    expect(message).toContain(`character 16 "${letter}" is not allowed`);
    expect(message).toContain(`did you mean ${meant}?`);
  });

  it('refuses a 15-digit registration number from before 2015, saying what it is and what to give instead', () => {
    const message = rejected('110108000000016');
    expect(message).toMatch(/15 digits is a business registration number/);
    expect(message).toMatch(/18-character code/);
  });

  it.each(['9111010855138508', '91110108551385082QQ', ''])('refuses a code of the wrong length (%p)', (input) => {
    expect(rejected(input)).toMatch(/must be 18 characters/);
  });

  it('refuses a region part that is not six digits', () => {
    expect(rejected('91AB0108551385082Q')).toMatch(/characters 3–8 must be the 6-digit region code/);
  });
});

describe('mainlandPhone', () => {
  it('keeps mobiles as their 11 digits and landlines as area code-number', () => {
    expect(mainlandPhone('+86 138-1234-5678')).toEqual({ ok: true, value: '13812345678' });
    expect(mainlandPhone('(0311) 8668 1234')).toEqual({ ok: true, value: '0311-86681234' });
    expect(mainlandPhone('010 6552 9988')).toEqual({ ok: true, value: '010-65529988' });
  });

  it.each([
    ['400-810-8888', /service number/],
    ['0311 8668 1234 ext 12', /extension/],
    ['+852 2123 4567', /HK number/],
    ['86681234', /area code/],
    ['  ', /empty/],
  ])('refuses %p', (input, why) => {
    const r = mainlandPhone(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(why);
  });
});

describe('mainlandPhone remembers mobile prefixes', () => {
  it('answers as the full check does for numbers sharing a remembered prefix, valid or not', () => {
    // Every 3-digit start 100–199 with a few 4th–7th digits, each prefix asked twice with different endings:
    // the second answer comes from the remembered prefix when the first was a mobile.
    let mobiles = 0;
    for (let start = 100; start <= 199; start++) {
      for (const middle of ['0000', '4057', '6109', '9999']) {
        for (const end of ['0000', '5678']) {
          const text = `${start}${middle}${end}`;
          const full = checkMainlandPhone(text);
          expect({ text, answer: mainlandPhone(text) }).toEqual({ text, answer: full });
          if (full.ok && full.value === text) mobiles++;
        }
      }
    }
    expect(mobiles).toBeGreaterThan(100);
  });
});
