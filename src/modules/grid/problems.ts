import type { ProblemCode } from '../../generated/graphql';
import type { BoundaryProblem } from '../../geo/boundary';

/** One thing wrong with an edit: what the `Problem` GraphQL type resolves from. */
export interface ProblemRow {
  code: ProblemCode;
  message: string;
  field?: string;
  lng?: number;
  lat?: number;
  polygon?: number;
  ring?: number;
  vertex?: number;
  areaSqm?: number;
  /** Ids of the grids concerned (overlapped siblings, dependants in the way). */
  gridIds?: string[];
}

/** Collects every problem of an edit, so the editor sees them all in one answer. */
export class Problems {
  readonly list: ProblemRow[] = [];

  add(problem: ProblemRow): this {
    this.list.push(problem);
    return this;
  }

  /** Boundary problems found before the database, attributed to an input field. */
  addBoundary(problems: readonly BoundaryProblem[], field: string): this {
    for (const { code, message, polygon, ring, vertex, lng, lat } of problems) {
      this.add({ code, message: `${field}: ${message}`, field, polygon, ring, vertex, lng, lat });
    }
    return this;
  }

  get any(): boolean {
    return this.list.length > 0;
  }
}

export type PayloadError =
  | { __typename: 'ValidationError'; message: string; problems: ProblemRow[] }
  | { __typename: 'NotFoundError'; message: string; id: string };

export function validationError(problems: Problems | ProblemRow[]): PayloadError {
  const list = problems instanceof Problems ? problems.list : problems;
  const n = list.length;
  return {
    __typename: 'ValidationError',
    message: `${n} problem${n === 1 ? '' : 's'} found; nothing was changed: ${list[0]?.message ?? ''}${n > 1 ? ' …' : ''}`,
    problems: list,
  };
}

export function notFound(id: string, what = 'grid'): PayloadError {
  return { __typename: 'NotFoundError', message: `no current ${what} has id ${id}`, id };
}

/** Area in words an editor can picture: "1,234 m²", "0.38 km²". */
export function formatArea(sqm: number): string {
  return sqm >= 100_000 ? `${(sqm / 1e6).toFixed(2)} km²` : `${Math.round(sqm).toLocaleString('en')} m²`;
}
