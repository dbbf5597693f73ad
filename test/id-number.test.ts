import { checkIdNumber, idNumberCheckCharacter, makeIdNumber, maskIdNumber, type IdNumberCheck } from '../src/modules/person/id-number';

/**
 * GB 11643-1999 citizen identity numbers: the check character, the birth date and gender inside the number, the
 * 15-digit upgrade, and the messages a clerk gets. The valid numbers below were built with the published
 * algorithm and their check characters worked out by hand (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2;
 * check = (12 − Σ mod 11) mod 11, 10 written X), shown beside each.
 */

const problems = (r: IdNumberCheck): string[] => {
  if (r.ok) throw new Error(`${r.value} was accepted`);
  return r.problems;
};

describe('checkIdNumber accepts valid numbers', () => {
  it.each([
    // GB 11643-1999's own example. Σ = 167, 167 mod 11 = 2, 12 − 2 = 10 → X.
    ['11010519491231002X', '110105', '1949-12-31', 'FEMALE'],
    // Shijiazhuang, 新华区. Σ = 179, 179 mod 11 = 3, 12 − 3 = 9.
    ['130105199002031239', '130105', '1990-02-03', 'MALE'],
    // Shijiazhuang, 长安区, ending in X. Σ = 178, 178 mod 11 = 2 → X.
    ['13010219851107003X', '130102', '1985-11-07', 'MALE'],
    // A region that no longer exists (石家庄 桥东区, abolished in 2014) stays valid. Σ = 205, 205 mod 11 = 7, 12 − 7 = 5.
    ['130103199505050025', '130103', '1995-05-05', 'FEMALE'],
  ] as const)('%s', (input, region, birthDate, gender) => {
    expect(checkIdNumber(input)).toEqual({ ok: true, value: input, region, birthDate, gender });
  });

  it.each([
    // 港澳台居民居住证. Σ = 146 → 9; Σ = 174 → 3; Σ = 284 → 3.
    ['810000199001010019', 'Hong Kong', '1990-01-01', 'MALE'],
    ['820000200106150023', 'Macao', '2001-06-15', 'FEMALE'],
    ['830000198808080033', 'Taiwan', '1988-08-08', 'MALE'],
  ] as const)('the residence permit number %s of a %s resident', (input, _where, birthDate, gender) => {
    expect(checkIdNumber(input)).toEqual({ ok: true, value: input, region: input.slice(0, 6), birthDate, gender });
  });

  it('computes the check character by MOD 11-2 for every remainder', () => {
    expect(idNumberCheckCharacter('11010519491231002')).toBe('X');
    expect(idNumberCheckCharacter('13010519900203123')).toBe('9');
    // Remainders 0–10 give 1 0 X 9 8 7 6 5 4 3 2: a hundred sequences reach every one of them.
    const seen = new Set<string>();
    for (let s = 0; s < 100; s++) seen.add(idNumberCheckCharacter(`130105199002031${String(s).padStart(2, '0')}`));
    expect([...seen].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X']);
  });
});

describe('checkIdNumber forgives what is only typing', () => {
  it.each([
    ['11010519491231002x', '11010519491231002X', 'lowercase x'],
    ['  130105199002031239 ', '130105199002031239', 'surrounding spaces'],
    ['\u3000130105199002031239\t', '130105199002031239', 'a full-width space and a tab'],
    ['１３０１０５１９９００２０３１２３９', '130105199002031239', 'full-width digits'],
    ['１３０１０２１９８５１１０７００３Ｘ', '13010219851107003X', 'full-width digits and Ｘ'],
    ['13010219851107003ｘ', '13010219851107003X', 'a full-width lowercase ｘ'],
  ])('%j is read as %s (%s)', (input, value) => {
    const r = checkIdNumber(input);
    expect(r.ok && r.value).toBe(value);
  });
});

describe('checkIdNumber upgrades 15-digit numbers', () => {
  it.each([
    // 130503 + 19 + 670401 + 001: Σ = 182, 182 mod 11 = 6, 12 − 6 = 6.
    ['130503670401001', '130503196704010016', '1967-04-01', 'MALE'],
    // 110105 + 19 + 491231 + 002 is GB 11643's example again.
    ['110105491231002', '11010519491231002X', '1949-12-31', 'FEMALE'],
  ] as const)('%s becomes %s', (input, value, birthDate, gender) => {
    expect(checkIdNumber(input)).toEqual({ ok: true, value, region: input.slice(0, 6), birthDate, gender, upgradedFrom15: input });
  });

  it('checks the upgraded number like any other: the date in YYMMDD, the gender in the 15th digit', () => {
    expect(problems(checkIdNumber('130105900230123'))).toEqual([
      'characters 7–12 should be the birth date (YYMMDD of a year 19YY): 900230 is not a date (1990-02 has no day 30)',
    ]);
    expect(problems(checkIdNumber('130105900203123', { gender: 'FEMALE' }))).toEqual(['the 15th digit is odd, which means male, but gender is FEMALE']);
    expect(problems(checkIdNumber('130105900203124', { birthDate: '1990-03-02' }))).toEqual(['the birth date 1990-02-03 does not match birthDate 1990-03-02']);
    expect(checkIdNumber('130105900203124', { birthDate: '1990-02-03', gender: 'FEMALE' }).ok).toBe(true);
  });

  it('a 15-character number holds digits only (it has no check character)', () => {
    expect(problems(checkIdNumber('13050367040100X'))).toEqual(['character 15 "X" is not allowed: a 15-digit number has digits only']);
  });
});

describe('checkIdNumber refuses, saying what to fix', () => {
  it.each([
    ['130105199002031238', 'the check character should be 9, not 8: one of the 18 characters is mistyped'],
    ['13010519900203123X', 'the check character should be 9, not X: one of the 18 characters is mistyped'],
    ['110105194912310027', 'the check character should be X, not 7: one of the 18 characters is mistyped'],
    // Σ = 179 − 3·2 + 9·2 = 191, 191 mod 11 = 4, 12 − 4 = 8.
    ['130105199002031299', 'the check character should be 8, not 9: one of the 18 characters is mistyped'],
  ])('a wrong check character: %s', (input, problem) => {
    expect(problems(checkIdNumber(input))).toEqual([problem]);
  });

  it('one mistyped digit anywhere, or two neighbours swapped, is caught by the check character', () => {
    const id = '130105199002031239';
    for (let i = 0; i < 17; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === id[i]) continue;
        expect(checkIdNumber(id.slice(0, i) + d + id.slice(i + 1)).ok).toBe(false);
      }
      if (i < 16 && id[i] !== id[i + 1]) expect(checkIdNumber(id.slice(0, i) + id[i + 1] + id[i] + id.slice(i + 2)).ok).toBe(false);
    }
  });

  it.each([
    // Each with its correct check character, so the date is the only problem.
    ['19900230', 'is not a date (1990-02 has no day 30)'],
    ['19000229', 'is not a date (1900-02 has no day 29)'], // 1900 was not a leap year
    ['19901301', 'is not a date (month 13 does not exist)'],
    ['19900000', 'is not a date (month 00 does not exist)'],
    ['19900100', 'is not a date (1990-01 has no day 00)'],
    ['18991231', 'is 1899-12-31, before 1900-01-01'],
    ['20990101', 'is 2099-01-01, after today'],
  ])('characters 7–14 %s', (date, problem) => {
    const id = makeIdNumberUnchecked(`130105${date}123`);
    expect(problems(checkIdNumber(id))).toEqual([expect.stringContaining(`characters 7–14 should be the birth date: ${date} ${problem}`)]);
  });

  it("refuses GB 11643's other example, whose check character is right, for its birth date before 1900", () => {
    // Σ = 195, 195 mod 11 = 8, 12 − 8 = 4: the check character is right.
    expect(idNumberCheckCharacter('44052418800101001')).toBe('4');
    expect(problems(checkIdNumber('440524188001010014'))).toEqual(['characters 7–14 should be the birth date: 18800101 is 1880-01-01, before 1900-01-01']);
  });

  it('accepts 29 February of a leap year, 2000 included', () => {
    expect(checkIdNumber(makeIdNumberUnchecked('13010520000229123')).ok).toBe(true);
    expect(checkIdNumber(makeIdNumberUnchecked('13010519960229123')).ok).toBe(true);
  });

  it.each([
    [{ birthDate: '1990-03-02' }, 'the birth date 1990-02-03 does not match birthDate 1990-03-02'],
    [{ gender: 'FEMALE' as const }, 'the 17th digit is odd, which means male, but gender is FEMALE'],
  ])('a number that contradicts the record beside it (%j)', (expectation, problem) => {
    expect(problems(checkIdNumber('130105199002031239', expectation))).toEqual([problem]);
  });

  it('an even 17th digit means female', () => {
    const female = makeIdNumber('130105', '1990-02-03', 124);
    expect(problems(checkIdNumber(female, { gender: 'MALE' }))).toEqual(['the 17th digit is even, which means female, but gender is MALE']);
    expect(checkIdNumber(female, { birthDate: '1990-02-03', gender: 'FEMALE' }).ok).toBe(true);
  });

  it.each([
    ['990105199002031230', '99'],
    ['000105199002031234', '00'],
    ['160105199002031230', '16'],
    ['840000199001010010', '84'],
  ])('a first two digits that are no province: %s', (input, province) => {
    const id = makeIdNumberUnchecked(input.slice(0, 17));
    expect(problems(checkIdNumber(id))).toEqual([
      `characters 1–2 should be a province code (11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81–83): ${province} is not one`,
    ]);
  });

  it('lists every problem at once', () => {
    expect(problems(checkIdNumber('99010519900230123X', { birthDate: '1990-02-03', gender: 'FEMALE' }))).toEqual([
      'characters 1–2 should be a province code (11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81–83): 99 is not one',
      'characters 7–14 should be the birth date: 19900230 is not a date (1990-02 has no day 30)',
      'the 17th digit is odd, which means male, but gender is FEMALE',
      'the check character should be 5, not X: one of the 18 characters is mistyped',
    ]);
  });

  it.each([
    ['13010519900203123', ['must be 18 characters (got 17)']],
    ['1301051990020312391', ['must be 18 characters (got 19)']],
    ['1301051990020312', ['must be 18 characters (got 16)']],
    ['1301051990020312X', ['must be 18 characters (got 17)']],
    ['', ['is empty: the 18-character number is needed']],
    ['   ', ['is empty: the 18-character number is needed']],
  ])('the wrong length: %j', (input, expected) => {
    expect(problems(checkIdNumber(input))).toEqual(expected);
  });

  it.each([
    ['13010519900203A239', ['character 15 "A" is not allowed: only digits, and X as the last character']],
    ['1301051990X2031239', ['character 11 "X" is not allowed: only digits, and X as the last character']],
    ['130105-19900203-1239', ['characters 7 "-" and 16 "-" are not allowed: only digits, and X as the last character', 'must be 18 characters (got 20)']],
    ['O1O1O5199002031239', ['characters 1 "O", 3 "O" and 5 "O" are not allowed: only digits, and X as the last character']],
    ['ABCDEFGHIJKLMNOPQR', ['characters 1 "A", 2 "B", 3 "C", 4 "D" and 5 "E" are not allowed (and 13 more): only digits, and X as the last character']],
    ['130105 1990 0203 1239', ['characters 7 " ", 12 " " and 17 " " are not allowed: only digits, and X as the last character', 'must be 18 characters (got 21)']],
  ])('letters and other characters: %j', (input, expected) => {
    expect(problems(checkIdNumber(input))).toEqual(expected);
  });
});

