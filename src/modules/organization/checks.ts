import type { OrganizationKind, RiskLevel } from '../../generated/graphql';
import { fromGlobalId } from '../../graphql/relay';
import { msg } from '../../i18n';
import { problem, type Problems } from '../../shared/payload';
import { nameIssue } from '../../shared/text';
import { mainlandPhone } from '../../shared/phone';
import { checkCreditCode } from './credit-code';

/**
 * The checks on an organisation's own fields that need no database, each problem on its input field with a
 * message a clerk can act on. Values come back normalised; `undefined` means "not given" (keep it), `null`
 * "remove it".
 */
export const MAX_EMPLOYEES = 10_000_000;
/** Most grids or buildings one organisation is recorded as managing. */
export const MAX_MANAGED = 500;

const UNSEEN = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

export interface FieldsInput {
  name?: string | null;
  kind?: OrganizationKind | null;
  creditCode?: string | null;
  address?: string | null;
  contactName?: string | null;
  contactPhone?: string | null;
  employeeCount?: number | null;
  riskLevel?: RiskLevel | null;
}

export interface CheckedFields {
  name?: string;
  kind?: OrganizationKind;
  creditCode?: string | null;
  address?: string | null;
  contactName?: string | null;
  contactPhone?: string | null;
  employeeCount?: number | null;
  riskLevel?: RiskLevel;
}

export function checkFields(input: FieldsInput, problems: Problems): CheckedFields {
  const out: CheckedFields = {};
  if (input.name != null) {
    const issue = nameIssue(input.name, 100);
    if (issue) problems.add(problem('BAD_NAME', msg('organization.name', { issue }), { field: 'input.name' }));
    else out.name = input.name.trim();
  }
  if (input.kind != null) out.kind = input.kind;
  if (input.riskLevel != null) out.riskLevel = input.riskLevel;
  if (input.creditCode != null) {
    if (input.creditCode.trim() === '') out.creditCode = null;
    else {
      const check = checkCreditCode(input.creditCode);
      if (check.ok) out.creditCode = check.code;
      else problems.add(problem('BAD_VALUE', msg('organization.field', { field: 'creditCode', detail: check.issue }), { field: 'input.creditCode' }));
    }
  }
  if (input.address != null) {
    const address = input.address.trim();
    if (address.length > 200) problems.add(problem('BAD_VALUE', msg('organization.field', { field: 'address', detail: msg('text.tooLong', { length: address.length, max: 200 }) }), { field: 'input.address' }));
    else if (UNSEEN.test(address)) problems.add(problem('BAD_VALUE', msg('organization.field', { field: 'address', detail: msg('organization.unseen') }), { field: 'input.address' }));
    else out.address = address || null;
  }
  if (input.contactName != null) {
    if (input.contactName.trim() === '') out.contactName = null;
    else {
      const issue = nameIssue(input.contactName, 50);
      if (issue) problems.add(problem('BAD_NAME', msg('organization.field', { field: 'contactName', detail: issue }), { field: 'input.contactName' }));
      else out.contactName = input.contactName.trim();
    }
  }
  if (input.contactPhone != null) {
    if (input.contactPhone.trim() === '') out.contactPhone = null;
    else {
      const phone = mainlandPhone(input.contactPhone);
      if (phone.ok) out.contactPhone = phone.value;
      else problems.add(problem('BAD_VALUE', msg('organization.field', { field: 'contactPhone', detail: phone.issue }), { field: 'input.contactPhone' }));
    }
  }
  if (input.employeeCount != null) {
    const n = input.employeeCount;
    if (n < 0 || n > MAX_EMPLOYEES) {
      problems.add(problem('BAD_VALUE', msg('organization.employees', { n, max: MAX_EMPLOYEES.toLocaleString('en') }), { field: 'input.employeeCount' }));
    } else out.employeeCount = n;
  }
  return out;
}

/**
 * Database ids behind a list of global ids of `type` (duplicates dropped), each bad one a problem at its
 * index; undefined when the list was not given (keep what is recorded).
 */
export function checkIdList(ids: readonly string[] | null | undefined, type: string, field: string, problems: Problems): string[] | undefined {
  if (ids == null) return undefined;
  if (ids.length > MAX_MANAGED) {
    problems.add(problem('BAD_VALUE', msg('organization.tooMany', { field: field.replace(/^input\./, ''), count: ids.length, max: MAX_MANAGED }), { field }));
    return undefined;
  }
  const out = new Set<string>();
  ids.forEach((globalId, i) => {
    const parsed = fromGlobalId(globalId);
    if (parsed && parsed.type === type) out.add(parsed.id);
    else problems.add(problem('BAD_VALUE', msg('organization.notAnId', { field: `${field.replace(/^input\./, '')}[${i}]`, got: globalId.slice(0, 100), type }), { field: `${field}[${i}]` }));
  });
  return [...out];
}
