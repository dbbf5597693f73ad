import type { ApiOperation } from '../../generated/graphql';

/** A row of `api_key` (never with its hash). */
export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  jurisdiction_code: string | null;
  operations: ApiOperation[];
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
  last_used_at: Date | null;
}

/** What createApiKey returns: the new key's row and, this once, the key itself. */
export interface CreatedApiKey {
  __typename: 'CreateApiKeySuccess';
  row: ApiKeyRow;
  key: string;
}

export interface RevokedApiKey {
  __typename: 'RevokeApiKeySuccess';
  row: ApiKeyRow;
}
