/**
 * A refused save on the map and in a list: a marker at each problem's `location`, and the area concerned
 * highlighted — the overlap with each sibling the boundary overlaps, the part outside the parent, the part of a
 * child a reshape would leave outside — computed here from the boundaries the refusal names (turf's polygon
 * clipping), since a problem carries its area in m² and a spot, not the shape.
 */
import difference from '@turf/difference';
import { featureCollection, feature as turfFeature } from '@turf/helpers';
import intersect from '@turf/intersect';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import type { ProblemItem } from './api';
import { feature } from './map';
import { PROBLEM_NAMES, formatArea } from './text';

type Area = Polygon | MultiPolygon;

/** The area a problem concerns, when it has one that can be drawn. */
export function problemArea(problem: ProblemItem, drawn: Polygon | null, parent: Area | null): Area | null {
  if (!drawn) return null;
  const clip = (op: typeof intersect | typeof difference, a: Area, b: Area): Area | null =>
    op(featureCollection([turfFeature(a), turfFeature(b)]))?.geometry ?? null;
  switch (problem.code) {
    case 'OVERLAPS_SIBLING': {
      const parts = problem.subjects.map((s) => clip(intersect, drawn, s.boundary)).filter((g): g is Area => g !== null);
      return parts.length === 0 ? null : { type: 'MultiPolygon', coordinates: parts.flatMap((g) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates)) };
    }
    case 'OUTSIDE_PARENT':
      return parent ? clip(difference, drawn, parent) : null;
    case 'CHILD_OUTSIDE': {
      const child = problem.subjects[0];
      return child ? clip(difference, child.boundary, drawn) : null;
    }
    default:
      return null;
  }
}

/** The markers and areas of a refusal, as map features (numbered as in the list). */
export function problemFeatures(problems: readonly ProblemItem[], drawn: Polygon | null, parent: Area | null): { points: Feature[]; areas: Feature[] } {
  const points: Feature[] = [];
  const areas: Feature[] = [];
  problems.forEach((p, i) => {
    if (p.location) points.push(feature({ type: 'Point', coordinates: [p.location.lng, p.location.lat] }, { n: i + 1, code: p.code }));
    const area = problemArea(p, drawn, parent);
    if (area) areas.push(feature(area, { n: i + 1, code: p.code }));
  });
  return { points, areas };
}

/** The list beside the map: one item per problem, what it is, where, how large; a click centres the map on it. */
export function renderProblemList(list: HTMLElement, problems: readonly ProblemItem[], total: number, onPick: (p: ProblemItem) => void): void {
  list.replaceChildren(
    ...problems.map((p, i) => {
      const item = document.createElement('li');
      item.dataset.testid = 'problem';
      item.dataset.code = p.code;
      const title = document.createElement('strong');
      title.textContent = `${i + 1}. ${PROBLEM_NAMES[p.code] ?? p.code}`;
      const detail = document.createElement('div');
      detail.textContent = p.message;
      item.append(title, detail);
      if (p.areaSqm) item.append(Object.assign(document.createElement('div'), { className: 'muted', textContent: `面积 ${formatArea(p.areaSqm)}` }));
      if (p.location) {
        item.classList.add('clickable');
        item.addEventListener('click', () => onPick(p));
      }
      return item;
    }),
  );
  if (total > problems.length) list.append(Object.assign(document.createElement('li'), { textContent: `另有 ${total - problems.length} 个问题未列出` }));
}
