import { createHash } from 'node:crypto';

/**
 * Determinism inside set-based SQL. The located records of the demo and the benchmark are made by
 * INSERT … SELECT (row-by-row work is slow on the embedded database and at benchmark scale), so the
 * "random" choices are drawn in SQL from a key every machine computes alike: MD5 of the row's code plus a
 * salt naming the choice. `random()` would differ between runs; `hashtext` is not promised stable across
 * PostgreSQL versions; MD5 is.
 */

const SALT = /^[a-z0-9-]+$/;

/** SQL for a number in [0, 1) fixed by `keySql` (an SQL text expression) and the choice `salt`. */
export function fractionSql(keySql: string, salt: string): string {
  if (!SALT.test(salt)) throw new Error(`salt must be plain lowercase words: ${salt}`);
  return hashFractionSql(`md5((${keySql}) || ':${salt}')`, 0);
}

/**
 * SQL for a number in [0, 1) from the `part`-th (0–3) 32 bits of an MD5 hex already computed (`hashSql`, e.g.
 * a column of a LATERAL): several draws from one hash, where millions of rows make each MD5 count.
 */
export function hashFractionSql(hashSql: string, part: 0 | 1 | 2 | 3): string {
  return `((('x' || substr(${hashSql}, ${1 + 8 * part}, 8))::bit(32)::int::float8 + 2147483648) / 4294967296)`;
}

/** SQL for an integer in [min, max] fixed by the key and the choice. */
export function intBetweenSql(keySql: string, salt: string, min: number, max: number): string {
  return `(${min} + floor(${fractionSql(keySql, salt)} * ${max - min + 1})::int)`;
}

/**
 * SQL for the name-based UUID of `nameSql` (an SQL text expression): version 3 (MD5) with the RFC 4122
 * variant, so the same record gets the same id on every machine and every re-seed. `seededUuid` is its twin.
 */
export function uuidSql(nameSql: string): string {
  return uuidFromHashSql(`md5(${nameSql})`);
}

/** The same from the MD5 hex of the name, already computed. */
export function uuidFromHashSql(hashSql: string): string {
  return `(overlay(overlay(${hashSql} placing '3' from 13) placing substr('89ab', 1 + (('x' || substr(${hashSql}, 17, 1))::bit(4)::int & 3), 1) from 17)::uuid)`;
}

export function seededUuid(name: string): string {
  return uuidOfHex(md5Hex(name), '3');
}

/** SQL picking one of `items` (bound as a text[] parameter at `param`) by a fraction expression. */
export function pickSql(arrayParam: string, fraction: string): string {
  return `(${arrayParam})[1 + floor(${fraction} * cardinality(${arrayParam}))::int]`;
}

/**
 * A time-ordered id (RFC 9562 version 7) for a record made at `ms`, its random bits taken from the MD5 of `name`:
 * demo incidents sort by when they were reported, as those the database's `uuid_v7()` gives live ones.
 */
export function seededUuidV7(ms: number, name: string): string {
  return uuidOfHex(ms.toString(16).padStart(12, '0') + md5Hex(name).slice(12), '7');
}

const md5Hex = (name: string) => createHash('md5').update(name, 'utf8').digest('hex');

/** 32 hex digits as a uuid of `version` with the RFC 4122 variant. */
function uuidOfHex(hex32: string, version: string): string {
  const hex = [...hex32];
  hex[12] = version;
  hex[16] = '89ab'[parseInt(hex[16], 16) & 3];
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
