import type { Lattice } from './lattice';
import type { SeededRandom } from './random';

/**
 * Cutting a parent's cells into contiguous children. Seeds are spread k-means++ style (each next seed drawn
 * with probability proportional to its squared distance from the seeds so far), then the children grow
 * from them at once, one cell at a time: the child furthest below its share grows next, into a random
 * cell of its frontier. Random frontier picks give round shapes with ragged edges (an Eden cluster)
 * rather than the diamonds of a plain breadth-first search. Every child grows only through edge
 * neighbours, so each is one edge-connected piece, and because the parent is one piece too, every parent
 * cell ends up in some child.
 */
export interface CellGroups {
  /** Cells of group g are `cells[offsets[g]] .. cells[offsets[g + 1] - 1]`, ascending. */
  offsets: Int32Array;
  cells: Int32Array;
}

/** Groups the region's cells by the part that owns them (a counting sort, so ascending within a part). */
export function groupCellsByOwner(owner: Int32Array, region: Int32Array, groupCount: number): CellGroups {
  const offsets = new Int32Array(groupCount + 1);
  for (let k = 0; k < region.length; k++) offsets[owner[region[k]] + 1]++;
  for (let g = 0; g < groupCount; g++) offsets[g + 1] += offsets[g];
  const next = offsets.slice(0, groupCount);
  const cells = new Int32Array(region.length);
  for (let k = 0; k < region.length; k++) cells[next[owner[region[k]]]++] = region[k];
  return { offsets, cells };
}

export function cellsOfGroup(groups: CellGroups, g: number): Int32Array {
  return groups.cells.subarray(groups.offsets[g], groups.offsets[g + 1]);
}

export interface PartitionTarget {
  lattice: Lattice;
  /** Which part each cell belongs to at the parent's level, and the parent's number there. */
  parentOwner: Int32Array;
  parentId: number;
  /** Written: child number (firstChildId + k) for every cell of the parent; -1 elsewhere beforehand. */
  owner: Int32Array;
  firstChildId: number;
}

export function partitionCells(t: PartitionTarget, cells: Int32Array, weights: readonly number[], rng: SeededRandom): void {
  const k = weights.length;
  const n = cells.length;
  if (k > n) throw new Error(`cannot cut ${n} lattice cells into ${k} parts`);
  const { nx, ny } = t.lattice;
  const { parentOwner, parentId, owner, firstChildId } = t;
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const target = weights.map((w) => (n * w) / totalWeight);
  const size = new Float64Array(k);
  const frontier: number[][] = spreadSeeds(cells, k, nx, rng).map((seed) => [seed]);

  const grow = (part: number, c: number) => {
    if (owner[c] !== -1 || parentOwner[c] !== parentId) return;
    frontier[part].push(c);
  };
  let assigned = 0;
  while (assigned < n) {
    let part = -1;
    let lowest = Infinity;
    for (let p = 0; p < k; p++) {
      if (frontier[p].length === 0) continue;
      const ratio = size[p] / target[p];
      if (ratio < lowest) {
        lowest = ratio;
        part = p;
      }
    }
    if (part < 0) throw new Error('parent cells are not one connected piece');
    const f = frontier[part];
    const at = rng.int(f.length);
    const c = f[at];
    f[at] = f[f.length - 1];
    f.pop();
    if (owner[c] !== -1) continue;
    owner[c] = firstChildId + part;
    size[part]++;
    assigned++;
    const i = c % nx;
    if (i > 0) grow(part, c - 1);
    if (i < nx - 1) grow(part, c + 1);
    if (c >= nx) grow(part, c - nx);
    if (c < nx * (ny - 1)) grow(part, c + nx);
  }
}

/** k distinct seed cells, spread out (k-means++ seeding on cell positions). */
function spreadSeeds(cells: Int32Array, k: number, nx: number, rng: SeededRandom): number[] {
  const n = cells.length;
  const seeds = [rng.int(n)];
  if (k === 1) return [cells[seeds[0]]];
  const d2 = new Float64Array(n).fill(Infinity);
  while (seeds.length < k) {
    const last = cells[seeds[seeds.length - 1]];
    const lx = last % nx;
    const ly = (last - lx) / nx;
    let total = 0;
    for (let m = 0; m < n; m++) {
      const x = cells[m] % nx;
      const y = (cells[m] - x) / nx;
      const d = (x - lx) * (x - lx) + (y - ly) * (y - ly);
      if (d < d2[m]) d2[m] = d;
      total += d2[m];
    }
    let r = rng.next() * total;
    let chosen = -1;
    for (let m = 0; m < n; m++) {
      if (d2[m] === 0) continue;
      chosen = m;
      r -= d2[m];
      if (r < 0) break;
    }
    seeds.push(chosen);
  }
  return seeds.map((m) => cells[m]);
}

/**
 * Splits `total` into whole numbers proportional to `weights`, each at least 1 and at most its cap
 * (largest remainders first, then as close to proportional as the caps allow).
 */
export function apportion(weights: readonly number[], total: number, caps: readonly number[]): number[] {
  const k = weights.length;
  const capacity = caps.reduce((a, b) => a + b, 0);
  if (total < k || total > capacity) throw new Error(`cannot split ${total} into ${k} parts of 1..cap (capacity ${capacity})`);
  const sum = weights.reduce((a, b) => a + b, 0);
  const quota = weights.map((w) => (total * w) / sum);
  const counts = quota.map((q, i) => Math.max(1, Math.min(caps[i], Math.floor(q))));
  let missing = total - counts.reduce((a, b) => a + b, 0);
  const order = quota.map((_, i) => i);
  while (missing > 0) {
    // Furthest below quota first; ties by index so the result is deterministic.
    order.sort((a, b) => quota[b] - counts[b] - (quota[a] - counts[a]) || a - b);
    for (const i of order) {
      if (missing === 0) break;
      if (counts[i] < caps[i]) {
        counts[i]++;
        missing--;
      }
    }
  }
  while (missing < 0) {
    order.sort((a, b) => counts[b] - quota[b] - (counts[a] - quota[a]) || a - b);
    for (const i of order) {
      if (missing === 0) break;
      if (counts[i] > 1) {
        counts[i]--;
        missing++;
      }
    }
  }
  return counts;
}
