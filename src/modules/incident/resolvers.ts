import type { Resolvers } from '../../generated/graphql';
import type { GridRow } from '../grid/mappers';
import { locatedFields } from '../location/fields';
import type { IncidentPage } from './mappers';

const connection = {
  edges: (c: IncidentPage) => c.rows.map((node) => ({ cursor: c.cursorOf(node), node })),
  nodes: (c: IncidentPage) => c.rows,
  pageInfo: (c: IncidentPage) => ({
    hasNextPage: c.hasNextPage,
    hasPreviousPage: false,
    startCursor: c.rows.length ? c.cursorOf(c.rows[0]) : null,
    endCursor: c.rows.length ? c.cursorOf(c.rows[c.rows.length - 1]) : null,
  }),
  totalCount: (c: IncidentPage) => c.totalCount(),
};

const HOUR = 60;
const DAY = 24 * HOUR;

export const incidentResolvers: Resolvers = {
  Query: {
    incident: (_, { id }, ctx) => ctx.services.incident.get(id),
    incidents: (_, args, ctx) => ctx.services.incident.list(args.filter, args),
    incidentCategories: (_, args, ctx) => ctx.services.incidentCategory.list(args.includeInactive ?? false),
  },
  Mutation: {
    reportIncident: (_, { input }, ctx) => ctx.services.incident.report(input),
    acceptIncident: (_, { input }, ctx) => ctx.services.incidentStep.accept(input),
    assignIncident: (_, { input }, ctx) => ctx.services.incidentStep.assign(input),
    recordProgress: (_, { input }, ctx) => ctx.services.incidentStep.recordProgress(input),
    resolveIncident: (_, { input }, ctx) => ctx.services.incidentStep.resolve(input),
    verifyIncident: (_, { input }, ctx) => ctx.services.incidentStep.verify(input),
    closeIncident: (_, { input }, ctx) => ctx.services.incidentStep.close(input),
    rejectIncident: (_, { input }, ctx) => ctx.services.incidentStep.reject(input),
    escalateIncident: (_, { input }, ctx) => ctx.services.incidentStep.escalate(input),
    transferIncident: (_, { input }, ctx) => ctx.services.incidentStep.transfer(input),
    suspendIncident: (_, { input }, ctx) => ctx.services.incidentStep.suspend(input),
    resumeIncident: (_, { input }, ctx) => ctx.services.incidentStep.resume(input),
    reopenIncident: (_, { input }, ctx) => ctx.services.incidentStep.reopen(input),
    mergeIncident: (_, { input }, ctx) => ctx.services.incidentStep.merge(input),
    recategorizeIncident: (_, { input }, ctx) => ctx.services.incidentStep.recategorize(input),
    recordMediationSession: (_, { input }, ctx) => ctx.services.incidentMediation.session(input),
    recordMediationOutcome: (_, { input }, ctx) => ctx.services.incidentMediation.outcome(input),
    setIncidentCategory: (_, { input }, ctx) => ctx.services.incidentCategory.set(input),
  },
  ReportIncidentPayload: { __resolveType: (p) => ('incidentId' in p ? 'ReportIncidentSuccess' : p.__typename) },
  IncidentPayload: { __resolveType: (p) => ('incidentId' in p ? 'IncidentSuccess' : p.__typename) },
  SetIncidentCategoryPayload: { __resolveType: (p) => p.__typename },
  // The caller has just acted on the incident: the payload shows it even where their reading stops (a worker who
  // escalated it out of their hands, a report outside the reporter's grid).
  IncidentSuccess: { incident: async (s, _, ctx) => (await ctx.loaders.incident.byId.load(s.incidentId))! },
  ReportIncidentSuccess: {
    incident: async (s, _, ctx) => s.incident ?? (await ctx.loaders.incident.byId.load(s.incidentId))!,
    possibleDuplicates: (s, _, ctx) => ctx.services.incident.readable(s.duplicateIds),
  },
  IncidentCategorySuccess: {
    category: async (s, _, ctx) => (await ctx.services.incidentCategory.list(true)).find((c) => c.code === s.code)!,
  },
  IncidentCategory: {
    parentCode: (c) => c.parent_code,
    parent: (c, _, ctx) => ctx.services.incidentCategory.parent(c),
    isDispute: (c) => c.is_dispute,
    assignWithinHours: (c) => c.assign_within_minutes / HOUR,
    firstProgressWithinHours: (c) => c.first_progress_within_minutes / HOUR,
    resolveWithinDays: (c) => c.resolve_within_minutes / DAY,
  },
  Incident: {
    ...locatedFields('Incident'),
    trackingCode: (r) => r.tracking_code,
    category: (r, _, ctx) => ctx.services.incident.category(r),
    peopleInvolved: (r) => r.people_involved,
    occurredAt: (r) => r.occurred_at,
    allowedActions: (r, _, ctx) => ctx.services.incident.allowedActions(r),
    reportedGrid: (r, _, ctx) => ctx.services.grid.byId(r.reported_grid_id),
    reportedChain: async (r, _, ctx) => {
      const ids = r.reported_grid_id ? [...r.reported_grid_path, r.reported_grid_id] : [];
      const grids = await ctx.loaders.grid.byId.loadMany(ids);
      return grids.filter((g): g is GridRow => g !== null && !(g instanceof Error));
    },
    centre: async (r, _, ctx) => (await ctx.services.grid.byId(r.centre_grid_id))!,
    escalationCount: (r) => r.escalation_count,
    assignee: (r, _, ctx) => (r.assignee_worker_id ? ctx.services.worker.byId(r.assignee_worker_id) : null),
    transferredTo: (r, _, ctx) => (r.transferred_organization_id ? ctx.services.organization.byId(r.transferred_organization_id) : null),
    mergedInto: (r, _, ctx) => ctx.services.incident.related(r.merged_into_id),
    building: (r, _, ctx) => (r.building_id ? ctx.services.place.buildingById(r.building_id) : null),
    keyPlace: (r, _, ctx) => (r.key_place_id ? ctx.services.place.keyPlaceById(r.key_place_id) : null),
    reporter: (r) => r,
    parties: (r, _, ctx) => ctx.services.incident.parties(r),
    photos: (r, _, ctx) => ctx.services.incident.photos(r),
    mediation: (r, _, ctx) => ctx.services.incident.mediation(r),
    timeline: (r, _, ctx) => ctx.services.incident.timeline(r),
    sla: (r, args, ctx) => ctx.services.incident.sla(r, args.at),
    possibleDuplicates: (r, _, ctx) => ctx.services.incident.duplicates(r),
    reportedAt: (r) => r.reported_at,
    acceptedAt: (r) => r.accepted_at,
    assignedAt: (r) => r.assigned_at,
    firstProgressAt: (r) => r.first_progress_at,
    resolvedAt: (r) => r.resolved_at,
    closedAt: (r) => r.closed_at,
    updatedAt: (r) => r.updated_at,
  },
  IncidentReporter: {
    subject: (r) => r.reporter_subject,
    role: (r) => r.reporter_role,
    name: (r) => r.reporter_name,
    phone: (r) => r.reporter_phone_masked,
    person: (r, _, ctx) => ctx.services.incident.person(r.reporter_person_id),
  },
  IncidentParty: {
    person: (p, _, ctx) => ctx.services.incident.person(p.person_id),
    organization: (p, _, ctx) => (p.organization_id ? ctx.services.organization.byId(p.organization_id) : null),
    phone: (p) => p.phone_masked,
  },
  IncidentPhoto: {
    contentType: (p) => p.content_type,
    seq: (p) => p.event_seq,
  },
  IncidentEvent: {
    fromStatus: (e) => e.from_status,
    toStatus: (e) => e.to_status,
    actorRole: (e) => e.actor_role,
    location: (e) => (e.lng === null || e.lat === null ? null : { lng: e.lng, lat: e.lat }),
    assignee: (e, _, ctx) => (e.detail.assigneeWorkerId ? ctx.services.worker.byId(e.detail.assigneeWorkerId) : null),
    organization: (e, _, ctx) => (e.detail.organizationId ? ctx.services.organization.byId(e.detail.organizationId) : null),
    mergedInto: (e, _, ctx) => ctx.services.incident.related(e.detail.mergedIntoId),
    reason: (e) => e.detail.reason ?? null,
    satisfaction: (e) => e.detail.satisfaction ?? null,
    level: (e) => e.detail.level ?? null,
    fromCategory: (e) => e.detail.fromCategory ?? null,
    toCategory: (e) => e.detail.toCategory ?? null,
  },
  Mediation: {
    sessions: (m, _, ctx) => ctx.services.incident.sessions(m.incident_id),
    agreementTerms: (m) => m.agreement_terms,
    outcomeAt: (m) => m.outcome_at,
  },
  MediationSession: {
    heldAt: (s) => s.held_at,
  },
  IncidentConnection: connection,
  Grid: {
    incidents: (g, args, ctx) => ctx.services.incident.ofGrid(g, args.filter, args),
    incidentQueue: (g, args, ctx) => ctx.services.incident.queue(g, args),
  },
};
