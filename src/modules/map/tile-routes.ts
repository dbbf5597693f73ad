import { fromWgs84 } from '../../geo/coordinates';
import { weakEtag } from '../../http/etag';
import { msg } from '../../i18n';
import { assertPermitted } from '../auth/policy';
import { RouteError, type RouteRequest } from '../module';
import { layerScope, mayRead, scopeKey } from './access';
import { layerById, MAP_LAYERS, MAX_TILE_ZOOM, type MapLayer } from './layers';
import { extents, layerChanges } from './repo';
import { answeredNotModified, baseUrl, cacheHeaders, coordinateSystemParam, instantParam, send, sendJson } from './respond';
import { TileCache } from './tile-cache';
import { renderTile, tileAddressProblem, type TileAddress } from './tiles';

/**
 * `GET /tiles` (the layers the caller may read), `GET /tiles/{layer}.json` (TileJSON 3.0) and
 * `GET /tiles/{layer}/{z}/{x}/{y}.mvt[?asOf=&crs=]`.
 */

/** Tiles drawn in this process, by ETag (tile-cache.ts): at most this many bytes of them. */
const drawn = new TileCache(32 * 1024 * 1024);

/** Bumped when the encoding changes, so clients holding tiles of the old one fetch them again. */
const TILE_FORMAT = 1;
const MVT = 'application/vnd.mapbox-vector-tile';

/** `GET /tiles`. */
export async function tileLayersRoute(req: RouteRequest): Promise<void> {
  const base = baseUrl(req);
  const layers = MAP_LAYERS.filter((l) => mayRead(req.viewer, l)).map((l) => ({
    id: l.id,
    title: l.title,
    description: l.description,
    geometryType: l.geometry,
    minzoom: l.minZoom,
    maxzoom: l.maxZoom,
    tilejson: `${base}/tiles/${l.id}.json`,
    tiles: `${base}/tiles/${l.id}/{z}/{x}/{y}.mvt`,
  }));
  await sendJson(req, { layers });
}

/** `GET /tiles/{layer}.json` and `GET /tiles/{layer}/{z}/{x}/{y}.mvt`. */
export async function tilesRoute(req: RouteRequest): Promise<void> {
  const rest = req.url.pathname.slice('/tiles/'.length);
  const json = /^([a-z-]+)\.json$/.exec(rest);
  const tile = /^([a-z-]+)\/(\d{1,2})\/(\d{1,8})\/(\d{1,8})\.(?:mvt|pbf)$/.exec(rest);
  const id = json?.[1] ?? tile?.[1];
  if (!id) {
    throw new RouteError(404, msg('map.tilePath', { path: req.url.pathname.slice(0, 100) }), 'NOT_FOUND');
  }
  const layer = layerById(id);
  if (!layer) throw new RouteError(404, msg('map.noLayer', { id, layers: MAP_LAYERS.map((l) => l.id).join(', ') }), 'NOT_FOUND');
  if (json) return tileJson(req, layer);
  return tileRoute(req, layer, { z: Number(tile![2]), x: Number(tile![3]), y: Number(tile![4]) });
}

async function tileRoute(req: RouteRequest, layer: MapLayer, address: TileAddress): Promise<void> {
  const problem = tileAddressProblem(address);
  if (problem) throw new RouteError(400, problem, 'BAD_USER_INPUT');
  const asOf = instantParam(layer, req.url.searchParams, 'asOf');
  const crs = coordinateSystemParam(req.url.searchParams, 'crs');
  // AUTH (401/403 before anything is read), then the rows the caller may see.
  const scope = await layerScope(req.db, req.viewer, layer);
  // The ETag follows the change counters of the tables the layer reads (and its clock), read before the tile is: a
  // change committed in between is in the tile under the old tag, and the next request renders it again.
  const changes = await layerChanges(req.db, layer);
  const etag = weakEtag([TILE_FORMAT, layer.id, address, changes, scopeKey(scope), asOf?.toISOString() ?? null, crs]);
  if (answeredNotModified(req, etag)) return;
  let body = drawn.get(etag);
  if (body === undefined) {
    body = await renderTile(req.db, layer, address, { asOf, crs, scope });
    drawn.set(etag, body);
  }
  if (!body) {
    req.res.writeHead(204, cacheHeaders(req, etag)).end();
    return;
  }
  await send(req, 200, body, MVT, cacheHeaders(req, etag));
}

/** TileJSON 3.0.0: what MapLibre, OpenLayers and QGIS need to add the layer (`asOf`/`crs` carry over to the tiles). */
async function tileJson(req: RouteRequest, layer: MapLayer): Promise<void> {
  const asOf = instantParam(layer, req.url.searchParams, 'asOf');
  const crs = coordinateSystemParam(req.url.searchParams, 'crs');
  // AUTH: a layer the caller may not read is refused with the reason (the TileJSON itself holds no rows).
  assertPermitted(req.viewer, layer.action);
  const query = new URLSearchParams();
  if (asOf) query.set('asOf', asOf.toISOString());
  if (crs !== 'WGS84') query.set('crs', crs);
  const suffix = query.toString() ? `?${query}` : '';
  const { bbox } = await extents(req.db);
  const [w, s, e, n] = bbox ?? [-180, -85.0511, 180, 85.0511];
  const sw = fromWgs84({ lng: w, lat: s }, crs);
  const ne = fromWgs84({ lng: e, lat: n }, crs);
  const fields = { id: 'String', ...layer.fields };
  await sendJson(req, {
    tilejson: '3.0.0',
    name: layer.title,
    description: layer.description,
    scheme: 'xyz',
    tiles: [`${baseUrl(req)}/tiles/${layer.id}/{z}/{x}/{y}.mvt${suffix}`],
    minzoom: layer.minZoom,
    maxzoom: Math.min(layer.maxZoom, MAX_TILE_ZOOM),
    bounds: [sw.lng, sw.lat, ne.lng, ne.lat],
    center: [(sw.lng + ne.lng) / 2, (sw.lat + ne.lat) / 2, layer.minZoom],
    vector_layers: [{ id: layer.id, description: layer.description, minzoom: layer.minZoom, maxzoom: layer.maxZoom, fields }],
  });
}
