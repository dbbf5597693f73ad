import type { Context } from '../../context';
import { badInput, forbidden } from '../../errors';
import { msg } from '../../i18n';
import type { AuditFilter, ErasePersonInput, PersonField, RevealPersonInput } from '../../generated/graphql';
import { decodeCursor, expectGlobalId, fromGlobalId, pageSize, UUID } from '../../graphql/relay';
import { notFound, Problems, runEdit, validationError, type NotFoundSource, type ProblemRow, type ValidationErrorSource } from '../../shared/payload';
import { assertPermitted, assertPrincipal, codeSubject, GRID_CODE } from '../auth/policy';
import { lockResolution } from '../location/repo';
import { writeAudit } from './audit-repo';
import { bad } from './group-checks';
import type { AuditEntryPage, PersonChangeSource, RevealSource } from './mappers';
import * as repo from './privacy-repo';
import { cipherFor, SEALED } from './sealing';

const MIN_REASON = 4;
const MAX_REASON = 500;
const MAX_ACTOR = 200;

/** The audit log's subject types by the Node type of a global id (`AuditEntry.subjectId` answers with these). */
export const AUDIT_SUBJECT_NODE_TYPES: Readonly<Record<string, string>> = {
  person: 'Person',
  visit: 'Visit',
  tenant_registration: 'TenantRegistration',
  incident: 'Incident',
};
const SUBJECT_TYPE_OF_NODE: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(AUDIT_SUBJECT_NODE_TYPES).map(([t, n]) => [n, t]));

/** Every personal value a person row (and their tags) can hold, in the order of `PersonField`. */
const ERASABLE: readonly [PersonField, keyof repo.ErasablePersonRow][] = [
  ['ID_NUMBER', 'has_id_number'],
  ['PHONE', 'has_phone'],
  ['BIRTH_DATE', 'has_birth_date'],
  ['PERMIT_NUMBER', 'has_permit'],
  ['GROUP_DETAILS', 'has_group_details'],
];

type RevealResult = (RevealSource & { __typename: 'RevealedPerson' }) | ValidationErrorSource | NotFoundSource;
type EraseResult = (PersonChangeSource & { __typename: 'PersonSuccess' }) | ValidationErrorSource | NotFoundSource;

/**
 * Reveals, erasure and the audit log (GB/T 35273 §7, PIPL art. 47). A reveal opens the sealed values asked for
 * and writes its audit row in one transaction: no clear value leaves without its row, and no row stays for a
 * reveal that failed. Erasure clears every personal value for good and keeps an anonymous stub for statistics.
 *
 * Who reads the audit log: ADMINs. One with a jurisdiction sees the rows of their own doing and the rows whose
 * subject (a person, a person's tag or visit, a tenant registration) lies in their jurisdiction now; imports and
 * exports of others (no subject) and rows about people elsewhere are left out.
 */
export class PrivacyService {
  constructor(private readonly ctx: Context) {}

  async reveal(input: RevealPersonInput): Promise<RevealResult> {
    // AUTH (the role; the jurisdiction once the person is read)
    assertPermitted(this.ctx.viewer, 'person:reveal');
    const id = expectGlobalId(input.id, 'Person', 'input.id');
    const seen = await this.ctx.services.person.byIdForNode(id);
    if (!seen) return notFound(input.id, 'person');
    assertPrincipal(this.ctx.viewer, 'person:reveal', codeSubject(seen.grid_code), 'this person');
    // VALIDATION
    const problems = new Problems();
    const reason = checkReason(input.reason, problems);
    const fields = checkFields(input.fields, problems);
    if (seen.erased_at) problems.add(erased('reveal'));
    if (problems.any) return validationError(problems);
    // RESOLUTION: read again under a share lock, so an erasure running meanwhile is either before or after.
    return runEdit<RevealResult>(this.ctx, async (trx) => {
      const row = await repo.sealedPerson(trx, id);
      if (!row) return notFound(input.id, 'person');
      const principal = assertPrincipal(this.ctx.viewer, 'person:reveal', codeSubject(row.grid_code), 'this person');
      if (row.erased_at) return validationError([erased('reveal')]);
      const cipher = cipherFor(this.ctx.config);
      const open = (value: Buffer | null, context: string) => (value ? cipher.open(value, context) : null);
      const out: RevealSource = { personId: id, auditId: '' };
      for (const field of fields) {
        if (field === 'ID_NUMBER') out.idNumber = open(row.id_number_sealed, SEALED.idNumber);
        else if (field === 'PHONE') out.phone = open(row.phone_sealed, SEALED.phone);
        else if (field === 'BIRTH_DATE') out.birthDate = row.birth_date;
        else if (field === 'PERMIT_NUMBER') out.permitNumber = open(row.permit_sealed, SEALED.permit);
        else out.groupDetails = (await repo.sealedTagDetails(trx, id)).map((t) => ({ tag: t.tag, details: open(t.details_sealed, SEALED.tagDetails) }));
      }
      out.auditId = await writeAudit(trx, this.ctx, principal, { action: 'REVEAL', subjectType: 'person', subjectId: id, fields, reason });
      return { __typename: 'RevealedPerson', ...out };
    });
  }

