import type { Knex } from 'knex';
import type { Context } from '../context';
import type { ProblemCode } from '../generated/graphql';
import { msg, render, said, untranslated, type Locale, type Msg } from '../i18n';
import type { GridRow } from '../modules/grid/mappers';
import type { WorkerRow } from '../modules/worker/mappers';

/**
 * Mutation payloads: expected failures are data (a member of the payload union), not errors. `runEdit` runs a
 * mutation's work in one transaction and rolls it back when the work returns a failure, so a refused edit
 * leaves the database exactly as it was.
 */

/** One thing wrong with an edit: what the `Problem` GraphQL type resolves from. */
export interface ProblemRow {
  code: ProblemCode;
  /** In English; `msg`, when given, is the same as a catalogue entry and answers in the caller's language. */
  message: string;
  msg?: Msg;
  field?: string;
  lng?: number;
  lat?: number;
  polygon?: number;
  ring?: number;
  vertex?: number;
  areaSqm?: number;
  /** Ids of the grids concerned (overlapped siblings, dependants in the way). */
  gridIds?: string[];
  /** Other records concerned, by Node type and database id (the building whose code is taken, ...). */
  subjects?: { type: string; id: string }[];
}

/**
 * Most problems one answer lists: a 400,000-vertex boundary with a bad coordinate everywhere must not answer
 * with 400,000 problems. The count says how many there were in all.
 */
export const MAX_PROBLEMS = 100;

/** Collects the problems of an edit, so the editor sees them all (up to MAX_PROBLEMS) in one answer. */
export class Problems {
  readonly list: ProblemRow[] = [];
  /** How many were found, listed or not. */
  count = 0;

  add(problem: ProblemRow): this {
    this.count += 1;
    if (this.list.length < MAX_PROBLEMS) this.list.push(problem);
    return this;
  }

  /** Takes over everything another collection found: its listed problems and its count. */
  addAll(other: Problems | undefined): this {
    if (!other) return this;
    for (const problem of other.list) this.add(problem);
    this.count += other.count - other.list.length;
    return this;
  }

  get any(): boolean {
    return this.count > 0;
  }
}

export interface ValidationErrorSource {
  __typename: 'ValidationError';
  message: string;
  msg?: Msg;
  problems: ProblemRow[];
  problemCount: number;
}

export interface NotFoundSource {
  __typename: 'NotFoundError';
  message: string;
  msg?: Msg;
  id: string;
}

/** Someone changed the grid since the version the caller edited. */
export interface ConflictSource {
  __typename: 'ConflictError';
  message: string;
  msg?: Msg;
  grid: GridRow;
  currentVersion: number;
  changedBy: string | null;
  changedAt: Date;
}

/** Someone changed the worker since the version the caller read. */
export interface WorkerConflictSource {
  __typename: 'WorkerConflictError';
  message: string;
  msg?: Msg;
  worker: WorkerRow;
  currentVersion: number;
  changedBy: string | null;
  changedAt: Date;
}

/** Someone changed a record (not a grid, not a worker) since the version the caller edited. */
export interface VersionConflictSource {
  __typename: 'VersionConflict';
  message: string;
  msg?: Msg;
  node: object;
  currentVersion: number;
  changedBy: string | null;
  changedAt: Date;
}

export type PayloadError = ValidationErrorSource | NotFoundSource;
export type EditFailure = PayloadError | ConflictSource | WorkerConflictSource | VersionConflictSource;

/** The conflict of a versioned record: `what` names it in the message ("building 1301050010150001"). */
export function versionConflict(
  node: object & { version: number; updated_by: string | null; updated_at: Date },
  what: string,
  expectedVersion: number,
): VersionConflictSource {
  return {
    __typename: 'VersionConflict',
    ...said(msg('payload.versionConflict', { what, version: node.version, expected: expectedVersion })),
    node,
    currentVersion: node.version,
    changedBy: node.updated_by,
    changedAt: node.updated_at,
  };
}

