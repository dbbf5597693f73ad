import { msg, said, type Msg } from '../i18n';

/**
 * Structural checks of GeoJSON geometries (RFC 7946) that arrive from clients, before PostGIS sees them:
 * PostGIS would refuse most of these too, but with a message that names neither the ring nor the vertex.
 * Every problem is collected, not just the first, so one round trip shows a GIS editor all of them.
 */
export type Position = number[];

export interface GeometryProblem {
  code:
    | 'NOT_GEOMETRY'
    | 'UNSUPPORTED_TYPE'
    | 'BAD_COORDINATES'
    | 'NON_FINITE'
    | 'OUT_OF_RANGE'
    | 'SWAPPED_AXES'
    | 'RING_TOO_SHORT'
    | 'RING_NOT_CLOSED';
  message: string;
  /** `message` as a catalogue entry, for answers in the caller's language (absent: English only). */
  msg?: Msg;
  /** Index path into `coordinates`: [polygon, ring, vertex] for a MultiPolygon, [ring, vertex] for a Polygon. */
  path?: number[];
  lng?: number;
  lat?: number;
}

export interface Geometry {
  type: string;
  coordinates?: unknown;
  geometries?: Geometry[];
}

/** How deep positions are nested in each geometry type's `coordinates`. */
const POSITION_DEPTH: Record<string, number> = {
  Point: 0,
  MultiPoint: 1,
  LineString: 1,
  MultiLineString: 2,
  Polygon: 2,
  MultiPolygon: 3,
};

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * How big a geometry's `coordinates` are, counting no further than `limit + 1`: every position, and every
 * array that holds them (a ring, a polygon, a part) as one more, so that a million empty parts weigh as much
 * as a million vertices. Sizes a geometry before anything walks it position by position.
 */
export function geometrySize(value: unknown, limit: number): number {
  if (!isObject(value) || typeof value.type !== 'string' || !(value.type in POSITION_DEPTH)) return 0;
  let count = 0;
  const walk = (node: unknown, depth: number): void => {
    if (count > limit || !Array.isArray(node)) return;
    count += 1; // a position, or an array of parts
    if (depth === 0) return;
    for (const child of node) {
      walk(child, depth - 1);
      if (count > limit) return;
    }
  };
  walk(value.coordinates, POSITION_DEPTH[value.type]);
  return count;
}

export function geometryProblems(value: unknown, allowed: readonly string[] = Object.keys(POSITION_DEPTH)): GeometryProblem[] {
  if (!isObject(value) || typeof value.type !== 'string') {
    return [{ code: 'NOT_GEOMETRY', ...said(msg('geometry.notGeometry')) }];
  }
  if (!allowed.includes(value.type)) {
    return [{ code: 'UNSUPPORTED_TYPE', ...said(msg('geometry.unsupportedType', { allowed: allowed.join(', '), got: value.type })) }];
  }
  const problems: GeometryProblem[] = [];
  walkPositions(value.coordinates, POSITION_DEPTH[value.type], [], problems);
  if (problems.length === 0 && (value.type === 'Polygon' || value.type === 'MultiPolygon')) {
    const polygons = (value.type === 'Polygon' ? [value.coordinates] : value.coordinates) as number[][][][];
    if (polygons.length === 0) problems.push({ code: 'BAD_COORDINATES', ...said(msg('geometry.noPolygon')), path: [] });
    polygons.forEach((rings, p) => {
      if (rings.length === 0) {
        const where = value.type === 'Polygon' ? msg('geometry.noRing') : msg('geometry.polygonWithoutRings', { polygon: p });
        problems.push({ code: 'BAD_COORDINATES', ...said(where), path: value.type === 'Polygon' ? [] : [p] });
      }
      rings.forEach((ring, r) => checkRing(ring, value.type === 'Polygon' ? [r] : [p, r], problems));
    });
  }
  return problems;
}

/** RFC 7946 §3.1.6: a linear ring is closed and has at least four positions. */
function checkRing(ring: number[][], path: number[], problems: GeometryProblem[]): void {
  const where = `coordinates${fmtPath(path)}`;
  if (ring.length < 4) {
    problems.push({
      code: 'RING_TOO_SHORT',
      ...said(msg('geometry.ringTooShort', { where, count: ring.length })),
      path,
    });
    return;
  }
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (first[0] !== last[0] || first[1] !== last[1]) {
    problems.push({
      code: 'RING_NOT_CLOSED',
      ...said(msg('geometry.ringNotClosed', { where, first: `${first[0]}, ${first[1]}`, last: `${last[0]}, ${last[1]}` })),
      path,
      lng: last[0],
      lat: last[1],
    });
  }
}

function walkPositions(node: unknown, depth: number, path: number[], problems: GeometryProblem[]): void {
  if (depth === 0) {
    checkPosition(node, path, problems);
    return;
  }
  if (!Array.isArray(node)) {
    problems.push({ code: 'BAD_COORDINATES', ...said(msg('geometry.notArray', { where: `coordinates${fmtPath(path)}` })), path });
    return;
  }
  node.forEach((child, i) => walkPositions(child, depth - 1, [...path, i], problems));
}

function checkPosition(pos: unknown, path: number[], problems: GeometryProblem[]): void {
  const where = `coordinates${fmtPath(path)}`;
  if (!Array.isArray(pos) || pos.length < 2 || pos.length > 3 || !pos.every((n) => typeof n === 'number')) {
    problems.push({ code: 'BAD_COORDINATES', ...said(msg('geometry.notPosition', { where })), path });
    return;
  }
  const [lng, lat] = pos as number[];
  if (!Number.isFinite(lng) || !Number.isFinite(lat)) {
    problems.push({ code: 'NON_FINITE', ...said(msg('geometry.nonFinite', { where })), path });
  } else if (Math.abs(lat) > 90 && Math.abs(lat) <= 180 && Math.abs(lng) <= 90) {
    problems.push({
      code: 'SWAPPED_AXES',
      ...said(msg('geometry.swapped', { where, lng, lat })),
      path,
      lng,
      lat,
    });
  } else if (Math.abs(lng) > 180 || Math.abs(lat) > 90) {
    problems.push({ code: 'OUT_OF_RANGE', ...said(msg('geometry.outOfRange', { where, lng, lat })), path, lng, lat });
  }
}

function fmtPath(path: number[]): string {
  return path.map((i) => `[${i}]`).join('');
}
