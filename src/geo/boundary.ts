import kinks from '@turf/kinks';
import type { CoordinateSystem } from '../generated/graphql';
import { toWgs84 } from './coordinates';
import { geometryProblems, isObject, type GeometryProblem } from './geojson';
import { msg, said, type Msg } from '../i18n';

/**
 * The first, database-free stage of checking a boundary a GIS editor sent: shape of the GeoJSON, coordinate
 * ranges, ring closure, the vertex limit and self-intersections, all collected at once and located by
 * polygon, ring and vertex index *as the editor sent them*. What passes is converted to WGS-84 and cleaned
 * of repeated consecutive points; PostGIS then checks validity and the neighbours (see repo-edit.ts).
 */
export type BoundaryProblemCode =
  | 'NOT_POLYGON'
  | 'BAD_COORDINATES'
  | 'NON_FINITE'
  | 'OUT_OF_RANGE'
  | 'SWAPPED_AXES'
  | 'RING_TOO_SHORT'
  | 'RING_NOT_CLOSED'
  | 'TOO_MANY_VERTICES'
  | 'SELF_INTERSECTION';

export interface BoundaryProblem {
  code: BoundaryProblemCode;
  message: string;
  /** `message` as a catalogue entry, for answers in the caller's language (absent: English only). */
  msg?: Msg;
  polygon?: number;
  ring?: number;
  vertex?: number;
  lng?: number;
  lat?: number;
}

export interface MultiPolygon {
  type: 'MultiPolygon';
  coordinates: number[][][][];
}

export interface PreparedBoundary {
  /** The boundary in WGS-84 as a MultiPolygon, repeated consecutive points removed; null when refused. */
  geometry: MultiPolygon | null;
  problems: BoundaryProblem[];
  vertexCount: number;
}

/** Self-intersection search is quadratic in a ring's size; past this, PostGIS reports the first one only. */
const KINKS_MAX_RING_VERTICES = 5000;

export function prepareBoundary(input: unknown, crs: CoordinateSystem, maxVertices: number): PreparedBoundary {
  // Sized by its rings' lengths before anything walks it position by position: a 400,000-vertex boundary is
  // refused by its size alone, with one problem.
  const declared = declaredVertexCount(input);
  if (declared > maxVertices) return { geometry: null, problems: [tooManyVertices(String(declared), maxVertices)], vertexCount: declared };
  const structural = geometryProblems(input, ['Polygon', 'MultiPolygon']);
  if (structural.length > 0) {
    const type = (input as { type?: unknown }).type === 'Polygon' ? 'Polygon' : 'MultiPolygon';
    return { geometry: null, problems: structural.map((p) => fromGeometryProblem(p, type)), vertexCount: 0 };
  }
  const g = input as { type: 'Polygon' | 'MultiPolygon'; coordinates: number[][][] | number[][][][] };
  const multi = g.type === 'Polygon' ? [g.coordinates as number[][][]] : (g.coordinates as number[][][][]);
  const wrap = g.type === 'MultiPolygon';
  const problems: BoundaryProblem[] = [];
  let vertexCount = 0;

  const polygons = multi.map((rings, p) =>
    rings.map((ring, r) => {
      vertexCount += ring.length - 1;
      const cleaned = cleanRing(ring, crs);
      if (cleaned.positions.length < 4) {
        problems.push({
          code: 'RING_TOO_SHORT',
          ...said(msg('boundary.ringFewCorners', { where: where(wrap, p, r), corners: cleaned.positions.length - 1 })),
          ...(wrap ? { polygon: p } : {}),
          ring: r,
        });
      }
      return cleaned;
    }),
  );
  if (vertexCount > maxVertices) {
    problems.push(tooManyVertices(String(vertexCount), maxVertices));
    return { geometry: null, problems, vertexCount };
  }
  if (problems.length > 0) return { geometry: null, problems, vertexCount };

  polygons.forEach((rings, p) =>
    rings.forEach((ring, r) => {
      if (ring.positions.length > KINKS_MAX_RING_VERTICES) return;
      for (const kink of ringSelfIntersections(ring.positions)) {
        problems.push({
          code: 'SELF_INTERSECTION',
          ...said(msg('boundary.selfIntersection', { where: where(wrap, p, r), lng: fmt(kink.lng), lat: fmt(kink.lat), vertex: ring.original[kink.segment] })),
          ...(wrap ? { polygon: p } : {}),
          ring: r,
          vertex: ring.original[kink.segment],
          lng: kink.lng,
          lat: kink.lat,
        });
      }
    }),
  );
  return {
    geometry: problems.length ? null : { type: 'MultiPolygon', coordinates: polygons.map((rings) => rings.map((r) => r.positions)) },
    problems,
    vertexCount,
  };
}

