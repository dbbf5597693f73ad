import type { SeededRandom } from './random';

/**
 * The jittered lattice every generated polygon is cut from. Cells are the quads between lattice vertices;
 * a polygon is a set of cells, and its boundary is made of lattice edges. Because every polygon takes its
 * coordinates from the same vertex table, neighbours share bit-identical edges: the tiling is exact by
 * construction, not by snapping afterwards.
 *
 * Indexing: cell (i, j) is `j * nx + i`; vertex (i, j) is `j * (nx + 1) + i`; cell (i, j) has corners
 * (i, j), (i+1, j), (i+1, j+1), (i, j+1). i grows east, j grows north (before the rotation below).
 */
export interface Lattice {
  /** Cells per row and per column. */
  nx: number;
  ny: number;
  /** Mean distance between lattice vertices, metres. */
  spacing: number;
  /** Per vertex, WGS-84 degrees, already rounded to 7 decimals (about 1 cm). */
  lng: Float64Array;
  lat: Float64Array;
  /** The cells inside the outline (one 4-connected piece without holes), ascending. */
  region: Int32Array;
}

export interface LatticeOptions {
  /** [lng, lat] of the outline's centre. */
  center: [number, number];
  areaM2: number;
  /** How many cells the outline should hold (the result is close to it, not equal). */
  cells: number;
  rng: SeededRandom;
}

/**
 * Each vertex moves at most this share of the spacing along each axis. Below 0.25 every cell stays a
 * strictly convex, counter-clockwise quad (the corner cross products stay positive), so the jittered
 * cells still tile the plane without folds: the cheap guarantee behind "all boundaries are valid".
 */
const JITTER = 0.24;
const METRES_PER_DEGREE_LAT = 110574;
const METRES_PER_DEGREE_LNG_AT_EQUATOR = 111320;
const HARMONICS = 5;

export function buildLattice(o: LatticeOptions): Lattice {
  const { rng } = o;
  const outline = randomOutline(rng, o.areaM2);
  const spacing = Math.sqrt(o.areaM2 / o.cells);
  const n = Math.ceil((2 * outline.maxRadius) / spacing) + 4;
  const nx = n;
  const ny = n;
  const half = n / 2;

  const inside = new Uint8Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    const y = (j + 0.5 - half) * spacing;
    for (let i = 0; i < nx; i++) {
      const x = (i + 0.5 - half) * spacing;
      if (Math.hypot(x, y) < outline.radiusAt(Math.atan2(y, x))) inside[j * nx + i] = 1;
    }
  }
  fillEnclosedGaps(inside, nx, ny);
  const region = largestComponent(inside, nx, ny);

  // A lattice aligned with the meridians looks like a spreadsheet; turn it by a random angle.
  const angle = rng.between(-0.35, 0.35);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const [lng0, lat0] = o.center;
  const metresPerDegreeLng = METRES_PER_DEGREE_LNG_AT_EQUATOR * Math.cos((lat0 * Math.PI) / 180);
  const vx = nx + 1;
  const vertexCount = vx * (ny + 1);
  const lng = new Float64Array(vertexCount);
  const lat = new Float64Array(vertexCount);
  for (let j = 0; j <= ny; j++) {
    for (let i = 0; i <= nx; i++) {
      const u = (i - half + rng.between(-JITTER, JITTER)) * spacing;
      const w = (j - half + rng.between(-JITTER, JITTER)) * spacing;
      const x = u * cos - w * sin;
      const y = u * sin + w * cos;
      // Rounded once, here: every polygon that uses this vertex gets these exact numbers.
      lng[j * vx + i] = round7(lng0 + x / metresPerDegreeLng);
      lat[j * vx + i] = round7(lat0 + y / METRES_PER_DEGREE_LAT);
    }
  }
  return { nx, ny, spacing, lng, lat, region };
}

function round7(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}

/** A blob: a circle whose radius wobbles with a few low harmonics, scaled to the requested area. */
function randomOutline(rng: SeededRandom, areaM2: number): { radiusAt(theta: number): number; maxRadius: number } {
  const amplitude: number[] = [];
  const phase: number[] = [];
  for (let k = 2; k < 2 + HARMONICS; k++) {
    amplitude.push(rng.between(0.02, 0.16) / Math.sqrt(k - 1));
    phase.push(rng.between(0, 2 * Math.PI));
  }
  const unitRadius = (theta: number) => {
    let r = 1;
    for (let h = 0; h < HARMONICS; h++) r += amplitude[h] * Math.cos((h + 2) * theta + phase[h]);
    return r;
  };
  const steps = 720;
  let unitArea = 0;
  let unitMax = 0;
  for (let s = 0; s < steps; s++) {
    const r = unitRadius((2 * Math.PI * s) / steps);
    unitArea += (r * r * Math.PI) / steps;
    unitMax = Math.max(unitMax, r);
  }
  const scale = Math.sqrt(areaM2 / unitArea);
  return { radiusAt: (theta) => scale * unitRadius(theta), maxRadius: scale * unitMax };
}

/** Cells the outline's sampling left enclosed but outside become inside: a district has no holes. */
function fillEnclosedGaps(inside: Uint8Array, nx: number, ny: number): void {
  const outside = new Uint8Array(nx * ny);
  const queue = new Int32Array(nx * ny);
  let head = 0;
  let tail = 0;
  const visit = (c: number) => {
    if (!inside[c] && !outside[c]) {
      outside[c] = 1;
      queue[tail++] = c;
    }
  };
  for (let i = 0; i < nx; i++) {
    visit(i);
    visit((ny - 1) * nx + i);
  }
  for (let j = 0; j < ny; j++) {
    visit(j * nx);
    visit(j * nx + nx - 1);
  }
  while (head < tail) {
    const c = queue[head++];
    const i = c % nx;
    if (i > 0) visit(c - 1);
    if (i < nx - 1) visit(c + 1);
    if (c >= nx) visit(c - nx);
    if (c < nx * (ny - 1)) visit(c + nx);
  }
  for (let c = 0; c < nx * ny; c++) if (!outside[c]) inside[c] = 1;
}

/** The largest edge-connected piece of the outline, so every later partition starts from one piece. */
function largestComponent(inside: Uint8Array, nx: number, ny: number): Int32Array {
  const label = new Int32Array(nx * ny).fill(-1);
  const queue = new Int32Array(nx * ny);
  let best = -1;
  let bestSize = 0;
  let labels = 0;
  for (let start = 0; start < nx * ny; start++) {
    if (!inside[start] || label[start] >= 0) continue;
    const id = labels++;
    let head = 0;
    let tail = 0;
    label[start] = id;
    queue[tail++] = start;
    while (head < tail) {
      const c = queue[head++];
      const i = c % nx;
      const neighbours = [i > 0 ? c - 1 : -1, i < nx - 1 ? c + 1 : -1, c >= nx ? c - nx : -1, c < nx * (ny - 1) ? c + nx : -1];
      for (const d of neighbours) {
        if (d >= 0 && inside[d] && label[d] < 0) {
          label[d] = id;
          queue[tail++] = d;
        }
      }
    }
    if (tail > bestSize) {
      bestSize = tail;
      best = id;
    }
  }
  const region = new Int32Array(bestSize);
  let k = 0;
  for (let c = 0; c < nx * ny; c++) if (label[c] === best) region[k++] = c;
  return region;
}
