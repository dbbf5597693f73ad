import { generateTiling, gridIdFromCode, type Division, type GeneratedGrid, type TilingOptions } from '../seeds/lib/tiling';
import { BoundaryTracer } from '../seeds/lib/trace';
import { apportion } from '../seeds/lib/partition';
import type { Lattice } from '../seeds/lib/lattice';
import { generateWorkers } from '../seeds/lib/workers';

/** The pure geometry generator on a small made-up district: fast, no database. */
const community = (code: string, name: string): Division => ({ code, name, level: 'COMMUNITY' });
const DISTRICTS: Division[] = [
  {
    code: '990101',
    name: '测试区',
    level: 'DISTRICT',
    children: [
      { code: '990101001', name: '东街道', level: 'STREET', children: [community('990101001001', '天骄社区居委会'), community('990101001002', '北后居委会')] },
      { code: '990101002', name: '西街道', level: 'STREET', children: [community('990101002003', '宁安居民委员会'), community('990101002004', '林山寨村民委员会')] },
    ],
  },
];
const OPTIONS: TilingOptions = {
  districts: DISTRICTS,
  center: [114.46, 38.05],
  areaKm2: 2,
  gridsTotal: 10,
  microGridsTotal: 40,
  dedicatedPerStreet: 2,
  seed: 7,
};

type Ring = number[][];

/** Shoelace in degrees: the sign is all that matters here (positive = counter-clockwise). */
function signedArea(ring: Ring): number {
  let sum = 0;
  for (let k = 0; k + 1 < ring.length; k++) sum += ring[k][0] * ring[k + 1][1] - ring[k + 1][0] * ring[k][1];
  return sum / 2;
}

/** Directed edges of a grid's rings, as exact coordinate text (so "identical" means bit-identical). */
function directedEdges(g: GeneratedGrid): string[] {
  const edges: string[] = [];
  for (const polygon of g.boundary.coordinates) {
    for (const ring of polygon) {
      for (let k = 0; k + 1 < ring.length; k++) edges.push(`${ring[k].join(',')}>${ring[k + 1].join(',')}`);
    }
  }
  return edges;
}

function reversed(edge: string): string {
  const [a, b] = edge.split('>');
  return `${b}>${a}`;
}

