import { hkdfSync } from 'node:crypto';

/** The keys of personal data (src/shared/pii.ts): PII_KEY and PII_INDEX_KEY, read by src/config.ts. */

/**
 * A development-only key for personal data (32 bytes, base64), so `npm start` works with nothing configured.
 * Production refuses it: data sealed with a published key is not protected.
 */
export const DEV_PII_KEY = 'ZGV2ZWxvcG1lbnQtb25seS1waWkta2V5LTMyLWJ5dGU=';

/** `PII_KEY`: one base64 key (version 1), or `version:base64` pairs separated by commas for rotation. */
export function parsePiiKeys(value: string): { keys: { version: number; key: Buffer }[] } | { problem: string } {
  const parts = value.split(',').map((p) => p.trim()).filter(Boolean);
  const keys: { version: number; key: Buffer }[] = [];
  for (const [i, part] of parts.entries()) {
    const m = /^(?:(\d{1,5}):)?([A-Za-z0-9+/]+={0,2})$/.exec(part);
    if (!m) return { problem: `entry ${i + 1} is not base64, nor version:base64` };
    if (!m[1] && parts.length > 1) return { problem: `entry ${i + 1} has no version: with several keys, write each as version:base64` };
    const version = m[1] ? Number(m[1]) : 1;
    const key = Buffer.from(m[2], 'base64');
    if (key.length !== 32) return { problem: `entry ${i + 1} is ${key.length} bytes; a key is 32 random bytes, base64 (openssl rand -base64 32)` };
    if (version < 1 || version > 65535) return { problem: `entry ${i + 1}: versions are 1–65535` };
    if (keys.some((k) => k.version === version)) return { problem: `version ${version} is given twice` };
    keys.push({ version, key });
  }
  if (keys.length === 0) return { problem: 'holds no key' };
  return { keys: keys.sort((a, b) => a.version - b.version) };
}

export interface PiiKeys {
  /** Every key that may have sealed a stored value, by version; the highest seals new values. */
  keys: { version: number; key: Buffer }[];
  /** The blind-index (HMAC) key: PII_INDEX_KEY, else derived from the version-1 (or lowest) key. */
  indexKey: Buffer;
  /** True when the published development key is in use (never in production). */
  developmentKey: boolean;
}

/** What is wrong with PII_KEY and PII_INDEX_KEY (with NODE_ENV: production needs a key of its own). */
export function piiKeyProblems(env: { NODE_ENV: string; PII_KEY?: string; PII_INDEX_KEY?: string }): { key: string; message: string }[] {
  const problems: { key: string; message: string }[] = [];
  if (env.PII_KEY) {
    const parsed = parsePiiKeys(env.PII_KEY);
    if ('problem' in parsed) problems.push({ key: 'PII_KEY', message: parsed.problem });
  }
  if (env.PII_INDEX_KEY && Buffer.from(env.PII_INDEX_KEY, 'base64').length !== 32) {
    problems.push({ key: 'PII_INDEX_KEY', message: 'must be 32 random bytes, base64 (openssl rand -base64 32)' });
  }
  if (env.NODE_ENV !== 'production') return problems;
  if (!env.PII_KEY) {
    problems.push({ key: 'PII_KEY', message: 'is required when NODE_ENV=production: personal data is encrypted with it (openssl rand -base64 32)' });
  } else if (env.PII_KEY.includes(DEV_PII_KEY)) {
    problems.push({ key: 'PII_KEY', message: 'holds the development key published in the repository; set a key of your own' });
  }
  return problems;
}

export function piiKeys(value: string | undefined, indexKey: string | undefined): PiiKeys {
  const parsed = parsePiiKeys(value ?? DEV_PII_KEY);
  // Validated above; the development key always parses.
  const keys = 'keys' in parsed ? parsed.keys : [];
  return {
    keys,
    // Blind indexes must not change when the encryption key rotates: they come from their own key, or from the
    // oldest key, which stays listed while values sealed with it remain.
    indexKey: indexKey ? Buffer.from(indexKey, 'base64') : Buffer.from(hkdfSync('sha256', keys[0].key, Buffer.alloc(0), 'grid-registry blind index', 32)),
    developmentKey: !value,
  };
}
