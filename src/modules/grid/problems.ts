import type { BoundaryProblem } from '../../geo/boundary';
import type { Problems } from '../../shared/payload';
import { msg, said } from '../../i18n';

/** Boundary problems found before the database, attributed to an input field. */
export function addBoundaryProblems(problems: Problems, found: readonly BoundaryProblem[], field: string): Problems {
  for (const { code, message, msg: localized, polygon, ring, vertex, lng, lat } of found) {
    problems.add({ code, ...said(msg('grid.field', { field, detail: localized ?? message })), field, polygon, ring, vertex, lng, lat });
  }
  return problems;
}

/** Area in words an editor can picture: "1,234 m²", "0.38 km²". */
export function formatArea(sqm: number): string {
  return sqm >= 100_000 ? `${(sqm / 1e6).toFixed(2)} km²` : `${Math.round(sqm).toLocaleString('en')} m²`;
}
