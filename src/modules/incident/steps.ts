import type { Knex } from 'knex';
import type { Context } from '../../context';
import type * as G from '../../generated/graphql';
import { expectGlobalId } from '../../graphql/relay';
import { msg } from '../../i18n';
import { notFound, problem, Problems, runEdit, validationError, versionConflict, type NotFoundSource, type ValidationErrorSource, type VersionConflictSource } from '../../shared/payload';
import { assertIncidentStep, assertPermitted, can, mayReadIncident } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import { bad } from '../person/group-checks';
import { workerWithCurrentGrids } from '../person/group-repo';
import * as checks from './checks';
import { isOpen, refusalIssue, transition, type Step } from './lifecycle';
import type { IncidentChangeSource, IncidentRow } from './mappers';
import * as repo from './repo';
import { centreById, escalationTarget } from './routing';
import { incidentLabel } from './service';
import { recordStep, type Entry, type IncidentChanges } from './timeline';
import { resolvePhotos } from './uploads';

export type StepResult = IncidentChangeSource | ValidationErrorSource | VersionConflictSource | NotFoundSource;

/** What a step's work receives: the locked incident, who acts, the status the step leads to, the entry's common part. */
export interface StepContext {
  trx: Knex.Transaction;
  row: IncidentRow;
  principal: Principal;
  to: G.IncidentStatus;
  /** The entry's action, status, actor and note, ready for `recordStep`. */
  entry: Entry;
  problems: Problems;
}

const success = (row: IncidentRow): IncidentChangeSource => ({ __typename: 'IncidentSuccess', incidentId: row.id });

/**
 * The lifecycle's mutations. Each one locks the incident (two dispatchers assigning it at once run one after the
 * other: the second finds a new version and gets a VersionConflict), asks the policy whether the caller may take
 * the step, checks the version, asks the transition table where the step leads (an illegal step is a
 * ValidationError naming the allowed ones) and writes exactly one timeline entry through `recordStep`.
 */
export class IncidentStepService {
  constructor(private readonly ctx: Context) {}

  /** The common sequence of every step; `work` adds its own checks and changes (mediation.ts uses it too). */
  run(
    input: { id: string; expectedVersion: number; note?: string | null },
    step: Step,
    work: (s: StepContext) => Promise<StepResult>,
  ): Promise<StepResult> {
    // AUTH (the roles before anything is read; the incident's centre and assignee once it is)
    assertPermitted(this.ctx.viewer, 'incident:read');
    const id = expectGlobalId(input.id, 'Incident', 'input.id');
    const problems = new Problems();
    const note = checks.text(input.note, 'note', checks.MAX_NOTE, problems);
    return runEdit<StepResult>(this.ctx, async (trx) => {
      const row = await repo.lockIncident(trx, id);
      if (!row) return notFound(input.id, 'incident');
      const principal = assertIncidentStep(this.ctx.viewer, step, row, incidentLabel(row));
      // VALIDATION
      if (row.version !== input.expectedVersion) return versionConflict(row, incidentLabel(row), input.expectedVersion);
      const t = transition(step, row.status, row.status_before_suspension);
      if (!t.ok) return validationError([problem('ILLEGAL_TRANSITION', refusalIssue(step, row.status, t.allowed), { field: 'input.id' })]);
      const entry: Entry = { action: step, to: t.to, actor: principal.subject, actorRole: principal.kind === 'user' ? principal.role : 'SERVICE', note: note ?? null };
      return work({ trx, row, principal, to: t.to, entry, problems });
    });
  }

  /** A step with nothing but a note (and a reason where `reason` is given). */
  private plain(input: { id: string; expectedVersion: number; note?: string | null; reason?: string | null }, step: Step, changes: IncidentChanges = {}) {
    return this.run(input, step, async ({ trx, row, entry, problems }) => {
      const reason = input.reason !== undefined ? checks.requiredText(input.reason ?? '', 'reason', checks.MAX_REASON, problems) : null;
      if (problems.any) return validationError(problems);
      await recordStep(trx, row, { ...entry, detail: reason ? { reason } : {} }, changes);
      return success(row);
    });
  }

