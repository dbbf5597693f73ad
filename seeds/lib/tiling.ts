import { gridIdFromCode } from './ids';
import { buildLattice, type Lattice } from './lattice';
import { communityShortName, dedicatedFacility, dedicatedGridName, dedicatedKind, gridName, microGridName } from './names';
import { apportion, cellsOfGroup, groupCellsByOwner, partitionCells, type CellGroups } from './partition';
import { SeededRandom } from './random';
import { BoundaryTracer, type MultiPolygonCoordinates } from './trace';

export { gridIdFromCode } from './ids';

/**
 * Generated grid geometry for demo and benchmark data: real district / street / community names and
 * codes, invented boundaries. Every regular level tiles its parent exactly (shared edges use identical
 * coordinates), shapes are irregular, and the same options always give the same output.
 */
export type GridLevel = 'DISTRICT' | 'STREET' | 'COMMUNITY' | 'GRID' | 'MICRO_GRID' | 'DEDICATED';

export interface Division {
  code: string;
  name: string;
  level: 'DISTRICT' | 'STREET' | 'COMMUNITY';
  children?: Division[];
}

export interface GeneratedGrid {
  id: string;
  code: string;
  name: string;
  level: GridLevel;
  parentCode: string | null;
  depth: number;
  /** Root first; the grid itself is not included. */
  ancestorIds: string[];
  parentId: string | null;
  /**
   * RFC 7946 MultiPolygon. Vertices shared with neighbours are the same [lng, lat] array objects (to keep
   * a 100k-grid city small in memory): treat the coordinates as read-only.
   */
  boundary: { type: 'MultiPolygon'; coordinates: MultiPolygonCoordinates };
}

export interface TilingOptions {
  districts: Division[];
  /** [lng, lat] of the whole area's centre. */
  center: [number, number];
  /** Total area, split among the districts in proportion to their number of communities. */
  areaKm2: number;
  /** GRID-level grids in all, apportioned to communities by area (at least one each). */
  gridsTotal: number;
  /** MICRO_GRID-level grids in all, apportioned to grids by area (at least one each). */
  microGridsTotal: number;
  /** DEDICATED overlays per street. */
  dedicatedPerStreet: number;
  /** When set, this many DEDICATED overlays in all, spread as evenly as possible over the streets. */
  dedicatedTotal?: number;
  seed: number;
  /** Lattice cells per micro-grid on average: more gives finer shapes and slower generation. Default 5. */
  cellsPerMicroGrid?: number;
}

interface Node {
  grid: GeneratedGrid;
  /** The community's short name, for naming what lies below it. */
  shortName?: string;
  division?: Division;
}

interface Level {
  /** One per group of cells (none for the whole region, which has no grid). */
  nodes: Node[];
  /** Node number per lattice cell (-1 outside). */
  owner: Int32Array;
  groups: CellGroups;
}

interface ChildSpec {
  code: string;
  name: string;
  weight: number;
  division?: Division;
}

