import type { CoordinateSystem } from '../generated/graphql';
import { fromWgs84 } from './coordinates';

/**
 * Geometry going out in the coordinate system a field's `crs` argument asks for: what a frontend drawing on
 * AMap / Tencent (GCJ-02) or Baidu (BD-09) basemaps needs, since WGS-84 lands 0.5–1.3 km off there. Every
 * geometry-returning GraphQL field converts through these two functions. Converted with gcoord, as positions
 * coming in are (src/geo/coordinates.ts); like the GCJ-02 offset itself, gcoord leaves positions outside China
 * unchanged. WGS84 (the default) costs nothing: the value (PostGIS's GeoJSON text) goes out as it is, never parsed.
 */
type LngLat = { lng: number; lat: number };

/** A position in `crs`; the same object for WGS84. */
export function positionIn<P extends LngLat | null>(position: P, crs: CoordinateSystem | null | undefined): P | LngLat {
  if (!position || !crs || crs === 'WGS84') return position;
  return fromWgs84(position, crs);
}

/**
 * A GeoJSON geometry (an object, or the text PostGIS wrote) in `crs`: for WGS84 the value itself, untouched;
 * otherwise a new geometry object with every position converted (the input is never modified: a loader may
 * hand the same value to several fields).
 */
export function geometryIn<G>(geometry: G, crs: CoordinateSystem | null | undefined): G | object {
  if (geometry === null || geometry === undefined || !crs || crs === 'WGS84') return geometry;
  const parsed: unknown = typeof geometry === 'string' ? JSON.parse(geometry) : geometry;
  return convertGeometry(parsed, crs);
}

function convert(position: readonly number[], crs: Exclude<CoordinateSystem, 'WGS84'>): number[] {
  const { lng, lat } = fromWgs84({ lng: position[0], lat: position[1] }, crs);
  return position.length > 2 ? [lng, lat, ...position.slice(2)] : [lng, lat];
}

function convertGeometry(value: unknown, crs: Exclude<CoordinateSystem, 'WGS84'>): object {
  const g = value as { type?: unknown; coordinates?: unknown; geometries?: unknown };
  if (g.type === 'GeometryCollection' && Array.isArray(g.geometries)) {
    return { ...g, geometries: g.geometries.map((child: unknown) => convertGeometry(child, crs)) };
  }
  return { ...g, coordinates: convertCoordinates(g.coordinates, crs) };
}

/** Positions at any depth of nesting (a Point's one, a MultiPolygon's rings of rings). */
function convertCoordinates(node: unknown, crs: Exclude<CoordinateSystem, 'WGS84'>): unknown {
  if (!Array.isArray(node)) return node;
  if (typeof node[0] === 'number') return convert(node as number[], crs);
  return node.map((child: unknown) => convertCoordinates(child, crs));
}