  accept(input: G.AcceptIncidentInput) {
    return this.plain(input, 'ACCEPT');
  }

  close(input: G.CloseIncidentInput) {
    return this.plain(input, 'CLOSE');
  }

  reject(input: G.RejectIncidentInput) {
    return this.plain(input, 'REJECT');
  }

  suspend(input: G.SuspendIncidentInput) {
    return this.plain(input, 'SUSPEND');
  }

  resume(input: G.ResumeIncidentInput) {
    return this.plain(input, 'RESUME');
  }

  reopen(input: G.ReopenIncidentInput) {
    return this.plain(input, 'REOPEN');
  }

  /** 分派 / 改派: to an ACTIVE worker currently assigned to a grid within the dispatcher's jurisdiction. */
  assign(input: G.AssignIncidentInput) {
    return this.run(input, 'ASSIGN', async ({ trx, row, entry, problems }) => {
      const workerId = checks.idOf(input.workerId, 'GridWorker', 'input.workerId', problems);
      const worker = workerId ? await workerWithCurrentGrids(trx, workerId) : null;
      if (workerId && !worker) problems.add(bad('input.workerId', msg('incident.noWorker')));
      if (worker) {
        if (worker.status !== 'ACTIVE') problems.add(bad('input.workerId', msg('assignee.inactive', { field: 'workerId', name: worker.name, status: worker.status })));
        else if (worker.codes.length === 0) problems.add(bad('input.workerId', msg('assignee.noGrid', { field: 'workerId', name: worker.name })));
        else if (!can(this.ctx.viewer, 'incident:dispatch', { codes: worker.codes })) {
          problems.add(bad('input.workerId', msg('assignee.outside', { field: 'workerId', name: worker.name, codes: worker.codes.join(', ') })));
        }
        if (worker.id === row.assignee_worker_id) problems.add(bad('input.workerId', msg('incident.alreadyAssigned', { incident: incidentLabel(row), name: worker.name })));
      }
      if (problems.any || !worker) return validationError(problems);
      await recordStep(trx, row, { ...entry, detail: { assigneeWorkerId: worker.id } }, { assignee_worker_id: worker.id, transferred_organization_id: null });
      return success(row);
    });
  }

  recordProgress(input: G.RecordProgressInput) {
    return this.handled(input, 'RECORD_PROGRESS');
  }

  resolve(input: G.ResolveIncidentInput) {
    return this.handled(input, 'RESOLVE');
  }

  /** Progress and resolution: a note, optionally where it was done and photos. */
  private handled(input: G.RecordProgressInput | G.ResolveIncidentInput, step: 'RECORD_PROGRESS' | 'RESOLVE') {
    return this.run({ ...input, note: null }, step, async ({ trx, row, entry, problems }) => {
      const note = checks.requiredText(input.note, 'note', checks.MAX_NOTE, problems);
      const point = input.location ? this.ctx.services.location.positionInput(input.location, input.crs, 'input.location', problems) : null;
      const photos = await resolvePhotos(trx, checks.checkPhotos(input.photos, problems), entry.actor, this.ctx.config.publicUrl, problems);
      if (problems.any) return validationError(problems);
      const { seq } = await recordStep(trx, row, { ...entry, note, point });
      await repo.insertPhotos(trx, row.id, seq, photos, entry.actor);
      return success(row);
    });
  }

  /** 回访: the resident's satisfaction. */
  verify(input: G.VerifyIncidentInput) {
    return this.run(input, 'VERIFY', async ({ trx, row, entry }) => {
      await recordStep(trx, row, { ...entry, detail: { satisfaction: input.satisfaction } }, { satisfaction: input.satisfaction });
      return success(row);
    });
  }

