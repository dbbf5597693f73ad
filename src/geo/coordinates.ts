import gcoord from 'gcoord';
import type { CoordinateSystem } from '../generated/graphql';
import { badInput } from '../errors';

export interface LngLat {
  lng: number;
  lat: number;
}

const SOURCE = { WGS84: gcoord.WGS84, GCJ02: gcoord.GCJ02, BD09: gcoord.BD09 } as const;

/**
 * Checks a position a client sent and says exactly what is wrong with it. Swapped axes are the most common
 * mistake with Chinese map SDKs (some return `{lat, lng}` objects, some `[lat, lng]` arrays), so a latitude
 * that only makes sense as a longitude is called out as a swap rather than a plain range error.
 */
export function checkPosition(lng: number, lat: number, fields = { lng: 'lng', lat: 'lat' }): LngLat {
  for (const [field, value] of [
    [fields.lng, lng],
    [fields.lat, lat],
  ] as const) {
    if (!Number.isFinite(value)) throw badInput(`${field} must be a finite number (got ${value})`, field);
  }
  if (Math.abs(lat) > 90 && Math.abs(lat) <= 180 && Math.abs(lng) <= 90) {
    throw badInput(
      `${fields.lat} ${lat} is outside -90..90 and ${fields.lng} ${lng} would be a valid latitude: ` +
        `longitude and latitude look swapped; send ${fields.lng}=${lat}, ${fields.lat}=${lng}`,
      fields.lat,
    );
  }
  if (Math.abs(lng) > 180) throw badInput(`${fields.lng} must be within -180..180 (got ${lng})`, fields.lng);
  if (Math.abs(lat) > 90) throw badInput(`${fields.lat} must be within -90..90 (got ${lat})`, fields.lat);
  return { lng, lat };
}

/**
 * Converts a position from the coordinate system a map SDK reported to WGS-84. gcoord inverts the GCJ-02
 * offset iteratively (to well under a metre), and leaves positions outside China unchanged, as the
 * GCJ-02 obfuscation does not apply there.
 */
export function toWgs84(position: LngLat, crs: CoordinateSystem): LngLat {
  if (crs === 'WGS84') return position;
  const [lng, lat] = gcoord.transform([position.lng, position.lat], SOURCE[crs], gcoord.WGS84) as [number, number];
  return { lng, lat };
}

/** Forward conversion, used by tests and tools to produce what a Chinese map SDK would report. */
export function fromWgs84(position: LngLat, crs: CoordinateSystem): LngLat {
  if (crs === 'WGS84') return position;
  const [lng, lat] = gcoord.transform([position.lng, position.lat], gcoord.WGS84, SOURCE[crs]) as [number, number];
  return { lng, lat };
}

const METRES_PER_DEGREE_LAT = 110_574;
const METRES_PER_DEGREE_LNG_AT_EQUATOR = 111_320;

/** Degrees of longitude and latitude that span at least `metres` around `lat`: a bounding-box prefilter. */
export function degreesAround(metres: number, lat: number): { dLng: number; dLat: number } {
  const cos = Math.max(Math.cos((lat * Math.PI) / 180), 0.01);
  return { dLng: metres / (METRES_PER_DEGREE_LNG_AT_EQUATOR * cos), dLat: metres / METRES_PER_DEGREE_LAT };
}

/** A rough metres → degrees factor for simplification tolerances (exact enough for display). */
export function metresToDegrees(metres: number): number {
  return metres / METRES_PER_DEGREE_LAT;
}
