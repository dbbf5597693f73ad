import type { Role } from '../../generated/graphql';

export const ROLES: readonly Role[] = ['ADMIN', 'GIS_EDITOR', 'DISPATCHER', 'GRID_WORKER', 'VIEWER'];

export interface AuthenticatedViewer {
  kind: 'user';
  subject: string;
  name: string | null;
  role: Role;
  /** Grid code the caller's authority covers (everything below it too); null = the whole deployment. */
  jurisdictionCode: string | null;
}

export type Viewer = AuthenticatedViewer | { kind: 'anonymous' };

export const ANONYMOUS: Viewer = { kind: 'anonymous' };

/**
 * Whether a grid code lies within the viewer's jurisdiction. Codes are hierarchical (each level appends
 * digits to its parent's code), so containment in the hierarchy is a prefix test.
 */
export function withinJurisdiction(viewer: AuthenticatedViewer, gridCode: string): boolean {
  return viewer.jurisdictionCode === null || gridCode.startsWith(viewer.jurisdictionCode);
}

/** Roles that work with workers' contact details as part of their job. */
const CONTACT_ROLES: ReadonlySet<Role> = new Set(['ADMIN', 'DISPATCHER', 'GIS_EDITOR', 'GRID_WORKER']);

export function maySeeWorkerPhone(viewer: Viewer, workerGridCodes: readonly string[]): boolean {
  if (viewer.kind !== 'user' || !CONTACT_ROLES.has(viewer.role)) return false;
  return workerGridCodes.some((code) => withinJurisdiction(viewer, code));
}

/** `13812345678` → `138****5678`: enough to recognise a number, not to call it. */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}
