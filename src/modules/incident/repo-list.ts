import type { Knex } from 'knex';
import type { IncidentChannel, IncidentStatus, SlaStatus } from '../../generated/graphql';
import { subtreeGridIds } from '../location/repo';
import type { IncidentRow } from './mappers';
import { AWAITING_DISPATCH } from './lifecycle';
import { FINAL_SQL, INCIDENT_COLUMNS, INCIDENT_FROM } from './repo';
import { slaStatusSql } from './sla';

/** Lists of incidents: keyset pages by id (ids are time-ordered uuids: newest first is id order). */
export interface IncidentListFilter {
  /** Incidents whose responsible grid is this grid or below it. */
  subtreeOf?: string | null;
  centreId?: string | null;
  statuses?: readonly IncidentStatus[] | null;
  categories?: readonly string[] | null;
  channels?: readonly IncidentChannel[] | null;
  slaStatuses?: readonly SlaStatus[] | null;
  assigneeWorkerId?: string | null;
  awaitingDispatch?: boolean;
  open?: boolean;
  /**
   * What a scoped caller may read: incidents whose responsible grid, reported grid or centre lies in the subtree of
   * `rootId`, and those assigned to `workerId`. Absent: no restriction (the whole deployment).
   */
  visibleTo?: { rootId: string | null; workerId: string | null } | null;
  /** Reported at or after / before these instants (Open311's start_date, end_date). */
  reportedFrom?: Date | null;
  reportedBefore?: Date | null;
  /** Only CLOSED, REJECTED or MERGED ones. */
  closed?: boolean;
}

export type Order = 'newest' | 'oldest';

function filtered(db: Knex, f: IncidentListFilter): Knex.QueryBuilder {
  const q = db.from(db.raw(INCIDENT_FROM));
  if (f.subtreeOf) q.whereRaw(`i.grid_id IN (${subtreeGridIds('?')})`, [f.subtreeOf, f.subtreeOf]);
  if (f.centreId) q.where('i.centre_grid_id', f.centreId);
  if (f.statuses?.length) q.whereIn('i.status', [...f.statuses]);
  if (f.categories?.length) q.whereIn('i.category_code', [...f.categories]);
  if (f.channels?.length) q.whereIn('i.channel', [...f.channels]);
  if (f.slaStatuses?.length) q.whereRaw(`(${slaStatusSql('now()')}) = ANY(?::text[])`, [[...f.slaStatuses]]);
  if (f.assigneeWorkerId) q.where('i.assignee_worker_id', f.assigneeWorkerId);
  if (f.awaitingDispatch) q.whereIn('i.status', [...AWAITING_DISPATCH]);
  if (f.open) q.whereRaw(`i.status NOT IN ${FINAL_SQL}`);
  if (f.reportedFrom) q.where('i.reported_at', '>=', f.reportedFrom);
  if (f.reportedBefore) q.where('i.reported_at', '<', f.reportedBefore);
  if (f.closed) q.whereRaw(`i.status IN ${FINAL_SQL}`);
  if (f.visibleTo) {
    const v = readableIncidents(f.visibleTo.rootId, f.visibleTo.workerId ? { workerId: f.visibleTo.workerId } : null);
    q.whereRaw(`(${v.sql})`, v.bindings);
  }
  return q;
}

/**
 * The incidents a scoped caller may read, as SQL (alias `i` unless told): those whose responsible grid, reported
 * grid or centre lies in the subtree of `rootId`, and those assigned to them (a worker by id, or by the sign-in
 * account of a token). The one definition for GraphQL's and Open311's lists and the map's incidents layer.
 */
export function readableIncidents(rootId: string | null, assignee: { workerId: string } | { account: string } | null, i = 'i'): { sql: string; bindings: string[] } {
  const parts: string[] = [];
  const bindings: string[] = [];
  if (rootId) {
    const sub = `(${subtreeGridIds('?::uuid')})`;
    parts.push(`${i}.grid_id IN ${sub} OR ${i}.reported_grid_id IN ${sub} OR ${i}.centre_grid_id IN ${sub}`);
    bindings.push(...Array<string>(6).fill(rootId));
  }
  if (assignee && 'workerId' in assignee) {
    parts.push(`${i}.assignee_worker_id = ?::uuid`);
    bindings.push(assignee.workerId);
  } else if (assignee) {
    parts.push(`${i}.assignee_worker_id IN (SELECT w.id FROM grid_worker w WHERE w.account = ?)`);
    bindings.push(assignee.account);
  }
  return { sql: parts.length ? parts.join(' OR ') : 'false', bindings };
}

export async function pageOfIncidents(db: Knex, f: IncidentListFilter, order: Order, afterId: string | null, limit: number): Promise<IncidentRow[]> {
  const q = filtered(db, f).select(db.raw(INCIDENT_COLUMNS));
  if (afterId) q.where('i.id', order === 'newest' ? '<' : '>', afterId);
  return q.orderBy('i.id', order === 'newest' ? 'desc' : 'asc').limit(limit).comment(`incidents:${order}`);
}

export async function countIncidents(db: Knex, f: IncidentListFilter): Promise<number> {
  const [{ n }] = await filtered(db, f).select(db.raw('count(*)::int AS n')).comment('incidents:count');
  return n;
}
