import type { WorkerRole, WorkerStatus } from '../../generated/graphql';

export interface WorkerRow {
  id: string;
  name: string;
  phone: string;
  role: WorkerRole;
  status: WorkerStatus;
  /** Codes of the grids the worker is currently assigned to: decides whether the phone is shown. */
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
