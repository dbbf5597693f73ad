import type { HandlingLevel, IncidentStatus, Satisfaction } from '../../src/generated/graphql';
import { slaColumns, type SlaColumns, type SlaMinutes } from '../../src/modules/incident/sla';
import type { StoryEvent } from './incident-story';

/**
 * An incident's columns as the module leaves them after its timeline (timeline.ts `recordStep` and its UPDATE,
 * entry by entry): the status and version, the first acceptance, assignment and progress, the latest resolution
 * (cleared by a reopening), the closing, the suspended time, the columns the steps changed, and the deadline
 * columns from sla.ts `slaColumns` over the whole timeline with the deadlines of the category it ends in.
 */
export interface IncidentState {
  status: IncidentStatus;
  version: number;
  updatedAt: number;
  updatedBy: string;
  acceptedAt: number | null;
  assignedAt: number | null;
  firstProgressAt: number | null;
  resolvedAt: number | null;
  closedAt: number | null;
  suspendedTotalMs: number;
  suspendedSince: number | null;
  statusBeforeSuspension: IncidentStatus | null;
  assigneeWorkerId: string | null;
  transferredOrganizationId: string | null;
  centreGridId: string;
  level: HandlingLevel;
  escalationCount: number;
  mergedIntoId: string | null;
  satisfaction: Satisfaction | null;
  categoryCode: string;
  minutes: SlaMinutes;
  sla: SlaColumns;
}

export interface FoldStart {
  centreGridId: string;
  categoryCode: string;
  /** The deadlines of a category (RECATEGORIZE applies the new category's). */
  minutesOf: (category: string) => SlaMinutes;
}

export function foldTimeline(events: readonly StoryEvent[], start: FoldStart): IncidentState {
  const report = events[0];
  const s: Omit<IncidentState, 'sla' | 'minutes'> = {
    status: report.to, version: 1, updatedAt: report.at, updatedBy: report.actor,
    acceptedAt: null, assignedAt: null, firstProgressAt: null, resolvedAt: null, closedAt: null,
    suspendedTotalMs: 0, suspendedSince: null, statusBeforeSuspension: null,
    assigneeWorkerId: null, transferredOrganizationId: null, centreGridId: start.centreGridId, level: 'GRID',
    escalationCount: 0, mergedIntoId: null, satisfaction: null, categoryCode: start.categoryCode,
  };
  for (const e of events.slice(1)) {
    const { at } = e;
    s.version += 1;
    s.updatedAt = at;
    s.updatedBy = e.actor;
    if (e.action === 'ACCEPT') s.acceptedAt ??= at;
    if (e.action === 'ASSIGN') s.assignedAt ??= at;
    if (e.action === 'RECORD_PROGRESS' || e.action === 'RESOLVE') s.firstProgressAt ??= at;
    if (e.action === 'RESOLVE') s.resolvedAt = at;
    if (e.action === 'REOPEN') s.resolvedAt = null;
    if (e.action === 'CLOSE') s.closedAt = at;
    if (s.status === 'SUSPENDED' && e.to !== 'SUSPENDED') s.suspendedTotalMs += at - s.suspendedSince!;
    s.statusBeforeSuspension = e.to === 'SUSPENDED' ? (s.statusBeforeSuspension ?? s.status) : null;
    s.suspendedSince = e.to === 'SUSPENDED' ? (s.suspendedSince ?? at) : null;
    s.status = e.to;
    const c = e.changes;
    if (c.assignee_worker_id !== undefined) s.assigneeWorkerId = c.assignee_worker_id;
    if (c.transferred_organization_id !== undefined) s.transferredOrganizationId = c.transferred_organization_id;
    if (c.centre_grid_id !== undefined) s.centreGridId = c.centre_grid_id;
    if (c.level !== undefined) s.level = c.level;
    if (c.escalation_count !== undefined) s.escalationCount = c.escalation_count;
    if (c.merged_into_id !== undefined) s.mergedIntoId = c.merged_into_id;
    if (c.satisfaction !== undefined) s.satisfaction = c.satisfaction;
    if (c.category_code !== undefined) s.categoryCode = c.category_code;
  }
  const minutes = start.minutesOf(s.categoryCode);
  const sla = slaColumns(events.map((e) => ({ action: e.action, at: new Date(e.at) })), minutes);
  return { ...s, minutes, sla };
}
