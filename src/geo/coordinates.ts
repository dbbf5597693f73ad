import gcoord from 'gcoord';
import type { CoordinateSystem } from '../generated/graphql';
import { badInput } from '../errors';
import { msg } from '../i18n';

export interface LngLat {
  lng: number;
  lat: number;
}

const SOURCE = { WGS84: gcoord.WGS84, GCJ02: gcoord.GCJ02, BD09: gcoord.BD09 } as const;

/** The coordinate systems positions come in and go out in (the GraphQL enum's values). */
export const COORDINATE_SYSTEMS: readonly CoordinateSystem[] = ['WGS84', 'GCJ02', 'BD09'];

/** The system a parameter names, in any case (`gcj02`), or null. */
export function coordinateSystemNamed(text: string): CoordinateSystem | null {
  const upper = text.trim().toUpperCase();
  return COORDINATE_SYSTEMS.find((c) => c === upper) ?? null;
}

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
    if (!Number.isFinite(value)) throw badInput(msg('input.notFinite', { field, value: String(value) }), field);
  }
  if (Math.abs(lat) > 90 && Math.abs(lat) <= 180 && Math.abs(lng) <= 90) {
    throw badInput(msg('input.swapped', { lngField: fields.lng, latField: fields.lat, lng, lat }), fields.lat);
  }
  if (Math.abs(lng) > 180) throw badInput(msg('input.lngRange', { field: fields.lng, value: lng }), fields.lng);
  if (Math.abs(lat) > 90) throw badInput(msg('input.latRange', { field: fields.lat, value: lat }), fields.lat);
  return { lng, lat };
}

/**
 * Converts a position from the coordinate system a map SDK reported to WGS-84, and leaves positions outside
 * China unchanged, as the GCJ-02 obfuscation does not apply there. gcoord's inverse alone is up to 14 cm (GCJ-02)
 * or 22 cm (BD-09) off, enough to make a boundary exported in GCJ-02 and imported back look redrawn; two
 * fixed-point steps against gcoord's own forward transform (the offset changes slowly, so each step divides the
 * error by about 1,000) bring it under 0.02 mm everywhere in China, so the grid importer can snap converted
 * vertices back onto the stored ones within a few centimetres.
 */
export function toWgs84(position: LngLat, crs: CoordinateSystem): LngLat {
  if (crs === 'WGS84') return position;
  let [lng, lat] = gcoord.transform([position.lng, position.lat], SOURCE[crs], gcoord.WGS84) as [number, number];
  for (let step = 0; step < INVERSE_REFINEMENT_STEPS; step++) {
    const [fLng, fLat] = gcoord.transform([lng, lat], gcoord.WGS84, SOURCE[crs]) as [number, number];
    lng -= fLng - position.lng;
    lat -= fLat - position.lat;
  }
  return { lng, lat };
}

const INVERSE_REFINEMENT_STEPS = 2;

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
