import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { addVary } from './cors';

/** A weak ETag over what an answer depends on (its parts as JSON, hashed). */
export function weakEtag(parts: readonly unknown[]): string {
  return `W/"${createHash('sha1').update(JSON.stringify(parts)).digest('base64url').slice(0, 27)}"`;
}

/** If-None-Match against a weak ETag (weak comparison, RFC 9110 §13.1.2). */
export function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return false;
  const bare = etag.replace(/^W\//, '');
  return value.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === bare);
}

/**
 * The cache headers of an answer that depends on who asks and is compressed: revalidated with its ETag every time,
 * kept by shared caches only when `shared` (anonymous callers). Vary is added to what is there (CORS put Origin in
 * it): a shared cache must not hand one origin's Access-Control-Allow-Origin to another.
 */
export function cacheHeaders(res: ServerResponse, etag: string, shared: boolean): Record<string, string> {
  addVary(res, 'Authorization');
  addVary(res, 'Accept-Encoding');
  return { etag, 'cache-control': `${shared ? 'public' : 'private'}, no-cache` };
}

/** Answers 304 with `headers` when the client holds `headers.etag` already; true when it did. */
export function answeredNotModified(res: ServerResponse, request: IncomingHttpHeaders, headers: Record<string, string>): boolean {
  if (!etagMatches(request['if-none-match'], headers.etag)) return false;
  res.writeHead(304, headers).end();
  return true;
}
