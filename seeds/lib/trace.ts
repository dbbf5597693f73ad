import type { Lattice } from './lattice';

export type Position = number[];
export type MultiPolygonCoordinates = Position[][][];

/**
 * Turns a set of lattice cells into a valid GeoJSON MultiPolygon (RFC 7946 winding: shells counter-
 * clockwise, holes clockwise, rings closed).
 *
 * The boundary is every cell edge whose other side is not in the set, directed with the set on its left.
 * Walking those edges gives closed circuits; where two cells of the set touch only at a corner ("pinch"),
 * a vertex has two ways out and a circuit may pass it twice. Such a circuit is split there into simple
 * loops, which then touch at a single point: allowed by OGC validity, unlike a ring that touches itself.
 * With the set on the left, outer loops come out counter-clockwise and holes clockwise, so the sign of
 * the area (exact, in integer lattice coordinates) says which is which.
 *
 * Scratch space is sized to the lattice once and reused through stamps, so tracing 100k polygons
 * allocates little beyond the output.
 */
export class BoundaryTracer {
  private readonly member: Int32Array;
  private readonly outStamp: Int32Array;
  private readonly outA: Int32Array;
  private readonly outB: Int32Array;
  private readonly onPath: Int32Array;
  private readonly pathPos: Int32Array;
  private edgeFrom = new Int32Array(1024);
  private edgeTo = new Int32Array(1024);
  private edgeDir = new Uint8Array(1024);
  private used = new Uint8Array(1024);
  private stamp = 0;
  private pathStamp = 0;
  /** One shared [lng, lat] array per vertex: neighbours' rings hold the very same numbers (and objects). */
  private readonly positions: (Position | undefined)[];
  private readonly vx: number;

  constructor(private readonly lattice: Lattice) {
    const cellCount = lattice.nx * lattice.ny;
    this.vx = lattice.nx + 1;
    const vertexCount = this.vx * (lattice.ny + 1);
    this.member = new Int32Array(cellCount);
    this.outStamp = new Int32Array(vertexCount);
    this.outA = new Int32Array(vertexCount);
    this.outB = new Int32Array(vertexCount);
    this.onPath = new Int32Array(vertexCount);
    this.pathPos = new Int32Array(vertexCount);
    this.positions = new Array(vertexCount);
  }

  multiPolygon(cells: ArrayLike<number>): MultiPolygonCoordinates {
    const edgeCount = this.collectBoundaryEdges(cells);
    const loops: number[][] = [];
    for (let first = 0; first < edgeCount; first++) {
      if (!this.used[first]) this.splitIntoSimpleLoops(this.walkCircuit(first), loops);
    }
    const shells: { loop: number[]; area2: number; holes: number[][] }[] = [];
    const holes: number[][] = [];
    for (const loop of loops) {
      const area2 = this.doubledArea(loop);
      if (area2 > 0) shells.push({ loop, area2, holes: [] });
      else holes.push(loop);
    }
    for (const hole of holes) this.shellAround(hole, shells).holes.push(hole);
    return shells.map((s) => [this.ring(s.loop), ...s.holes.map((h) => this.ring(h))]);
  }

  private collectBoundaryEdges(cells: ArrayLike<number>): number {
    const { nx, ny } = this.lattice;
    const stamp = ++this.stamp;
    const member = this.member;
    for (let k = 0; k < cells.length; k++) member[cells[k]] = stamp;
    this.reserve(4 * cells.length);
    let count = 0;
    const add = (from: number, to: number, dir: number) => {
      this.edgeFrom[count] = from;
      this.edgeTo[count] = to;
      this.edgeDir[count] = dir;
      this.used[count] = 0;
      if (this.outStamp[from] !== stamp) {
        this.outStamp[from] = stamp;
        this.outA[from] = count;
        this.outB[from] = -1;
      } else {
        this.outB[from] = count;
      }
      count++;
    };
    for (let k = 0; k < cells.length; k++) {
      const c = cells[k];
      const i = c % nx;
      const j = (c - i) / nx;
      const v00 = j * this.vx + i;
      const v10 = v00 + 1;
      const v01 = v00 + this.vx;
      const v11 = v01 + 1;
      // Directions 0..3 are east, north, west, south: counter-clockwise around the cell.
      if (j === 0 || member[c - nx] !== stamp) add(v00, v10, 0);
      if (i === nx - 1 || member[c + 1] !== stamp) add(v10, v11, 1);
      if (j === ny - 1 || member[c + nx] !== stamp) add(v11, v01, 2);
      if (i === 0 || member[c - 1] !== stamp) add(v01, v00, 3);
    }
    return count;
  }

