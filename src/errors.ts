import { GraphQLError } from 'graphql';

/**
 * Failures a client can act on travel as GraphQL errors with a stable `extensions.code`; anything else is
 * an internal error whose text is hidden in production (see `formatError` in server.ts). A missing grid or a
 * stale version in a mutation is not an error but a member of the payload union (NotFoundError, ConflictError).
 */
export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT';

export const CLIENT_ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>(['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT']);

export function badInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(field ? { field } : {}) } });
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}