  async erase(input: ErasePersonInput): Promise<EraseResult> {
    // AUTH (the role; the jurisdiction once the person is read)
    assertPermitted(this.ctx.viewer, 'person:erase');
    const id = expectGlobalId(input.id, 'Person', 'input.id');
    const seen = await this.ctx.services.person.byIdForNode(id);
    if (!seen) return notFound(input.id, 'person');
    assertPrincipal(this.ctx.viewer, 'person:erase', codeSubject(seen.grid_code), 'this person');
    // VALIDATION
    const problems = new Problems();
    const reason = checkReason(input.reason, problems);
    if (seen.erased_at) problems.add(erased('erase'));
    if (problems.any) return validationError(problems);
    // RESOLUTION: the grids of the building first (as grid edits take them), then the person's row.
    return runEdit<EraseResult>(this.ctx, async (trx) => {
      const position = await repo.buildingPositionOfPerson(trx, id);
      if (!position) return notFound(input.id, 'person');
      await lockResolution(trx, position);
      const row = await repo.lockErasablePerson(trx, id);
      if (!row) return notFound(input.id, 'person');
      const principal = assertPrincipal(this.ctx.viewer, 'person:erase', codeSubject(row.grid_code), 'this person');
      if (row.erased_at) return validationError([erased('erase')]);
      const fields = ERASABLE.filter(([, has]) => row[has]).map(([field]) => field);
      const counts = await repo.erasePersonalValues(trx, row, principal.subject);
      await writeAudit(trx, this.ctx, principal, { action: 'ERASE', subjectType: 'person', subjectId: id, fields, reason, detail: { ...counts } });
      return { __typename: 'PersonSuccess', personId: id };
    });
  }

  async auditLog(filter: AuditFilter | null | undefined, first: number | null | undefined, after: string | null | undefined): Promise<AuditEntryPage> {
    // AUTH: ADMIN; the jurisdiction narrows the rows (see the class comment).
    const principal = assertPermitted(this.ctx.viewer, 'audit:read');
    if (!principal) throw forbidden(msg('privacy.anonymousAudit'));
    // VALIDATION (arguments of a query: BAD_USER_INPUT)
    const limit = pageSize(first);
    const f = filter ?? {};
    const list: repo.AuditListFilter = { actor: null, subjectId: null, subjectType: null, actions: f.action?.length ? [...f.action] : null, from: f.from ?? null, to: f.to ?? null, scope: null };
    if (f.actor != null) {
      const actor = f.actor.trim();
      if (!actor || actor.length > MAX_ACTOR) throw badInput(msg('privacy.actor', { max: MAX_ACTOR }), 'filter.actor');
      list.actor = actor;
    }
    if (f.subjectId != null) Object.assign(list, auditSubject(f.subjectId));
    if (list.from && list.to && list.from > list.to) {
      throw badInput(msg('privacy.fromAfterTo', { from: list.from.toISOString(), to: list.to.toISOString() }), 'filter.from');
    }
    if (principal.jurisdictionCode !== null) {
      list.scope = { actor: principal.subject, rootCode: GRID_CODE.test(principal.jurisdictionCode) ? principal.jurisdictionCode : null };
    }
    const afterId = after ? auditCursor(after) : null;
    const rows = await repo.pageOfAudit(this.ctx.db, list, afterId, limit + 1);
    return { rows: rows.slice(0, limit), hasNextPage: rows.length > limit };
  }

  auditEntry(id: string) {
    return repo.auditEntryById(this.ctx.db, id);
  }
}

/** The reason kept in the audit row: trimmed, 4–500 characters. */
export function checkReason(reason: string, problems: Problems): string {
  const trimmed = reason.trim();
  if (trimmed.length < MIN_REASON) {
    problems.add(bad('input.reason', msg('privacy.reasonShort', { min: MIN_REASON, got: trimmed.length })));
  } else if (trimmed.length > MAX_REASON) {
    problems.add(bad('input.reason', msg('privacy.reasonLong', { max: MAX_REASON, got: trimmed.length })));
  }
  return trimmed;
}

function checkFields(fields: readonly PersonField[], problems: Problems): PersonField[] {
  if (fields.length === 0) {
    problems.add(bad('input.fields', msg('privacy.noFields')));
  }
  const twice = [...new Set(fields.filter((f, i) => fields.indexOf(f) !== i))];
  if (twice.length) problems.add(bad('input.fields', msg('privacy.fieldsTwice', { fields: twice.join(', ') })));
  return [...fields];
}

function erased(what: 'reveal' | 'erase'): ProblemRow {
  return bad('input.id', msg(what === 'reveal' ? 'privacy.erasedReveal' : 'privacy.erasedAgain'));
}

/** `filter.subjectId`: a global id of a Person, Visit or TenantRegistration, or the bare uuid an entry of a tag gives. */
function auditSubject(subjectId: string): Pick<repo.AuditListFilter, 'subjectId' | 'subjectType'> {
  if (UUID.test(subjectId)) return { subjectId: subjectId.toLowerCase(), subjectType: null };
  const parsed = fromGlobalId(subjectId);
  const subjectType = parsed ? SUBJECT_TYPE_OF_NODE[parsed.type] : undefined;
  if (!parsed || !subjectType) {
    throw badInput(msg('privacy.subjectId', { got: subjectId.slice(0, 100) }), 'filter.subjectId');
  }
  return { subjectId: parsed.id, subjectType };
}

function auditCursor(after: string): string {
  const [id] = decodeCursor(after, 1);
  if (typeof id !== 'string' || !/^[1-9]\d{0,17}$/.test(id)) throw badInput(msg('privacy.cursor'), 'after');
  return id;
}
