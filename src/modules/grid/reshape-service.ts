import type { Knex } from 'knex';
import type { Context } from '../../context';
import type { MergeGridsInput, MoveGridInput, SplitGridInput } from '../../generated/graphql';
import { toWgs84 } from '../../geo/coordinates';
import { badInput } from '../../errors';
import { geometryProblems, geometrySize } from '../../geo/geojson';
import { expectGlobalId } from '../../graphql/relay';
import { notFound, problem, Problems, runEdit, validationError } from '../../shared/payload';
import { msg, said } from '../../i18n';
import { assertPermitted, assertPrincipal } from '../auth/policy';
import { label, takenCode } from './edit-service';
import { gridNameIssue, levelIssue as levelIssueOf } from './hierarchy';
import type { GridRow, GridsChangeSource } from './mappers';
import { relocateWithin } from '../location/repo';
import { neighbourFindings } from './repo-boundary';
import * as editRepo from './repo-edit';
import * as reshapeRepo from './repo-reshape';

/**
 * Moving a grid to another parent (with its area), splitting one grid in two and merging adjacent grids
 * into one. Both retire the old grids and create new
 * ones (new ids, new codes), so history reads "A ended, B and C began" rather than rewriting A. Grids with
 * current children or workers are refused: those must be moved first.
 */
export class GridReshapeService {
  constructor(private readonly ctx: Context) {}

  private get edit() {
    return this.ctx.services.gridEdit;
  }

  /** A code allocated here taken by someone else at the same moment: a ConflictError, not an internal error. */
  private readonly codeRace = { onUniqueViolation: (v: { detail: string }) => this.edit.codeConflict(takenCode(v.detail)) };

  async split(input: SplitGridInput) {
    // A split line is a handful of vertices drawn across a grid; a huge one is refused before anything walks it.
    const maxVertices = this.ctx.config.limits.maxFilterVertices;
    if (geometrySize(input.line, maxVertices) > maxVertices) {
      throw badInput(msg('grid.lineTooLong', { max: maxVertices }), 'input.line');
    }
    return this.edit.editGrid(input, async (trx, grid, editor) => {
      const problems = new Problems();
      if (input.names.length !== 2) {
        problems.add(problem('BAD_VALUE', msg('grid.namesCount', { got: input.names.length }), { field: 'input.names' }));
      }
      input.names.forEach((name, i) => {
        const issue = gridNameIssue(name);
        if (issue) problems.add(problem('BAD_NAME', msg('grid.field', { field: `names[${i}]`, detail: issue }), { field: `input.names[${i}]` }));
      });
      const lineProblems = geometryProblems(input.line, ['LineString']);
      for (const p of lineProblems) problems.add(problem('BAD_SPLIT_LINE', msg('grid.field', { field: 'line', detail: p.msg ?? p.message }), { field: 'input.line' }));
      await this.edit.dependantProblems(trx, [grid], problems);
      if (problems.any) return validationError(problems);

      const line = lineInWgs84(input.line as { coordinates: number[][] }, input.crs ?? 'WGS84');
      const parts = await reshapeRepo.splitParts(trx, grid.id, line);
      if (parts.length !== 2) {
        const why = parts.length < 2 ? msg('grid.lineMissesGrid') : msg('grid.lineManyParts', { parts: parts.length });
        return validationError([problem('BAD_SPLIT_LINE', why, { field: 'input.line' })]);
      }
      // The first name goes to the part on the left of the line's direction.
      const ordered = [...parts].sort((a, b) => sideOf(line, b.lng, b.lat) - sideOf(line, a.lng, a.lat));
      const parent = grid.parent_id ? await this.edit.current(trx, grid.parent_id) : null;
      const retired = await editRepo.writeVersion(trx, grid.id, grid.version, { retire: true }, editor.subject, input.reason ?? `split into ${input.names.join(', ')}`);
      if (!retired) return this.edit.conflict(trx, grid, input.expectedVersion);
      const created = await this.createSiblings(trx, grid, parent, ordered.map((p, i) => ({ name: input.names[i].trim(), hex: p.hex })), editor.subject, input.reason ?? `split from ${grid.code}`, problems);
      if (!created) return validationError(problems);
      const [oldHex] = await editRepo.boundaryHexes(trx, [grid.id]);
      const movedByKind = await relocateWithin(trx, this.ctx.located, [oldHex]);
      return { __typename: 'SplitGridSuccess' as const, gridIds: created, retiredIds: [grid.id], movedByKind };
    });
  }

