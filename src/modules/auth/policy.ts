import type { ApiOperation, Role } from '../../generated/graphql';
import { forbidden, unauthenticated } from '../../errors';
import type { Principal, Viewer } from './viewer';

/**
 * Who may do what: the one place that decides roles, API-key operations and jurisdiction, for every read and
 * write. Services ask `assertPermitted(viewer, action)` / `assertPrincipal(viewer, action, subject)` first
 * thing (AUTH) and `can(...)` for field visibility; nothing else in the code base compares roles or grid codes
 * for authority.
 *
 * Jurisdiction is a grid: its code and everything below it. Codes extend their parent's by whole 3-digit
 * segments after a 6-digit district (GB/T 2260 + street + community + grid + micro-grid), so containment is
 * a prefix test on whole segments: a jurisdiction "1301050" (7 digits) is not a grid code and matches nothing.
 */
export type Action =
  /** Read grids, their workers (masked) and coverage figures. */
  | 'grid:read'
  /** Resolve a position to its grid and responsible worker. */
  | 'grid:resolve'
  /** Stream grids as GeoJSON. */
  | 'grid:export'
  /** Create a grid under the subject (the parent; null: a new district). */
  | 'grid:create'
  /** Redraw, rename, recode, move, retire, split or merge the subject (an existing grid). */
  | 'grid:change'
  /** Import grids; each feature is then checked as a create or a change. */
  | 'grid:import'
  /** See who changed a grid and why (staff user names, free text). */
  | 'grid:audit'
  /** Create, edit, assign and set the status of workers of the subject grid(s). */
  | 'worker:manage'
  /** See a worker's phone number in clear. */
  | 'worker:contact'
  /** See a worker's sign-in account. */
  | 'worker:account'
  /** Create, list and revoke API keys (within the subject's jurisdiction). */
  | 'apikey:manage'
  /** Read buildings, houses (without occupants), key places and organisations (contacts masked). */
  | 'place:read'
  /** Create, edit and retire buildings, houses and key places in the subject grid. */
  | 'place:edit'
  /** Create, edit and retire organisations in the subject grid. */
  | 'organization:edit'
  /** See an organisation's contact phone in clear. */
  | 'organization:contact'
  /** Read facilities (cameras, gates, ...: security data) of the subject grid, and camera coverage. */
  | 'facility:read'
  /** Create, edit and retire facilities in the subject grid. */
  | 'facility:edit'
  /** Read people of the subject grid: names, masked numbers, group tags (never clear personal values). */
  | 'person:read'
  /** Register, update, move and tag people of the subject grid, log visits, set house owners. */
  | 'person:edit'
  /** See a person's personal values in clear (each reveal writes an audit row). */
  | 'person:reveal'
  /** Erase a person's personal values for good (PIPL art. 47). */
  | 'person:erase'
  /** Import people from a spreadsheet (each row is then checked against its house's grid). */
  | 'person:import'
  /** Read population figures (counts only, no person) of the subject grid. */
  | 'person:count'
  /** Confirm or reject tenants' self-registrations of the subject grid. */
  | 'tenant:decide'
  /** Submit a tenant's self-registration (a building's QR code: anyone, rate-limited). */
  | 'tenant:register'
  /** Report a passage through a gate of the subject grid (the gate system). */
  | 'gate:pass'
  /** Read the audit log of personal data. */
  | 'audit:read';

/** What an action is about, for the jurisdiction test: grid code(s), or null for "the whole deployment". */
export type Subject = { code: string } | { codes: readonly string[] } | null;

/** The subject of a record by the code of its grid; null (the whole deployment) for a record outside every grid. */
export const codeSubject = (code: string | null | undefined): Subject => (code ? { code } : null);

interface Rule {
  /** What the action is, for messages: "edit grids". */
  what: string;
  /** Roles allowed; 'everyone' includes anonymous callers. */
  roles: readonly Role[] | 'everyone';
  /** The API-key operation that grants it; absent: no key may. */
  operation?: ApiOperation;
  /**
   * How the subject must relate to the caller's jurisdiction: `within` (the root itself or below it) or
   * `below` (strictly below: a scoped caller may not change or retire their own root, which would hand their
   * authority to whoever holds a token for its new code).
   */
  scope?: 'within' | 'below';
  /**
   * `forbidden`: an anonymous caller is refused FORBIDDEN (not asked to sign in): personal data is no one's
   * business without a role, and a client must not treat it as an empty list either.
   */
  anonymous?: 'forbidden';
}

const STAFF: readonly Role[] = ['ADMIN', 'GIS_EDITOR', 'DISPATCHER', 'GRID_WORKER'];
const EDITORS: readonly Role[] = ['ADMIN', 'GIS_EDITOR'];
/** Who works with people by name (within their jurisdiction): VIEWER and GIS_EDITOR see counts only. */
const PERSON_STAFF: readonly Role[] = ['ADMIN', 'DISPATCHER', 'GRID_WORKER'];

