import type { Knex } from 'knex';
import type { HandlingLevel, IncidentAction, IncidentStatus, Satisfaction } from '../../generated/graphql';
import type { EventDetail, IncidentRow } from './mappers';
import * as repo from './repo';
import { slaColumns, type SlaColumns, type SlaMinutes } from './sla';

/**
 * The one way an incident changes: a timeline entry appended, and in the same statement sequence the incident's
 * status, version, denormalised timestamps (what statistics read) and deadline columns (what lists filter by
 * colour on, recomputed from the whole timeline by sla.ts), and the outbox rows of whoever must hear of it.
 * Callers hold the incident's row lock (repo.lockIncident).
 */

/** Columns a step may set besides those every step keeps. */
export interface IncidentChanges {
  assignee_worker_id?: string | null;
  transferred_organization_id?: string | null;
  centre_grid_id?: string;
  level?: HandlingLevel;
  escalation_count?: number;
  merged_into_id?: string;
  satisfaction?: Satisfaction | null;
  category_code?: string;
  sla_assign_minutes?: number;
  sla_first_progress_minutes?: number;
  sla_resolve_minutes?: number;
}

export interface Entry {
  action: IncidentAction;
  to: IncidentStatus;
  actor: string;
  actorRole: string | null;
  note?: string | null;
  point?: { lng: number; lat: number } | null;
  detail?: EventDetail;
}

export const minutesOf = (row: Pick<IncidentRow, 'sla_assign_minutes' | 'sla_first_progress_minutes' | 'sla_resolve_minutes'>): SlaMinutes => ({
  assign: row.sla_assign_minutes,
  firstProgress: row.sla_first_progress_minutes,
  resolve: row.sla_resolve_minutes,
});

/** Appends the entry and applies it to the (locked) incident; returns the entry's number and instant. */
export async function recordStep(
  trx: Knex.Transaction,
  row: IncidentRow,
  entry: Entry,
  changes: IncidentChanges = {},
  notices: readonly repo.OutboxRow[] = [],
): Promise<{ seq: number; at: Date }> {
  const { seq, at, timeline } = await repo.insertEvent(trx, {
    incidentId: row.id,
    action: entry.action,
    from: row.status,
    to: entry.to,
    actor: entry.actor,
    actorRole: entry.actorRole,
    note: entry.note ?? null,
    point: entry.point ?? null,
    detail: entry.detail ?? {},
  });
  const minutes = minutesOf({ ...row, ...changes });
  const sla = slaColumns(timeline, minutes);
  const assignee = changes.assignee_worker_id !== undefined ? changes.assignee_worker_id : row.assignee_worker_id;
  const centre = changes.centre_grid_id ?? row.centre_grid_id;
  const everyone: repo.OutboxRow = {
    kind: entry.action,
    // The new assignee and the one it was taken from; the centres before and after; the grid's screen.
    workerIds: [assignee, row.assignee_worker_id].filter((w): w is string => w !== null),
    gridIds: [centre, row.centre_grid_id, row.grid_id].filter((g): g is string => g !== null),
  };
  await applyStep(trx, row.id, entry, at, changes, sla, repo.outboxSql(row.id, seq, [everyone, ...notices]));
  return { seq, at };
}

const SET_COLUMNS: readonly (keyof IncidentChanges)[] = [
  'assignee_worker_id', 'transferred_organization_id', 'centre_grid_id', 'level', 'escalation_count', 'merged_into_id',
  'satisfaction', 'category_code', 'sla_assign_minutes', 'sla_first_progress_minutes', 'sla_resolve_minutes',
];

/** The step applied to the incident row, and its outbox rows written, in one statement. */
async function applyStep(
  trx: Knex.Transaction,
  id: string,
  entry: Entry,
  at: Date,
  changes: IncidentChanges,
  sla: SlaColumns,
  outbox: ReturnType<typeof repo.outboxSql>,
): Promise<void> {
  const own = SET_COLUMNS.filter((c) => changes[c] !== undefined).map((c) => `${c} = :${c}`);
  // Column references on the right are the row before the update: `status` is the status the step leaves.
  await trx.raw(
    `/* applyIncidentStep */ WITH step AS (UPDATE incident SET
       status = :to, version = version + 1, updated_at = :at, updated_by = :actor,
       accepted_at = CASE WHEN :action = 'ACCEPT' THEN coalesce(accepted_at, :at) ELSE accepted_at END,
       assigned_at = CASE WHEN :action = 'ASSIGN' THEN coalesce(assigned_at, :at) ELSE assigned_at END,
       first_progress_at = CASE WHEN :action IN ('RECORD_PROGRESS', 'RESOLVE') THEN coalesce(first_progress_at, :at) ELSE first_progress_at END,
       resolved_at = CASE WHEN :action = 'RESOLVE' THEN :at WHEN :action = 'REOPEN' THEN NULL ELSE resolved_at END,
       closed_at = CASE WHEN :action = 'CLOSE' THEN :at ELSE closed_at END,
       suspended_total = CASE WHEN status = 'SUSPENDED' AND :to <> 'SUSPENDED' THEN suspended_total + (:at - suspended_since) ELSE suspended_total END,
       suspended_since = CASE WHEN :to = 'SUSPENDED' THEN coalesce(suspended_since, :at) ELSE NULL END,
       status_before_suspension = CASE WHEN :to = 'SUSPENDED' THEN coalesce(status_before_suspension, status) ELSE NULL END,
       sla_assign_due_at = :assignDue, sla_progress_due_at = :progressDue, sla_resolve_due_at = :resolveDue,
       sla_orange_at = :orangeAt, sla_red_at = :redAt
       ${own.map((s) => `, ${s}`).join('')}
     WHERE id = :id), ${outbox.cte}
     ${outbox.notify}`,
    {
      ...outbox.bindings,
      id,
      to: entry.to,
      at,
      actor: entry.actor,
      action: entry.action,
      assignDue: sla.assignDueAt,
      progressDue: sla.progressDueAt,
      resolveDue: sla.resolveDueAt,
      orangeAt: sla.orangeAt,
      redAt: sla.redAt,
      ...Object.fromEntries(SET_COLUMNS.filter((c) => changes[c] !== undefined).map((c) => [c, changes[c] ?? null])),
    },
  );
}