  async merge(input: MergeGridsInput) {
    // AUTH (role; the jurisdiction once the grids are read)
    assertPermitted(this.ctx.viewer, 'grid:change');
    if (input.ids.length > MAX_MERGE) throw badInput(msg('grid.mergeTooMany', { max: MAX_MERGE, got: input.ids.length }), 'input.ids');
    const ids = input.ids.map((gid, i) => expectGlobalId(gid, 'Grid', `input.ids[${i}]`));
    return runEdit(this.ctx, async (trx) => {
      const problems = new Problems();
      if (ids.length < 2 || new Set(ids).size !== ids.length) {
        problems.add(problem('NOT_MERGEABLE', msg('grid.mergeTwo'), { field: 'input.ids' }));
      }
      if (input.expectedVersions.length !== ids.length) {
        problems.add(problem('BAD_VALUE', msg('grid.mergeVersions', { count: ids.length }), { field: 'input.expectedVersions' }));
      }
      const nameIssue = gridNameIssue(input.name);
      if (nameIssue) problems.add(problem('BAD_NAME', msg('grid.field', { field: 'name', detail: nameIssue }), { field: 'input.name' }));
      if (problems.any) return validationError(problems);
      const found: GridRow[] = [];
      for (const [i, id] of ids.entries()) {
        const g = await this.edit.current(trx, id);
        if (!g) return notFound(input.ids[i]);
        found.push(g);
      }
      const [editor] = found.map((g) => assertPrincipal(this.ctx.viewer, 'grid:change', g, label(g)));
      await editRepo.lockGrids(trx, editRepo.locksForChange(found));
      const grids: GridRow[] = [];
      for (const [i, id] of ids.entries()) {
        const g = await this.edit.current(trx, id);
        if (!g) return notFound(input.ids[i]);
        // A grid moved (or otherwise changed) while we waited has a new version: the caller must reload.
        if (g.version !== input.expectedVersions[i]) return this.edit.conflict(trx, g, input.expectedVersions[i]);
        assertPrincipal(this.ctx.viewer, 'grid:change', g, label(g));
        grids.push(g);
      }
      const first = grids[0];
      if (grids.some((g) => g.parent_id !== first.parent_id || g.level !== first.level)) {
        problems.add(problem('NOT_MERGEABLE', msg('grid.mergeSameParent'), { field: 'input.ids', gridIds: ids }));
      }
      await this.edit.dependantProblems(trx, grids, problems);
      if (problems.any) return validationError(problems);
      const union = await reshapeRepo.mergedBoundary(trx, ids);
      if (union.parts !== 1) {
        return validationError([problem('NOT_MERGEABLE', msg('grid.mergeConnected', { parts: union.parts }), { field: 'input.ids', gridIds: ids })]);
      }
      for (const [i, g] of grids.entries()) {
        if (!(await editRepo.writeVersion(trx, g.id, input.expectedVersions[i], { retire: true }, editor.subject, input.reason ?? `merged into ${input.name}`))) {
          return this.edit.conflict(trx, g, input.expectedVersions[i]);
        }
      }
      const parent = first.parent_id ? await this.edit.current(trx, first.parent_id) : null;
      const created = await this.createSiblings(trx, first, parent, [{ name: input.name.trim(), hex: union.hex }], editor.subject, input.reason ?? `merged from ${grids.map((g) => g.code).join(', ')}`, problems);
      if (!created) return validationError(problems);
      const movedByKind = await relocateWithin(trx, this.ctx.located, [union.hex]);
      return { __typename: 'MergeGridsSuccess' as const, gridIds: created, retiredIds: ids, movedByKind };
    }, this.codeRace);
  }

