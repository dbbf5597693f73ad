import type { ApiOperation, IncidentAction, Role } from '../../generated/graphql';
import { forbidden, unauthenticated } from '../../errors';
import { english, msg, type Msg } from '../../i18n';
import type { AuthenticatedViewer, Principal, Viewer } from './viewer';

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
  | 'audit:read'
  /** Report an incident as staff (anywhere: it goes to the centre responsible where it lies). */
  | 'incident:report'
  /** Read incidents of the subject grids (responsible, reported-in, centre); reporters' contacts masked. */
  | 'incident:read'
  /** Read incident statistics (counts only, never a person) of the subject grid. */
  | 'incident:count'
  /** Accept, assign, reject, escalate, transfer, suspend, verify, close, merge incidents the subject centre owns. */
  | 'incident:dispatch'
  /** Add or change incident categories (the whole deployment's dictionary). */
  | 'incident:categorize'
  /** A resident's own report (扫码 / 随手拍, Open311): anyone, rate-limited per client (RESIDENT_REPORTS_PER_HOUR). */
  | 'incident:residentReport'
  /** Follow an incident by its tracking code (public part only): anyone, rate-limited (TRACKING_LOOKUPS_PER_MINUTE). */
  | 'incident:track';

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
  'incident:report': { what: 'report incidents', roles: PERSON_STAFF },
  'incident:read': { what: 'read incidents', roles: PERSON_STAFF, scope: 'within', anonymous: 'forbidden' },
  'incident:count': { what: 'read incident statistics', roles: [...PERSON_STAFF, 'VIEWER'], operation: 'READ_GRIDS', scope: 'within', anonymous: 'forbidden' },
  'incident:dispatch': { what: 'dispatch incidents', roles: ['ADMIN', 'DISPATCHER'], scope: 'within', anonymous: 'forbidden' },
  'incident:categorize': { what: 'edit incident categories', roles: ['ADMIN'], scope: 'within', anonymous: 'forbidden' },
  'incident:residentReport': { what: 'report as a resident', roles: 'everyone', operation: 'REPORT_INCIDENTS' },
  'incident:track': { what: 'follow incidents by tracking code', roles: 'everyone', operation: 'REPORT_INCIDENTS' },
};

/**
 * Fields that read beyond the object a root field answers with (a resolution's grids, a mutation's payload):
 * the tree around it, geometry, history, people. An API key needs READ_GRIDS to follow them, so a key that may
 * only resolve positions reads the resolution and nothing else (src/graphql/schema.ts applies this).
 */
export const SERVICE_READ_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Grid: [
    'parent', 'ancestors', 'children', 'boundary', 'history', 'workers', 'responsibleWorkers', 'coverage', 'staffing', 'changedBy',
    'changeReason', 'buildings', 'keyPlaces', 'organizations', 'inventory', 'people', 'population', 'householdCoverage', 'incidentStats',
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
    const what = msg(`action.${action}`);
    if (rule.roles !== 'everyone' && rule.roles.length === 0 && viewer.kind !== 'service') {
      // No role may (a gate system's passages): say what may, rather than listing no roles.
      const message = msg('auth.apiKeyOnly', { operation: rule.operation ?? '', what });
      throw viewer.kind === 'anonymous' ? unauthenticated(message) : forbidden(message);
    }
    if (viewer.kind === 'anonymous' && rule.anonymous === 'forbidden') throw forbidden(msg('auth.anonymousForbidden', { what, roles: roleList(rule) }));
    if (viewer.kind === 'anonymous') throw unauthenticated(msg('auth.tokenNeeded', { what, roles: roleList(rule) }));
    if (viewer.kind === 'service') throw forbidden(msg('auth.keyMayNot', { name: viewer.name, what, operations: viewer.operations.join(', ') }));
    throw forbidden(msg('auth.roleNeeded', { what, roles: roleList(rule), role: viewer.role }));
  }
  return viewer.kind === 'anonymous' ? null : viewer;
}

/**
 * Both halves: throws UNAUTHENTICATED or FORBIDDEN with a message that says what is missing; returns the
 * principal (every write records who made it). `what` names the subject in the message.
 */
export function assertPrincipal(viewer: Viewer, action: Action, subject: Subject = null, what?: string | Msg): Principal {
  const principal = assertPermitted(viewer, action);
  if (!principal) throw unauthenticated(msg('auth.tokenNeededPlain', { what: msg(`action.${action}`) }));
  const problem = scopeIssue(principal, action, subject, what);
  if (problem) throw forbidden(problem);
  return principal;
}