export function validationError(problems: Problems | ProblemRow[]): ValidationErrorSource {
  const list = problems instanceof Problems ? problems.list : problems;
  const n = problems instanceof Problems ? problems.count : list.length;
  return {
    __typename: 'ValidationError',
    ...said(msg('payload.validation', { count: n, listed: list.length, first: list[0]?.msg ?? list[0]?.message ?? '' })),
    problems: list,
    problemCount: n,
  };
}

/** The records a NotFoundError names, by the word callers pass, and their catalogue names. */
const NAMED = {
  grid: 'what.grid',
  'parent grid': 'what.parentGrid',
  building: 'what.building',
  house: 'what.house',
  'key place': 'what.keyPlace',
  facility: 'what.facility',
  gate: 'what.gate',
  incident: 'what.incident',
  organisation: 'what.organisation',
  person: 'what.person',
  'tenant registration': 'what.tenantRegistration',
  worker: 'what.worker',
  'API key': 'what.apiKey',
} as const;

export function notFound(id: string, what: keyof typeof NAMED = 'grid'): NotFoundSource {
  const named = msg(NAMED[what]);
  return { __typename: 'NotFoundError', ...said(msg('payload.notFound', { what: named, id })), id };
}

/** A problem whose message is a catalogue entry (English in `message`, the entry in `msg`). */
export function problem(code: ProblemCode, message: Msg, details: Omit<ProblemRow, 'code' | 'message' | 'msg'> = {}): ProblemRow {
  return { code, ...said(message), ...details };
}

/** A payload message in the caller's language: its catalogue entry when it has one, else its English text. */
export function localizedMessage(source: { message: string; msg?: Msg }, locale: Locale, code?: string): string {
  return source.msg ? render(source.msg, locale) : untranslated(source.message, code, locale);
}

export function isFailure(x: { __typename: string }): x is EditFailure {
  return ['ValidationError', 'NotFoundError', 'ConflictError', 'WorkerConflictError', 'VersionConflict'].includes(x.__typename);
}

/** Thrown out of a transaction to roll it back when the work refused; the refusal itself is returned. */
class Refused extends Error {}

/** SQLSTATEs after which the whole transaction may simply run again: a deadlock, a serialization failure. */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

export interface RunEditOptions<R> {
  /**
   * A unique index refused a write that the checks (run under the write locks) should have prevented: turns
   * the violated constraint into the payload member the caller expects (a ConflictError, or a ValidationError naming the holder), read after the
   * rollback. Without it, or when it answers null, the database error goes up as it is.
   */
  onUniqueViolation?: (violation: { constraint: string; detail: string }) => Promise<R | null>;
}

/**
 * Runs `work` in a transaction: a returned failure (ValidationError, NotFoundError, ConflictError) rolls it
 * back and is returned; a success commits and clears the request's loaders (later fields read the new state).
 * A deadlock between concurrent edits runs the work again, up to three times.
 */
export async function runEdit<R extends { __typename: string }>(
  ctx: Pick<Context, 'db' | 'clearLoaders'>,
  work: (trx: Knex.Transaction) => Promise<R>,
  options: RunEditOptions<R> = {},
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    let refusal: R | undefined;
    try {
      const result = await ctx.db.transaction(async (trx) => {
        const outcome = await work(trx);
        if (isFailure(outcome)) {
          refusal = outcome;
          throw new Refused();
        }
        return outcome;
      });
      ctx.clearLoaders();
      return result;
    } catch (err) {
      if (err instanceof Refused && refusal) return refusal;
      const e = err as { code?: string; constraint?: string; detail?: string };
      if (e.code && RETRYABLE.has(e.code) && attempt < ATTEMPTS) continue;
      if (e.code === '23505' && options.onUniqueViolation) {
        const payload = await options.onUniqueViolation({ constraint: e.constraint ?? '', detail: e.detail ?? '' });
        if (payload) return payload;
      }
      throw err;
    }
  }
}
