import type { Knex } from 'knex';
import type { Config } from '../../config';
import { msg } from '../../i18n';
import type { Logger } from '../../logger';
import * as apiKeyRepo from '../apikey/repo';
import { apiKeyMatches, apiKeyPrefix } from '../apikey/secret';
import { currentGridsByCodes } from '../grid/repo';
import { createTokenVerifier, InvalidTokenError } from './jwt';
import { ANONYMOUS, type ServiceViewer, type Viewer } from './viewer';

/**
 * Who is calling, from the Authorization header: `Bearer <jwt>` (a person), `ApiKey <key>` (a machine), or
 * nothing (anonymous). Anything malformed, expired, revoked or unknown is refused (401), never read as
 * anonymous. What it reads from the database (whether a jurisdiction grid exists, an API key's row) is cached
 * briefly in bounded tables, so an authenticated request costs no extra statement in the steady state.
 */
export interface Authenticator {
  authenticate(header: string | undefined): Promise<Viewer>;
  /** Forgets a key at once on this instance (other instances within API_KEY_CACHE_MS). */
  forgetApiKey(prefix: string): void;
}

const GRID_CACHE_MS = 60_000;
export const API_KEY_CACHE_MS = 10_000;
const TOUCH_EVERY_MS = 60_000;
const MAX_CACHED = 10_000;

/** A small time-bounded cache: entries expire, and the table never holds more than MAX_CACHED. */
class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(private readonly ttlMs: number) {}

  /** The cached value, else `load()`'s; misses (null) are not kept, so unknown keys cannot fill the table. */
  async get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = await load();
    if (value === null || value === undefined) return value;
    if (this.entries.size >= MAX_CACHED) this.evict();
    this.entries.set(key, { value, until: Date.now() + this.ttlMs });
    return value;
  }

  /** Drops expired entries, else the oldest tenth. */
  private evict(): void {
    const now = Date.now();
    for (const [k, e] of this.entries) if (e.until <= now) this.entries.delete(k);
    let n = Math.ceil(MAX_CACHED / 10);
    for (const k of this.entries.keys()) {
      if (this.entries.size < MAX_CACHED || n-- <= 0) break;
      this.entries.delete(k);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

export function createAuthenticator(config: Config['jwt'], db: Knex, log: Logger): Authenticator {
  const grids = new TtlCache<boolean>(GRID_CACHE_MS);
  const gridExists = (code: string) => grids.get(code, async () => (await currentGridsByCodes(db, [code])).length > 0);
  const verifyToken = createTokenVerifier(config, { gridExists });
  const keys = new TtlCache<Awaited<ReturnType<typeof apiKeyRepo.keyForAuthentication>>>(API_KEY_CACHE_MS);
  const touched = new Map<string, number>();

  async function apiKeyViewer(key: string): Promise<ServiceViewer> {
    const prefix = apiKeyPrefix(key);
    if (!prefix) throw new InvalidTokenError(msg('auth.keyMalformed'));
    const row = await keys.get(prefix, () => apiKeyRepo.keyForAuthentication(db, prefix));
    if (!row || !apiKeyMatches(key, row.secret_hash)) throw new InvalidTokenError(msg('auth.keyUnknown'));
    if (row.revoked_at) throw new InvalidTokenError(msg('auth.keyRevoked', { prefix, at: row.revoked_at.toISOString() }));
    const last = touched.get(row.id) ?? 0;
    if (Date.now() - last > TOUCH_EVERY_MS) {
      if (touched.size >= MAX_CACHED) touched.clear();
      touched.set(row.id, Date.now());
      apiKeyRepo.touchApiKey(db, row.id).catch((err: unknown) => log.warn({ err }, 'could not record API key use'));
    }
    return { kind: 'service', keyId: row.id, subject: `apikey:${row.name}`, name: row.name, operations: row.operations, jurisdictionCode: row.jurisdiction_code };
  }

  return {
    async authenticate(header) {
      if (!header) return ANONYMOUS;
      const match = /^(Bearer|ApiKey)\s+(\S+)$/i.exec(header.trim());
      if (!match) throw new InvalidTokenError(msg('auth.badHeader'));
      return match[1].toLowerCase() === 'bearer' ? verifyToken(match[2]) : apiKeyViewer(match[2]);
    },
    forgetApiKey: (prefix) => keys.delete(prefix),
  };
}
