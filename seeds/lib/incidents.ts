import type { Knex } from 'knex';
import { PARTY_PHONE, REPORTER_PHONE } from '../../src/modules/incident/report';
import { isOpen } from '../../src/modules/incident/lifecycle';
import { sealPhone } from '../../src/modules/person/sealing';
import type { PiiCipher } from '../../src/shared/pii';
import { arrayLiteral, insertRows } from './bulk-insert';
import { planInputs } from './incident-places';
import { planIncidents, type IncidentsPlan, type PlannedIncident } from './incident-plan';
import type { StoryEvent } from './incident-story';
import { seededUuid } from './seed-sql';

/**
 * Writes the demo's incidents (incident-plan.ts) with multi-row INSERTs: the incidents (their grid by the
 * located-record trigger, as every report's), their timelines in order, parties, mediations and their sessions.
 * No trigger is turned off: whatever the database keeps from incidents and timelines (statistics) follows them.
 * Phones are sealed as report.ts seals a reporter's and a party's. No outbox rows: nobody must hear of history
 * (the SLA scheduler announces the open cases' breaches of the last day itself).
 */
export interface IncidentCounts {
  incidents: number;
  events: number;
  byStatus: Record<string, number>;
  open: number;
  resolved: number;
  escalated: number;
  mediations: number;
}

/** `now`: the instant the year runs up to; by default the seeding transaction's (`now()`, when the grids were written). */
export async function seedIncidents(trx: Knex.Transaction, plan: IncidentsPlan, codePrefix: string, cipher: PiiCipher, now?: Date): Promise<IncidentCounts> {
  await trx.raw('SET LOCAL statement_timeout = 0');
  const asOf: Date = now ?? (await trx.raw('/* demoIncidentsAsOf */ SELECT now() AS now')).rows[0].now;
  // Written in this transaction (no statistics yet): the routing rule's query below would loop over every assignment.
  for (const table of ['grid_assignment', 'grid_worker']) await trx.raw(`ANALYZE ${table}`);
  const planned = planIncidents(plan, await planInputs(trx, codePrefix, plan.seed), asOf);
  await keepOnTheirGrids(trx, planned);
  const sealedPhone = (phone: string | null, column: string) => (phone ? sealPhone(cipher, phone, column) : null);
  await insertRows(trx, 'seedIncidents', 'incident', planned, (p) => incidentRow(p, sealedPhone(p.reporter.phone, REPORTER_PHONE)));
  const events = planned.flatMap((p) => p.told.story.events.map((e) => ({ p, e })));
  await insertRows(trx, 'seedIncidentEvents', 'incident_event', events, ({ p, e }) => eventRow(p, e));
  const parties = planned.flatMap((p) => p.parties.map((party, n) => ({ p, party, n })));
  await insertRows(trx, 'seedIncidentParties', 'incident_party', parties, ({ p, party, n }) => {
    const phone = sealedPhone(party.phone, PARTY_PHONE);
    return {
      id: seededUuid(`incident-party:${p.trackingCode}:${n}`), incident_id: p.id, role: party.role, organization_id: party.organizationId, name: party.name,
      phone_sealed: phone?.sealed ?? null, phone_index: phone?.index ?? null, phone_masked: phone?.masked ?? null, created_at: iso(p.told.story.events[0].at),
    };
  });
  const mediated = planned.filter((p) => mediationOf(p));
  await insertRows(trx, 'seedIncidentMediations', 'incident_mediation', mediated, (p) => {
    const m = mediationOf(p)!;
    const outcome = m.outcome && m.outcome.seq <= p.state.version ? m.outcome : null;
    return {
      incident_id: p.id, mediator: m.mediator, outcome: outcome ? (outcome.agreement ? 'AGREEMENT_REACHED' : 'FAILED') : null, agreement_terms: outcome?.agreement ?? null,
      referral: outcome?.referral ?? null, outcome_at: outcome ? iso(outcome.at) : null, outcome_by: outcome?.by ?? null,
    };
  });
  const sessions = mediated.flatMap((p) => mediationOf(p)!.sessions.filter((s) => s.seq <= p.state.version).map((s) => ({ p, s })));
  await insertRows(trx, 'seedMediationSessions', 'incident_mediation_session', sessions, ({ p, s }) => ({
    id: seededUuid(`mediation-session:${p.trackingCode}:${s.seq}`), incident_id: p.id, event_seq: s.seq, mediator: s.mediator, held_at: iso(s.heldAt),
    place: s.place, attendees: arrayLiteral(s.attendees), created_by: s.actor, created_at: iso(p.told.story.events[s.seq - 1].at),
  }));
  // The lists' table: its queries planned on the rows just written (the embedded database runs no autovacuum).
  await trx.raw('ANALYZE incident');
  return countsOf(planned, events.length);
}

