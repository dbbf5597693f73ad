import type { Knex } from 'knex';
import type { Context } from '../../context';
import type { CreateGridInput, RetireGridInput, UpdateGridBoundaryInput, UpdateGridInput } from '../../generated/graphql';
import { expectGlobalId } from '../../graphql/relay';
import { notFound, problem, Problems, runEdit, validationError, type ConflictSource, type NotFoundSource, type PayloadError } from '../../shared/payload';
import { msg, said } from '../../i18n';
import { assertPermitted, assertPrincipal } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import { checkBoundaries } from './boundary-check';
import { codeIssue, gridNameIssue, levelIssue as levelIssueOf, suffixRange } from './hierarchy';
import type { GridChangeSource, GridRow } from './mappers';
import * as repo from './repo';
import { relocateWithin } from '../location/repo';
import * as editRepo from './repo-edit';

/**
 * GIS staff's edits of single grids. Each runs in one transaction: AUTH (the policy, on the grid or parent
 * concerned), the write locks of the grids it touches, then VALIDATION on what is current once the locks are
 * held (collecting every problem), then the write guarded by `expectedVersion`, then re-resolution of the
 * places in the changed area. A refused edit rolls the transaction back, so the database is exactly as before.
 */
export class GridEditService {
  constructor(private readonly ctx: Context) {}

  /**
   * The start every edit of one existing grid shares: a principal allowed to edit grids, the grid as it is
   * now (NotFoundError), within the principal's jurisdiction (strictly below its root), locked, and at
   * `expectedVersion` (ConflictError); then `work` runs in the same transaction.
   */
  async editGrid<R extends { __typename: string }>(
    input: { id: string; expectedVersion: number },
    work: (trx: Knex.Transaction, grid: GridRow, principal: Principal) => Promise<R>,
  ): Promise<R | NotFoundSource | ConflictSource> {
    // AUTH (role; the jurisdiction once the grid is read)
    assertPermitted(this.ctx.viewer, 'grid:change');
    const id = expectGlobalId(input.id, 'Grid', 'input.id');
    return runEdit<R | NotFoundSource | ConflictSource>(
      this.ctx,
      async (trx) => {
        const found = await this.current(trx, id);
        if (!found) return notFound(input.id);
        const principal = assertPrincipal(this.ctx.viewer, 'grid:change', found, label(found));
        const grid = await this.lockAndReread(trx, found, (g) => editRepo.locksForChange([g]));
        if (!grid) return notFound(input.id);
        assertPrincipal(this.ctx.viewer, 'grid:change', grid, label(grid));
        if (grid.version !== input.expectedVersion) return this.conflict(trx, grid, input.expectedVersion);
        return work(trx, grid, principal);
      },
      { onUniqueViolation: (v) => this.codeConflict(takenCode(v.detail)) },
    );
  }

  async create(input: CreateGridInput) {
    // AUTH (role; the jurisdiction once the parent is read)
    assertPermitted(this.ctx.viewer, 'grid:create');
    const parentId = input.parentId ? expectGlobalId(input.parentId, 'Grid', 'input.parentId') : null;
    let code: string | null = null;
    return runEdit<(GridChangeSource & { __typename: 'CreateGridSuccess' }) | PayloadError | ConflictSource>(
      this.ctx,
      async (trx) => {
        let parent: GridRow | null = null;
        let principal: Principal;
        if (parentId) {
          const found = await this.current(trx, parentId);
          if (!found) return notFound(input.parentId!, 'parent grid');
          principal = assertPrincipal(this.ctx.viewer, 'grid:create', found, `the parent grid ${label(found)}`);
          parent = await this.lockAndReread(trx, found, editRepo.locksForChildrenOf);
          if (!parent) return notFound(input.parentId!, 'parent grid');
          assertPrincipal(this.ctx.viewer, 'grid:create', parent, `the parent grid ${label(parent)}`);
        } else {
          principal = assertPrincipal(this.ctx.viewer, 'grid:create', null, 'a new district');
          await editRepo.lockGrids(trx, editRepo.locksForChildrenOf(null));
        }
        // VALIDATION
        const problems = new Problems();
        const levelIssue = levelIssueOf(input.level, parent?.level ?? null);
        if (levelIssue) problems.add(problem('LEVEL_MISMATCH', msg('grid.field', { field: 'level', detail: levelIssue }), { field: 'input.level' }));
        const nameIssue = gridNameIssue(input.name);
        if (nameIssue) problems.add(problem('BAD_NAME', msg('grid.field', { field: 'name', detail: nameIssue }), { field: 'input.name' }));
        code = levelIssue ? null : await this.codeFor(trx, input.code ?? null, input.level, parent, problems);
        const checked = await checkBoundaries(
          trx,
          [{ n: 0, field: 'boundary', boundary: input.boundary, crs: input.crs ?? 'WGS84', level: input.level, parent, selfId: null, options: input.options }],
          this.ctx.config.boundary,
          (ids) => this.describe(trx, ids),
        );
        problems.addAll(checked.problems.get(0));
        if (problems.any || !code) return validationError(problems);
        // RESOLUTION
        const id = crypto.randomUUID();
        const hex = checked.accepted.get(0)!.hex;
        await editRepo.insertGrids(
          trx,
          [{ id, code, name: input.name.trim(), level: input.level, depth: parent ? parent.depth + 1 : 0, parentId: parent?.id ?? null, ancestorIds: parent ? [...parent.ancestor_ids, parent.id] : [], hex }],
          principal.subject,
          input.reason ?? null,
        );
        const movedByKind = await relocateWithin(trx, this.ctx.located, [hex]);
        return { __typename: 'CreateGridSuccess' as const, gridId: id, movedByKind };
      },
      { onUniqueViolation: (v) => this.codeConflict(takenCode(v.detail) ?? code) },
    );
  }

