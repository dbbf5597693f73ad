import type { ApiOperation, Role } from '../../generated/graphql';

export const ROLES: readonly Role[] = ['ADMIN', 'GIS_EDITOR', 'DISPATCHER', 'GRID_WORKER', 'VIEWER'];

export const API_OPERATIONS: readonly ApiOperation[] = [
  'RESOLVE_LOCATION',
  'READ_GRIDS',
  'EXPORT_GRIDS',
  'EDIT_GRIDS',
  'IMPORT_GRIDS',
  'MANAGE_WORKERS',
  'READ_FACILITIES',
  'RECORD_GATE_PASSAGES',
  'REPORT_INCIDENTS',
];

/** A person, signed in through a bearer token. */
export interface AuthenticatedViewer {
  kind: 'user';
  /** The token's `sub`: the account name, kept in history as who changed what. */
  subject: string;
  name: string | null;
  role: Role;
  /** Grid code the caller's authority covers (everything below it too); null = the whole deployment. */
  jurisdictionCode: string | null;
}

/** A machine (a gate controller, the 12345 hotline bridge, an Open311 client), signed in with an API key. */
export interface ServiceViewer {
  kind: 'service';
  keyId: string;
  /** `apikey:<name>`: what history records as the author of its changes. */
  subject: string;
  name: string;
  /** Exactly what the key may do; nothing else, not even what anonymous callers may. */
  operations: readonly ApiOperation[];
  jurisdictionCode: string | null;
}

/** Someone the API knows: what every write needs. */
export type Principal = AuthenticatedViewer | ServiceViewer;

export type Viewer = Principal | { kind: 'anonymous' };

export const ANONYMOUS: Viewer = { kind: 'anonymous' };

/** `13812345678` → `138****5678`: enough to recognise a number, not to call it. */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}
