import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Cross-origin requests from browsers (CORS): which origins may call the API (CORS_ORIGINS), the preflight
 * (OPTIONS) answer, and the headers on every answer. Credentials are bearer tokens and API keys in the
 * Authorization header, never cookies, so an allowed origin may send them and a page elsewhere cannot borrow a
 * signed-in session.
 *
 * An entry is an origin as a browser sends it (`https://map.example.gov.cn`, `http://10.1.2.3:8080`), with `*`
 * for any port (`http://localhost:*`) or any subdomain (`https://*.example.gov.cn`); `*` alone allows every
 * origin (answered `Access-Control-Allow-Origin: *`).
 */
export const DEVELOPMENT_ORIGINS: readonly string[] = ['http://localhost:*', 'http://127.0.0.1:*', 'http://[::1]:*'];

const ENTRY = /^(?:\*|https?:\/\/(?:\*\.)?(?:\[[0-9a-f:.]+\]|[a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::(?:\d{1,5}|\*))?)$/i;

/** The entries of a CORS_ORIGINS value (`none`: no origin at all), or why it is not one. */
export function parseCorsOrigins(value: string): { origins: string[] } | { problem: string } {
  if (value.trim().toLowerCase() === 'none') return { origins: [] };
  const origins = value.split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean);
  const bad = origins.find((o) => !ENTRY.test(o));
  if (bad !== undefined) {
    return { problem: `"${bad.slice(0, 100)}" is not an origin: write scheme://host[:port] without a path, e.g. https://map.example.gov.cn or http://localhost:*` };
  }
  return { origins };
}

export type OriginPolicy = (origin: string) => 'any' | 'listed' | null;

/** Decides origins against the configured entries (compiled once). */
export function originPolicy(entries: readonly string[]): OriginPolicy {
  if (entries.includes('*')) return () => 'any';
  const patterns = entries.map((entry) => {
    const escaped = entry.toLowerCase().replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    const source = escaped.replace('://*\\.', '://[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.').replace(/:\*$/, '(?::\\d{1,5})?');
    return new RegExp(`^${source}$`);
  });
  return (origin) => (patterns.some((p) => p.test(origin.toLowerCase())) ? 'listed' : null);
}

const ALLOWED_METHODS = 'GET, HEAD, POST, OPTIONS';
/** What the API reads from a browser: credentials, bodies, the language, and Apollo's CSRF-prevention headers. */
const ALLOWED_HEADERS = 'Authorization, Content-Type, Accept, Accept-Language, X-Request-Id, If-None-Match, Apollo-Require-Preflight, X-Apollo-Operation-Name';
/** What a page may read of an answer besides the simple headers. */
const EXPOSED_HEADERS = 'X-Request-Id, Retry-After, ETag, Content-Disposition, Content-Encoding';
/** How long a browser may keep a preflight's answer (Chromium caps it at 2 h). */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** Adds `value` to the response's Vary header (once). */
export function addVary(res: ServerResponse, value: string): void {
  const current = res.getHeader('vary');
  const list = typeof current === 'string' ? current.split(',').map((v) => v.trim()).filter(Boolean) : [];
  if (!list.some((v) => v.toLowerCase() === value.toLowerCase())) list.push(value);
  res.setHeader('vary', list.join(', '));
}

/**
 * The CORS headers of an answer to `req`. Returns true when the request was a preflight, now answered: 204
 * for an allowed origin, 403 (with the setting to change) for another.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, policy: OriginPolicy): boolean {
  addVary(res, 'Origin');
  const origin = req.headers.origin;
  const decision = typeof origin === 'string' ? policy(origin) : null;
  if (decision) {
    res.setHeader('access-control-allow-origin', decision === 'any' ? '*' : origin!);
    // No Access-Control-Allow-Credentials: the API's credentials are bearer tokens a page sends itself, never
    // cookies, and a cookie-based single sign-on proxy in front must not become usable by a listed origin.
    res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
  }
  if (req.method !== 'OPTIONS') return false;
  if (req.headers['access-control-request-method'] && typeof origin === 'string' && !decision) {
    const body = JSON.stringify({ error: `origin ${origin.slice(0, 200)} may not call this API from a browser: add it to CORS_ORIGINS`, code: 'FORBIDDEN' });
    res.writeHead(403, { 'content-type': 'application/json; charset=utf-8' }).end(body);
    return true;
  }
  res.writeHead(204, {
    allow: ALLOWED_METHODS,
    'access-control-allow-methods': ALLOWED_METHODS,
    'access-control-allow-headers': ALLOWED_HEADERS,
    'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
  });
  res.end();
  return true;
}