const RULES: Record<Action, Rule> = {
  'grid:read': { what: 'read grids', roles: 'everyone', operation: 'READ_GRIDS' },
  'grid:resolve': { what: 'resolve locations', roles: 'everyone', operation: 'RESOLVE_LOCATION' },
  'grid:export': { what: 'export grids', roles: 'everyone', operation: 'EXPORT_GRIDS' },
  'grid:create': { what: 'draw grids', roles: EDITORS, operation: 'EDIT_GRIDS', scope: 'within' },
  'grid:change': { what: 'edit grids', roles: EDITORS, operation: 'EDIT_GRIDS', scope: 'below' },
  'grid:import': { what: 'import grids', roles: EDITORS, operation: 'IMPORT_GRIDS' },
  'grid:audit': { what: 'see who changed grids', roles: STAFF },
  'worker:manage': { what: 'manage grid workers', roles: ['ADMIN', 'DISPATCHER'], operation: 'MANAGE_WORKERS', scope: 'within' },
  'worker:contact': { what: "see workers' phone numbers", roles: STAFF, operation: 'MANAGE_WORKERS', scope: 'within' },
  'worker:account': { what: "see workers' accounts", roles: ['ADMIN', 'DISPATCHER'], operation: 'MANAGE_WORKERS', scope: 'within' },
  'apikey:manage': { what: 'manage API keys', roles: ['ADMIN'], scope: 'within' },
  'place:read': { what: 'read places and organisations', roles: 'everyone', operation: 'READ_GRIDS' },
  'place:edit': { what: 'edit buildings, houses and key places', roles: ['ADMIN', 'DISPATCHER', 'GIS_EDITOR'], scope: 'within' },
  'organization:edit': { what: 'edit organisations', roles: ['ADMIN', 'DISPATCHER'], scope: 'within' },
  'organization:contact': { what: "see organisations' contact phones", roles: STAFF, operation: 'MANAGE_WORKERS', scope: 'within' },
  'facility:read': { what: 'read facilities', roles: STAFF, operation: 'READ_FACILITIES', scope: 'within' },
  'facility:edit': { what: 'edit facilities', roles: ['ADMIN', 'DISPATCHER'], scope: 'within' },
  'person:read': { what: 'read people', roles: PERSON_STAFF, scope: 'within', anonymous: 'forbidden' },
  'person:edit': { what: 'register and update people', roles: PERSON_STAFF, scope: 'within', anonymous: 'forbidden' },
  'person:reveal': { what: "see people's personal values in clear", roles: PERSON_STAFF, scope: 'within', anonymous: 'forbidden' },
  'person:erase': { what: 'erase people', roles: ['ADMIN'], scope: 'within', anonymous: 'forbidden' },
  'person:import': { what: 'import people', roles: ['ADMIN', 'DISPATCHER'], scope: 'within', anonymous: 'forbidden' },
  'person:count': { what: 'read population figures', roles: [...STAFF, 'VIEWER'], operation: 'READ_GRIDS', scope: 'within', anonymous: 'forbidden' },
  'tenant:decide': { what: "decide on tenants' registrations", roles: PERSON_STAFF, scope: 'within', anonymous: 'forbidden' },
  'tenant:register': { what: 'register as a tenant', roles: 'everyone' },
  'gate:pass': { what: 'record gate passages', roles: [], operation: 'RECORD_GATE_PASSAGES', scope: 'within' },
  'audit:read': { what: 'read the audit log', roles: ['ADMIN'], scope: 'within', anonymous: 'forbidden' },
};

/**
 * Fields that read beyond the object a root field answers with (a resolution's grids, a mutation's payload):
 * the tree around it, geometry, history, people. An API key needs READ_GRIDS to follow them, so a key that may
 * only resolve positions reads the resolution and nothing else (src/graphql/schema.ts applies this).
 */
export const SERVICE_READ_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Grid: [
    'parent', 'ancestors', 'children', 'boundary', 'history', 'workers', 'responsibleWorkers', 'coverage', 'staffing', 'changedBy',
    'changeReason', 'buildings', 'keyPlaces', 'organizations', 'inventory', 'people', 'population', 'householdCoverage',
  ],
  House: ['residents', 'households', 'owners'],
  GridVersion: ['parent', 'boundary'],
  GridWorker: ['assignments', 'statusHistory'],
  GridAssignment: ['grid', 'worker'],
  Viewer: ['jurisdiction'],
  ApiKey: ['jurisdiction'],
};

/** A grid code: a 6-digit district followed by whole 3-digit segments (street, community, grid, micro-grid). */
export const GRID_CODE = /^\d{6}(?:\d{3}){0,4}$/;

