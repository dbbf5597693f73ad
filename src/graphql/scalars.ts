import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { isObject } from '../geo/geojson';
import { INSTANT_EXAMPLE, parseInstant } from '../shared/time';

/** Literal GeoJSON written inline in a query (rather than passed as a variable) becomes a plain value. */
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
  // A GeoJSON geometry sent as a JSON string (some clients stringify it) is accepted too.
  const geometry = typeof value === 'string' ? safeJson(value) : value;
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
  const parsed = typeof value === 'string' ? parseInstant(value) : { problem: `must be a string such as "${INSTANT_EXAMPLE}"` };
  if (parsed instanceof Date) return parsed;
  throw new GraphQLError(`DateTime ${JSON.stringify(value)?.slice(0, 60)} ${parsed.problem}`, { extensions: { code: 'BAD_USER_INPUT' } });
}

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (node) => parseDateTime(node.kind === Kind.STRING ? node.value : undefined),
});
