import type { OrganizationKind, RiskLevel } from '../../generated/graphql';
import { fromGlobalId } from '../../graphql/relay';
import type { Problems } from '../../shared/payload';
import { nameProblem } from '../../shared/text';
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
    const issue = nameProblem(input.name, 100);
    if (issue) problems.add({ code: 'BAD_NAME', field: 'input.name', message: `name: ${issue} (give the name as registered)` });
    else out.name = input.name.trim();
  }
  if (input.kind != null) out.kind = input.kind;
  if (input.riskLevel != null) out.riskLevel = input.riskLevel;
  if (input.creditCode != null) {
    if (input.creditCode.trim() === '') out.creditCode = null;
    else {
      const check = checkCreditCode(input.creditCode);
      if (check.ok) out.creditCode = check.code;
      else problems.add({ code: 'BAD_VALUE', field: 'input.creditCode', message: `creditCode: ${check.message}` });
    }
  }
  if (input.address != null) {
    const address = input.address.trim();
    if (address.length > 200) problems.add({ code: 'BAD_VALUE', field: 'input.address', message: `address: ${address.length} characters; at most 200` });
    else if (UNSEEN.test(address)) problems.add({ code: 'BAD_VALUE', field: 'input.address', message: 'address: holds a control or bidirectional override character' });
    else out.address = address || null;
  }
  if (input.contactName != null) {
    if (input.contactName.trim() === '') out.contactName = null;
    else {
      const issue = nameProblem(input.contactName, 50);
      if (issue) problems.add({ code: 'BAD_NAME', field: 'input.contactName', message: `contactName: ${issue}` });
      else out.contactName = input.contactName.trim();
    }
  }
  if (input.contactPhone != null) {
    if (input.contactPhone.trim() === '') out.contactPhone = null;
    else {
      const phone = mainlandPhone(input.contactPhone);
      if (phone.ok) out.contactPhone = phone.value;
      else problems.add({ code: 'BAD_VALUE', field: 'input.contactPhone', message: `contactPhone: ${phone.problem}` });
    }
  }
  if (input.employeeCount != null) {
    const n = input.employeeCount;
    if (n < 0 || n > MAX_EMPLOYEES) {
      problems.add({ code: 'BAD_VALUE', field: 'input.employeeCount', message: `employeeCount: ${n} is not a head count (0 to ${MAX_EMPLOYEES.toLocaleString('en')})` });
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
    problems.add({ code: 'BAD_VALUE', field, message: `${field.replace(/^input\./, '')}: ${ids.length} given; at most ${MAX_MANAGED}` });
    return undefined;
  }
  const out = new Set<string>();
  ids.forEach((globalId, i) => {
    const parsed = fromGlobalId(globalId);
    if (parsed && parsed.type === type) out.add(parsed.id);
    else problems.add({ code: 'BAD_VALUE', field: `${field}[${i}]`, message: `${field.replace(/^input\./, '')}[${i}]: "${globalId.slice(0, 100)}" is not a ${type} id` });
  });
  return [...out];
}
