import type { Knex } from 'knex';
import type { CoordinateSystem } from '../../generated/graphql';
import { prepareBoundary, type BoundaryProblem } from '../../geo/boundary';
import type { LngLat } from '../../geo/coordinates';
import { msg, said, type Msg } from '../../i18n';
import { nameIssue } from '../../shared/text';
import { problem, type Problems } from '../../shared/payload';
import { addBoundaryProblems } from '../grid/problems';
import * as editRepo from './repo-edit';

/**
 * The checks place edits share, each adding what is wrong to `problems` (never throwing) with the input field
 * it concerns: names, free text, whole numbers in a range, and a footprint or area checked like a grid
 * boundary (shape and self-intersections in JavaScript, validity in PostGIS) that must contain the position.
 */

const CONTROL = /\p{Cc}/u;
export const MAX_NAME = 100;
const MAX_ADDRESS = 200;

/** A house's unit (单元) and floor (negative: below ground), and its room as written on the door. */
export const HOUSE_UNIT = { min: 1, max: 100, what: msg('place.unit') };
export const HOUSE_FLOOR = { min: -10, max: 200, what: msg('place.floor') };
export const MAX_ROOM = 20;

/** Whether a (trimmed) room number is one a house may have: 1–MAX_ROOM characters, no control character. */
export function isRoom(room: string): boolean {
  return room.length >= 1 && room.length <= MAX_ROOM && !CONTROL.test(room);
}

/** A required name; null (with a problem) when unusable. */
export function checkName(input: string, field: string, what: 'building' | 'place', problems: Problems): string | null {
  const issue = nameIssue(input, MAX_NAME);
  if (issue) {
    problems.add(problem('BAD_NAME', msg('place.name', { field: field.replace(/^input\./, ''), issue, what: msg(what === 'building' ? 'place.building' : 'place.place') }), { field }));
    return null;
  }
  return input.trim();
}

/** An optional address: undefined leaves it, null or blank removes it. */
export function checkAddress(input: string | null | undefined, field: string, problems: Problems): string | null | undefined {
  if (input === undefined) return undefined;
  const address = input?.trim() ?? '';
  if (address === '') return null;
  if (address.length > MAX_ADDRESS) {
    problems.add(problem('BAD_VALUE', msg('place.field', { field: 'address', detail: msg('text.tooLong', { length: address.length, max: MAX_ADDRESS }) }), { field }));
  } else if (CONTROL.test(address)) {
    problems.add(problem('BAD_VALUE', msg('place.field', { field: 'address', detail: msg('text.control') }), { field }));
  }
  return address;
}

/** An optional whole number within [min, max]: undefined leaves it, null removes it. */
export function checkRange(
  value: number | null | undefined,
  field: string,
  range: { min: number; max: number; what: Msg },
  problems: Problems,
): number | null | undefined {
  if (value === undefined || value === null) return value;
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    problems.add(problem('BAD_VALUE', msg('place.range', { field: field.replace(/^input\./, ''), what: range.what, min: range.min, max: range.max, got: value }), { field }));
  }
  return value;
}

/** What a shape is in messages: a building's footprint or a key place's area. */
export type ShapeName = 'footprint' | 'area';

/** The database-free half of a footprint check: GeoJSON text in WGS-84, or null (with problems) when refused. */
export function prepareShape(input: unknown, crs: CoordinateSystem, field: string, what: ShapeName, maxVertices: number, problems: Problems): string | null {
  const prepared = prepareBoundary(input, crs, maxVertices);
  if (!prepared.geometry) {
    addBoundaryProblems(problems, prepared.problems.map((p) => aboutShape(p, what, prepared.vertexCount, maxVertices)), field);
    return null;
  }
  return JSON.stringify(prepared.geometry);
}

/** The boundary check speaks of grid boundaries; these two messages say what to do with a footprint or area instead. */
function aboutShape(problem: BoundaryProblem, what: ShapeName, vertices: number, maxVertices: number): BoundaryProblem {
  const footprint = what === 'footprint' ? 1 : 0;
  if (problem.code === 'TOO_MANY_VERTICES') return { ...problem, ...said(msg('place.tooManyVertices', { footprint, vertices, max: maxVertices })) };
  if (problem.code === 'NOT_POLYGON') {
    const detail = problem.msg?.key === 'boundary.notPolygon' ? problem.msg.params.detail : undefined;
    if (detail !== undefined) return { ...problem, ...said(msg('place.notPolygon', { footprint, detail: typeof detail === 'number' ? String(detail) : detail })) };
  }
  return problem;
}

/**
 * The PostGIS half: valid, and covering the record's position (else how far off it is). Returns the shape as
 * EWKB hex to store, or null with the problems added.
 */
export async function checkShapeAround(db: Knex, geojson: string, point: LngLat, field: string, problems: Problems): Promise<string | null> {
  const shape = await editRepo.checkShape(db, geojson, point);
  if (!shape) {
    problems.add(problem('INVALID_GEOMETRY', msg('place.postgisFailed', { field }), { field }));
    return null;
  }
  if (!shape.valid) {
    const at = shape.lng !== null && shape.lat !== null ? `${shape.lng.toFixed(7)}, ${shape.lat.toFixed(7)}` : '';
    const crossing = /self-intersection|ring self/i.test(shape.reason ?? '');
    problems.add({
      code: crossing ? 'SELF_INTERSECTION' : 'INVALID_GEOMETRY',
      field,
      ...said(msg(crossing ? 'place.crossing' : 'place.invalidShape', { field, at, reason: shape.reason ?? '' })),
      ...(shape.lng !== null && shape.lat !== null ? { lng: shape.lng, lat: shape.lat } : {}),
    });
    return null;
  }
  if (!shape.covers) {
    problems.add(outsideShape(field, point, Number(shape.distance_m), msg('place.itShape')));
    return null;
  }
  return shape.hex;
}

/**
 * What an update does to a footprint or area: a new shape (checked around the position the record will
 * have), `null` to remove it, or undefined to keep it; a move that keeps the stored shape must stay inside it.
 * Returns the EWKB hex to store, null to remove, undefined to leave the column (also when refused).
 */
export async function shapeChange(
  db: Knex,
  change: {
    shape: string | null | undefined;
    field: string;
    /** The record, its stored shape's table and its position now. */
    record: { table: 'building' | 'key_place'; id: string; lng: number; lat: number };
    /** The new position, when it moves. */
    moveTo: LngLat | null;
    /** The stored shape in messages ("the building's footprint"). */
    stored: Msg;
  },
  problems: Problems,
): Promise<string | null | undefined> {
  const { shape, field, record, moveTo } = change;
  if (shape === null) return null;
  if (typeof shape === 'string') return (await checkShapeAround(db, shape, moveTo ?? record, field, problems)) ?? undefined;
  if (moveTo) {
    const off = await editRepo.distanceFromStoredShape(db, record.table, record.id, moveTo);
    if (off !== null && off > 0) problems.add(outsideShape('input.location', moveTo, off, change.stored));
  }
  return undefined;
}

/** The position lies outside the record's footprint or area (`shape` names it in the message). */
export function outsideShape(field: string, point: LngLat, meters: number, shape: Msg) {
  return {
    code: 'BAD_VALUE' as const,
    field,
    ...said(msg('place.outsideShape', { field: field.replace(/^input\./, ''), lng: fmt(point.lng), lat: fmt(point.lat), meters: meters.toFixed(1), shape })),
    lng: point.lng,
    lat: point.lat,
  };
}

export function fmt(degrees: number): string {
  return degrees.toFixed(7).replace(/0+$/, '').replace(/\.$/, '');
}
