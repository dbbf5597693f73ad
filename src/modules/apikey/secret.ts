import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `grk_3f9a1c0b7e_<43 characters>`: a fixed marker (secret scanners can find leaked ones),
 * a public prefix that finds the key's row and is shown in lists, and 256 random bits. Only a SHA-256 of the
 * whole key is stored: the key has far too much entropy to guess from its hash, so no slow hash is needed.
 */
const KEY = /^grk_([0-9a-f]{10})_([A-Za-z0-9_-]{43})$/;

export function newApiKey(): { key: string; prefix: string; secretHash: string } {
  const prefix = `grk_${randomBytes(5).toString('hex')}`;
  const key = `${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, secretHash: hashApiKey(key) };
}

/** The prefix of a well-formed key, or null. */
export function apiKeyPrefix(key: string): string | null {
  const m = KEY.exec(key);
  return m ? `grk_${m[1]}` : null;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function apiKeyMatches(key: string, secretHash: string): boolean {
  const a = Buffer.from(hashApiKey(key), 'hex');
  const b = Buffer.from(secretHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
