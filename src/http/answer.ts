import type { ServerResponse } from 'node:http';
import type { GraphQLError } from 'graphql';
import { HTTP_STATUS, type ErrorCode } from '../errors';
import { messageOf, render, untranslated, type Locale, type Msg } from '../i18n';

/**
 * Statuses of the plain HTTP routes (the export), which have no GraphQL body to carry a code in: a refusal is
 * 403, a statement cut off by a timeout is 503.
 */
const PLAIN_STATUS: Partial<Record<ErrorCode, number>> = { FORBIDDEN: 403, REQUEST_TIMEOUT: 503 };

/** A failure answered with a status and a JSON body (GraphQL-shaped on /graphql). */
export class HttpError extends Error {
  /** The message as a catalogue entry, answered in the caller's language. */
  readonly localized?: Msg;

  constructor(
    readonly status: number,
    message: string | Msg,
    readonly code?: string,
    readonly retryAfterSeconds?: number,
    /** The input it concerns (a parameter), answered as `field` by the plain routes. */
    readonly field?: string,
  ) {
    super(typeof message === 'string' ? message : render(message, 'en'));
    if (typeof message !== 'string') this.localized = message;
  }

  static from(err: GraphQLError): HttpError {
    const code = err.extensions.code as ErrorCode;
    const retry = err.extensions.retryAfterSeconds;
    const message = messageOf(err.extensions) ?? err.message;
    const field = typeof err.extensions.field === 'string' ? err.extensions.field : undefined;
    return new HttpError(PLAIN_STATUS[code] ?? HTTP_STATUS[code] ?? 400, message, code, typeof retry === 'number' ? retry : undefined, field);
  }

  text(locale: Locale): string {
    return this.localized ? render(this.localized, locale) : untranslated(this.message, this.code, locale);
  }
}

export function sendError(res: ServerResponse, graphqlShaped: boolean, err: HttpError, locale: Locale): void {
  if (err.retryAfterSeconds) res.setHeader('retry-after', String(err.retryAfterSeconds));
  const message = err.text(locale);
  if (graphqlShaped) {
    sendJson(res, err.status, { errors: [{ message, extensions: { code: err.code ?? 'BAD_REQUEST', ...(err.retryAfterSeconds ? { retryAfterSeconds: err.retryAfterSeconds } : {}) } }] });
  } else {
    sendJson(res, err.status, { error: message, ...(err.code ? { code: err.code } : {}), ...(err.field ? { field: err.field } : {}) });
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