describe('generateTiling', () => {
  const grids = generateTiling(OPTIONS);
  const byCode = new Map(grids.map((g) => [g.code, g]));
  const ofLevel = (level: string) => grids.filter((g) => g.level === level);

  it('creates exactly the requested number of grids per level', () => {
    const counts = Object.fromEntries(['DISTRICT', 'STREET', 'COMMUNITY', 'GRID', 'MICRO_GRID', 'DEDICATED'].map((l) => [l, ofLevel(l).length]));
    expect(counts).toEqual({ DISTRICT: 1, STREET: 2, COMMUNITY: 4, GRID: 10, MICRO_GRID: 40, DEDICATED: 4 });
  });

  it('keeps the real codes and names of districts, streets and communities', () => {
    expect(ofLevel('COMMUNITY').map((g) => [g.code, g.name])).toEqual([
      ['990101001001', '天骄社区居委会'],
      ['990101001002', '北后居委会'],
      ['990101002003', '宁安居民委员会'],
      ['990101002004', '林山寨村民委员会'],
    ]);
  });

  it('codes grids, micro-grids and overlays below their parent code', () => {
    const format: Record<string, RegExp> = {
      DISTRICT: /^\d{6}$/,
      STREET: /^\d{9}$/,
      COMMUNITY: /^\d{12}$/,
      GRID: /^\d{12}(?!9)\d{3}$/,
      MICRO_GRID: /^\d{15}(?!9)\d{3}$/,
      DEDICATED: /^\d{12}9\d{2}$/,
    };
    for (const g of grids) {
      expect(g.code).toMatch(format[g.level]);
      if (g.parentCode) expect(g.code.startsWith(g.parentCode)).toBe(true);
    }
    expect(new Set(grids.map((g) => g.code)).size).toBe(grids.length);
    expect(ofLevel('GRID').every((g) => g.code !== `${g.parentCode}000`)).toBe(true);
  });

  it('names grids after the community short name and overlays after a facility', () => {
    const names = grids.filter((g) => g.parentCode === '990101001001' || g.parentCode?.startsWith('990101001001001')).map((g) => g.name);
    expect(names).toContain('天骄第1网格');
    expect(names).toContain('天骄第1网格第1微网格');
    expect(ofLevel('GRID').some((g) => g.name === '林山寨村第1网格')).toBe(true);
    const overlays = ofLevel('DEDICATED').map((g) => g.name);
    expect(overlays.filter((n) => n.endsWith('第一小学专属网格'))).toHaveLength(2);
    expect(overlays.filter((n) => n.endsWith('社区医院专属网格'))).toHaveLength(2);
  });

  it('lists parents before children and links them by id, depth and ancestors', () => {
    const position = new Map(grids.map((g, k) => [g.code, k]));
    const depth: Record<string, number> = { DISTRICT: 0, STREET: 1, COMMUNITY: 2, GRID: 3, MICRO_GRID: 4, DEDICATED: 3 };
    for (const g of grids) {
      expect(g.id).toBe(gridIdFromCode(g.code));
      expect(g.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(g.depth).toBe(depth[g.level]);
      if (!g.parentCode) {
        expect([g.parentId, g.ancestorIds]).toEqual([null, []]);
        continue;
      }
      const parent = byCode.get(g.parentCode)!;
      expect(position.get(parent.code)!).toBeLessThan(position.get(g.code)!);
      expect(g.parentId).toBe(parent.id);
      expect(g.ancestorIds).toEqual([...parent.ancestorIds, parent.id]);
    }
    for (const g of ofLevel('DEDICATED')) expect(byCode.get(g.parentCode!)!.level).toBe('COMMUNITY');
  });

  it('writes closed rings, shells counter-clockwise and holes clockwise', () => {
    for (const g of grids) {
      expect(g.boundary.type).toBe('MultiPolygon');
      expect(g.boundary.coordinates.length).toBeGreaterThan(0);
      for (const [shell, ...holes] of g.boundary.coordinates) {
        for (const ring of [shell, ...holes]) {
          expect(ring.length).toBeGreaterThanOrEqual(5);
          expect(ring[ring.length - 1]).toEqual(ring[0]);
          // Simple rings: no vertex twice (apart from the closing one).
          expect(new Set(ring.slice(0, -1).map((p) => p.join(','))).size).toBe(ring.length - 1);
        }
        expect(signedArea(shell)).toBeGreaterThan(0);
        for (const hole of holes) expect(signedArea(hole)).toBeLessThan(0);
      }
    }
  });

  it('rounds every coordinate to 7 decimals', () => {
    for (const g of grids) {
      for (const p of g.boundary.coordinates.flat(2)) {
        expect(Number(p[0].toFixed(7))).toBe(p[0]);
        expect(Number(p[1].toFixed(7))).toBe(p[1]);
      }
    }
  });

  it('tiles every regular parent exactly with bit-identical shared edges', () => {
    // Inside a parent each child edge meets its neighbour's reverse edge; what is left is the parent's outline.
    for (const parent of grids.filter((g) => g.level !== 'MICRO_GRID' && g.level !== 'DEDICATED')) {
      const children = grids.filter((g) => g.parentCode === parent.code && g.level !== 'DEDICATED');
      const open = new Set<string>();
      for (const edge of children.flatMap(directedEdges)) {
        if (open.has(reversed(edge))) open.delete(reversed(edge));
        else open.add(edge);
      }
      expect([...open].sort()).toEqual(directedEdges(parent).sort());
    }
  });

  it('gives the same output for the same seed and a different one for another seed', () => {
    expect(generateTiling(OPTIONS)).toEqual(grids);
    const other = generateTiling({ ...OPTIONS, seed: 8 });
    expect(other).toHaveLength(grids.length);
    const boundaryOf = (list: GeneratedGrid[], code: string) => list.find((g) => g.code === code)!.boundary;
    for (const code of ['990101', '990101001', '990101001001']) expect(boundaryOf(other, code)).not.toEqual(boundaryOf(grids, code));
  });

  it('refuses counts the hierarchy cannot hold', () => {
    expect(() => generateTiling({ ...OPTIONS, gridsTotal: 3 })).toThrow(/gridsTotal/);
    expect(() => generateTiling({ ...OPTIONS, microGridsTotal: 9 })).toThrow(/microGridsTotal/);
  });
});

describe('BoundaryTracer', () => {
  // A plain 4×4 lattice with integer coordinates, so expected rings can be written down.
  const n = 4;
  const lng = new Float64Array((n + 1) * (n + 1)).map((_, v) => v % (n + 1));
  const lat = new Float64Array((n + 1) * (n + 1)).map((_, v) => Math.floor(v / (n + 1)));
  const lattice: Lattice = { nx: n, ny: n, spacing: 1, lng, lat, region: new Int32Array() };
  const cell = (i: number, j: number) => j * n + i;
  const area = (rings: number[][][]) => rings.reduce((sum, ring) => sum + signedArea(ring), 0);

  it('traces a ring of cells as a shell with a clockwise hole', () => {
    const around = [cell(0, 0), cell(1, 0), cell(2, 0), cell(0, 1), cell(2, 1), cell(0, 2), cell(1, 2), cell(2, 2)];
    const polygons = new BoundaryTracer(lattice).multiPolygon(around);
    expect(polygons).toHaveLength(1);
    expect(polygons[0][0]).toEqual([[0, 0], [1, 0], [2, 0], [3, 0], [3, 1], [3, 2], [3, 3], [2, 3], [1, 3], [0, 3], [0, 2], [0, 1], [0, 0]]);
    expect(polygons[0][1]).toHaveLength(5);
    expect(signedArea(polygons[0][1])).toBe(-1);
  });

  it('splits cells touching only at a corner into polygons that share that point', () => {
    const polygons = new BoundaryTracer(lattice).multiPolygon([cell(1, 1), cell(2, 2)]);
    expect(polygons).toHaveLength(2);
    expect(polygons.map((p) => [p.length, area(p)])).toEqual([[1, 1], [1, 1]]);
  });

  it('attaches a hole to the shell around it when there are several shells', () => {
    const around = [cell(0, 0), cell(1, 0), cell(2, 0), cell(0, 1), cell(2, 1), cell(0, 2), cell(1, 2), cell(2, 2)];
    const polygons = new BoundaryTracer(lattice).multiPolygon([cell(3, 3), ...around]);
    expect(polygons.map((p) => p.map(signedArea)).sort()).toEqual([[1], [9, -1]]);
  });

  it('cuts a ring that would touch itself into a shell and a hole meeting at one vertex', () => {
    // Cell (1,1) is enclosed except at its corner (1,2), where (0,2), also outside, touches it.
    const cells = [cell(0, 0), cell(1, 0), cell(2, 0), cell(0, 1), cell(2, 1), cell(1, 2), cell(2, 2)];
    const polygons = new BoundaryTracer(lattice).multiPolygon(cells);
    expect(polygons).toHaveLength(1);
    const [shell, hole] = polygons[0];
    expect(polygons[0]).toHaveLength(2);
    expect(signedArea(shell)).toBe(8);
    expect(signedArea(hole)).toBe(-1);
    const shared = hole.slice(0, -1).filter((p) => shell.some((q) => q[0] === p[0] && q[1] === p[1]));
    expect(shared).toEqual([[1, 2]]);
    for (const ring of [shell, hole]) expect(new Set(ring.slice(0, -1).map((p) => p.join(','))).size).toBe(ring.length - 1);
  });
});

describe('apportion', () => {
  it('splits a total by weight, at least one each and never above a cap', () => {
    expect(apportion([1, 1, 2], 8, [10, 10, 10])).toEqual([2, 2, 4]);
    expect(apportion([1, 100], 5, [10, 3])).toEqual([2, 3]);
    expect(apportion([0.001, 50, 50], 4, [5, 5, 5])).toEqual([1, 2, 1]);
    expect(() => apportion([1, 1], 1, [5, 5])).toThrow();
  });
});

describe('generateWorkers', () => {
  const grids = generateTiling(OPTIONS);
  const { workers, assignments } = generateWorkers(grids, { seed: 1, onLeave: 2, partTimeCommunities: 3 });
  const gridById = new Map(grids.map((g) => [g.id, g]));

  it('staffs every grid with one full-time worker and covers the on-leave ones with part-timers', () => {
    const gridLevel = grids.filter((g) => g.level === 'GRID');
    expect(workers).toHaveLength(gridLevel.length + 3);
    const fullTime = assignments.filter((a) => workers.find((w) => w.id === a.workerId)!.role === 'FULL_TIME');
    expect(new Set(fullTime.map((a) => a.gridId))).toEqual(new Set(gridLevel.map((g) => g.id)));
    const onLeave = workers.filter((w) => w.status === 'ON_LEAVE');
    expect(onLeave).toHaveLength(2);
    const partTimeCommunities = assignments
      .filter((a) => workers.find((w) => w.id === a.workerId)!.role === 'PART_TIME')
      .map((a) => gridById.get(a.gridId)!);
    expect(partTimeCommunities.every((g) => g.level === 'COMMUNITY')).toBe(true);
    for (const w of onLeave) {
      const grid = gridById.get(assignments.find((a) => a.workerId === w.id)!.gridId)!;
      expect(partTimeCommunities.map((c) => c.id)).toContain(grid.parentId);
    }
  });

  it('gives well-formed unique mobile numbers and 2–3 character names, the same every time', () => {
    for (const w of workers) {
      expect(w.phone).toMatch(/^1[3-9][0-9]{9}$/);
      expect([...w.name].length).toBeGreaterThanOrEqual(2);
      expect([...w.name].length).toBeLessThanOrEqual(3);
    }
    expect(new Set(workers.map((w) => w.phone)).size).toBe(workers.length);
    expect(new Set(workers.map((w) => w.id)).size).toBe(workers.length);
    expect(generateWorkers(grids, { seed: 1, onLeave: 2, partTimeCommunities: 3 })).toEqual({ workers, assignments });
  });
});
