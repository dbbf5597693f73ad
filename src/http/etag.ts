import { createHash } from 'node:crypto';

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
