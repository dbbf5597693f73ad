import type { Knex } from 'knex';
import type { Context } from '../../context';
import type {
  CreateGridInput,
  RetireGridInput,
  UpdateGridBoundaryInput,
  UpdateGridInput,
} from '../../generated/graphql';
import { forbidden } from '../../errors';
import { expectGlobalId } from '../../graphql/relay';
import { withinJurisdiction } from '../auth/viewer';
import { requireEditor, type Editor } from './editor';
import { checkBoundaries } from './boundary-check';
import { codeProblem, levelProblem, nameProblem, suffixRange } from './hierarchy';
import type { GridRow } from './mappers';
import { notFound, Problems, validationError, type PayloadError } from './problems';
import * as repo from './repo';
import * as editRepo from './repo-edit';

/**
 * GIS staff's edits of single grids. Each runs in one transaction: AUTH, then VALIDATION (collecting every
 * problem), then the write guarded by `expectedVersion`, then re-resolution of the places in the changed
 * area. A refused edit rolls the transaction back, so the database is exactly as before.
 */
export type ConflictSource = {
  __typename: 'ConflictError';
  message: string;
  grid: GridRow;
  currentVersion: number;
  changedBy: string | null;
  changedAt: Date;
};

export type EditFailure = PayloadError | ConflictSource;

/** Carries a refusal out of a transaction so that it rolls back. */
class Refused extends Error {
  constructor(readonly payload: EditFailure) {
    super(payload.message);
  }
}

export class GridEditService {
  constructor(private readonly ctx: Context) {}

  /** Runs `work` in a transaction; a returned failure rolls it back, a success commits and refreshes loaders. */
  async inTransaction<T extends { __typename: string }>(work: (trx: Knex.Transaction) => Promise<T | EditFailure>): Promise<T | EditFailure> {
    try {
      const result = await this.ctx.db.transaction(async (trx) => {
        const outcome = await work(trx);
        if (isFailure(outcome)) throw new Refused(outcome);
        return outcome;
      });
      this.ctx.clearLoaders();
      return result;
    } catch (err) {
      if (err instanceof Refused) return err.payload;
      throw err;
    }
  }

  /**
   * The start every edit of one existing grid shares: an editor token, the grid as it is now (NotFoundError),
   * the grid within the editor's jurisdiction, and `expectedVersion` current (ConflictError); then `work`
   * runs in the same transaction.
   */
  async editGrid<T extends { __typename: string }>(
    input: { id: string; expectedVersion: number },
    work: (trx: Knex.Transaction, grid: GridRow, editor: Editor) => Promise<T | EditFailure>,
  ): Promise<T | EditFailure> {
    const editor = requireEditor(this.ctx.viewer);
    const id = expectGlobalId(input.id, 'Grid', 'input.id');
    return this.inTransaction<T>(async (trx) => {
      const grid = await this.current(trx, id);
      if (!grid) return notFound(input.id);
      this.assertJurisdiction(editor, grid.code, 'the grid');
      if (grid.version !== input.expectedVersion) return this.conflict(trx, grid, input.expectedVersion);
      return work(trx, grid, editor);
    });
  }

  async create(input: CreateGridInput) {
    // AUTH
    const editor = requireEditor(this.ctx.viewer);
    return this.inTransaction(async (trx) => {
      const problems = new Problems();
      let parent: GridRow | null = null;
      if (input.parentId) {
        parent = await this.current(trx, expectGlobalId(input.parentId, 'Grid', 'input.parentId'));
        if (!parent) return notFound(input.parentId, 'parent grid');
        this.assertJurisdiction(editor, parent.code, 'the parent grid');
      } else if (editor.jurisdictionCode !== null) {
        this.assertJurisdiction(editor, '', 'a new district');
      }
      // VALIDATION
      const levelIssue = levelProblem(input.level, parent?.level ?? null);
      if (levelIssue) problems.add({ code: 'LEVEL_MISMATCH', field: 'input.level', message: `level: ${levelIssue}` });
      const nameIssue = nameProblem(input.name);
      if (nameIssue) problems.add({ code: 'BAD_NAME', field: 'input.name', message: `name: ${nameIssue}` });
      const code = levelIssue ? null : await this.codeFor(trx, input.code ?? null, input.level, parent, problems);
      const checked = await checkBoundaries(
        trx,
        [{ n: 0, field: 'boundary', boundary: input.boundary, crs: input.crs ?? 'WGS84', level: input.level, parent, selfId: null, options: input.options }],
        this.ctx.config.boundary,
        (ids) => this.describe(trx, ids),
      );
      for (const p of checked.problems.get(0)?.list ?? []) problems.add(p);
      if (problems.any || !code) return validationError(problems);
      // RESOLUTION
      const id = crypto.randomUUID();
      const hex = checked.accepted.get(0)!.hex;
      await editRepo.insertGrids(
        trx,
        [{ id, code, name: input.name.trim(), level: input.level, depth: parent ? parent.depth + 1 : 0, parentId: parent?.id ?? null, ancestorIds: parent ? [...parent.ancestor_ids, parent.id] : [], hex }],
        editor.subject,
        input.reason ?? null,
      );
      const moved = await editRepo.relocatePlaces(trx, [hex]);
      return { __typename: 'CreateGridSuccess' as const, gridId: id, moved };
    });
  }

