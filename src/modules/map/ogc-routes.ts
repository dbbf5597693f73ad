import type { CoordinateSystem } from '../../generated/graphql';
import { toWgs84 } from '../../geo/coordinates';
import { geometryIn } from '../../geo/output-crs';
import { encodeCursor, fromGlobalId, toGlobalId, UUID } from '../../graphql/relay';
import { assertPermitted } from '../auth/policy';
import { msg, type Msg } from '../../i18n';
import { RouteError, type RouteRequest } from '../module';
import { layerScope, mayRead } from './access';
import { layerById, MAP_LAYERS, type MapLayer } from './layers';
import { CONFORMANCE, CRS84, collectionDocument, collectionsDocument, GEOJSON, ITEMS_LIMIT, landingPage, OPENAPI, openApiDocument } from './ogc-documents';
import { countItems, extents, itemById, itemsPage, keyOrder, type Box, type ItemRow, type ItemsQuery } from './repo';
import { baseUrl, coordinateSystemParam, instantParam, send, sendJson } from './respond';

/**
 * OGC API - Features Part 1 at /ogc: what QGIS ("Add WFS / OGC API - Features layer") and GDAL's OAPIF driver
 * open as live layers. Collections are the map layers (layers.ts) the caller may read; items come in keyset
 * pages (`cursor` in the `next` link: stable while rows are added before it, and a deep page costs what the
 * first does), at full precision, in WGS-84 unless the vendor parameter `coordinateSystem` asks otherwise.
 */

const bad = (message: Msg, param: string) => new RouteError(400, message, 'BAD_USER_INPUT', param);
const notFound = (message: Msg) => new RouteError(404, message, 'NOT_FOUND');

/** Query parameters OGC clients add to any request. */
const COMMON = ['f'];

/** Refuses parameters the endpoint does not know (OGC /req/core/query-param-unknown), and formats other than JSON. */
function checkParams(params: URLSearchParams, known: readonly string[]): void {
  for (const name of new Set(params.keys())) {
    if (!known.includes(name) && !COMMON.includes(name)) {
      const given = name.slice(0, 40);
      throw bad(known.length ? msg('map.unknownParameter', { name: given, known: known.join(', ') }) : msg('map.noParameters', { name: given }), given);
    }
  }
  const f = params.get('f');
  if (f !== null && !['json', 'geojson', 'application/json', GEOJSON].includes(f.toLowerCase())) {
    throw bad(msg('map.format', { got: f.slice(0, 40) }), 'f');
  }
}

/** `GET /ogc`: the landing page. */
export async function ogcLandingRoute(req: RouteRequest): Promise<void> {
  checkParams(req.url.searchParams, []);
  await sendJson(req, landingPage(baseUrl(req)));
}

/** Everything below /ogc. */
export async function ogcRoute(req: RouteRequest): Promise<void> {
  const parts = req.url.pathname.slice('/ogc/'.length).split('/');
  const base = baseUrl(req);
  const params = req.url.searchParams;
  if (parts.length === 1 && parts[0] === '') return ogcLandingRoute(req);
  if (parts.length === 1 && parts[0] === 'conformance') {
    checkParams(params, []);
    return sendJson(req, { conformsTo: CONFORMANCE });
  }
  if (parts.length === 1 && parts[0] === 'api') {
    checkParams(params, []);
    return sendJson(req, openApiDocument(base), OPENAPI);
  }
  if (parts[0] !== 'collections' || parts.length > 4 || (parts.length >= 3 && parts[2] !== 'items')) {
    throw notFound(msg('map.noResource', { path: req.url.pathname.slice(0, 100) }));
  }
  if (parts.length === 1) {
    checkParams(params, []);
    return sendJson(req, collectionsDocument(base, MAP_LAYERS.filter((l) => mayRead(req.viewer, l)), await extents(req.db)));
  }
  const layer = layerById(parts[1]);
  if (!layer) throw notFound(msg('map.noCollection', { id: parts[1].slice(0, 40), collections: MAP_LAYERS.map((l) => l.id).join(', ') }));
  // AUTH: the collection's action, before anything of it is read or described.
  assertPermitted(req.viewer, layer.action);
  if (parts.length === 2) {
    checkParams(params, []);
    return sendJson(req, collectionDocument(base, layer, await extents(req.db)));
  }
  if (parts.length === 3) return items(req, layer, base);
  return item(req, layer, parts[3], base);
}

function limitParam(params: URLSearchParams): number {
  const text = params.get('limit');
  if (text === null || text === '') return ITEMS_LIMIT.default;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw bad(msg('map.limit', { got: text.slice(0, 20) }), 'limit');
  // A larger limit is served as the maximum (OGC API Features permits it; the next link carries on).
  return Math.min(n, ITEMS_LIMIT.max);
}

/** `bbox=minLon,minLat,maxLon,maxLat` (or six numbers with heights, which are ignored), in the requested system. */
function bboxParam(params: URLSearchParams, crs: CoordinateSystem): Box | null {
  const text = params.get('bbox');
  if (text === null || text === '') return null;
  const crsParam = params.get('bbox-crs');
  if (crsParam && crsParam !== CRS84) throw bad(msg('map.bboxCrs', { got: crsParam.slice(0, 80) }), 'bbox-crs');
  const n = text.split(',').map((v) => (v.trim() === '' ? NaN : Number(v)));
  if ((n.length !== 4 && n.length !== 6) || n.some((v) => !Number.isFinite(v))) {
    throw bad(msg('map.bboxNumbers', { got: text.slice(0, 80) }), 'bbox');
  }
  const [w, s, e, nn] = n.length === 6 ? [n[0], n[1], n[3], n[4]] : n;
  if (w < -180 || e > 180 || s < -90 || nn > 90) throw bad(msg('map.bboxRange', { got: text.slice(0, 80) }), 'bbox');
  if (w > e || s > nn) throw bad(msg('map.bboxOrder', { got: text.slice(0, 80) }), 'bbox');
  if (crs === 'WGS84') return [w, s, e, nn];
  const sw = toWgs84({ lng: w, lat: s }, crs);
  const ne = toWgs84({ lng: e, lat: nn }, crs);
  return [sw.lng, sw.lat, ne.lng, ne.lat];
}

