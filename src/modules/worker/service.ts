import type { Knex } from 'knex';
import type { Context } from '../../context';
import type {
  AssignWorkerInput,
  CreateWorkerInput,
  SetWorkerStatusInput,
  UnassignWorkerInput,
  UpdateWorkerInput,
} from '../../generated/graphql';
import { expectGlobalId } from '../../graphql/relay';
import { mainlandMobile } from '../../shared/phone';
import { msg, said } from '../../i18n';
import { nameIssue } from '../../shared/text';
import { notFound, problem, Problems, runEdit, validationError, type NotFoundSource, type RunEditOptions, type WorkerConflictSource } from '../../shared/payload';
import { assertPermitted, assertPrincipal, can } from '../auth/policy';
import { maskPhone, type Principal } from '../auth/viewer';
import { label } from '../grid/edit-service';
import type { GridRow } from '../grid/mappers';
import { gridsByIds } from '../grid/repo';
import type { AssignmentRow, WorkerChangeSource, WorkerRow, WorkerStatusRow } from './mappers';
import * as repo from './repo';

/**
 * Grid workers: who sees what of them (phones and accounts by jurisdiction), and their management by
 * DISPATCHERs and ADMINs — create, edit, assign, unassign, set status — within the caller's jurisdiction. Each
 * write locks the worker's row first, so two edits of one worker run one after the other; statuses and
 * assignments are kept as history (a trigger writes `grid_worker_status`).
 */
export class WorkerService {
  constructor(private readonly ctx: Context) {}

  async byId(id: string): Promise<WorkerRow | null> {
    return this.ctx.loaders.worker.byId.load(id);
  }

  /** The worker whose account is the caller's token subject (`me.worker`). */
  async ofViewer(): Promise<WorkerRow | null> {
    const v = this.ctx.viewer;
    return v.kind === 'user' ? this.ctx.loaders.worker.byAccount.load(v.subject) : null;
  }

  /** Everyone currently assigned to the grid, whatever their status, primary first. */
  async onGrid(grid: GridRow): Promise<WorkerRow[]> {
    return this.ctx.loaders.worker.allOnGrid.load(grid.id);
  }

  async assignments(worker: WorkerRow, includeEnded: boolean): Promise<AssignmentRow[]> {
    return this.ctx.loaders.worker.assignmentsOfWorker(includeEnded).load(worker.id);
  }

  async assignment(id: string): Promise<AssignmentRow> {
    const row = await this.ctx.loaders.worker.assignmentById.load(id);
    if (!row) throw new Error(`assignment ${id} vanished`);
    return row;
  }

  async statusHistory(worker: WorkerRow): Promise<WorkerStatusRow[]> {
    return this.ctx.loaders.worker.statusHistory.load(worker.id);
  }

  /**
   * Phone numbers are shown to staff whose jurisdiction covers one of the worker's grids; everyone else
   * (anonymous residents, VIEWERs, staff of other areas) sees them masked.
   */
  phoneVisible(worker: WorkerRow): boolean {
    return can(this.ctx.viewer, 'worker:contact', { codes: worker.grid_codes });
  }

  phone(worker: WorkerRow): string {
    return this.phoneVisible(worker) ? worker.phone : maskPhone(worker.phone);
  }

  async account(worker: WorkerRow): Promise<string | null> {
    if (!can(this.ctx.viewer, 'worker:account', { codes: worker.grid_codes })) return null;
    // Rows from the resolve fast path come without it.
    return worker.account !== undefined ? worker.account : ((await this.ctx.loaders.worker.complete.load(worker.id))?.account ?? null);
  }

  /** The worker's version (rows from the resolve fast path come without it). */
  async version(worker: WorkerRow): Promise<number> {
    return worker.version ?? (await this.ctx.loaders.worker.complete.load(worker.id))?.version ?? 1;
  }

  // ---- management ----

  async create(input: CreateWorkerInput) {
    // AUTH (role; the jurisdiction once the grid is read)
    assertPermitted(this.ctx.viewer, 'worker:manage');
    const gridId = expectGlobalId(input.gridId, 'Grid', 'input.gridId');
    return runEdit(
      this.ctx,
      async (trx) => {
        const grid = await this.lockGridForAssignment(trx, gridId);
        if (!grid) return notFound(input.gridId);
        const principal = assertPrincipal(this.ctx.viewer, 'worker:manage', grid, label(grid));
        // VALIDATION
        const problems = new Problems();
        const name = checkName(input.name, problems);
        const phone = checkPhone(input.phone, problems);
        const account = await this.checkAccount(trx, input.account, null, problems);
        if (grid.level === 'DISTRICT') problems.add(problem('LEVEL_MISMATCH', msg('worker.notDistrict', { grid: label(grid) }), { field: 'input.gridId' }));
        if (problems.any) return validationError(problems);
        // RESOLUTION
        const workerId = await repo.insertWorker(trx, { name: name!, phone: phone!, role: input.role, account: account ?? null }, principal.subject, input.reason ?? null);
        await repo.insertAssignment(trx, { workerId, gridId: grid.id, primary: true }, principal.subject);
        return { __typename: 'CreateWorkerSuccess' as const, workerId };
      },
      { onUniqueViolation: async () => accountRace(input.account) },
    );
  }

