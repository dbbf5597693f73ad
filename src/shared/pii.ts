import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../config';

/**
 * Personal data at rest (PIPL art. 28, GB/T 35273 §6.3): each value sealed with AES-256-GCM under the current
 * key, the key's version stored with it so keys can rotate (every listed key still opens what it sealed), and
 * the column it belongs to bound in as associated data (a value copied into another column or table does not
 * open). Exact lookups (an ID number, a phone) go through a keyed blind index (HMAC-SHA256), which reveals
 * nothing without the index key.
 *
 * Layout of a sealed value: version (2 bytes, big-endian) ‖ IV (12) ‖ tag (16) ‖ ciphertext.
 */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 2 + IV_BYTES + TAG_BYTES;

export class PiiError extends Error {}

export class PiiCipher {
  private readonly keys: Map<number, Buffer>;
  private readonly current: { version: number; key: Buffer };

  constructor(private readonly config: Config['pii']) {
    if (config.keys.length === 0) throw new PiiError('no key for personal data (PII_KEY)');
    this.keys = new Map(config.keys.map((k) => [k.version, k.key]));
    this.current = config.keys[config.keys.length - 1];
  }

  /**
   * Random IVs drawn many at a time: each draw from the system's generator costs about as much as the sealing
   * itself, and a bulk import seals three values a row. Every IV is used once, as one drawn alone would be.
   */
  private ivs = Buffer.alloc(0);
  private ivOffset = 0;

  private nextIv(): Buffer {
    if (this.ivOffset + IV_BYTES > this.ivs.length) {
      this.ivs = randomBytes(IV_BYTES * 256);
      this.ivOffset = 0;
    }
    this.ivOffset += IV_BYTES;
    return this.ivs.subarray(this.ivOffset - IV_BYTES, this.ivOffset);
  }

  /** Seals `plain` for the column named by `context` (`person.id_number`). */
  seal(plain: string, context: string): Buffer {
    const iv = this.nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const version = Buffer.alloc(2);
    version.writeUInt16BE(this.current.version);
    return Buffer.concat([version, iv, cipher.getAuthTag(), body]);
  }

  /**
   * Opens a value sealed for `context`; throws when it was altered, sealed for another column, or its key is gone.
   * The embedded database's driver reads bytea as a Uint8Array, PostgreSQL's as a Buffer: either opens.
   */
  open(value: Uint8Array, context: string): string {
    const sealed = asBuffer(value);
    if (sealed.length < HEADER_BYTES) throw new PiiError('not a sealed value (too short)');
    const version = sealed.readUInt16BE(0);
    const key = this.keys.get(version);
    if (!key) throw new PiiError(`sealed with key version ${version}, which PII_KEY no longer lists`);
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(2, 2 + IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.subarray(2 + IV_BYTES, HEADER_BYTES));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new PiiError(`a sealed ${context} does not open: altered, or sealed for another column`);
    }
  }

  /** Whether a value was sealed with an older key (a rotation job re-seals those). */
  isStale(sealed: Uint8Array): boolean {
    return asBuffer(sealed).readUInt16BE(0) !== this.current.version;
  }

  /**
   * The blind index of a normalised value for `context`: equal values give equal indexes, within one column
   * only, and nobody without the index key can compute or reverse one.
   */
  blindIndex(normalised: string, context: string): Buffer {
    return createHmac('sha256', this.config.indexKey).update(context, 'utf8').update('\u0000').update(normalised, 'utf8').digest();
  }
}

function asBuffer(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