/** Parents always come before children: level by level, code order within a level, overlays last. */
export function generateTiling(o: TilingOptions): GeneratedGrid[] {
  const streets = o.districts.flatMap((d) => d.children ?? []);
  const communities = streets.flatMap((s) => s.children ?? []);
  if (communities.length === 0) throw new Error('the divisions hold no community');
  if (o.gridsTotal < communities.length) throw new Error(`gridsTotal ${o.gridsTotal} < ${communities.length} communities`);
  if (o.microGridsTotal < o.gridsTotal) throw new Error(`microGridsTotal ${o.microGridsTotal} < gridsTotal ${o.gridsTotal}`);

  const lattice = buildLattice({
    center: o.center,
    areaM2: o.areaKm2 * 1e6,
    cells: o.microGridsTotal * (o.cellsPerMicroGrid ?? 5),
    rng: SeededRandom.forStage(o.seed, 'lattice'),
  });
  const cellCount = lattice.nx * lattice.ny;
  const regionOwner = new Int32Array(cellCount).fill(-1);
  for (const c of lattice.region) regionOwner[c] = 0;
  // The whole region as one parent group with no grid of its own: districts are roots.
  const city: Level = {
    nodes: [],
    owner: regionOwner,
    groups: { offsets: Int32Array.of(0, lattice.region.length), cells: lattice.region },
  };
  const weightRng = SeededRandom.forStage(o.seed, 'weights');
  const divisionsOf = (n: Node | undefined): ChildSpec[] =>
    (n?.division?.children ?? []).map((d) => ({ code: d.code, name: d.name, weight: communitiesIn(d), division: d }));

  const districtLevel = subdivide(lattice, city, 'DISTRICT', o.seed, () =>
    o.districts.map((d) => ({ code: d.code, name: d.name, weight: communitiesIn(d), division: d })),
  );
  const streetLevel = subdivide(lattice, districtLevel, 'STREET', o.seed, divisionsOf);
  const communityLevel = subdivide(lattice, streetLevel, 'COMMUNITY', o.seed, (n) =>
    divisionsOf(n).map((s) => ({ ...s, weight: weightRng.between(0.6, 1.4) })),
  );
  for (const n of communityLevel.nodes) n.shortName = communityShortName(n.grid.name);

  const gridCounts = countsByArea(communityLevel, o.gridsTotal);
  const gridLevel = subdivide(lattice, communityLevel, 'GRID', o.seed, (n, p) =>
    Array.from({ length: gridCounts[p] }, (_, k) => ({
      code: childCode(n!.grid.code, k + 1),
      name: gridName(n!.shortName!, k + 1),
      weight: weightRng.between(0.7, 1.3),
    })),
  );
  const microCounts = countsByArea(gridLevel, o.microGridsTotal);
  const microLevel = subdivide(lattice, gridLevel, 'MICRO_GRID', o.seed, (n, p) =>
    Array.from({ length: microCounts[p] }, (_, k) => ({
      code: childCode(n!.grid.code, k + 1),
      name: microGridName(n!.grid.name, k + 1),
      weight: weightRng.between(0.8, 1.2),
    })),
  );

  const tracer = new BoundaryTracer(lattice);
  const out: GeneratedGrid[] = [];
  for (const level of [districtLevel, streetLevel, communityLevel, gridLevel, microLevel]) {
    level.nodes.forEach((n, k) => {
      n.grid.boundary.coordinates = tracer.multiPolygon(cellsOfGroup(level.groups, k));
    });
    out.push(...sortByCode(level.nodes.map((n) => n.grid)));
  }
  out.push(...dedicatedOverlays(lattice, tracer, streetLevel, communityLevel, o));
  return out;
}

function communitiesIn(d: Division): number {
  return d.level === 'COMMUNITY' ? 1 : Math.max(1, (d.children ?? []).reduce((sum, c) => sum + communitiesIn(c), 0));
}

function childCode(parentCode: string, ordinal: number): string {
  // 9xx is kept for dedicated overlays.
  if (ordinal >= 900) throw new Error(`${parentCode} would need child number ${ordinal}; 900 and above are for dedicated grids`);
  return parentCode + String(ordinal).padStart(3, '0');
}

function countsByArea(level: Level, total: number): number[] {
  const cells = level.nodes.map((_, k) => level.groups.offsets[k + 1] - level.groups.offsets[k]);
  return apportion(cells, total, cells);
}