  /**
   * Moves a grid under another parent of the same level, taking its area along (区划调整): the old
   * parent, and its ancestors up to the one both chains share, lose the grid's area; the new parent and
   * its ancestors gain it, each as a new version. The grid's code follows its new parent, and its
   * descendants' codes follow it. Children of the new parent must not overlap it.
   */
  async move(input: MoveGridInput) {
    // AUTH (role; the jurisdiction once the grids are read)
    assertPermitted(this.ctx.viewer, 'grid:change');
    const id = expectGlobalId(input.id, 'Grid', 'input.id');
    const newParentId = expectGlobalId(input.newParentId, 'Grid', 'input.newParentId');
    return runEdit(this.ctx, async (trx) => {
      const before = await this.edit.current(trx, id);
      if (!before) return notFound(input.id);
      const target = await this.edit.current(trx, newParentId);
      if (!target) return notFound(input.newParentId, 'parent grid');
      const editor = assertPrincipal(this.ctx.viewer, 'grid:change', before, label(before));
      assertPrincipal(this.ctx.viewer, 'grid:create', target, `the new parent ${label(target)}`);
      // A move reshapes both ancestor chains up to the grid they share: that grid's whole subtree is locked
      // (the district level when they share none, which every edit holds shared).
      await editRepo.lockGrids(trx, { exclusive: [sharedAncestor(before.ancestor_ids, [...target.ancestor_ids, target.id]), before.id] });
      const grid = await this.edit.current(trx, id);
      if (!grid) return notFound(input.id);
      let parent = await this.edit.current(trx, newParentId);
      if (!parent) return notFound(input.newParentId, 'parent grid');
      if (grid.version !== input.expectedVersion) return this.edit.conflict(trx, grid, input.expectedVersion);
      if (parent.parent_id !== target.parent_id) {
        // The new parent itself moved while we waited: lock the subtree the move now spans.
        await editRepo.lockGrids(trx, { exclusive: [sharedAncestor(grid.ancestor_ids, [...parent.ancestor_ids, parent.id])] });
        parent = await this.edit.current(trx, newParentId);
        if (!parent) return notFound(input.newParentId, 'parent grid');
      }
      assertPrincipal(this.ctx.viewer, 'grid:create', parent, `the new parent ${label(parent)}`);
      const problems = new Problems();
      const levelIssue = levelIssueOf(grid.level, parent.level);
      if (levelIssue) problems.add(problem('LEVEL_MISMATCH', msg('grid.field', { field: 'newParentId', detail: levelIssue }), { field: 'input.newParentId' }));
      if (parent.id === grid.parent_id) {
        problems.add(problem('BAD_VALUE', msg('grid.alreadyUnder', { grid: grid.name, parent: parent.name }), { field: 'input.newParentId' }));
      }
      if (problems.any) return validationError(problems);
      const code = await this.edit.codeFor(trx, null, grid.level, parent, problems);
      const [hex] = await editRepo.boundaryHexes(trx, [grid.id]);
      const findings = await neighbourFindings(
        trx,
        [{ n: 0, hex, parentId: parent.id, selfId: grid.id, level: grid.level }],
        this.ctx.config.boundary.toleranceSqm,
      );
      const names = await this.edit.describe(trx, findings.flatMap((f) => (f.other_id ? [f.other_id] : [])));
      for (const f of findings.filter((x) => x.kind === 'OVERLAPS_SIBLING')) {
        const other = names.get(f.other_id!);
        const overlap = msg('grid.moveOverlaps', { grid: grid.name, other: `${other?.name} (${other?.code})`, parent: parent.name, area: Math.round(f.area_sqm) });
        problems.add({
          code: 'OVERLAPS_SIBLING',
          field: 'input.newParentId',
          ...said(overlap),
          areaSqm: Number(f.area_sqm),
          lng: Number(f.lng),
          lat: Number(f.lat),
          gridIds: [f.other_id!],
        });
      }
      // The chains below the ancestor both parents share lose and gain the grid's area.
      const oldChain = grid.ancestor_ids;
      const newChain = [...parent.ancestor_ids, parent.id];
      let shared = 0;
      while (shared < oldChain.length && oldChain[shared] === newChain[shared]) shared++;
      const reshaped = await reshapeRepo.areaTransfer(trx, grid.id, oldChain.slice(shared), newChain.slice(shared));
      for (const r of reshaped.filter((x) => x.empty)) {
        problems.add(problem('BAD_VALUE', msg('grid.moveEmpties', { other: `${r.name} (${r.code})`, grid: grid.name }), { field: 'input.id', gridIds: [r.id] }));
      }
      if (problems.any || !code) return validationError(problems);
      const reason = input.reason ?? `${grid.name} (${grid.code}) moved under ${parent.name} (${parent.code})`;
      for (const r of reshaped) {
        if (!(await editRepo.writeVersion(trx, r.id, r.version, { hex: r.hex }, editor.subject, reason))) {
          const changed = (await this.edit.current(trx, r.id))!;
          return this.edit.conflict(trx, changed, r.version);
        }
      }
      const written = await reshapeRepo.writeMove(trx, {
        id: grid.id, expectedVersion: input.expectedVersion, parentId: parent.id, code, ancestorIds: newChain, changedBy: editor.subject, reason,
      });
      if (!written) return this.edit.conflict(trx, grid, input.expectedVersion);
      await editRepo.cascadeToDescendants(trx, { id: grid.id, oldCode: grid.code, newCode: code, ancestorIds: newChain }, editor.subject, `moved with ${grid.code} → ${code}`);
      // The boundary stays, but codes changed (ties on shared edges go to the lowest code) and so did the chain.
      const movedByKind = await relocateWithin(trx, this.ctx.located, await editRepo.boundaryHexes(trx, [grid.id]));
      return { __typename: 'MoveGridSuccess' as const, gridId: grid.id, code, movedByKind };
    }, this.codeRace);
  }

