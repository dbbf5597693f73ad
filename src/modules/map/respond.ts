import type { CoordinateSystem } from '../../generated/graphql';
import { msg } from '../../i18n';
import { sendCompressible } from '../../http/compression';
import { COORDINATE_SYSTEMS, coordinateSystemNamed } from '../../geo/coordinates';
import { answeredNotModified as notModified, cacheHeaders as httpCacheHeaders } from '../../http/etag';
import { asOfParam } from '../../shared/as-of';
import { pastInstant } from '../location/repo-list';
import { RouteError, type RouteRequest } from '../module';
import type { MapLayer } from './layers';

/**
 * What the map routes share: reading their query parameters (each refusal a 400 naming the parameter), the
 * public base URL their links carry, conditional requests (ETag → 304), and sending.
 */

/** `?crs=` / `?coordinateSystem=`: WGS84 (the default), GCJ02 (AMap, Tencent) or BD09 (Baidu). */
export function coordinateSystemParam(params: URLSearchParams, name: string): CoordinateSystem {
  const value = params.get(name);
  if (value === null || value === '') return 'WGS84';
  const found = coordinateSystemNamed(value);
  if (!found) throw new RouteError(400, msg('map.coordinateSystem', { param: name, allowed: COORDINATE_SYSTEMS.join(', '), got: value.slice(0, 40) }), 'BAD_USER_INPUT', name);
  return found;
}

/**
 * An as-of instant for a layer (`asOf=` on tiles, `datetime=` on OGC items): only grid layers keep history. An
 * instant not in the past is now (the current state answers it).
 */
export function instantParam(layer: MapLayer, params: URLSearchParams, name: string): Date | null {
  const asOf = asOfParam(params, name);
  if (asOf && layer.kind !== 'grid') throw new RouteError(400, msg('map.noHistory', { param: name, layer: layer.id }), 'BAD_USER_INPUT', name);
  return pastInstant(asOf);
}

/**
 * The API's public base URL, for links: the Host the client used, and behind a trusted reverse proxy
 * (TRUST_PROXY) the scheme and host it forwarded.
 */
export function baseUrl(req: RouteRequest): string {
  const forwarded = (name: string) => {
    const v = req.headers[name];
    return req.config.trustProxy && typeof v === 'string' && v ? v.split(',')[0].trim() : null;
  };
  const proto = forwarded('x-forwarded-proto') ?? 'http';
  const host = forwarded('x-forwarded-host') ?? req.headers.host ?? req.url.host;
  return `${proto === 'https' ? 'https' : 'http'}://${host}`;
}


/** Cache headers of a layer's answers: anyone's revalidate with the ETag; a signed-in caller's stay private. */
export function cacheHeaders(req: RouteRequest, etag: string): Record<string, string> {
  return httpCacheHeaders(req.res, etag, req.viewer.kind === 'anonymous');
}

/** Answers 304 when the client holds this version already; true when it did. */
export function answeredNotModified(req: RouteRequest, etag: string): boolean {
  return notModified(req.res, req.headers, cacheHeaders(req, etag));
}

/** Sends a body with its headers, compressed by Accept-Encoding as every answer of the API is (src/http/compression.ts). */
export async function send(req: RouteRequest, status: number, body: string | Uint8Array, contentType: string, headers: Record<string, string> = {}): Promise<void> {
  req.res.statusCode = status;
  req.res.setHeader('content-type', contentType);
  for (const [name, value] of Object.entries(headers)) req.res.setHeader(name, value);
  const bytes = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  await sendCompressible(req.headers, req.res, bytes, req.config.compressionMinBytes);
}

/** A JSON answer (`application/json` unless told otherwise). */
export function sendJson(req: RouteRequest, body: unknown, contentType = 'application/json', headers: Record<string, string> = {}): Promise<void> {
  return send(req, 200, JSON.stringify(body), `${contentType}; charset=utf-8`, headers);
}
