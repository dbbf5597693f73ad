import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { isObject } from '../geo/geojson';
import { MalformedGeoJSON } from '../geo/json-text';
import { badInput } from '../errors';
import { english, msg, type Msg } from '../i18n';
import { INSTANT_EXAMPLE, isCalendarDate, parseInstant } from '../shared/time';

/** A literal written inline in a query (rather than passed as a variable) as a plain value: GeoJSON, or a Date given as a number. */
function literalValue(node: ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((v) => literalValue(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literalValue(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[node.name.value];
    default:
      return undefined;
  }
}

/**
 * Only the envelope is checked here (an object with a "type"): what is wrong inside a geometry is reported
 * by whoever uses it, with the index path of each bad position: as a BAD_USER_INPUT error for a filter, as
 * a ValidationError payload (every problem, located) for an edit.
 */
function parseGeoJSON(value: unknown): unknown {
  // A GeoJSON geometry sent as a JSON string (some clients stringify it) is accepted too. A string that is not
  // JSON at all goes on as it is, so that whoever reads it can say where it breaks (an import: truncated file,
  // GeoJSONSeq) as data rather than failing the whole request here.
  const geometry = typeof value === 'string' ? safeJson(value) : value;
  if (geometry === undefined && typeof value === 'string' && value.trim() !== '') return new MalformedGeoJSON(value);
  if (!isObject(geometry) || typeof geometry.type !== 'string') {
    throw new GraphQLError('Invalid GeoJSON: expected an object with a "type", such as {"type": "Polygon", "coordinates": [...]}', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return geometry;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const GeoJSONScalar = new GraphQLScalarType({
  name: 'GeoJSON',
  serialize: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
  parseValue: parseGeoJSON,
  parseLiteral: (node, variables) => parseGeoJSON(literalValue(node, variables)),
});

function parseDateTime(value: unknown): Date {
  const parsed = typeof value === 'string' ? parseInstant(value) : { issue: msg('time.instantNotString', { example: INSTANT_EXAMPLE }) };
  if (parsed instanceof Date) return parsed;
  throw badInput(msg('time.dateTimeScalar', { value: String(JSON.stringify(value)?.slice(0, 60)), problem: parsed.issue }));
}

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (node) => parseDateTime(node.kind === Kind.STRING ? node.value : undefined),
});

const DATE_EXAMPLE = '2026-11-23';
const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Why `value` is not an ISO 8601 calendar date `YYYY-MM-DD` (years 0001–9999, days that exist), or null. The
 * calendar rules are the DateTime scalar's own (parseInstant at midnight UTC, where no offset can move the day).
 */
export function calendarDateProblem(value: unknown): string | null {
  const issue = calendarDateIssue(value);
  return issue && english(issue);
}

/** `calendarDateProblem` as a catalogue message. */
export function calendarDateIssue(value: unknown): Msg | null {
  if (typeof value !== 'string') return msg('time.dateNotString', { example: DATE_EXAMPLE });
  if (/^\d{4}-\d{2}-\d{2}./.test(value)) return msg('time.dateWithTime', { example: DATE_EXAMPLE });
  if (!CALENDAR_DATE.test(value)) return msg('time.dateShape', { example: DATE_EXAMPLE });
  if (isCalendarDate(Number(value.slice(0, 4)), Number(value.slice(5, 7)), Number(value.slice(8, 10)))) return null;
  const parsed = parseInstant(`${value}T00:00:00Z`);
  return parsed instanceof Date ? null : parsed.issue;
}

/** Dates travel as the strings they are: a JS Date would put a time zone (and a possible day's shift) into them. */
function parseDate(value: unknown): string {
  const problem = calendarDateIssue(value);
  if (problem === null && typeof value === 'string') return value;
  throw badInput(msg('time.dateScalar', { value: String(JSON.stringify(value)?.slice(0, 60)), problem: problem ?? msg('time.dateNotString', { example: DATE_EXAMPLE }) }));
}

export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  serialize: (value) => {
    if (typeof value === 'string' && calendarDateProblem(value) === null) return value;
    // A resolver's bug, not the client's: say how to fix it where the value came from.
    const shown = value instanceof Date ? 'a JS Date (select the column as text, e.g. birth_date::text)' : JSON.stringify(value)?.slice(0, 60);
    throw new Error(`Date cannot serialize ${shown}: expected a string YYYY-MM-DD`);
  },
  parseValue: parseDate,
  parseLiteral: (node, variables) => parseDate(node.kind === Kind.STRING ? node.value : literalValue(node, variables)),
});
