import type { Context } from '../../context';
import type { SetIncidentCategoryInput } from '../../generated/graphql';
import { Problems, runEdit, validationError, type ValidationErrorSource } from '../../shared/payload';
import { nameIssue as nameIssueOf } from '../../shared/text';
import { msg } from '../../i18n';
import { assertPrincipal } from '../auth/policy';
import { bad } from '../person/group-checks';
import type { CategoryChangeSource, CategoryRow } from './mappers';
import * as repo from './repo';

const CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
const MAX_NAME = 50;
/** Deadlines a category may set: a minute to a year. */
const MAX_MINUTES = 366 * 24 * 60;

/**
 * The category dictionary: anyone reads it (a resident's form lists it; it is Open311's service list); an ADMIN
 * with the whole deployment adds or changes categories ("9+X") without a code change. A changed deadline applies
 * to incidents reported (or recategorised) afterwards: each incident keeps the deadlines it was given.
 */
export class IncidentCategoryService {
  constructor(private readonly ctx: Context) {}

  async list(includeInactive: boolean): Promise<CategoryRow[]> {
    const all = await this.ctx.loaders.incident.categories.load('all');
    return includeInactive ? all : all.filter((c) => c.active);
  }

  async parent(row: CategoryRow): Promise<CategoryRow | null> {
    return row.parent_code ? ((await this.list(true)).find((c) => c.code === row.parent_code) ?? null) : null;
  }

  async set(input: SetIncidentCategoryInput): Promise<CategoryChangeSource | ValidationErrorSource> {
    // AUTH (the dictionary is the whole deployment's)
    const principal = assertPrincipal(this.ctx.viewer, 'incident:categorize', null, 'the incident categories');
    // VALIDATION
    const problems = new Problems();
    const code = input.code.trim();
    if (!CODE.test(code)) problems.add(bad('input.code', msg('category.code', { got: code.slice(0, 70) })));
    const nameIssue = nameIssueOf(input.name, MAX_NAME);
    if (nameIssue) problems.add({ ...bad('input.name', msg('category.name', { issue: nameIssue })), code: 'BAD_NAME' });
    const minutes = (value: number | null | undefined, unit: number, field: string, fallback: number) => {
      const m = Math.round((value ?? fallback) * unit);
      if (!Number.isFinite(m) || m < 1 || m > MAX_MINUTES) problems.add(bad(`input.${field}`, msg('category.deadline', { field, value: String(value), minutes: m })));
      return m;
    };
    const assign = minutes(input.assignWithinHours, 60, 'assignWithinHours', 24);
    const firstProgress = minutes(input.firstProgressWithinHours, 60, 'firstProgressWithinHours', 24);
    const resolve = minutes(input.resolveWithinDays, 24 * 60, 'resolveWithinDays', 30);
    const sort = input.sort ?? 0;
    if (!Number.isInteger(sort) || Math.abs(sort) > 1_000_000) problems.add(bad('input.sort', msg('category.sort', { sort })));
    return runEdit<CategoryChangeSource | ValidationErrorSource>(this.ctx, async (trx) => {
      const all = await repo.categories(trx);
      const parentCode = input.parentCode?.trim() || null;
      if (parentCode && !all.some((c) => c.code === parentCode)) problems.add(bad('input.parentCode', msg('category.noParent', { code: parentCode.slice(0, 64) })));
      if (parentCode && createsCycle(all, code, parentCode)) problems.add(bad('input.parentCode', msg('category.cycle', { parent: parentCode, code })));
      if (problems.any) return validationError(problems);
      await trx.raw(
        `/* setIncidentCategory */ INSERT INTO incident_category (code, name, parent_code, assign_within_minutes, first_progress_within_minutes,
           resolve_within_minutes, is_dispute, active, sort, updated_by)
         VALUES (:code, :name, :parent, :assign, :progress, :resolve, :dispute, :active, :sort, :by)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent_code = EXCLUDED.parent_code,
           assign_within_minutes = EXCLUDED.assign_within_minutes, first_progress_within_minutes = EXCLUDED.first_progress_within_minutes,
           resolve_within_minutes = EXCLUDED.resolve_within_minutes, is_dispute = EXCLUDED.is_dispute, active = EXCLUDED.active,
           sort = EXCLUDED.sort, updated_by = EXCLUDED.updated_by, updated_at = clock_timestamp()`,
        {
          code,
          name: input.name.trim(),
          parent: parentCode,
          assign,
          progress: firstProgress,
          resolve,
          dispute: input.isDispute ?? false,
          active: input.active ?? true,
          sort,
          by: principal.subject,
        },
      );
      return { __typename: 'IncidentCategorySuccess', code };
    });
  }
}

function createsCycle(all: readonly CategoryRow[], code: string, parentCode: string): boolean {
  const parentOf = new Map(all.map((c) => [c.code, c.parent_code]));
  for (let at: string | null | undefined = parentCode, steps = 0; at && steps <= all.length; at = parentOf.get(at), steps++) {
    if (at === code) return true;
  }
  return false;
}