/**
 * Whether `code` lies in the jurisdiction rooted at `root` (null: everywhere). `below` excludes the root
 * itself. Only whole segments match: both must be grid codes and `code` must extend `root`.
 */
export function inJurisdiction(root: string | null, code: string, scope: 'within' | 'below' = 'within'): boolean {
  if (root === null) return true;
  if (!GRID_CODE.test(root) || !GRID_CODE.test(code) || !code.startsWith(root)) return false;
  return scope === 'within' || code.length > root.length;
}

function allows(viewer: Viewer, rule: Rule): boolean {
  if (viewer.kind === 'service') return rule.operation !== undefined && viewer.operations.includes(rule.operation);
  if (rule.roles === 'everyone') return true;
  return viewer.kind === 'user' && rule.roles.includes(viewer.role);
}

/**
 * The jurisdiction half of a decision: whether `subject` lies where the principal's authority reaches, as
 * `action` requires (the root itself included or not). Imports ask it feature by feature.
 */
export function withinScope(principal: Principal, action: Action, subject: Subject): boolean {
  const rule = RULES[action];
  if (!rule.scope) return true;
  const root = principal.jurisdictionCode;
  if (root === null) return true;
  if (subject === null) return false; // the whole deployment, or a new district: above any scoped caller
  const codes = 'code' in subject ? [subject.code] : subject.codes;
  return codes.some((code) => inJurisdiction(root, code, rule.scope));
}

/** Whether the viewer may do `action` on `subject` (field visibility, per-row decisions). */
export function can(viewer: Viewer, action: Action, subject: Subject = null): boolean {
  const rule = RULES[action];
  if (!allows(viewer, rule)) return false;
  if (viewer.kind === 'anonymous') return !rule.scope;
  return withinScope(viewer, action, subject);
}

/**
 * The role (or API-key operation) half: throws UNAUTHENTICATED for an anonymous caller where one is needed,
 * FORBIDDEN otherwise, before anything is read. Returns the principal, or null for an anonymous caller of a
 * public action.
 */
export function assertPermitted(viewer: Viewer, action: Action): Principal | null {
  const rule = RULES[action];
  if (!allows(viewer, rule) || (viewer.kind === 'anonymous' && rule.scope)) {
    if (rule.roles !== 'everyone' && rule.roles.length === 0 && viewer.kind !== 'service') {
      // No role may (a gate system's passages): say what may, rather than listing no roles.
      const message = `only an API key with operation ${rule.operation} may ${rule.what} (Authorization: ApiKey <key>)`;
      throw viewer.kind === 'anonymous' ? unauthenticated(message) : forbidden(message);
    }
    if (viewer.kind === 'anonymous' && rule.anonymous === 'forbidden') {
      throw forbidden(`anonymous callers may not ${rule.what}: sign in with a bearer token (role ${roleList(rule)})`);
    }
    if (viewer.kind === 'anonymous') throw unauthenticated(`to ${rule.what} you need a bearer token (role ${roleList(rule)})`);
    if (viewer.kind === 'service') {
      throw forbidden(`this API key (${viewer.name}) may not ${rule.what}: its operations are ${viewer.operations.join(', ') || 'none'}`);
    }
    throw forbidden(`to ${rule.what} you need role ${roleList(rule)}; yours is ${viewer.role}`);
  }
  return viewer.kind === 'anonymous' ? null : viewer;
}

/**
 * Both halves: throws UNAUTHENTICATED or FORBIDDEN with a message that says what is missing; returns the
 * principal (every write records who made it). `what` names the subject in the message.
 */
export function assertPrincipal(viewer: Viewer, action: Action, subject: Subject = null, what?: string): Principal {
  const principal = assertPermitted(viewer, action);
  if (!principal) throw unauthenticated(`to ${RULES[action].what} you need a bearer token`);
  const problem = scopeProblem(principal, action, subject, what);
  if (problem) throw forbidden(problem);
  return principal;
}

/** Why `subject` is out of the principal's reach for `action`, or null when it is within. */
export function scopeProblem(principal: Principal, action: Action, subject: Subject, what?: string): string | null {
  if (withinScope(principal, action, subject)) return null;
  const rule = RULES[action];
  const root = principal.jurisdictionCode!;
  if (subject === null) {
    return `${what ?? 'that'} lies above your jurisdiction (${root}); only someone with the whole deployment may ${rule.what} there`;
  }
  const codes = 'code' in subject ? [subject.code] : subject.codes;
  if (rule.scope === 'below' && codes.includes(root)) {
    return `${what ?? root} is the root of your jurisdiction (${root}): only someone above it may ${rule.what === 'edit grids' ? 'change it' : rule.what}`;
  }
  return `${what ?? codes.join(', ')} lies outside your jurisdiction (${root})`;
}

function roleList(rule: Rule): string {
  return rule.roles === 'everyone' ? 'any' : rule.roles.join(' or ');
}