/** `datetime`: one instant (grid collections). */
function datetimeParam(layer: MapLayer, params: URLSearchParams): Date | null {
  const text = params.get('datetime');
  if (text && text.includes('/')) throw bad(msg('map.instantInterval', { got: text.slice(0, 60) }), 'datetime');
  return instantParam(layer, params, 'datetime');
}

/**
 * `cursor` (from a next link): where the page starts, and how many features the walk matched when it began
 * (counted once, on its first page: recounting a city's 100,000 micro-grids on every page would cost more
 * than the page).
 */
function cursorParam(layer: MapLayer, params: URLSearchParams): { key: string[]; matched: number } | null {
  const text = params.get('cursor');
  if (text === null || text === '') return null;
  const order = keyOrder(layer);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (Array.isArray(parsed) && parsed.length === order.length + 1 && Number.isInteger(parsed[0]) && parsed[0] >= 0) {
    const key: unknown[] = parsed.slice(1);
    if (key.every((k, i) => typeof k === 'string' && (order[i].type !== 'uuid' || UUID.test(k)))) return { key: key as string[], matched: parsed[0] };
  }
  throw bad(msg('map.cursor'), 'cursor');
}

function featureText(layer: MapLayer, row: ItemRow, crs: CoordinateSystem): string {
  const geometry = crs === 'WGS84' ? row.geometry : JSON.stringify(geometryIn(row.geometry, crs));
  const id = toGlobalId(layer.nodeType, row.id);
  return `{"type":"Feature","id":${JSON.stringify(id)},"geometry":${geometry},"properties":${row.properties}}`;
}

/** `GET /ogc/collections/{id}/items`. */
async function items(req: RouteRequest, layer: MapLayer, base: string): Promise<void> {
  const params = req.url.searchParams;
  checkParams(params, ['limit', 'bbox', 'bbox-crs', 'datetime', 'cursor', 'coordinateSystem', ...Object.keys(layer.filters)]);
  const limit = limitParam(params);
  const crs = coordinateSystemParam(params, 'coordinateSystem');
  const q: ItemsQuery = {
    bbox: bboxParam(params, crs),
    asOf: datetimeParam(layer, params),
    equals: Object.entries(layer.filters).flatMap(([name, expr]) => (params.get(name) ? [[expr, params.get(name)!] as [string, string]] : [])),
    scope: await layerScope(req.db, req.viewer, layer),
  };
  const cursor = cursorParam(layer, params);
  const read = () => Promise.all([itemsPage(req.db, layer, q, cursor?.key ?? null, limit + 1), cursor ? cursor.matched : countItems(req.db, layer, q)]);
  // Answers as of a past instant read the history with no index on level: under the cap on expensive work.
  const [rows, matched] = q.asOf ? await req.gate.run('history', req.clientKey, read) : await read();
  const page = rows.slice(0, limit);
  const links = ownLinks(req, layer, base, 'this page');
  if (rows.length > limit) {
    const next = new URLSearchParams(params);
    const last = page[page.length - 1];
    next.set('cursor', encodeCursor([matched, ...keyOrder(layer).map((_, i) => last[`key_${i}`])]));
    next.set('limit', String(limit));
    links.push({ href: `${base}${req.url.pathname}?${next}`, rel: 'next', type: GEOJSON, title: 'the next page' });
  }
  const head = `{"type":"FeatureCollection","timeStamp":${JSON.stringify(new Date().toISOString())},"numberMatched":${matched},"numberReturned":${page.length},"links":${JSON.stringify(links)},"features":[`;
  await send(req, 200, `${head}${page.map((r) => featureText(layer, r, crs)).join(',\n')}]}\n`, `${GEOJSON}; charset=utf-8`);
}

/** `GET /ogc/collections/{id}/items/{featureId}`: featureId is the GraphQL global id. */
async function item(req: RouteRequest, layer: MapLayer, featureId: string, base: string): Promise<void> {
  const params = req.url.searchParams;
  checkParams(params, ['datetime', 'coordinateSystem']);
  const crs = coordinateSystemParam(params, 'coordinateSystem');
  const asOf = datetimeParam(layer, params);
  const scope = await layerScope(req.db, req.viewer, layer);
  const parsed = fromGlobalId(featureId);
  const row = parsed?.type === layer.nodeType ? await itemById(req.db, layer, parsed.id, asOf, scope) : null;
  if (!row) throw notFound(msg('map.noFeature', { id: featureId.slice(0, 80), collection: asOf ? `${layer.id} (${asOf.toISOString()})` : layer.id }));
  const feature = featureText(layer, row, crs);
  const links = ownLinks(req, layer, base, 'this feature');
  await send(req, 200, `${feature.slice(0, -1)},"links":${JSON.stringify(links)}}\n`, `${GEOJSON}; charset=utf-8`);
}

/** The links every items answer carries: itself (`title`: what it is) and its collection. */
function ownLinks(req: RouteRequest, layer: MapLayer, base: string, title: string): { href: string; rel: string; type: string; title: string }[] {
  return [
    { href: `${base}${req.url.pathname}${req.url.search}`, rel: 'self', type: GEOJSON, title },
    { href: `${base}/ogc/collections/${layer.id}`, rel: 'collection', type: 'application/json', title: layer.title },
  ];
}