  /** New grids at the level and under the parent of `like`, with the next free codes. */
  private async createSiblings(
    trx: Knex,
    like: GridRow,
    parent: GridRow | null,
    grids: { name: string; hex: string }[],
    changedBy: string,
    reason: string,
    problems: Problems,
  ): Promise<string[] | null> {
    const rows: editRepo.NewGridRow[] = [];
    for (const g of grids) {
      const code = await this.edit.codeFor(trx, null, like.level, parent, problems);
      if (!code) return null;
      const id = crypto.randomUUID();
      const row = { id, code, name: g.name, level: like.level, depth: like.depth, parentId: like.parent_id, ancestorIds: like.ancestor_ids, hex: g.hex };
      // Inserted one by one so the next code allocation sees the previous one.
      await editRepo.insertGrids(trx, [row], changedBy, reason);
      rows.push(row);
    }
    return rows.map((r) => r.id);
  }
}

/** Most grids one merge takes: merging is of neighbours, a handful at a time. */
const MAX_MERGE = 50;

/** The deepest grid both ancestor chains (root first) share; null when they share none (different districts). */
function sharedAncestor(a: readonly string[], b: readonly string[]): string | null {
  let shared: string | null = null;
  for (let i = 0; i < Math.min(a.length, b.length) && a[i] === b[i]; i++) shared = a[i];
  return shared;
}

function lineInWgs84(line: { coordinates: number[][] }, crs: SplitGridInput['crs'] & string): number[][] {
  return line.coordinates.map(([lng, lat]) => {
    const p = toWgs84({ lng, lat }, crs);
    return [p.lng, p.lat];
  });
}

/** Positive when (x, y) lies left of the line's nearest segment (seen along the line's direction). */
function sideOf(line: number[][], x: number, y: number): number {
  let best = { d: Infinity, cross: 0 };
  for (let i = 0; i < line.length - 1; i++) {
    const [ax, ay] = line[i];
    const [bx, by] = line[i + 1];
    const dx = bx - ax;
    const dy = by - ay;
    const len = dx * dx + dy * dy || 1;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len));
    const d = Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
    if (d < best.d) best = { d, cross: dx * (y - ay) - dy * (x - ax) };
  }
  return Math.sign(best.cross);
}