  async update(input: UpdateWorkerInput) {
    return this.editWorker(input.id, async (trx, worker, principal) => {
      this.assertWholeWorker(worker);
      if (worker.version !== input.expectedVersion) return workerConflict(worker, input.expectedVersion);
      const problems = new Problems();
      if ([input.name, input.phone, input.role, input.account].every((v) => v === undefined || v === null)) {
        problems.add(problem('BAD_VALUE', msg('worker.nothingToChange'), { field: 'input' }));
      }
      const name = input.name != null ? checkName(input.name, problems) : undefined;
      const phone = input.phone != null ? checkPhone(input.phone, problems) : undefined;
      const account = input.account != null ? await this.checkAccount(trx, input.account, worker.id, problems) : undefined;
      if (problems.any) return validationError(problems);
      const written = await repo.updateWorker(
        trx,
        worker.id,
        input.expectedVersion,
        { name: name ?? undefined, phone: phone ?? undefined, role: input.role ?? undefined, account },
        principal.subject,
        input.reason ?? null,
      );
      if (!written) return workerConflict(worker, input.expectedVersion);
      return { __typename: 'UpdateWorkerSuccess' as const, workerId: worker.id };
    }, { onUniqueViolation: async () => accountRace(input.account) });
  }

  async assign(input: AssignWorkerInput) {
    const gridId = expectGlobalId(input.gridId, 'Grid', 'input.gridId');
    return this.editWorker(input.workerId, async (trx, worker, principal) => {
      const grid = await this.lockGridForAssignment(trx, gridId);
      if (!grid) return notFound(input.gridId);
      assertPrincipal(this.ctx.viewer, 'worker:manage', grid, label(grid));
      const current = await repo.assignmentsOfWorkers(trx, [worker.id], false);
      // A worker has one main grid: moving it away from grids outside the caller's reach is not theirs to do.
      if (input.primary && current.length > 0) this.assertWholeWorker(worker);
      const problems = new Problems();
      if (current.some((a) => a.grid_id === grid.id)) {
        problems.add(problem('BAD_VALUE', msg('worker.alreadyAssigned', { name: worker.name, grid: label(grid) }), { field: 'input.gridId', gridIds: [grid.id] }));
      }
      if (worker.status === 'LEFT') {
        problems.add(problem('BAD_VALUE', msg('worker.left', { name: worker.name }), { field: 'input.workerId' }));
      }
      if (grid.level === 'DISTRICT') problems.add(problem('LEVEL_MISMATCH', msg('worker.notDistrict', { grid: label(grid) }), { field: 'input.gridId' }));
      if (problems.any) return validationError(problems);
      const primary = (input.primary ?? false) || current.length === 0;
      const assignmentId = await repo.insertAssignment(trx, { workerId: worker.id, gridId: grid.id, primary }, principal.subject);
      return { __typename: 'AssignWorkerSuccess' as const, workerId: worker.id, assignmentId };
    });
  }

  async unassign(input: UnassignWorkerInput) {
    const gridId = expectGlobalId(input.gridId, 'Grid', 'input.gridId');
    return this.editWorker(input.workerId, async (trx, worker, principal) => {
      // AUTH first, on the grid as it is (a retired grid's code still says whose it was).
      const [grid] = await gridsByIds(trx, [gridId]);
      if (!grid) return notFound(input.gridId);
      assertPrincipal(this.ctx.viewer, 'worker:manage', grid, label(grid));
      const problems = new Problems();
      const reason = input.reason.trim();
      if (!reason) problems.add(problem('BAD_VALUE', msg('worker.endReason'), { field: 'input.reason' }));
      const current = (await repo.assignmentsOfWorkers(trx, [worker.id], false)).find((a) => a.grid_id === gridId);
      if (!current) problems.add(problem('BAD_VALUE', msg('worker.notAssigned', { name: worker.name, grid: label(grid) }), { field: 'input.gridId' }));
      if (problems.any) return validationError(problems);
      const [assignmentId] = await repo.endAssignments(trx, worker.id, gridId, principal.subject, reason);
      return { __typename: 'UnassignWorkerSuccess' as const, workerId: worker.id, assignmentId };
    });
  }

