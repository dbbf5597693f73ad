import type {
  AttentionLevel,
  AuditAction,
  Gender,
  PersonField,
  PersonStatus,
  PersonTag,
  RegistrationStatus,
  RelationToHead,
  ResidenceType,
} from '../../generated/graphql';

/**
 * Row types the population registry's GraphQL types resolve from. Dates without a time (`*_on`, `birth_date`)
 * are selected as text (`YYYY-MM-DD`), as the Date scalar carries them; no sealed value is ever part of a row
 * a resolver sees: rows carry the masked forms, and only the reveal service opens sealed columns.
 */

/** A row of `person` (alias `p`) with its house's building and that building's grid. */
export interface PersonRow {
  node_type: 'Person';
  id: string;
  /** Null once erased. */
  name: string | null;
  gender: Gender;
  /** YYYY-MM-DD; null once erased. */
  birth_date: string | null;
  birth_year: number;
  ethnicity: string | null;
  id_number_masked: string | null;
  phone_masked: string | null;
  residence_type: ResidenceType;
  registered_address: string | null;
  house_id: string;
  building_id: string;
  /** The building's grid now (null outside every grid). */
  grid_id: string | null;
  /** That grid's code: the person's jurisdiction. */
  grid_code: string | null;
  household_id: string | null;
  relation_to_head: RelationToHead | null;
  status: PersonStatus;
  moved_in_on: string | null;
  moved_out_on: string | null;
  deceased_on: string | null;
  arrived_on: string | null;
  arrival_reason: string | null;
  permit_masked: string | null;
  permit_expires_on: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  updated_by: string | null;
  erased_at: Date | null;
}

export interface PersonPage {
  rows: PersonRow[];
  hasNextPage: boolean;
  /** Counted only when asked for. */
  totalCount: () => Promise<number>;
  /** The cursor of a row (the list's order key). */
  cursorOf: (row: PersonRow) => string;
}

/** A row of `household`, with its house's building grid code (jurisdiction). */
export interface HouseholdRow {
  node_type: 'Household';
  id: string;
  number: string;
  house_id: string;
  grid_code: string | null;
  version: number;
  created_at: Date;
}

/** A row of `person_tag` (never its sealed details). */
export interface PersonTagRow {
  id: string;
  person_id: string;
  tag: PersonTag;
  since: string | null;
  has_details: boolean;
  attention_level: AttentionLevel | null;
  responsible_worker_id: string | null;
  visit_interval_days: number | null;
  last_visit_at: Date | null;
  next_visit_due: string | null;
  /** Days past next_visit_due today (0 when not late). */
  days_overdue: number;
  created_at: Date;
}

/** A special-group tag with its follow-up plan (the tag row itself, when it has one). */
export type FollowUpSource = PersonTagRow & { next_visit_due: string; attention_level: AttentionLevel; visit_interval_days: number };

/** A row of `visit`, its note opened for a caller who may read the person. */
export interface VisitRow {
  node_type: 'Visit';
  id: string;
  person_id: string;
  tag: PersonTag | null;
  worker_id: string | null;
  visited_at: Date;
  note: string | null;
  lng: number | null;
  lat: number | null;
  grid_id: string | null;
  created_at: Date;
}

export interface VisitPage {
  rows: VisitRow[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
  /** The cursor of a row (the list's order key). */
  cursorOf: (row: VisitRow) => string;
}

export interface OverdueVisitRow {
  person: PersonRow;
  tag: PersonTagRow;
}

export interface OverdueVisitPage {
  rows: OverdueVisitRow[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
  /** The cursor of a row (the list's order key). */
  cursorOf: (row: OverdueVisitRow) => string;
}

export interface ResidenceRow {
  house_id: string;
  moved_in_on: string | null;
  moved_out_on: string | null;
}

export interface GateAccessRow {
  person_id: string;
  building_id: string;
  granted_at: Date;
  last_passage_at: Date | null;
  revoked_at: Date | null;
  /** granted_at or last_passage_at, whichever is later, plus the configured lapse. */
  expires_at: Date;
  active: boolean;
}

export interface TenantRegistrationRow {
  node_type: 'TenantRegistration';
  id: string;
  building_id: string;
  unit: number | null;
  room: string;
  /** The current house at building, unit and room, when the registry has one. */
  house_id: string | null;
  name: string | null;
  gender: Gender | null;
  id_number_masked: string | null;
  phone_masked: string | null;
  status: RegistrationStatus;
  submitted_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
  rejection_reason: string | null;
  person_id: string | null;
  version: number;
  /** The building's grid code (who may decide). */
  grid_code: string | null;
}

export interface TenantRegistrationPage {
  rows: TenantRegistrationRow[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
}

export interface AuditEntryRow {
  id: string;
  at: Date;
  actor: string;
  role: string | null;
  action: AuditAction;
  subject_type: string | null;
  subject_id: string | null;
  fields: PersonField[];
  reason: string;
  request_id: string | null;
  detail: unknown;
}

export interface AuditEntryPage {
  rows: AuditEntryRow[];
  hasNextPage: boolean;
}

/** Population figures of a subtree (or the caller's whole jurisdiction). */
export interface PopulationSource {
  total: number;
  byResidenceType: { residenceType: ResidenceType; count: number }[];
  households: number;
  housesOccupied: number;
  housesVacant: number;
  bySpecialGroup: { tag: PersonTag; count: number }[];
  byCareGroup: { tag: PersonTag; count: number }[];
  aged60Plus: number;
  under18: number;
}

export interface HouseholdCoverageSource {
  min: number;
  max: number;
  microGrids: number;
  within: number;
  outside: { gridId: string; households: number }[];
}

/** What a successful person mutation resolves from: the person's id, read again after the write. */
export interface PersonChangeSource {
  personId: string;
}

export interface HouseOwnersChangeSource {
  houseId: string;
}

export interface RevealSource {
  personId: string;
  idNumber?: string | null;
  phone?: string | null;
  birthDate?: string | null;
  permitNumber?: string | null;
  groupDetails?: { tag: PersonTag; details: string | null }[];
  auditId: string;
}

export interface VisitChangeSource {
  visitId: string;
  tagId: string;
}

export interface TenantRegistrationChangeSource {
  registrationId: string;
}
