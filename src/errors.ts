import { GraphQLError } from 'graphql';

/**
 * Failures a client can act on travel as GraphQL errors with a stable `extensions.code`; anything else is
 * an internal error whose text is hidden in production (see `formatError` in graphql/apollo.ts). A missing grid
 * or a stale version in a mutation is not an error but a member of the payload union (NotFoundError,
 * ConflictError).
 *
 * - BAD_USER_INPUT: an argument is wrong (the message names it).
 * - UNAUTHENTICATED (HTTP 401) / FORBIDDEN: who you are / what you may do.
 * - RATE_LIMITED (HTTP 429, Retry-After): too many requests, or too many expensive ones at once.
 * - SERVICE_UNAVAILABLE (HTTP 503, Retry-After): the database is unreachable or every connection is busy.
 * - REQUEST_TIMEOUT: the request ran past its deadline; its database statements were cancelled.
 * - RESPONSE_TOO_LARGE: the answer would exceed the response size limit.
 */
const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'REQUEST_TIMEOUT',
  'RESPONSE_TOO_LARGE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const CLIENT_ERROR_CODES: ReadonlySet<string> = new Set<string>(ERROR_CODES);

/**
 * The HTTP status each code is answered with (GraphQL's own 200 otherwise). Applied in one place each: the
 * Apollo plugin in graphql/apollo.ts for /graphql, HttpError in http.ts for the plain routes. The errors carry
 * only their code (and `retryAfterSeconds`), so no error thrown deep in execution sets a status of its own.
 */
export const HTTP_STATUS: Partial<Record<ErrorCode, number>> = { UNAUTHENTICATED: 401, RATE_LIMITED: 429, SERVICE_UNAVAILABLE: 503 };

function clientError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}, retryAfterSeconds?: number): GraphQLError {
  const retry = retryAfterSeconds === undefined ? {} : { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) };
  return new GraphQLError(message, { extensions: { code, ...retry, ...extra } });
}

export function badInput(message: string, field?: string): GraphQLError {
  return clientError('BAD_USER_INPUT', message, field ? { field } : {});
}

export function unauthenticated(message: string): GraphQLError {
  return clientError('UNAUTHENTICATED', message);
}

export function forbidden(message: string): GraphQLError {
  return clientError('FORBIDDEN', message);
}

export function rateLimited(message: string, retryAfterSeconds: number): GraphQLError {
  return clientError('RATE_LIMITED', message, {}, retryAfterSeconds);
}

export function serviceUnavailable(message: string, retryAfterSeconds: number): GraphQLError {
  return clientError('SERVICE_UNAVAILABLE', message, {}, retryAfterSeconds);
}

export function requestTimeout(message: string): GraphQLError {
  return clientError('REQUEST_TIMEOUT', message);
}

export function responseTooLarge(message: string, limitBytes: number): GraphQLError {
  return clientError('RESPONSE_TOO_LARGE', message, { limitBytes });
}

/** Thrown when the request's deadline has passed before a statement could start (or while it ran). */
export class DeadlineExceededError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the request ran longer than ${timeoutMs} ms (REQUEST_TIMEOUT_MS) and was stopped; ask for less (fewer fields, smaller pages) or narrow the area`);
    this.name = 'DeadlineExceededError';
  }
}

/** PostgreSQL SQLSTATEs and driver errors meaning the database cannot be reached or is shutting down. */
const UNAVAILABLE_SQLSTATES = new Set(['53300', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE']);

/**
 * Infrastructure and input failures raised below the services (the pool, the driver, PostgreSQL), as the
 * client error they are; null for anything else (a bug: logged, hidden in production). The one place that
 * knows these shapes, used for GraphQL and plain HTTP alike.
 */
export function classifyError(thrown: unknown): GraphQLError | null {
  // Some drivers reject with plain objects ({ code: 'ECONNREFUSED', ... }), which graphql-js wraps.
  const err = thrown instanceof Error && 'thrownValue' in thrown ? (thrown as { thrownValue: unknown }).thrownValue : thrown;
  if (!err || typeof err !== 'object') return null;
  if (err instanceof GraphQLError && typeof err.extensions?.code === 'string' && CLIENT_ERROR_CODES.has(err.extensions.code)) return err;
  if (err instanceof DeadlineExceededError) return requestTimeout(err.message);
  const e = err as { name?: string; message?: string; code?: string };
  const message = typeof e.message === 'string' ? e.message : '';
  if (e.name === 'KnexTimeoutError') {
    if (/acquiring a connection/i.test(message)) {
      return serviceUnavailable('every database connection is busy; retry shortly', 1);
    }
    return requestTimeout('a database statement ran past the request deadline and was cancelled; ask for less or narrow the area');
  }
  if (e.code === '57014') {
    return requestTimeout(
      /statement timeout/.test(message)
        ? 'a database statement ran past its statement timeout (DB_STATEMENT_TIMEOUT_MS; DB_LONG_STATEMENT_TIMEOUT_MS for coverage and imports) and was cancelled: ask for less or narrow the area, or retry if other edits were holding the same grids'
        : 'a database statement ran past the request deadline and was cancelled; ask for less or narrow the area',
    );
  }
  if ((e.code && UNAVAILABLE_SQLSTATES.has(e.code)) || (e.code && UNAVAILABLE_ERRNOS.has(e.code)) || /Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/i.test(message)) {
    return serviceUnavailable('the database is unavailable; retry shortly', 5);
  }
  if (e.code === '40P01' || e.code === '40001') {
    return serviceUnavailable('the change collided with another one at the same time; retry it', 1);
  }
  // Class 22, data exceptions: a value PostgreSQL cannot take (a NUL character, a malformed uuid, a date out
  // of range). Said in our words: the driver's message carries the statement, which no client may see.
  if (e.code?.startsWith('22')) return badInput(`a value in the request is not valid: ${DATA_EXCEPTIONS[e.code] ?? 'the database cannot store it'}`);
  return null;
}

const DATA_EXCEPTIONS: Record<string, string> = {
  '22P02': 'it is not of the expected type (a malformed id or number?)',
  '22007': 'a date or time is malformed',
  '22008': 'a date or time is out of range',
  '22009': 'a time-zone offset is out of range',
  '22003': 'a number is out of range',
  '22021': 'a text holds a character the database cannot store (a NUL?)',
  '22023': 'a parameter is out of range',
  '22001': 'a text is too long',
};