  async updateBoundary(input: UpdateGridBoundaryInput) {
    return this.editGrid(input, async (trx, grid, editor) => {
      const problems = this.reasonProblems(input.reason);
      const parent = grid.parent_id ? await this.current(trx, grid.parent_id) : null;
      const checked = await checkBoundaries(
        trx,
        [{ n: 0, field: 'boundary', boundary: input.boundary, crs: input.crs ?? 'WGS84', level: grid.level, parent, selfId: grid.id, options: input.options }],
        this.ctx.config.boundary,
        (ids) => this.describe(trx, ids),
      );
      for (const p of checked.problems.get(0)?.list ?? []) problems.add(p);
      if (problems.any) return validationError(problems);
      const [oldHex] = await editRepo.boundaryHexes(trx, [grid.id]);
      const hex = checked.accepted.get(0)!.hex;
      if (!(await editRepo.writeVersion(trx, grid.id, input.expectedVersion, { hex }, editor.subject, input.reason))) {
        return this.conflict(trx, grid, input.expectedVersion);
      }
      const moved = await editRepo.relocatePlaces(trx, [oldHex, hex]);
      return { __typename: 'UpdateGridBoundarySuccess' as const, gridId: grid.id, moved };
    });
  }

  async update(input: UpdateGridInput) {
    return this.editGrid(input, async (trx, grid, editor) => {
      const problems = new Problems();
      if (input.name == null && input.code == null) {
        problems.add({ code: 'BAD_VALUE', field: 'input', message: 'nothing to change: give a new name, a new code, or both' });
      }
      const nameIssue = input.name != null ? nameProblem(input.name) : null;
      if (nameIssue) problems.add({ code: 'BAD_NAME', field: 'input.name', message: `name: ${nameIssue}` });
      const parent = grid.parent_id ? await this.current(trx, grid.parent_id) : null;
      const newCode = input.code != null && input.code !== grid.code ? await this.codeFor(trx, input.code, grid.level, parent, problems) : null;
      if (problems.any) return validationError(problems);
      const written = await editRepo.writeVersion(
        trx,
        grid.id,
        input.expectedVersion,
        { name: input.name?.trim(), code: newCode ?? undefined },
        editor.subject,
        input.reason ?? null,
      );
      if (!written) return this.conflict(trx, grid, input.expectedVersion);
      if (newCode) {
        await editRepo.cascadeToDescendants(
          trx,
          { id: grid.id, oldCode: grid.code, newCode, ancestorIds: grid.ancestor_ids },
          editor.subject,
          `code of ${grid.code} changed to ${newCode}`,
        );
      }
      return { __typename: 'UpdateGridSuccess' as const, gridId: grid.id };
    });
  }

  async retire(input: RetireGridInput) {
    return this.editGrid(input, async (trx, grid, editor) => {
      const problems = this.reasonProblems(input.reason);
      await this.dependantProblems(trx, [grid], problems);
      if (problems.any) return validationError(problems);
      const [hex] = await editRepo.boundaryHexes(trx, [grid.id]);
      if (!(await editRepo.writeVersion(trx, grid.id, input.expectedVersion, { retire: true }, editor.subject, input.reason))) {
        return this.conflict(trx, grid, input.expectedVersion);
      }
      const moved = await editRepo.relocatePlaces(trx, [hex]);
      return { __typename: 'RetireGridSuccess' as const, gridId: grid.id, moved };
    });
  }