  /** 吹哨: to the level above; its centre reassigns. The assignee is released. */
  escalate(input: G.EscalateIncidentInput) {
    return this.run(input, 'ESCALATE', async ({ trx, row, entry, problems }) => {
      const reason = checks.requiredText(input.reason, 'reason', checks.MAX_REASON, problems);
      const centre = await centreById(trx, row.centre_grid_id);
      const target = centre ? await escalationTarget(trx, row.level, centre) : null;
      if (!target) {
        problems.add(problem('ILLEGAL_TRANSITION', msg('incident.districtTop', { incident: incidentLabel(row), centre: centre?.name ?? row.centreCode }), { field: 'input.id' }));
      }
      if (problems.any || !target) return validationError(problems);
      const detail = { reason: reason ?? undefined, level: target.level, centreGridId: target.centre.id };
      const changes: IncidentChanges = { level: target.level, centre_grid_id: target.centre.id, escalation_count: row.escalation_count + 1, assignee_worker_id: null };
      await recordStep(trx, row, { ...entry, detail }, changes);
      return success(row);
    });
  }

  /** 转办: to an organisation or department; the assignee is released. */
  transfer(input: G.TransferIncidentInput) {
    return this.run(input, 'TRANSFER', async ({ trx, row, entry, problems }) => {
      const orgId = checks.idOf(input.organizationId, 'Organization', 'input.organizationId', problems);
      const { rows } = orgId ? await trx.raw('/* incidentTransferTarget */ SELECT id FROM organization WHERE id = ? AND retired_at IS NULL', [orgId]) : { rows: [] };
      if (orgId && !rows[0]) problems.add(bad('input.organizationId', msg('incident.noOrganization')));
      if (problems.any || !orgId) return validationError(problems);
      await recordStep(trx, row, { ...entry, detail: { organizationId: orgId } }, { transferred_organization_id: orgId, assignee_worker_id: null });
      return success(row);
    });
  }

  /** A duplicate merged into another open incident the caller may read. */
  merge(input: G.MergeIncidentInput) {
    return this.run(input, 'MERGE', async ({ trx, row, entry, problems }) => {
      const intoId = checks.idOf(input.intoId, 'Incident', 'input.intoId', problems);
      const [into] = intoId ? await repo.incidentsByIds(trx, [intoId]) : [];
      if (intoId === row.id) problems.add(bad('input.intoId', msg('incident.mergeSelf')));
      else if (intoId && (!into || !mayReadIncident(this.ctx.viewer, into))) problems.add(bad('input.intoId', msg('incident.mergeUnknown')));
      else if (into && !isOpen(into.status)) problems.add(bad('input.intoId', msg('incident.mergeClosed', { incident: incidentLabel(into), status: into.status })));
      if (problems.any || !into) return validationError(problems);
      await recordStep(trx, row, { ...entry, detail: { mergedIntoId: into.id } }, { merged_into_id: into.id, assignee_worker_id: null });
      return success(row);
    });
  }

  /** A new category: its deadlines replace the old ones over the whole timeline (the case was misfiled). */
  recategorize(input: G.RecategorizeIncidentInput) {
    return this.run(input, 'RECATEGORIZE', async ({ trx, row, entry, problems }) => {
      const code = input.category.trim();
      const category = (await repo.categories(trx)).find((c) => c.code === code && c.active);
      if (!category) problems.add(bad('input.category', msg('incident.noCategory', { code: code.slice(0, 64) })));
      else if (category.code === row.category_code) problems.add(bad('input.category', msg('incident.sameCategory', { incident: incidentLabel(row), code })));
      if (problems.any || !category) return validationError(problems);
      const changes: IncidentChanges = {
        category_code: category.code,
        sla_assign_minutes: category.assign_within_minutes,
        sla_first_progress_minutes: category.first_progress_within_minutes,
        sla_resolve_minutes: category.resolve_within_minutes,
      };
      await recordStep(trx, row, { ...entry, detail: { fromCategory: row.category_code, toCategory: category.code } }, changes);
      return success(row);
    });
  }
}
