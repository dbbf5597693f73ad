import type { Knex } from 'knex';
import type { Config } from '../../config';
import type { CoordinateSystem, GridLevel } from '../../generated/graphql';
import { prepareBoundary } from '../../geo/boundary';
import { degreesAround } from '../../geo/coordinates';
import type { GridRow } from './mappers';
import { problem, Problems, type ProblemRow } from '../../shared/payload';
import { msg } from '../../i18n';
import { addBoundaryProblems, formatArea } from './problems';
import * as repo from './repo-boundary';

/**
 * Every check a boundary goes through before it is stored, for one edit or a whole import at once:
 * shape and coordinates (JavaScript), then validity, the parent, the siblings, the children and the other
 * boundaries of the same batch (PostGIS, set-wise). Problems are collected per candidate, never thrown.
 */
export interface BoundaryInput {
  /** Index in the batch; problems and results are keyed by it. */
  n: number;
  /** The input field the boundary came in, for messages: `boundary`, `features[3].geometry`. */
  field: string;
  boundary: unknown;
  crs: CoordinateSystem;
  level: GridLevel;
  parent: GridRow | null;
  /** The grid being redrawn (excluded from its own siblings; its children must still fit). */
  selfId: string | null;
  options?: { clipToParent?: boolean | null; snapToleranceMeters?: number | null } | null;
  /** Snap vertices within this many metres onto the stored boundary of `selfId` first (an import's round trip). */
  snapToStoredMeters?: number;
}

export interface CheckedBoundary {
  n: number;
  /** EWKB hex of the boundary to store. */
  hex: string;
  areaSqm: number;
}

export interface BoundaryCheckResult {
  accepted: Map<number, CheckedBoundary>;
  problems: Map<number, Problems>;
}

const MAX_SNAP_METERS = 50;

export async function checkBoundaries(
  db: Knex,
  inputs: readonly BoundaryInput[],
  limits: Config['boundary'],
  /** Codes and names of grids, for messages about siblings and children. */
  describe: (ids: string[]) => Promise<Map<string, { code: string; name: string }>>,
  /** Grids the same batch redraws (an import's updates): not compared as siblings in their old shape. */
  excludeIds: readonly string[] = [],
): Promise<BoundaryCheckResult> {
  const problems = new Map<number, Problems>();
  const problemsOf = (n: number) => problems.get(n) ?? problems.set(n, new Problems()).get(n)!;
  const candidates: repo.BoundaryCandidate[] = [];
  const byN = new Map(inputs.map((i) => [i.n, i]));

  for (const input of inputs) {
    const snap = input.options?.snapToleranceMeters ?? 0;
    if (!Number.isFinite(snap) || snap < 0 || snap > MAX_SNAP_METERS) {
      problemsOf(input.n).add(problem('BAD_VALUE', msg('grid.snapRange', { max: MAX_SNAP_METERS, got: snap }), { field: 'options.snapToleranceMeters' }));
      continue;
    }
    const prepared = prepareBoundary(input.boundary, input.crs, limits.maxVertices);
    if (!prepared.geometry) {
      addBoundaryProblems(problemsOf(input.n), prepared.problems, input.field);
      continue;
    }
    const lat = input.parent?.centroid_lat ?? prepared.geometry.coordinates[0][0][0][1];
    candidates.push({
      n: input.n,
      geojson: JSON.stringify(prepared.geometry),
      parentId: input.parent?.id ?? null,
      selfId: input.selfId,
      level: input.level,
      clipToParent: Boolean(input.options?.clipToParent) && input.parent !== null,
      snapDegrees: snap > 0 ? degreesAround(snap, lat).dLng : 0,
      snapToSelfMeters: input.snapToStoredMeters ?? 0,
    });
  }

  const accepted = new Map<number, CheckedBoundary>();
  const valid: repo.ValidGeometry[] = [];
  const prepared = candidates.length ? await repo.prepareGeometries(db, candidates) : [];
  // The embedded PostGIS drops the row of a geometry it fails on instead of raising an error.
  const answered = new Set(prepared.map((g) => g.n));
  for (const c of candidates.filter((c) => !answered.has(c.n))) {
    const field = byN.get(c.n)!.field;
    problemsOf(c.n).add(problem('INVALID_GEOMETRY', msg('grid.postgisFailed', { field }), { field }));
  }
  for (const g of prepared) {
    const input = byN.get(g.n)!;
    if (!g.valid) {
      problemsOf(g.n).add(invalidity(input.field, g.reason ?? 'invalid geometry', g.lng, g.lat));
    } else if (g.empty) {
      problemsOf(g.n).add(problem('OUTSIDE_PARENT', msg('grid.clipLeavesNothing', { field: input.field }), { field: input.field }));
    } else {
      valid.push({ n: g.n, hex: g.hex, parentId: input.parent?.id ?? null, selfId: input.selfId, level: input.level });
      accepted.set(g.n, { n: g.n, hex: g.hex, areaSqm: Number(g.area_sqm) });
    }
  }

  const findings = valid.length ? await repo.neighbourFindings(db, valid, limits.toleranceSqm, excludeIds) : [];
  const names = await describe([...new Set(findings.flatMap((f) => (f.other_id ? [f.other_id] : [])))]);
  for (const f of findings) {
    problemsOf(f.n).add(neighbourProblem(f, byN.get(f.n)!, names, limits.toleranceSqm));
    if (f.kind === 'OVERLAPS_BATCH') {
      // Both features of an overlapping pair are told, each naming the other.
      const mirrored = { ...f, n: f.other_n!, other_n: f.n };
      problemsOf(mirrored.n).add(neighbourProblem(mirrored, byN.get(mirrored.n)!, names, limits.toleranceSqm));
    }
  }
  for (const n of problems.keys()) accepted.delete(n);
  return { accepted, problems };
}