  // ---- shared by the edits (and by split, merge and import) ----

  async current(db: Knex, id: string): Promise<GridRow | null> {
    const [row] = await repo.gridsByIds(db, [id]);
    return row && row.valid_to === null ? row : null;
  }

  assertJurisdiction(editor: Editor, code: string, what: string): void {
    if (editor.jurisdictionCode !== null && (code === '' || !withinJurisdiction(editor, code))) {
      throw forbiddenOutside(editor, what);
    }
  }

  reasonProblems(reason: string | null | undefined): Problems {
    const problems = new Problems();
    if (!reason?.trim()) problems.add({ code: 'BAD_VALUE', field: 'input.reason', message: 'reason: say why (it is kept in the history)' });
    return problems;
  }

  /** The code to give a grid: the one asked for if it is well formed and free, else the next free one. */
  async codeFor(db: Knex, asked: string | null, level: GridRow['level'], parent: GridRow | null, problems: Problems): Promise<string | null> {
    if (asked !== null) {
      const issue = codeProblem(asked, level, parent?.code ?? null);
      if (issue) {
        problems.add({ code: 'BAD_CODE', field: 'input.code', message: `code: ${issue}` });
        return null;
      }
      const taken = await editRepo.currentCodes(db, [asked]);
      if (taken.length) {
        problems.add({ code: 'CODE_TAKEN', field: 'input.code', message: `code: ${asked} is already the code of a current grid`, gridIds: [taken[0].id] });
        return null;
      }
      return asked;
    }
    if (!parent) {
      problems.add({ code: 'BAD_CODE', field: 'input.code', message: 'code: a district needs its 6-digit code (GB/T 2260)' });
      return null;
    }
    const { from, to } = suffixRange(level);
    const next = (await editRepo.highestSuffix(db, parent.code, 3, from, to)) + 1;
    if (next > to) {
      problems.add({ code: 'BAD_CODE', field: 'input.code', message: `code: every ${level} code under ${parent.code} up to ${to} is used; give one explicitly` });
      return null;
    }
    return `${parent.code}${String(next).padStart(3, '0')}`;
  }

  async dependantProblems(db: Knex, grids: readonly GridRow[], problems: Problems): Promise<void> {
    const byId = new Map(grids.map((g) => [g.id, g]));
    for (const d of await editRepo.dependants(db, grids.map((g) => g.id))) {
      if (d.children.length === 0 && d.workers === 0) continue;
      const g = byId.get(d.id)!;
      const what = [d.children.length ? `${d.children.length} current child grid(s)` : '', d.workers ? `${d.workers} assigned worker(s)` : '']
        .filter(Boolean)
        .join(' and ');
      problems.add({
        code: 'HAS_DEPENDANTS',
        field: 'input.id',
        message: `${g.name} (${g.code}) still has ${what}; move or retire them first`,
        gridIds: d.children,
      });
    }
  }

  async conflict(db: Knex, grid: GridRow, expectedVersion: number): Promise<ConflictSource> {
    const [now] = await editRepo.versionInfo(db, [grid.id]);
    const [row] = await repo.gridsByIds(db, [grid.id]);
    const retired = now.valid_to !== null;
    return {
      __typename: 'ConflictError',
      message: retired
        ? `${grid.name} (${grid.code}) was retired by ${now.changed_by ?? 'someone'} at ${now.valid_to!.toISOString()}`
        : `${grid.name} (${grid.code}) is at version ${now.version}, not ${expectedVersion}: ${now.changed_by ?? 'someone'} changed it at ${now.valid_from.toISOString()}; reload and reapply your change`,
      grid: row,
      currentVersion: now.version,
      changedBy: now.changed_by,
      changedAt: retired ? now.valid_to! : now.valid_from,
    };
  }

  async describe(db: Knex, ids: string[]): Promise<Map<string, { code: string; name: string }>> {
    if (ids.length === 0) return new Map();
    const rows = await repo.gridsByIds(db, ids);
    return new Map(rows.map((r) => [r.id, { code: r.code, name: r.name }]));
  }
}

function isFailure(x: { __typename: string }): x is EditFailure {
  return x.__typename === 'ValidationError' || x.__typename === 'NotFoundError' || x.__typename === 'ConflictError';
}

function forbiddenOutside(editor: Editor, what: string) {
  return forbidden(`${what} lies outside your jurisdiction (${editor.jurisdictionCode})`);
}