/**
 * Vertices of a Polygon or MultiPolygon counted from its rings' lengths (0 when it is not shaped like one). A
 * ring or polygon counts as at least the 3 corners it needs, so that empty parts (`[]`, a million of them)
 * cannot make a boundary look small.
 */
function declaredVertexCount(input: unknown): number {
  if (!isObject(input) || !Array.isArray(input.coordinates)) return 0;
  const polygons = input.type === 'Polygon' ? [input.coordinates] : input.type === 'MultiPolygon' ? input.coordinates : [];
  let count = 0;
  for (const rings of polygons) {
    if (!Array.isArray(rings) || rings.length === 0) {
      count += 3;
      continue;
    }
    for (const ring of rings) count += Array.isArray(ring) ? Math.max(ring.length - 1, 3) : 3;
  }
  return count;
}

function tooManyVertices(count: string, maxVertices: number): BoundaryProblem {
  return { code: 'TOO_MANY_VERTICES', ...said(msg('boundary.tooManyVertices', { count, max: maxVertices })) };
}

interface CleanRing {
  positions: number[][];
  /** For each kept position, its index in the ring as sent. */
  original: number[];
}

/** Converts a ring to WGS-84 and drops positions that repeat the one before (digitising double-clicks). */
function cleanRing(ring: number[][], crs: CoordinateSystem): CleanRing {
  const positions: number[][] = [];
  const original: number[] = [];
  ring.forEach((pos, i) => {
    const { lng, lat } = toWgs84({ lng: pos[0], lat: pos[1] }, crs);
    const last = positions[positions.length - 1];
    if (last && last[0] === lng && last[1] === lat) return;
    positions.push([lng, lat]);
    original.push(i);
  });
  return { positions, original };
}

/** Points where a ring crosses itself, with the index of the first segment involved. */
function ringSelfIntersections(ring: number[][]): { lng: number; lat: number; segment: number }[] {
  const found = kinks({ type: 'Polygon', coordinates: [ring] });
  const seen = new Set<string>();
  const result: { lng: number; lat: number; segment: number }[] = [];
  for (const point of found.features) {
    const [lng, lat] = point.geometry.coordinates;
    const key = `${lng},${lat}`;
    if (seen.has(key)) continue; // each crossing is reported once per pair of segments
    seen.add(key);
    result.push({ lng, lat, segment: nearestSegment(ring, lng, lat) });
  }
  return result;
}

function nearestSegment(ring: number[][], x: number, y: number): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let i = 0; i < ring.length - 1; i++) {
    const d = distanceToSegment(x, y, ring[i], ring[i + 1]);
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  }
  return best;
}

function distanceToSegment(x: number, y: number, a: number[], b: number[]): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len = dx * dx + dy * dy;
  const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / len));
  return Math.hypot(x - (a[0] + t * dx), y - (a[1] + t * dy));
}

function fromGeometryProblem(p: GeometryProblem, type: 'Polygon' | 'MultiPolygon'): BoundaryProblem {
  const code: BoundaryProblemCode = p.code === 'NOT_GEOMETRY' || p.code === 'UNSUPPORTED_TYPE' ? 'NOT_POLYGON' : p.code;
  // Paths index into `coordinates`: [polygon, ring, vertex] for a MultiPolygon, [ring, vertex] for a Polygon.
  const path: (number | undefined)[] = type === 'Polygon' ? [undefined, ...(p.path ?? [])] : (p.path ?? []);
  const [polygon, ring, vertex] = path;
  return {
    code,
    ...(code === 'NOT_POLYGON' ? said(msg('boundary.notPolygon', { detail: p.msg ?? p.message })) : { message: p.message, msg: p.msg }),
    ...(polygon !== undefined ? { polygon } : {}),
    ...(ring !== undefined ? { ring } : {}),
    ...(vertex !== undefined ? { vertex } : {}),
    ...(p.lng !== undefined ? { lng: p.lng, lat: p.lat } : {}),
  };
}

function where(multi: boolean, polygon: number, ring: number): Msg {
  return multi ? msg('boundary.polygonRing', { polygon, ring: msg('boundary.ring', { ring, start: 'no' }) }) : msg('boundary.ring', { ring, start: 'yes' });
}

function fmt(n: number): string {
  return n.toFixed(7).replace(/0+$/, '').replace(/\.$/, '');
}