function invalidity(field: string, reason: string, lng: number | null, lat: number | null): ProblemRow {
  const at = lng !== null && lat !== null ? `${lng.toFixed(7)}, ${lat.toFixed(7)}` : '';
  const selfIntersection = /self-intersection|ring self/i.test(reason);
  return problem(selfIntersection ? 'SELF_INTERSECTION' : 'INVALID_GEOMETRY', msg(selfIntersection ? 'grid.selfIntersection' : 'grid.invalid', { field, at, reason }), {
    field,
    ...(lng !== null && lat !== null ? { lng, lat } : {}),
  });
}

function neighbourProblem(
  f: repo.NeighbourFinding,
  input: BoundaryInput,
  names: Map<string, { code: string; name: string }>,
  toleranceSqm: number,
): ProblemRow {
  const other = f.other_id ? names.get(f.other_id) : undefined;
  const label = other ? `${other.name} (${other.code})` : msg('grid.anotherGrid');
  const base = { field: input.field, areaSqm: Number(f.area_sqm), lng: Number(f.lng), lat: Number(f.lat) };
  const where = {
    field: input.field,
    area: formatArea(Number(f.area_sqm)),
    at: `${Number(f.lng).toFixed(7)}, ${Number(f.lat).toFixed(7)}`,
    tolerance: formatArea(toleranceSqm),
  };
  switch (f.kind) {
    case 'OUTSIDE_PARENT':
      return problem('OUTSIDE_PARENT', msg('grid.outsideParent', { ...where, parent: `${input.parent?.name} (${input.parent?.code})` }), base);
    case 'OVERLAPS_SIBLING':
      return problem('OVERLAPS_SIBLING', msg('grid.overlapsSibling', { ...where, other: label }), { ...base, gridIds: [f.other_id!] });
    case 'OVERLAPS_BATCH':
      return problem('OVERLAPS_SIBLING', msg('grid.overlapsBatch', { ...where, other: f.other_n! }), base);
    case 'CHILD_OUTSIDE':
      return problem('CHILD_OUTSIDE', msg('grid.childOutside', { ...where, child: label }), { ...base, gridIds: [f.other_id!] });
  }
}
