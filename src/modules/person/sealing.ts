import type { Config } from '../../config';
import { PiiCipher } from '../../shared/pii';
import { maskIdNumber } from './id-number';

/**
 * The columns personal values are sealed into, each its own associated-data context (a value copied into
 * another column does not open), and the masked forms shown in their place.
 */
export const SEALED = {
  idNumber: 'person.id_number',
  phone: 'person.phone',
  permit: 'person.permit',
  tagDetails: 'person_tag.details',
  visitNote: 'visit.note',
  tenantSubmission: 'tenant_registration.submission',
} as const;

export type SealedContext = (typeof SEALED)[keyof typeof SEALED];

const ciphers = new WeakMap<Config['pii'], PiiCipher>();

/** The cipher of a configuration, built once (keys parsed once per process). */
export function cipherFor(config: Config): PiiCipher {
  let cipher = ciphers.get(config.pii);
  if (!cipher) {
    cipher = new PiiCipher(config.pii);
    ciphers.set(config.pii, cipher);
  }
  return cipher;
}

/** A value ready for its columns: sealed, its blind index (for the looked-up kinds) and its masked form. */
export interface SealedValue {
  sealed: Buffer;
  index: Buffer;
  masked: string;
}

/** A normalised 18-character ID number, sealed, indexed and masked (`130105********123X`). */
export function sealIdNumber(cipher: PiiCipher, idNumber: string): SealedValue {
  return { sealed: cipher.seal(idNumber, SEALED.idNumber), index: idNumberIndex(cipher, idNumber), masked: maskIdNumber(idNumber) };
}

export function idNumberIndex(cipher: PiiCipher, idNumber: string): Buffer {
  return cipher.blindIndex(idNumber, SEALED.idNumber);
}

/**
 * A normalised phone (`13812345678` or `0311-86681234`), sealed for its column (`column`: the AAD; a person's by
 * default, an incident's reporter or party elsewhere), indexed (always by the one phone index, so a number finds
 * its holders wherever it is kept) and masked.
 */
export function sealPhone(cipher: PiiCipher, phone: string, column: string = SEALED.phone): SealedValue {
  return { sealed: cipher.seal(phone, column), index: phoneIndex(cipher, phone), masked: maskResidentPhone(phone) };
}

export function phoneIndex(cipher: PiiCipher, phone: string): Buffer {
  return cipher.blindIndex(phone, SEALED.phone);
}

/** A residence-permit number, sealed and masked (no index: nobody looks people up by it). */
export function sealPermit(cipher: PiiCipher, permit: string): { sealed: Buffer; masked: string } {
  return { sealed: cipher.seal(permit, SEALED.permit), masked: maskMiddle(permit, 4, 4) };
}

/** `13812345678` → `138****5678`; `0311-86681234` → `0311-****1234`. */
export function maskResidentPhone(phone: string): string {
  const dash = phone.indexOf('-');
  if (dash > 0) {
    const local = phone.slice(dash + 1);
    return `${phone.slice(0, dash)}-****${local.slice(-4)}`;
  }
  return maskMiddle(phone, 3, 4);
}

/** Keeps `head` characters and `tail` characters, stars in between (all stars when the value is that short). */
export function maskMiddle(value: string, head: number, tail: number): string {
  if (value.length <= head + tail) return '*'.repeat(value.length);
  return `${value.slice(0, head)}${'*'.repeat(value.length - head - tail)}${value.slice(-tail)}`;
}