function sortByCode(grids: GeneratedGrid[]): GeneratedGrid[] {
  return grids.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

function makeGrid(code: string, name: string, level: GridLevel, parent: GeneratedGrid | null): GeneratedGrid {
  return {
    id: gridIdFromCode(code),
    code,
    name,
    level,
    parentCode: parent?.code ?? null,
    depth: parent ? parent.depth + 1 : 0,
    ancestorIds: parent ? [...parent.ancestorIds, parent.id] : [],
    parentId: parent?.id ?? null,
    boundary: { type: 'MultiPolygon', coordinates: [] },
  };
}

/** Cuts every node of `parent` into the children `childrenOf` names; node p's cells become theirs. */
function subdivide(
  lattice: Lattice,
  parent: Level,
  level: GridLevel,
  seed: number,
  childrenOf: (node: Node | undefined, index: number) => ChildSpec[],
): Level {
  const rng = SeededRandom.forStage(seed, `partition:${level}`);
  const owner = new Int32Array(lattice.nx * lattice.ny).fill(-1);
  const nodes: Node[] = [];
  for (let p = 0; p + 1 < parent.groups.offsets.length; p++) {
    const node: Node | undefined = parent.nodes[p];
    const specs = childrenOf(node, p);
    const cells = cellsOfGroup(parent.groups, p);
    const where = node?.grid.code ?? 'the whole area';
    if (specs.length === 0) throw new Error(`${where} has no ${level} below it`);
    if (specs.length > cells.length) {
      throw new Error(`${where} has ${cells.length} lattice cells for ${specs.length} ${level}s; raise cellsPerMicroGrid`);
    }
    const target = { lattice, parentOwner: parent.owner, parentId: p, owner, firstChildId: nodes.length };
    partitionCells(target, cells, specs.map((s) => s.weight), rng);
    for (const s of specs) nodes.push({ grid: makeGrid(s.code, s.name, level, node?.grid ?? null), division: s.division });
  }
  return { nodes, owner, groups: groupCellsByOwner(owner, lattice.region, nodes.length) };
}

/**
 * Overlays (schools, hospitals, markets...): a 3×3 block of cells around a random cell of one community
 * of the street, cut back to the cells of that community, so the overlay lies inside its parent but
 * across its regular grids and micro-grids.
 */
function dedicatedOverlays(lattice: Lattice, tracer: BoundaryTracer, streets: Level, communities: Level, o: TilingOptions): GeneratedGrid[] {
  const rng = SeededRandom.forStage(o.seed, 'dedicated');
  const perStreet = o.dedicatedTotal === undefined
    ? streets.nodes.map(() => o.dedicatedPerStreet)
    : streets.nodes.map((_, s) => Math.floor(o.dedicatedTotal! / streets.nodes.length) + (s < o.dedicatedTotal! % streets.nodes.length ? 1 : 0));
  const communitiesOfStreet = new Map<string, number[]>();
  communities.nodes.forEach((n, k) => {
    const list = communitiesOfStreet.get(n.grid.parentCode!) ?? [];
    list.push(k);
    communitiesOfStreet.set(n.grid.parentCode!, list);
  });
  const overlaysIn = new Map<number, number>();
  const ofKindIn = new Map<string, number>();
  const usedCentres = new Set<number>();
  const { nx, ny } = lattice;
  const out: GeneratedGrid[] = [];
  streets.nodes.forEach((street, s) => {
    const members = communitiesOfStreet.get(street.grid.code)!;
    const offset = rng.int(members.length);
    for (let d = 0; d < perStreet[s]; d++) {
      const k = members[(offset + d) % members.length];
      const community = communities.nodes[k];
      const cells = cellsOfGroup(communities.groups, k);
      let centre = cells[rng.int(cells.length)];
      for (let attempt = 0; attempt < 8 && usedCentres.has(centre); attempt++) centre = cells[rng.int(cells.length)];
      usedCentres.add(centre);
      const ci = centre % nx;
      const cj = (centre - ci) / nx;
      const block: number[] = [];
      for (let j = Math.max(0, cj - 1); j <= Math.min(ny - 1, cj + 1); j++) {
        for (let i = Math.max(0, ci - 1); i <= Math.min(nx - 1, ci + 1); i++) {
          if (communities.owner[j * nx + i] === k) block.push(j * nx + i);
        }
      }
      const n = (overlaysIn.get(k) ?? 0) + 1;
      overlaysIn.set(k, n);
      if (n > 99) throw new Error(`${community.grid.code} would need more than 99 dedicated grids`);
      const kind = dedicatedKind(d);
      const nthOfKind = ofKindIn.get(`${k}:${kind}`) ?? 0;
      ofKindIn.set(`${k}:${kind}`, nthOfKind + 1);
      const facility = dedicatedFacility(kind, nthOfKind);
      const grid = makeGrid(`${community.grid.code}${900 + n}`, dedicatedGridName(community.shortName!, facility), 'DEDICATED', community.grid);
      grid.boundary.coordinates = tracer.multiPolygon(connectedToCentre(block, centre, nx));
      out.push(grid);
    }
  });
  return sortByCode(out);
}

/**
 * A corner cell of the block that touches the centre only diagonally (its two edge neighbours in the
 * block belong to another community) would make a second piece; keep what is edge-connected to the centre.
 * (The region keeps two cells clear of the lattice's sides, so c ± 1 never wraps to another row here.)
 */
function connectedToCentre(block: number[], centre: number, nx: number): number[] {
  const inBlock = new Set(block);
  const kept = new Set([centre]);
  const queue = [centre];
  while (queue.length) {
    const c = queue.pop()!;
    for (const d of [c - 1, c + 1, c - nx, c + nx]) {
      if (inBlock.has(d) && !kept.has(d)) {
        kept.add(d);
        queue.push(d);
      }
    }
  }
  return block.filter((c) => kept.has(c));
}