/** A position off a building that left the building's micro-grid goes back onto the building (its grid is the report's). */
async function keepOnTheirGrids(trx: Knex.Transaction, planned: PlannedIncident[]): Promise<void> {
  const moved = planned.map((p, n) => ({ p, n })).filter(({ p }) => p.offset);
  const { rows } = await trx.raw<{ rows: { n: number }[] }>(
    `/* demoIncidentsOffGrid */ SELECT u.n FROM unnest(:n::int[], :lng::float8[], :lat::float8[], :grid::uuid[]) AS u(n, lng, lat, grid)
     JOIN grid g ON g.id = u.grid WHERE NOT ST_Covers(g.boundary, ST_SetSRID(ST_MakePoint(u.lng, u.lat), 4326))`,
    { n: moved.map((m) => m.n), lng: moved.map((m) => positionOf(m.p).lng), lat: moved.map((m) => positionOf(m.p).lat), grid: moved.map((m) => m.p.at.place.microGridId) },
  );
  for (const { n } of rows) {
    planned[n].offset = null;
    planned[n].address = planned[n].at.address;
  }
}

function countsOf(planned: readonly PlannedIncident[], events: number): IncidentCounts {
  const byStatus: Record<string, number> = {};
  for (const p of planned) byStatus[p.state.status] = (byStatus[p.state.status] ?? 0) + 1;
  return {
    incidents: planned.length,
    events,
    byStatus,
    open: planned.filter((p) => isOpen(p.state.status)).length,
    resolved: planned.filter((p) => p.state.resolvedAt !== null).length,
    escalated: planned.filter((p) => p.state.escalationCount > 0).length,
    mediations: planned.filter((p) => mediationOf(p)).length,
  };
}

/** The mediation, when its first session happened before the seed's instant. */
function mediationOf(p: PlannedIncident) {
  const m = p.told.mediation;
  return m && m.sessions.length > 0 && m.sessions[0].seq <= p.state.version ? m : null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const point = (lng: number, lat: number) => `SRID=4326;POINT(${lng} ${lat})`;

function positionOf(p: PlannedIncident): { lng: number; lat: number } {
  return p.offset ? { lng: p.at.lng + p.offset.dLng, lat: p.at.lat + p.offset.dLat } : { lng: p.at.lng, lat: p.at.lat };
}

function incidentRow(p: PlannedIncident, phone: { sealed: Buffer; index: Buffer; masked: string } | null) {
  const s = p.state;
  const { lng, lat } = positionOf(p);
  const reportedAt = p.told.story.events[0].at;
  return {
    id: p.id, tracking_code: p.trackingCode, category_code: s.categoryCode, title: p.title, description: p.description, address: p.address,
    channel: p.channel, severity: p.severity, people_involved: p.peopleInvolved, occurred_at: iso(p.occurredAt),
    building_id: p.offset ? null : p.at.buildingId, key_place_id: p.at.keyPlaceId, location: point(lng, lat),
    reported_grid_id: p.at.place.microGridId, reported_grid_path: arrayLiteral(p.at.path), centre_grid_id: s.centreGridId, level: s.level,
    status: s.status, status_before_suspension: s.statusBeforeSuspension, assignee_worker_id: s.assigneeWorkerId,
    transferred_organization_id: s.transferredOrganizationId, merged_into_id: s.mergedIntoId,
    reporter_subject: p.reporter.subject, reporter_role: p.reporter.role, reporter_name: p.reporter.name,
    reporter_phone_sealed: phone?.sealed ?? null, reporter_phone_index: phone?.index ?? null, reporter_phone_masked: phone?.masked ?? null,
    satisfaction: s.satisfaction, escalation_count: s.escalationCount,
    sla_assign_minutes: s.minutes.assign, sla_first_progress_minutes: s.minutes.firstProgress, sla_resolve_minutes: s.minutes.resolve,
    sla_assign_due_at: iso(s.sla.assignDueAt?.getTime() ?? null), sla_progress_due_at: iso(s.sla.progressDueAt?.getTime() ?? null),
    sla_resolve_due_at: iso(s.sla.resolveDueAt?.getTime() ?? null), sla_orange_at: iso(s.sla.orangeAt?.getTime() ?? null), sla_red_at: iso(s.sla.redAt?.getTime() ?? null),
    reported_at: iso(reportedAt), accepted_at: iso(s.acceptedAt), assigned_at: iso(s.assignedAt), first_progress_at: iso(s.firstProgressAt),
    resolved_at: iso(s.resolvedAt), closed_at: iso(s.closedAt), suspended_total: `${s.suspendedTotalMs} milliseconds`, suspended_since: iso(s.suspendedSince),
    version: s.version, created_at: iso(reportedAt), updated_at: iso(s.updatedAt), updated_by: s.updatedBy,
  };
}

function eventRow(p: PlannedIncident, e: StoryEvent) {
  const { lng, lat } = positionOf(p);
  return {
    incident_id: p.id, seq: e.seq, action: e.action, from_status: e.from, to_status: e.to, actor: e.actor, actor_role: e.actorRole,
    at: iso(e.at), note: e.note, location: e.onSite ? point(lng, lat) : null, detail: JSON.stringify(e.detail),
  };
}
