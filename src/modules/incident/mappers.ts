import type {
  HandlingLevel,
  IncidentAction,
  IncidentChannel,
  IncidentPartyRole,
  IncidentSeverity,
  IncidentStatus,
  MediationOutcome,
  MediationReferral,
  Satisfaction,
} from '../../generated/graphql';
import type { LocatedRow } from '../location/mappers';
import type { IncidentAuthority } from '../auth/policy';

/** A row of `incident` as the repository returns it (`node_type` 'Incident'), with what decides who may see it. */
export interface IncidentRow extends LocatedRow, IncidentAuthority {
  node_type: 'Incident';
  tracking_code: string;
  category_code: string;
  title: string;
  description: string | null;
  address: string | null;
  channel: IncidentChannel;
  severity: IncidentSeverity;
  people_involved: number | null;
  occurred_at: Date | null;
  building_id: string | null;
  key_place_id: string | null;
  reported_grid_id: string | null;
  reported_grid_path: string[];
  centre_grid_id: string;
  level: HandlingLevel;
  status: IncidentStatus;
  status_before_suspension: IncidentStatus | null;
  assignee_worker_id: string | null;
  transferred_organization_id: string | null;
  merged_into_id: string | null;
  reporter_subject: string | null;
  reporter_role: string | null;
  reporter_name: string | null;
  reporter_phone_masked: string | null;
  reporter_person_id: string | null;
  satisfaction: Satisfaction | null;
  escalation_count: number;
  sla_assign_minutes: number;
  sla_first_progress_minutes: number;
  sla_resolve_minutes: number;
  reported_at: Date;
  accepted_at: Date | null;
  assigned_at: Date | null;
  first_progress_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  suspended_since: Date | null;
}

/** A row of `incident_event`. */
export interface IncidentEventRow {
  incident_id: string;
  seq: number;
  action: IncidentAction;
  from_status: IncidentStatus | null;
  to_status: IncidentStatus;
  actor: string;
  actor_role: string | null;
  at: Date;
  note: string | null;
  lng: number | null;
  lat: number | null;
  detail: EventDetail;
}

/** What a timeline entry records beyond its columns (`incident_event.detail`). */
export interface EventDetail {
  assigneeWorkerId?: string;
  organizationId?: string;
  mergedIntoId?: string;
  reason?: string;
  satisfaction?: Satisfaction;
  level?: HandlingLevel;
  centreGridId?: string;
  fromCategory?: string;
  toCategory?: string;
  /** Other responsible workers told of an automatic assignment. */
  notifiedWorkerIds?: string[];
}

/** A row of `incident_category`. */
export interface CategoryRow {
  code: string;
  name: string;
  parent_code: string | null;
  assign_within_minutes: number;
  first_progress_within_minutes: number;
  resolve_within_minutes: number;
  is_dispute: boolean;
  active: boolean;
  sort: number;
}

export interface PartyRow {
  id: string;
  incident_id: string;
  role: IncidentPartyRole;
  person_id: string | null;
  organization_id: string | null;
  name: string | null;
  phone_masked: string | null;
}

export interface PhotoRow {
  incident_id: string;
  event_seq: number;
  url: string;
  content_type: string;
  bytes: number | null;
}

export interface MediationRow {
  incident_id: string;
  mediator: string;
  outcome: MediationOutcome | null;
  agreement_terms: string | null;
  referral: MediationReferral | null;
  outcome_at: Date | null;
}

export interface MediationSessionRow {
  incident_id: string;
  mediator: string;
  held_at: Date;
  place: string;
  attendees: string[];
  note: string | null;
}

/** What an incident mutation returns: the payload loads the incident after the commit. */
export interface IncidentChangeSource {
  __typename: 'IncidentSuccess';
  incidentId: string;
}

/** What `reportIncident` returns. */
export interface ReportSource {
  __typename: 'ReportIncidentSuccess';
  incidentId: string;
  /**
   * The incident as committed, read in the report's own transaction: answering needs no connection after the
   * commit, so a busy pool cannot turn a report that was filed into an error inviting a retry (a duplicate).
   */
  incident?: IncidentRow;
  trackingCode: string;
  duplicateIds: string[];
}

export interface CategoryChangeSource {
  __typename: 'IncidentCategorySuccess';
  code: string;
}

/** What an `IncidentConnection` resolves from. */
export interface IncidentPage {
  rows: IncidentRow[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
  cursorOf: (row: IncidentRow) => string;
}

/** What `Incident.sla` resolves from. */
export type { Sla as SlaSource } from './sla';