  async updateBoundary(input: UpdateGridBoundaryInput) {
    return this.editGrid(input, async (trx, grid, principal) => {
      const problems = this.reasonProblems(input.reason);
      const parent = grid.parent_id ? await this.current(trx, grid.parent_id) : null;
      const checked = await checkBoundaries(
        trx,
        [{ n: 0, field: 'boundary', boundary: input.boundary, crs: input.crs ?? 'WGS84', level: grid.level, parent, selfId: grid.id, options: input.options }],
        this.ctx.config.boundary,
        (ids) => this.describe(trx, ids),
      );
      problems.addAll(checked.problems.get(0));
      if (problems.any) return validationError(problems);
      const [oldHex] = await editRepo.boundaryHexes(trx, [grid.id]);
      const hex = checked.accepted.get(0)!.hex;
      if (!(await editRepo.writeVersion(trx, grid.id, input.expectedVersion, { hex }, principal.subject, input.reason))) {
        return this.conflict(trx, grid, input.expectedVersion);
      }
      const movedByKind = await relocateWithin(trx, this.ctx.located, [oldHex, hex]);
      return { __typename: 'UpdateGridBoundarySuccess' as const, gridId: grid.id, movedByKind };
    });
  }

  async update(input: UpdateGridInput) {
    return this.editGrid(input, async (trx, grid, principal) => {
      const problems = new Problems();
      if (input.name == null && input.code == null) {
        problems.add(problem('BAD_VALUE', msg('grid.nothingToChange'), { field: 'input' }));
      }
      const nameIssue = input.name != null ? gridNameIssue(input.name) : null;
      if (nameIssue) problems.add(problem('BAD_NAME', msg('grid.field', { field: 'name', detail: nameIssue }), { field: 'input.name' }));
      const parent = grid.parent_id ? await this.current(trx, grid.parent_id) : null;
      const newCode = input.code != null && input.code !== grid.code ? await this.codeFor(trx, input.code, grid.level, parent, problems) : null;
      if (problems.any) return validationError(problems);
      const written = await editRepo.writeVersion(
        trx,
        grid.id,
        input.expectedVersion,
        { name: input.name?.trim(), code: newCode ?? undefined },
        principal.subject,
        input.reason ?? null,
      );
      if (!written) return this.conflict(trx, grid, input.expectedVersion);
      if (newCode) {
        await editRepo.cascadeToDescendants(
          trx,
          { id: grid.id, oldCode: grid.code, newCode, ancestorIds: grid.ancestor_ids },
          principal.subject,
          `code of ${grid.code} changed to ${newCode}`,
        );
        // Ties on shared edges go to the lowest code: a new code may hand a record on an edge to a neighbour.
        const movedByKind = await relocateWithin(trx, this.ctx.located, await editRepo.boundaryHexes(trx, [grid.id]));
        return { __typename: 'UpdateGridSuccess' as const, gridId: grid.id, movedByKind };
      }
      return { __typename: 'UpdateGridSuccess' as const, gridId: grid.id };
    });
  }

  async retire(input: RetireGridInput) {
    return this.editGrid(input, async (trx, grid, principal) => {
      const problems = this.reasonProblems(input.reason);
      await this.dependantProblems(trx, [grid], problems);
      if (problems.any) return validationError(problems);
      const [hex] = await editRepo.boundaryHexes(trx, [grid.id]);
      if (!(await editRepo.writeVersion(trx, grid.id, input.expectedVersion, { retire: true }, principal.subject, input.reason))) {
        return this.conflict(trx, grid, input.expectedVersion);
      }
      const movedByKind = await relocateWithin(trx, this.ctx.located, [hex]);
      return { __typename: 'RetireGridSuccess' as const, gridId: grid.id, movedByKind };
    });
  }

  // ---- shared by the edits (and by split, merge, move and import) ----

  async current(db: Knex, id: string): Promise<GridRow | null> {
    const [row] = await repo.gridsByIds(db, [id]);
    return row && row.valid_to === null ? row : null;
  }

