import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { Knex } from 'knex';
import { geoJSONToTile } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { CoordinateSystem } from '../../generated/graphql';
import { toWgs84 } from '../../geo/coordinates';
import { geometryIn } from '../../geo/output-crs';
import { toGlobalId } from '../../graphql/relay';
import { msg, type Msg } from '../../i18n';
import { MAX_TILE_ZOOM, type MapLayer } from './layers';
import { tileFeatures, type Box, type LayerScope } from './repo';

/**
 * Mapbox Vector Tiles, encoded in Node from the GeoJSON PostGIS writes: `@maplibre/geojson-vt` cuts the
 * features into tile coordinates and `@maplibre/vt-pbf` writes the protobuf. One path on both databases
 * (PGlite's PostGIS has no ST_AsMVT), and the only one that can draw in GCJ-02 or BD-09, whose offsets PostGIS
 * does not know.
 */

export interface TileAddress {
  z: number;
  x: number;
  y: number;
}

/** Tile extent (units across a tile) and buffer (units beyond each edge), the MVT defaults. */
export const EXTENT = 4096;
const BUFFER = 64;

/** The WGS-84 (or GCJ-02/BD-09: the same Web Mercator grid over shifted positions) bounds of a tile. */
export function tileBounds({ z, x, y }: TileAddress): Box {
  const n = 2 ** z;
  const lng = (i: number) => (i / n) * 360 - 180;
  const lat = (j: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * j) / n))) * 180) / Math.PI;
  return [lng(x), lat(y + 1), lng(x + 1), lat(y)];
}

/** Whether z/x/y names a tile of the Web Mercator pyramid this API serves; otherwise what is wrong. */
export function tileAddressProblem({ z, x, y }: TileAddress): Msg | null {
  if (!Number.isInteger(z) || z < 0 || z > MAX_TILE_ZOOM) return msg('map.zoom', { max: MAX_TILE_ZOOM, got: z });
  const n = 2 ** z;
  for (const [axis, v] of [['x', x], ['y', y]] as const) {
    if (!Number.isInteger(v) || v < 0 || v >= n) return msg('map.tileCoordinate', { axis, max: n - 1, zoom: z, got: v });
  }
  return null;
}

/**
 * The box to read from the database: the tile and its buffer, in WGS-84. A tile drawn in GCJ-02 or BD-09 covers
 * positions shifted by up to ~1.3 km: its corners are converted back, and the box grows by the buffer again to
 * cover the offset's variation across the tile.
 */
function queryBox(address: TileAddress, crs: CoordinateSystem): Box {
  const [w, s, e, n] = tileBounds(address);
  const dx = ((e - w) * BUFFER) / EXTENT;
  const dy = ((n - s) * BUFFER) / EXTENT;
  if (crs === 'WGS84') return [w - dx, s - dy, e + dx, n + dy];
  const corners = [toWgs84({ lng: w, lat: s }, crs), toWgs84({ lng: e, lat: n }, crs), toWgs84({ lng: w, lat: n }, crs), toWgs84({ lng: e, lat: s }, crs)];
  const lngs = corners.map((c) => c.lng);
  const lats = corners.map((c) => c.lat);
  return [Math.min(...lngs) - 2 * dx, Math.min(...lats) - 2 * dy, Math.max(...lngs) + 2 * dx, Math.max(...lats) + 2 * dy];
}

export interface TileOptions {
  asOf: Date | null;
  crs: CoordinateSystem;
  scope: LayerScope;
}

/** Simplification tolerance in tile units (4,096 across): a quarter of a pixel on a 512-pixel tile. */
const SIMPLIFY_UNITS = 2;

/**
 * One layer's tile, or null when it holds no feature (the route answers 204). Geometries are simplified in SQL
 * (SIMPLIFY_UNITS) and written with the digits a unit needs, so only what the tile can show crosses to Node;
 * geojson-vt then only cuts and scales them (its own simplification off: it would do the work again).
 */
export async function renderTile(db: Knex, layer: MapLayer, address: TileAddress, options: TileOptions): Promise<Uint8Array | null> {
  if (address.z < layer.minZoom) return null;
  const unitDegrees = 360 / 2 ** address.z / EXTENT;
  const rows = await tileFeatures(db, layer, {
    box: queryBox(address, options.crs),
    tolerance: SIMPLIFY_UNITS * unitDegrees,
    digits: Math.min(15, Math.ceil(-Math.log10(unitDegrees)) + 1),
    asOf: options.asOf,
    scope: options.scope,
  });
  if (rows.length === 0) return null;
  const features: Feature[] = rows.map((r) => {
    const geometry = (options.crs === 'WGS84' ? JSON.parse(r.geometry) : geometryIn(r.geometry, options.crs)) as Geometry;
    return { type: 'Feature', properties: { id: toGlobalId(layer.nodeType, r.id), ...r.properties }, geometry };
  });
  const collection: FeatureCollection = { type: 'FeatureCollection', features };
  const tile = geoJSONToTile(collection, address.z, address.x, address.y, { extent: EXTENT, buffer: BUFFER, clip: true, tolerance: 0 });
  if (!tile || tile.features.length === 0) return null;
  return fromGeojsonVt({ [layer.id]: tile }, { version: 2, extent: EXTENT });
}