  async setStatus(input: SetWorkerStatusInput) {
    return this.editWorker(input.id, async (trx, worker, principal) => {
      this.assertWholeWorker(worker);
      if (input.expectedVersion != null && worker.version !== input.expectedVersion) return workerConflict(worker, input.expectedVersion);
      const reason = input.reason.trim();
      if (!reason) return validationError([problem('BAD_VALUE', msg('worker.statusReason'), { field: 'input.reason' })]);
      if (worker.status === input.status) return { __typename: 'SetWorkerStatusSuccess' as const, workerId: worker.id };
      if (!(await repo.updateWorker(trx, worker.id, worker.version ?? null, { status: input.status }, principal.subject, reason))) {
        return workerConflict(worker, worker.version ?? 0);
      }
      // Someone who has left answers for no grid any more (and no longer holds up retiring one).
      if (input.status === 'LEFT') await repo.endAssignments(trx, worker.id, null, principal.subject, reason);
      return { __typename: 'SetWorkerStatusSuccess' as const, workerId: worker.id };
    });
  }

  /**
   * The start every edit of one worker shares: a principal allowed to manage workers, the worker (NotFound),
   * locked, and within the principal's jurisdiction (one of the worker's grids at least; what concerns the
   * whole worker asks for all of them, `assertWholeWorker`).
   */
  private async editWorker<R extends { __typename: string }>(
    globalId: string,
    work: (trx: Knex.Transaction, worker: WorkerRow, principal: Principal) => Promise<R>,
    options: RunEditOptions<R | NotFoundSource> = {},
  ): Promise<R | NotFoundSource> {
    assertPermitted(this.ctx.viewer, 'worker:manage');
    const id = expectGlobalId(globalId, 'GridWorker', 'input.id');
    return runEdit<R | NotFoundSource>(
      this.ctx,
      async (trx) => {
        const worker = await repo.lockWorker(trx, id);
        if (!worker) return notFound(globalId, 'worker');
        const principal = assertPrincipal(this.ctx.viewer, 'worker:manage', { codes: worker.grid_codes }, `${worker.name} (on ${worker.grid_codes.join(', ') || 'no grid'})`);
        return work(trx, worker, principal);
      },
      options,
    );
  }

  /**
   * What concerns the whole worker (their name, phone, account, status; which grid is their main one) is for
   * someone whose jurisdiction holds every grid the worker is on: a DISPATCHER of one street may not send on
   * leave, or end the assignments of, a worker who also answers for another street.
   */
  private assertWholeWorker(worker: WorkerRow): void {
    for (const code of worker.grid_codes) assertPrincipal(this.ctx.viewer, 'worker:manage', { code }, `${worker.name}, who is also on ${code},`);
  }

  /**
   * The grid a worker is assigned to, locked shared (with its ancestors) so that retiring, splitting or
   * merging it (which lock it exclusively and refuse grids with workers) waits, and then read again.
   */
  private async lockGridForAssignment(trx: Knex, gridId: string): Promise<GridRow | null> {
    const edit = this.ctx.services.gridEdit;
    const grid = await edit.current(trx, gridId);
    return grid && edit.lockAndReread(trx, grid, (g) => ({ exclusive: [], shared: [g.id, ...g.ancestor_ids] }));
  }

  private async checkAccount(db: Knex, input: string | null | undefined, workerId: string | null, problems: Problems): Promise<string | null | undefined> {
    if (input === undefined || input === null) return undefined;
    const account = input.trim();
    if (account === '') return null; // removes it
    if (!/^[A-Za-z0-9._@:-]{1,200}$/.test(account)) {
      problems.add(problem('BAD_VALUE', msg('worker.accountShape'), { field: 'input.account' }));
      return undefined;
    }
    if (await repo.accountTaken(db, account, workerId)) {
      problems.add(problem('BAD_VALUE', msg('worker.accountTaken', { account }), { field: 'input.account' }));
      return undefined;
    }
    return account;
  }
}

function checkName(input: string, problems: Problems): string | null {
  const issue = nameIssue(input, 50);
  if (issue) {
    problems.add(problem('BAD_NAME', msg('worker.name', { issue }), { field: 'input.name' }));
    return null;
  }
  return input.trim();
}

function checkPhone(input: string, problems: Problems): string | null {
  const phone = mainlandMobile(input);
  if (!phone.ok) {
    problems.add(problem('BAD_VALUE', msg('worker.phone', { issue: phone.issue }), { field: 'input.phone' }));
    return null;
  }
  return phone.value;
}

function workerConflict(worker: WorkerRow, expectedVersion: number): WorkerConflictSource {
  return {
    __typename: 'WorkerConflictError',
    ...said(msg('worker.conflict', { name: worker.name, version: worker.version ?? 0, expected: expectedVersion, by: worker.changed_by ?? msg('someone') })),
    worker,
    currentVersion: worker.version ?? 0,
    changedBy: worker.changed_by ?? null,
    changedAt: worker.updated_at ?? new Date(),
  };
}

/** Two edits gave the same account at once: the unique index refused the second. */
async function accountRace(account: string | null | undefined) {
  return validationError([problem('BAD_VALUE', msg('worker.accountRace', { account: account ?? '' }), { field: 'input.account' })]);
}
