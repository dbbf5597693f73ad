import { VectorTile } from '@mapbox/vector-tile';
import type { Geometry } from 'geojson';
import { PbfReader } from 'pbf';

/**
 * Tiles read back as a map reads them, with the maintained MVT decoder (@mapbox/vector-tile + pbf), and checks
 * of what their features carry. No server code here: the embedded smoke test uses it against its own process.
 */

export interface DecodedFeature {
  properties: Record<string, number | string | boolean>;
  geometry: Geometry;
}

/** The features of one layer of a tile, positions back in lon/lat. */
export function decodeLayer(body: ArrayBuffer, layer: string, address: { z: number; x: number; y: number }): DecodedFeature[] {
  const tile = new VectorTile(new PbfReader(new Uint8Array(body)));
  const l = tile.layers[layer];
  if (!l) throw new Error(`the tile has no layer ${layer}; it has ${Object.keys(tile.layers).join(', ') || 'none'}`);
  return Array.from({ length: l.length }, (_, i) => {
    const f = l.feature(i);
    return { properties: f.properties, geometry: f.toGeoJSON(address.x, address.y, address.z).geometry };
  });
}

/** The z/x/y of the Web Mercator tile holding a position. */
export function tileAt(lng: number, lat: number, z: number): { z: number; x: number; y: number } {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return { z, x: Math.floor(((lng + 180) / 360) * n), y: Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n) };
}

/** Every position of a geometry. */
export function positions(g: Geometry): number[][] {
  switch (g.type) {
    case 'Point':
      return [g.coordinates];
    case 'MultiPoint':
    case 'LineString':
      return g.coordinates;
    case 'MultiLineString':
    case 'Polygon':
      return g.coordinates.flat();
    case 'MultiPolygon':
      return g.coordinates.flat(2);
    case 'GeometryCollection':
      return g.geometries.flatMap(positions);
  }
}

/** Values no tile or feature may carry: phone and ID numbers, clear or masked, or a masked name. */
const PII = /^(?:\+?86)?1[3-9]\d(?:\d{4}|\*{4})\d{4}$|^\d{6}(?:\d{8}|\*{8})\d{3}[\dX]$|\*/;

/** Codes (of grids and buildings), which look like ID numbers or phones but are the registry's own. */
const CODE_PROPERTIES = new Set(['code', 'parentCode', 'gridCode']);

/** The properties of a feature that look like personal data (codes checked as codes). */
export function personalLooking(properties: Record<string, unknown>): string[] {
  return Object.entries(properties).flatMap(([key, value]) => {
    if (value === null || value === undefined) return [];
    const text = String(value);
    const bad = CODE_PROPERTIES.has(key) ? !/^\d{6}(?:\d{3}){0,4}$|^\d{16}$/.test(text) : PII.test(text);
    return bad ? [`${key}=${text}`] : [];
  });
}
