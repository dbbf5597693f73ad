import { GraphQLError } from 'graphql';
import { english, MESSAGE, msg, type Msg } from './i18n';

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

/**
 * A client error. Its message may be a catalogue message (src/i18n): the error then carries it, and the
 * response gives it in the caller's language; `message` itself is the English text (logs, tools).
 */
function clientError(code: ErrorCode, message: string | Msg, extra: Record<string, unknown> = {}, retryAfterSeconds?: number): GraphQLError {
  const retry = retryAfterSeconds === undefined ? {} : { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) };
  return localizableError(typeof message === 'string' ? message : english(message), { code, ...retry, ...extra }, typeof message === 'string' ? undefined : message);
}

/** A GraphQLError whose `extensions` carry `message` for the localizing plugin (see MESSAGE in src/i18n). */
export function localizableError(text: string, extensions: Record<string, unknown>, message?: Msg): GraphQLError {
  const error = new GraphQLError(text, { extensions });
  if (message) Object.defineProperty(error.extensions, MESSAGE, { value: message, enumerable: true });
  return error;
}

export function badInput(message: string | Msg, field?: string): GraphQLError {
  return clientError('BAD_USER_INPUT', message, field ? { field } : {});
}

export function unauthenticated(message: string | Msg): GraphQLError {
  return clientError('UNAUTHENTICATED', message);
}

export function forbidden(message: string | Msg): GraphQLError {
  return clientError('FORBIDDEN', message);
}

export function rateLimited(message: string | Msg, retryAfterSeconds: number): GraphQLError {
  return clientError('RATE_LIMITED', message, {}, retryAfterSeconds);
}

export function serviceUnavailable(message: string | Msg, retryAfterSeconds: number): GraphQLError {
  return clientError('SERVICE_UNAVAILABLE', message, {}, retryAfterSeconds);
}

export function requestTimeout(message: string | Msg): GraphQLError {
  return clientError('REQUEST_TIMEOUT', message);
}

export function responseTooLarge(message: string | Msg, limitBytes: number): GraphQLError {
  return clientError('RESPONSE_TOO_LARGE', message, { limitBytes });
}

/** Thrown when the request's deadline has passed before a statement could start (or while it ran). */
export class DeadlineExceededError extends Error {
  readonly localized: Msg;
  constructor(readonly timeoutMs: number) {
    const message = msg('limit.deadline', { ms: timeoutMs });
    super(english(message));
    this.localized = message;
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
  if (err instanceof DeadlineExceededError) return requestTimeout(err.localized);
  const e = err as { name?: string; message?: string; code?: string };
  const message = typeof e.message === 'string' ? e.message : '';
  if (e.name === 'KnexTimeoutError') {
    if (/acquiring a connection/i.test(message)) return serviceUnavailable(msg('db.busy'), 1);
    return requestTimeout(msg('limit.statementDeadline'));
  }
  if (e.code === '57014') return requestTimeout(msg(/statement timeout/.test(message) ? 'limit.statementTimeout' : 'limit.statementDeadline'));
  if ((e.code && UNAVAILABLE_SQLSTATES.has(e.code)) || (e.code && UNAVAILABLE_ERRNOS.has(e.code)) || /Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/i.test(message)) {
    return serviceUnavailable(msg('db.unavailable'), 5);
  }
  if (e.code === '40P01' || e.code === '40001') return serviceUnavailable(msg('db.collision'), 1);
  // Class 22, data exceptions: a value PostgreSQL cannot take (a NUL character, a malformed uuid, a date out
  // of range). Said in our words: the driver's message carries the statement, which no client may see.
  if (e.code?.startsWith('22')) return badInput(msg('db.badValue', { detail: msg(DATA_EXCEPTIONS.has(e.code) ? `db.${e.code as DataException}` : 'db.other') }));
  return null;
}

type DataException = '22P02' | '22007' | '22008' | '22009' | '22003' | '22021' | '22023' | '22001';
const DATA_EXCEPTIONS: ReadonlySet<string> = new Set<DataException>(['22P02', '22007', '22008', '22009', '22003', '22021', '22023', '22001']);
