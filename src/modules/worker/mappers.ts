import type { WorkerRole, WorkerStatus } from '../../generated/graphql';

export interface WorkerRow {
  id: string;
  name: string;
  phone: string;
  role: WorkerRole;
  status: WorkerStatus;
  /** Absent on rows from the resolve fast path (loaded when asked). */
  account?: string | null;
  version?: number;
  updated_at?: Date;
  changed_by?: string | null;
  /** Codes of the grids the worker is currently assigned to: decides who may see the phone and account. */
  grid_codes: string[];
}

export interface AssignmentRow {
  id: string;
  worker_id: string;
  grid_id: string;
  is_primary: boolean;
  valid_from: Date;
  valid_to: Date | null;
}

/** A row of `grid_worker_status`. */
export interface WorkerStatusRow {
  worker_id: string;
  status: WorkerStatus;
  valid_from: Date;
  valid_to: Date | null;
  changed_by: string | null;
  change_reason: string | null;
}

/** What a worker mutation returns: the payload loads the worker (and assignment) after the commit. */
export interface WorkerChangeSource {
  __typename?: string;
  workerId: string;
  assignmentId?: string;
}