  /**
   * Takes the write locks `locksFor` names for the grid, then reads it again: it may have changed while another
   * edit held them (a new version, retired). If it moved to another parent meanwhile, the locks it needs now
   * are taken too, and it is read once more.
   */
  async lockAndReread(trx: Knex, grid: GridRow, locksFor: (g: GridRow) => editRepo.GridLocks): Promise<GridRow | null> {
    await editRepo.lockGrids(trx, locksFor(grid));
    const now = await this.current(trx, grid.id);
    if (!now || now.parent_id === grid.parent_id) return now;
    await editRepo.lockGrids(trx, locksFor(now));
    return this.current(trx, grid.id);
  }

  reasonProblems(reason: string | null | undefined): Problems {
    const problems = new Problems();
    if (!reason?.trim()) problems.add(problem('BAD_VALUE', msg('grid.reasonNeeded'), { field: 'input.reason' }));
    return problems;
  }

  /** The code to give a grid: the one asked for if it is well formed and free, else the next free one. */
  async codeFor(db: Knex, asked: string | null, level: GridRow['level'], parent: GridRow | null, problems: Problems): Promise<string | null> {
    if (asked !== null) {
      const issue = codeIssue(asked, level, parent?.code ?? null);
      if (issue) {
        problems.add(problem('BAD_CODE', msg('grid.field', { field: 'code', detail: issue }), { field: 'input.code' }));
        return null;
      }
      const taken = await editRepo.currentCodes(db, [asked]);
      if (taken.length) {
        problems.add(problem('CODE_TAKEN', msg('grid.codeTaken', { code: asked }), { field: 'input.code', gridIds: [taken[0].id] }));
        return null;
      }
      return asked;
    }
    if (!parent) {
      problems.add(problem('BAD_CODE', msg('grid.districtCodeNeeded'), { field: 'input.code' }));
      return null;
    }
    const { from, to } = suffixRange(level);
    const next = (await editRepo.highestSuffix(db, parent.code, 3, from, to)) + 1;
    if (next > to) {
      problems.add(problem('BAD_CODE', msg('grid.codesExhausted', { level, parent: parent.code, to }), { field: 'input.code' }));
      return null;
    }
    return `${parent.code}${String(next).padStart(3, '0')}`;
  }

  async dependantProblems(db: Knex, grids: readonly GridRow[], problems: Problems): Promise<void> {
    const byId = new Map(grids.map((g) => [g.id, g]));
    for (const d of await editRepo.dependants(db, grids.map((g) => g.id))) {
      if (d.children.length === 0 && d.workers === 0) continue;
      const g = byId.get(d.id)!;
      const dependants = msg('grid.dependants', { grid: label(g), children: d.children.length, workers: d.workers });
      problems.add(problem('HAS_DEPENDANTS', dependants, { field: 'input.id', gridIds: d.children }));
    }
  }

  async conflict(db: Knex, grid: GridRow, expectedVersion: number): Promise<ConflictSource> {
    const [now] = await editRepo.versionInfo(db, [grid.id]);
    const [row] = await repo.gridsByIds(db, [grid.id]);
    const retired = now.valid_to !== null;
    return {
      __typename: 'ConflictError',
      ...said(
        retired
          ? msg('grid.retiredBy', { grid: label(grid), by: now.changed_by ?? msg('someone'), at: now.valid_to!.toISOString() })
          : msg('grid.changedBy', { grid: label(grid), version: now.version, expected: expectedVersion, by: now.changed_by ?? msg('someone'), at: now.valid_from.toISOString() }),
      ),
      grid: row,
      currentVersion: now.version,
      changedBy: now.changed_by,
      changedAt: retired ? now.valid_to! : now.valid_from,
    };
  }

  /**
   * A unique index refused a code the checks found free: another edit took it in between (only possible for
   * writes outside these services, as edits under one parent are serialised). Answered as a ConflictError
   * naming the grid that has it now.
   */
  async codeConflict(code: string | null): Promise<ConflictSource | null> {
    if (!code) return null;
    const [holder] = await repo.currentGridsByCodes(this.ctx.db, [code]);
    if (!holder) return null;
    return {
      __typename: 'ConflictError',
      ...said(msg('grid.codeRace', { code, holder: label(holder) })),
      grid: holder,
      currentVersion: holder.version,
      changedBy: holder.changed_by ?? null,
      changedAt: holder.valid_from,
    };
  }

  async describe(db: Knex, ids: string[]): Promise<Map<string, { code: string; name: string }>> {
    if (ids.length === 0) return new Map();
    const rows = await repo.gridsByIds(db, ids);
    return new Map(rows.map((r) => [r.id, { code: r.code, name: r.name }]));
  }
}

/** The grid code a unique-index violation names ("Key (code)=(130105001015009) already exists."). */
export function takenCode(detail: string): string | null {
  return /\(code\)=\((\d+)\)/.exec(detail)?.[1] ?? null;
}

/** How messages name a grid: `革新街街道 (130105001)`. */
export function label(grid: { name: string; code: string }): string {
  return `${grid.name} (${grid.code})`;
}