describe('birth dates are checked against the date in China', () => {
  afterEach(() => jest.useRealTimers());

  it('at 01:00 on 2 May in Beijing (17:00 UTC on 1 May), a child born on 2 May is valid and one born on 3 May is not', () => {
    jest.useFakeTimers({ now: new Date('2026-05-01T17:00:00Z') });
    expect(checkIdNumber(makeIdNumber('130105', '2026-05-02', 1)).ok).toBe(true);
    expect(problems(checkIdNumber(makeIdNumber('130105', '2026-05-03', 1)))).toEqual([
      'characters 7–14 should be the birth date: 20260503 is 2026-05-03, after today (2026-05-02)',
    ]);
  });

  it('refuses 2026-02-30 whatever the day', () => {
    jest.useFakeTimers({ now: new Date('2027-01-01T00:00:00Z') });
    expect(problems(checkIdNumber(makeIdNumberUnchecked('13010520260230001')))[0]).toMatch(/20260230 is not a date \(2026-02 has no day 30\)/);
  });
});

describe('maskIdNumber', () => {
  it.each([
    ['13010519900203123X', '130105********123X'],
    ['130105199002031239', '130105********1239'],
  ])('%s → %s', (value, masked) => {
    expect(maskIdNumber(value)).toBe(masked);
  });

  it('hides the birth date and never shows more than the first 6 and last 4', () => {
    expect(maskIdNumber('130105199002031239')).not.toContain('1990');
    expect(maskIdNumber('12345')).toBe('*****');
  });
});

