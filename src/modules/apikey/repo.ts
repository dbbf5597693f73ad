import type { Knex } from 'knex';
import type { ApiOperation } from '../../generated/graphql';
import type { ApiKeyRow } from './mappers';

/** SQL for API keys. The hash column is read only by `keyForAuthentication`. */
const COLUMNS = `k.id, k.name, k.prefix, k.jurisdiction_code, k.operations, k.created_by, k.created_at, k.revoked_at, k.revoked_by, k.last_used_at`;

export async function insertApiKey(
  db: Knex,
  key: { name: string; prefix: string; secretHash: string; jurisdictionCode: string | null; operations: readonly ApiOperation[]; createdBy: string },
): Promise<ApiKeyRow> {
  const { rows } = await db.raw(
    `/* insertApiKey */ INSERT INTO api_key AS k (name, prefix, secret_hash, jurisdiction_code, operations, created_by)
     VALUES (?, ?, ?, ?, ?::text[], ?) RETURNING ${COLUMNS}`,
    [key.name, key.prefix, key.secretHash, key.jurisdictionCode, [...key.operations], key.createdBy],
  );
  return rows[0];
}

export async function apiKeysByIds(db: Knex, ids: readonly string[]): Promise<ApiKeyRow[]> {
  const { rows } = await db.raw(`/* apiKeysByIds */ SELECT ${COLUMNS} FROM api_key k WHERE k.id = ANY(?::uuid[])`, [[...ids]]);
  return rows;
}

export async function listApiKeys(db: Knex, includeRevoked: boolean): Promise<ApiKeyRow[]> {
  const { rows } = await db.raw(
    `/* listApiKeys */ SELECT ${COLUMNS} FROM api_key k WHERE ? OR k.revoked_at IS NULL ORDER BY k.created_at DESC, k.id`,
    [includeRevoked],
  );
  return rows;
}

export async function revokeApiKey(db: Knex, id: string, revokedBy: string): Promise<ApiKeyRow | null> {
  const { rows } = await db.raw(
    `/* revokeApiKey */ UPDATE api_key k SET revoked_at = coalesce(k.revoked_at, clock_timestamp()), revoked_by = coalesce(k.revoked_by, ?)
     WHERE k.id = ? RETURNING ${COLUMNS}`,
    [revokedBy, id],
  );
  return rows[0] ?? null;
}

/** The key with this prefix, with its hash, for checking a presented key. */
export async function keyForAuthentication(db: Knex, prefix: string): Promise<(ApiKeyRow & { secret_hash: string }) | null> {
  const { rows } = await db.raw(`/* apiKeyForAuthentication */ SELECT ${COLUMNS}, k.secret_hash FROM api_key k WHERE k.prefix = ?`, [prefix]);
  return rows[0] ?? null;
}

/** Marks a key used; callers throttle this to once a minute per key. */
export async function touchApiKey(db: Knex, id: string): Promise<void> {
  await db.raw(`/* touchApiKey */ UPDATE api_key SET last_used_at = clock_timestamp() WHERE id = ?`, [id]);
}