/** Why `subject` is out of the principal's reach for `action`, or null when it is within. */
export function scopeProblem(principal: Principal, action: Action, subject: Subject, what?: string | Msg): string | null {
  const issue = scopeIssue(principal, action, subject, what);
  return issue && english(issue);
}

/** `scopeProblem` as a catalogue message. */
export function scopeIssue(principal: Principal, action: Action, subject: Subject, what?: string | Msg): Msg | null {
  if (withinScope(principal, action, subject)) return null;
  const rule = RULES[action];
  const root = principal.jurisdictionCode!;
  const doing = msg(`action.${action}`);
  if (subject === null) return msg('auth.aboveJurisdiction', { subject: what ?? msg('auth.that'), root, what: doing });
  const codes = 'code' in subject ? [subject.code] : subject.codes;
  if (rule.scope === 'below' && codes.includes(root)) {
    return msg('auth.jurisdictionRoot', { subject: what ?? root, root, what: action === 'grid:change' ? msg('auth.changeIt') : doing });
  }
  return msg('auth.outsideJurisdiction', { subject: what ?? codes.join(', '), root });
}

function roleList(rule: Rule): Msg {
  return msg('auth.roles', { roles: rule.roles === 'everyone' ? '*' : rule.roles.join('|') });
}

// ---- incidents ----

/**
 * Who takes each step of an incident's lifecycle. `dispatch` steps belong to its centre: a DISPATCHER or ADMIN
 * whose jurisdiction covers the centre now owning it. `handle` steps belong to its assignee (the GRID_WORKER whose
 * worker record's `account` is the token's subject) and to the centre as well (a department's work recorded on its
 * behalf, a centre resolving a case itself).
 */
const INCIDENT_STEPS: Record<IncidentAction, 'dispatch' | 'handle'> = {
  REPORT: 'dispatch',
  ACCEPT: 'dispatch',
  ASSIGN: 'dispatch',
  RECORD_PROGRESS: 'handle',
  RESOLVE: 'handle',
  VERIFY: 'dispatch',
  CLOSE: 'dispatch',
  REJECT: 'dispatch',
  ESCALATE: 'handle',
  TRANSFER: 'dispatch',
  SUSPEND: 'dispatch',
  RESUME: 'dispatch',
  REOPEN: 'dispatch',
  MERGE: 'dispatch',
  RECATEGORIZE: 'dispatch',
  MEDIATION_SESSION: 'handle',
  MEDIATION_OUTCOME: 'handle',
};

/** What decides who may read or act on an incident. */
export interface IncidentAuthority {
  /** The code of the centre owning it now. */
  centreCode: string;
  /** The codes of its responsible grid, the grid it was reported in and its centre. */
  codes: readonly string[];
  /** The sign-in account of its assignee; null when nobody is assigned. */
  assigneeAccount: string | null;
}

/** Whether the caller is the incident's assignee (wherever their token's jurisdiction lies). */
export function isIncidentAssignee(viewer: Viewer, incident: Pick<IncidentAuthority, 'assigneeAccount'>): viewer is AuthenticatedViewer {
  return viewer.kind === 'user' && viewer.role === 'GRID_WORKER' && incident.assigneeAccount !== null && viewer.subject === incident.assigneeAccount;
}

/** Incidents are read by staff whose jurisdiction covers one of its grids, and by its assignee. */
export function mayReadIncident(viewer: Viewer, incident: IncidentAuthority): boolean {
  return isIncidentAssignee(viewer, incident) || can(viewer, 'incident:read', { codes: incident.codes });
}

/** Throws FORBIDDEN (UNAUTHENTICATED for anonymous callers) unless the caller may take `step`; returns them. */
export function assertIncidentStep(viewer: Viewer, step: IncidentAction, incident: IncidentAuthority, what: string): Principal {
  if (INCIDENT_STEPS[step] === 'handle' && isIncidentAssignee(viewer, incident)) return viewer;
  if (INCIDENT_STEPS[step] === 'handle' && viewer.kind === 'user' && viewer.role === 'GRID_WORKER') {
    throw forbidden(`only the grid worker ${what} is assigned to, or a dispatcher of its centre ${incident.centreCode}, may do that`);
  }
  return assertPrincipal(viewer, 'incident:dispatch', { code: incident.centreCode }, what);
}
