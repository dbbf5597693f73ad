import type { Knex } from 'knex';
import type { IncidentAction, IncidentStatus, SlaStatus } from '../../generated/graphql';
import type { Locale } from '../../i18n';
import { isOpen } from './lifecycle';
import type { CategoryRow, IncidentEventRow, IncidentRow } from './mappers';
import { maskName, maskNamesIn } from './masking';
import * as repo from './repo';
import { slaAt } from './sla';
import { minutesOf } from './timeline';

/**
 * What anyone holding an incident's tracking code may see (`incidentByTrackingCode`, Open311's requests): its
 * status, category, title, times, 13710 colour and expected resolution, and the public part of its timeline. Every
 * step appears as a fixed summary ("已受理"); a staff note appears only where it is the answer to the resident:
 * the resolution's note (办结说明), the reason of a rejection, the closing note. Progress notes, dispatch notes,
 * escalation and suspension reasons, mediation details, parties, phones and the reporter are never shown. Names
 * the incident knows (reporter, parties, workers, mediators) are masked as `张*` wherever public text holds them.
 */
export interface PublicUpdateRow {
  at: Date;
  action: IncidentAction;
  status: IncidentStatus;
  summary: string;
  note: string | null;
}

export interface TrackedView {
  id: string;
  trackingCode: string;
  status: IncidentStatus;
  open: boolean;
  category: CategoryRow;
  title: string;
  reportedAt: Date;
  updatedAt: Date;
  /** When it is due to be resolved (the running resolution deadline), null when none runs. */
  expectedAt: Date | null;
  slaStatus: SlaStatus;
  updates: PublicUpdateRow[];
  /** Where it was reported (WGS-84): Open311's lat/long. */
  lng: number;
  lat: number;
}

/** Steps whose staff note (or reason) is addressed to the resident. */
const NOTE_IS_PUBLIC: ReadonlySet<IncidentAction> = new Set(['RESOLVE', 'CLOSE', 'REJECT']);

const SUMMARY: Record<IncidentAction, [zh: string, en: string]> = {
  REPORT: ['已登记', 'Reported'],
  ACCEPT: ['已受理', 'Accepted'],
  ASSIGN: ['已分派给网格员 {worker}', 'Assigned to grid worker {worker}'],
  RECORD_PROGRESS: ['正在办理', 'In progress'],
  RESOLVE: ['已办结', 'Resolved'],
  VERIFY: ['已回访', 'Follow-up visit made'],
  CLOSE: ['已归档', 'Closed'],
  REJECT: ['不予受理', 'Rejected'],
  ESCALATE: ['已提交上级综治中心办理', 'Handed to the centre of the level above'],
  TRANSFER: ['已转交相关部门办理', 'Handed to the department responsible'],
  SUSPEND: ['暂停办理', 'Paused'],
  RESUME: ['恢复办理', 'Resumed'],
  REOPEN: ['重新办理', 'Reopened'],
  MERGE: ['与反映同一问题的报告合并办理', 'Merged with a report of the same problem'],
  RECATEGORIZE: ['类别调整为 {category}', 'Category changed to {category}'],
  MEDIATION_SESSION: ['已组织调解', 'Mediation session held'],
  MEDIATION_OUTCOME: ['调解已有结果', 'Mediation concluded'],
};

/** The incident of a tracking code, as the public may see it; null when no incident has that code. */
export async function trackedIncident(db: Knex, code: string, locale: Locale, now = new Date()): Promise<TrackedView | null> {
  const { rows } = await db.raw(`/* incidentIdByTrackingCode */ SELECT id FROM incident WHERE tracking_code = ?`, [code]);
  if (!rows[0]) return null;
  return (await trackedIncidents(db, [rows[0].id], locale, now))[0] ?? null;
}

