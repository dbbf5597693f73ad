import type { Context } from '../../context';
import type { CreateApiKeyInput, RevokeApiKeyInput } from '../../generated/graphql';
import { expectGlobalId } from '../../graphql/relay';
import { msg } from '../../i18n';
import { notFound, problem, Problems, validationError } from '../../shared/payload';
import { assertPrincipal, can, codeSubject, GRID_CODE } from '../auth/policy';
import { API_OPERATIONS } from '../auth/viewer';
import { currentGridsByCodes } from '../grid/repo';
import type { ApiKeyRow, CreatedApiKey, RevokedApiKey } from './mappers';
import * as repo from './repo';
import { nameIssue as nameIssueOf } from '../../shared/text';
import { newApiKey } from './secret';

/**
 * API keys of service principals: created, listed and revoked by ADMINs, each key within the ADMIN's own
 * jurisdiction. Keys are read by the authenticator (src/modules/auth/authenticate.ts), which caches them
 * for a few seconds; revoking clears this instance's cache at once.
 */
export class ApiKeyService {
  constructor(private readonly ctx: Context) {}

  /** Keys the caller may manage: those whose jurisdiction lies within theirs. */
  async list(includeRevoked: boolean): Promise<ApiKeyRow[]> {
    // AUTH
    assertPrincipal(this.ctx.viewer, 'apikey:manage', scopeOfCaller(this.ctx));
    // RESOLUTION
    const rows = await repo.listApiKeys(this.ctx.db, includeRevoked);
    return rows.filter((k) => this.manageable(k));
  }

  async byId(id: string): Promise<ApiKeyRow | null> {
    const row = await this.ctx.loaders.apiKey.byId.load(id);
    return row && this.manageable(row) ? row : null;
  }

  async create(input: CreateApiKeyInput): Promise<CreatedApiKey | ReturnType<typeof validationError>> {
    // AUTH
    const jurisdictionCode = input.jurisdictionCode?.trim() || null;
    const principal = assertPrincipal(
      this.ctx.viewer,
      'apikey:manage',
      jurisdictionCode && GRID_CODE.test(jurisdictionCode) ? { code: jurisdictionCode } : null,
      jurisdictionCode ? `a key for ${jurisdictionCode}` : 'a key for the whole deployment',
    );
    // VALIDATION
    const problems = new Problems();
    const name = input.name.trim();
    const nameIssue = nameIssueOf(input.name, 100);
    if (nameIssue) problems.add(problem('BAD_NAME', msg('apikey.name', { issue: nameIssue }), { field: 'input.name' }));
    const operations = [...new Set(input.operations)];
    if (operations.length === 0) problems.add(problem('BAD_VALUE', msg('apikey.operations', { operations: API_OPERATIONS.join(', ') }), { field: 'input.operations' }));
    if (jurisdictionCode && !GRID_CODE.test(jurisdictionCode)) {
      problems.add(problem('BAD_CODE', msg('apikey.jurisdictionShape', { code: jurisdictionCode }), { field: 'input.jurisdictionCode' }));
    } else if (jurisdictionCode && (await currentGridsByCodes(this.ctx.db, [jurisdictionCode])).length === 0) {
      problems.add(problem('BAD_CODE', msg('apikey.noGrid', { code: jurisdictionCode }), { field: 'input.jurisdictionCode' }));
    }
    if (problems.any) return validationError(problems);
    // RESOLUTION
    const { key, prefix, secretHash } = newApiKey();
    const row = await repo.insertApiKey(this.ctx.db, { name, prefix, secretHash, jurisdictionCode, operations, createdBy: principal.subject });
    return { __typename: 'CreateApiKeySuccess', row, key };
  }

  async revoke(input: RevokeApiKeyInput): Promise<RevokedApiKey | ReturnType<typeof notFound>> {
    const principal = assertPrincipal(this.ctx.viewer, 'apikey:manage', scopeOfCaller(this.ctx));
    const id = expectGlobalId(input.id, 'ApiKey', 'input.id');
    const existing = await this.byId(id);
    if (!existing) return notFound(input.id, 'API key');
    const row = await repo.revokeApiKey(this.ctx.db, id, principal.subject);
    this.ctx.onApiKeyRevoked?.(row!.prefix);
    return { __typename: 'RevokeApiKeySuccess', row: row! };
  }

  /** An ADMIN manages the keys whose jurisdiction lies within theirs. */
  private manageable(key: ApiKeyRow): boolean {
    return can(this.ctx.viewer, 'apikey:manage', codeSubject(key.jurisdiction_code));
  }
}

/** The caller's own jurisdiction as a subject: an ADMIN manages keys at or below it. */
function scopeOfCaller(ctx: Context) {
  const v = ctx.viewer;
  return v.kind !== 'anonymous' && v.jurisdictionCode ? { code: v.jurisdictionCode } : null;
}
