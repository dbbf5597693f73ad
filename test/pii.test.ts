import { randomBytes } from 'node:crypto';
import { ConfigError, DEV_PII_KEY, loadConfig } from '../src/config';
import { PiiCipher, PiiError } from '../src/shared/pii';

/** Personal data at rest: sealing, rotation, tampering, blind indexes, and the keys the configuration accepts. */
const key = () => randomBytes(32).toString('base64');
const cipherOf = (env: Record<string, string>) => new PiiCipher(loadConfig({ NODE_ENV: 'test', ...env }).pii);

describe('PiiCipher', () => {
  it('seals so that the stored bytes hold no clear text, and opens what it sealed', () => {
    const c = cipherOf({ PII_KEY: key() });
    const sealed = c.seal('13010519900307123X', 'person.id_number');
    expect(sealed.toString('latin1')).not.toContain('19900307');
    expect(c.seal('13010519900307123X', 'person.id_number').equals(sealed)).toBe(false); // a fresh IV each time
    expect(c.open(sealed, 'person.id_number')).toBe('13010519900307123X');
  });

  it('refuses a value altered, moved to another column, or sealed under a key it does not hold', () => {
    const k = key();
    const c = cipherOf({ PII_KEY: k });
    const sealed = c.seal('13812345678', 'person.phone');
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1] ^= 1;
    expect(() => c.open(flipped, 'person.phone')).toThrow(PiiError);
    expect(() => c.open(sealed, 'person.id_number')).toThrow(/sealed for another column/);
    expect(() => cipherOf({ PII_KEY: key() }).open(sealed, 'person.phone')).toThrow(PiiError);
    expect(() => c.open(Buffer.from('short'), 'person.phone')).toThrow(/too short/);
  });

  it('rotates: the highest version seals, every listed version opens, a dropped version is named', () => {
    const [k1, k2] = [key(), key()];
    const before = cipherOf({ PII_KEY: k1 });
    const old = before.seal('甲', 'person.special_detail');
    const after = cipherOf({ PII_KEY: `1:${k1},2:${k2}` });
    expect(after.open(old, 'person.special_detail')).toBe('甲');
    expect(after.isStale(old)).toBe(true);
    const fresh = after.seal('乙', 'person.special_detail');
    expect(fresh.readUInt16BE(0)).toBe(2);
    expect(after.isStale(fresh)).toBe(false);
    expect(() => cipherOf({ PII_KEY: `2:${k2}` }).open(old, 'person.special_detail')).toThrow(/key version 1, which PII_KEY no longer lists/);
  });

  it('gives blind indexes that match equal values in one column only, stay put across a rotation, and depend on the key', () => {
    const k1 = key();
    const c = cipherOf({ PII_KEY: k1 });
    const a = c.blindIndex('13812345678', 'person.phone');
    expect(c.blindIndex('13812345678', 'person.phone').equals(a)).toBe(true);
    expect(c.blindIndex('13812345679', 'person.phone').equals(a)).toBe(false);
    expect(c.blindIndex('13812345678', 'organization.phone').equals(a)).toBe(false);
    expect(cipherOf({ PII_KEY: `1:${k1},2:${key()}` }).blindIndex('13812345678', 'person.phone').equals(a)).toBe(true);
    expect(cipherOf({ PII_KEY: key() }).blindIndex('13812345678', 'person.phone').equals(a)).toBe(false);
    const own = key();
    expect(cipherOf({ PII_KEY: key(), PII_INDEX_KEY: own }).blindIndex('x', 'c').equals(cipherOf({ PII_KEY: key(), PII_INDEX_KEY: own }).blindIndex('x', 'c'))).toBe(true);
  });
});

describe('PII_KEY', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  it('uses the published development key outside production, and says so', () => {
    const config = loadConfig({ NODE_ENV: 'development' });
    expect(config.pii.developmentKey).toBe(true);
    expect(config.pii.keys).toEqual([{ version: 1, key: Buffer.from(DEV_PII_KEY, 'base64') }]);
  });

  it('is required in production, and the development key is refused there', () => {
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) };
    expect(problems(prod)).toEqual([expect.stringMatching(/^PII_KEY is required when NODE_ENV=production/)]);
    expect(problems({ ...prod, PII_KEY: DEV_PII_KEY })).toEqual([expect.stringMatching(/development key published/)]);
    expect(problems({ ...prod, PII_KEY: key() })).toEqual([]);
  });

  it('says what is wrong with a malformed key, never showing it', () => {
    const short = Buffer.alloc(16, 1).toString('base64');
    expect(problems({ PII_KEY: short })).toEqual(['PII_KEY entry 1 is 16 bytes; a key is 32 random bytes, base64 (openssl rand -base64 32)']);
    expect(problems({ PII_KEY: `${key()},${key()}` })).toEqual([expect.stringMatching(/with several keys, write each as version:base64/)]);
    expect(problems({ PII_KEY: `1:${key()},1:${key()}` })).toEqual(['PII_KEY version 1 is given twice']);
    expect(problems({ PII_KEY: 'not base64!' })).toEqual(['PII_KEY entry 1 is not base64, nor version:base64']);
    expect(problems({ PII_INDEX_KEY: 'abc' })).toEqual(['PII_INDEX_KEY must be 32 random bytes, base64 (openssl rand -base64 32)']);
  });
});