  private reserve(edges: number): void {
    if (this.edgeFrom.length >= edges) return;
    const size = Math.max(edges, 2 * this.edgeFrom.length);
    this.edgeFrom = new Int32Array(size);
    this.edgeTo = new Int32Array(size);
    this.edgeDir = new Uint8Array(size);
    this.used = new Uint8Array(size);
  }

  /** The start vertices of one closed walk over unused edges; at a pinch it turns left (hugs its cell). */
  private walkCircuit(first: number): number[] {
    const vertices: number[] = [];
    let edge = first;
    for (;;) {
      this.used[edge] = 1;
      vertices.push(this.edgeFrom[edge]);
      const at = this.edgeTo[edge];
      const a = this.outA[at];
      const b = this.outB[at];
      const aFree = !this.used[a];
      const bFree = b >= 0 && !this.used[b];
      if (aFree && bFree) edge = this.edgeDir[a] === ((this.edgeDir[edge] + 1) & 3) ? a : b;
      else if (aFree) edge = a;
      else if (bFree) edge = b;
      else {
        if (at !== this.edgeFrom[first]) throw new Error('boundary walk did not close');
        return vertices;
      }
    }
  }

  /** Cuts a closed walk into loops that visit each vertex once. */
  private splitIntoSimpleLoops(walk: number[], loops: number[][]): void {
    const stamp = ++this.pathStamp;
    const path: number[] = [];
    for (const v of walk) {
      if (this.onPath[v] === stamp) {
        const start = this.pathPos[v];
        const loop = path.splice(start + 1);
        for (const u of loop) this.onPath[u] = 0;
        loop.unshift(v);
        loops.push(loop);
      } else {
        this.onPath[v] = stamp;
        this.pathPos[v] = path.length;
        path.push(v);
      }
    }
    loops.push(path);
  }

  /** Twice the signed area in lattice units: exact, and positive for counter-clockwise loops. */
  private doubledArea(loop: number[]): number {
    let sum = 0;
    for (let k = 0; k < loop.length; k++) {
      const a = loop[k];
      const b = loop[(k + 1) % loop.length];
      const ax = a % this.vx;
      const bx = b % this.vx;
      sum += ax * ((b - bx) / this.vx) - bx * ((a - ax) / this.vx);
    }
    return sum;
  }

  /** The smallest shell around a hole, tested with the centre of a cell just inside the hole. */
  private shellAround<S extends { loop: number[]; area2: number }>(hole: number[], shells: S[]): S {
    if (shells.length === 1) return shells[0];
    const [x0, y0] = this.xy(hole[0]);
    const [x1, y1] = this.xy(hole[1]);
    // The hole is walked with the polygon on its left, so the cell on its right lies in the hole.
    const dx = x1 - x0;
    const dy = y1 - y0;
    const cx = dx === 1 ? x0 : dx === -1 ? x0 - 1 : dy === 1 ? x0 : x0 - 1;
    const cy = dx === 1 ? y0 - 1 : dx === -1 ? y0 : dy === 1 ? y0 : y0 - 1;
    let best: S | undefined;
    for (const shell of shells) {
      if ((!best || shell.area2 < best.area2) && this.contains(shell.loop, cx + 0.5, cy + 0.5)) best = shell;
    }
    if (!best) throw new Error('hole outside every shell');
    return best;
  }

  private contains(loop: number[], px: number, py: number): boolean {
    let inside = false;
    for (let k = 0; k < loop.length; k++) {
      const [ax, ay] = this.xy(loop[k]);
      const [, by] = this.xy(loop[(k + 1) % loop.length]);
      // Only vertical edges cross a horizontal ray through a cell centre.
      if (ay > py !== by > py && px < ax) inside = !inside;
    }
    return inside;
  }

  private xy(v: number): [number, number] {
    const x = v % this.vx;
    return [x, (v - x) / this.vx];
  }

  private ring(loop: number[]): Position[] {
    const ring = loop.map((v) => (this.positions[v] ??= [this.lattice.lng[v], this.lattice.lat[v]]));
    ring.push(ring[0]);
    return ring;
  }
}