/** The public views of these incidents, in the order given. */
export async function trackedIncidents(db: Knex, ids: readonly string[], locale: Locale, now = new Date()): Promise<TrackedView[]> {
  if (ids.length === 0) return [];
  const [incidents, events, categories, names] = await Promise.all([repo.incidentsByIds(db, ids), repo.eventsOf(db, ids), repo.categories(db), knownNames(db, ids)]);
  const byId = new Map(incidents.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    if (!row) return [];
    const own = events.filter((e) => e.incident_id === id);
    return [publicView(row, own, categories, names.get(id) ?? { all: [], workers: new Map() }, locale, now)];
  });
}

interface Names {
  /** Every name the incident knows, to be masked in public text. */
  all: string[];
  /** Grid workers by id (the assignees of ASSIGN entries). */
  workers: Map<string, string>;
}

function publicView(row: IncidentRow, events: IncidentEventRow[], categories: CategoryRow[], names: Names, locale: Locale, now: Date): TrackedView {
  const sla = slaAt(events, minutesOf(row), now);
  const resolution = sla.deadlines.filter((d) => d.kind === 'RESOLUTION' && d.metAt === null && d.stoppedAt === null).at(-1);
  const category = categories.find((c) => c.code === row.category_code)!;
  const lang = locale === 'en' ? 1 : 0;
  const updates = events.map((e): PublicUpdateRow => {
    const worker = e.detail.assigneeWorkerId ? maskName(names.workers.get(e.detail.assigneeWorkerId) ?? '') : '';
    const toCategory = categories.find((c) => c.code === e.detail.toCategory)?.name ?? e.detail.toCategory ?? '';
    const summary = SUMMARY[e.action][lang].replace('{worker}', worker).replace('{category}', toCategory).trim();
    const said = NOTE_IS_PUBLIC.has(e.action) ? [e.detail.reason, e.note].filter((t): t is string => !!t).join('\n') : '';
    return { at: e.at, action: e.action, status: e.to_status, summary, note: said ? maskNamesIn(said, names.all) : null };
  });
  return {
    id: row.id,
    trackingCode: row.tracking_code,
    status: row.status,
    open: isOpen(row.status),
    category,
    title: maskNamesIn(row.title, names.all),
    reportedAt: row.reported_at,
    updatedAt: row.updated_at,
    expectedAt: isOpen(row.status) ? (resolution?.dueAt ?? null) : null,
    slaStatus: sla.status,
    updates,
    lng: row.lng,
    lat: row.lat,
  };
}

/** The names each incident knows: its reporter, parties (named or registered), assigned workers, mediators and attendees. */
async function knownNames(db: Knex, ids: readonly string[]): Promise<Map<string, Names>> {
  const { rows } = await db.raw(
    `/* incidentKnownNames */ SELECT i.id,
       ARRAY(SELECT n FROM (
         SELECT i.reporter_name AS n
         UNION ALL SELECT coalesce(p.name, pe.name) FROM incident_party p LEFT JOIN person pe ON pe.id = p.person_id WHERE p.incident_id = i.id
         UNION ALL SELECT rp.name FROM person rp WHERE rp.id = i.reporter_person_id
         UNION ALL SELECT m.mediator FROM incident_mediation m WHERE m.incident_id = i.id
         UNION ALL SELECT s.mediator FROM incident_mediation_session s WHERE s.incident_id = i.id
         UNION ALL SELECT unnest(s.attendees) FROM incident_mediation_session s WHERE s.incident_id = i.id
       ) k WHERE n IS NOT NULL) AS names,
       coalesce((SELECT jsonb_object_agg(w.id, w.name) FROM grid_worker w
         WHERE w.id IN (SELECT (e.detail->>'assigneeWorkerId')::uuid FROM incident_event e WHERE e.incident_id = i.id AND e.detail->>'assigneeWorkerId' IS NOT NULL)), '{}') AS workers
     FROM incident i WHERE i.id = ANY(?::uuid[])`,
    [[...ids]],
  );
  return new Map(
    rows.map((r: { id: string; names: string[]; workers: Record<string, string> }) => {
      const workers = new Map(Object.entries(r.workers));
      return [r.id, { all: [...r.names, ...workers.values()], workers }];
    }),
  );
}