describe('makeIdNumber', () => {
  it('builds the numbers above', () => {
    expect(makeIdNumber('130105', '1990-02-03', 123)).toBe('130105199002031239');
    expect(makeIdNumber('110105', '1949-12-31', 2)).toBe('11010519491231002X');
    expect(makeIdNumber('810000', '1990-01-01', 1)).toBe('810000199001010019');
  });

  it.each([
    [123, 'MALE', '123'],
    [123, 'FEMALE', '122'],
    [124, 'FEMALE', '124'],
    [124, 'MALE', '125'],
    [0, 'MALE', '001'],
    [999, 'FEMALE', '998'],
  ] as const)('sequence %i for a %s person becomes %s', (sequence, gender, digits) => {
    const id = makeIdNumber('130105', '1990-02-03', sequence, gender);
    expect(id.slice(14, 17)).toBe(digits);
    expect(checkIdNumber(id, { birthDate: '1990-02-03', gender })).toEqual({ ok: true, value: id, region: '130105', birthDate: '1990-02-03', gender });
  });

  it.each([
    ['13010', '1990-02-03', 1, /region must be 6 digits/],
    ['130105', '1990-02-30', 1, /birthDate must be a real date/],
    ['130105', '19900203', 1, /birthDate must be a real date/],
    ['130105', '1990-02-03', 1000, /sequence must be an integer 0–999/],
    ['130105', '1990-02-03', 1.5, /sequence must be an integer 0–999/],
  ] as const)('refuses region %j, birthDate %j, sequence %j', (region, birthDate, sequence, message) => {
    expect(() => makeIdNumber(region, birthDate, sequence)).toThrow(message);
  });
});

/** Any 17 digits with their check character: for numbers whose other parts are deliberately wrong. */
function makeIdNumberUnchecked(first17: string): string {
  return first17 + idNumberCheckCharacter(first17);
}
