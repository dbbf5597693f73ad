import { buildSchema, graphql, GraphQLObjectType, GraphQLScalarType, GraphQLSchema, GraphQLString } from 'graphql';
import { DateScalar } from '../src/graphql/scalars';
import { buildResolvers, loadTypeDefs } from '../src/graphql/schema';
import { isCalendarDate, todayInChina } from '../src/shared/time';

/**
 * The Date scalar: ISO 8601 calendar dates `YYYY-MM-DD`, kept as strings end to end (no JS Date, so no time
 * zone can shift a birth date by a day). Exercised through graphql-js itself, on a one-field schema, because no
 * field of the API takes a Date yet; the last test ties the scalar to the API's schema.
 */

/** `echo(date)` returns its argument as received; `stored(value)` hands a resolver's value to the serializer. */
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      echo: {
        type: DateScalar,
        args: { date: { type: DateScalar } },
        resolve: (_, args: { date?: unknown }) => {
          // Received as the string sent, never converted.
          if (args.date !== undefined && typeof args.date !== 'string') throw new Error(`received ${typeof args.date}`);
          return args.date;
        },
      },
      typeOfArgument: { type: GraphQLString, args: { date: { type: DateScalar } }, resolve: (_, args: { date?: unknown }) => typeof args.date },
      stored: { type: DateScalar, resolve: (_, __, ctx: { value: unknown }) => ctx.value },
    },
  }),
});

async function run(source: string, variableValues: Record<string, unknown> = {}, contextValue: { value: unknown } = { value: null }) {
  return graphql({ schema, source, variableValues, contextValue });
}

describe('Date parses', () => {
  it.each(['2026-11-23', '1990-02-03', '2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31'])('%s as a variable and as a literal, unchanged', async (date) => {
    const variable = await run('query($d: Date) { echo(date: $d) typeOfArgument(date: $d) }', { d: date });
    expect(variable).toEqual({ data: { echo: date, typeOfArgument: 'string' } });
    const literal = await run(`{ echo(date: "${date}") typeOfArgument(date: "${date}") }`);
    expect(literal).toEqual({ data: { echo: date, typeOfArgument: 'string' } });
  });
});

describe('Date refuses, saying what was expected', () => {
  it.each([
    ['2026-02-30', 'Date "2026-02-30" 2026-02 has no day 30'],
    ['2023-02-29', 'Date "2023-02-29" 2023-02 has no day 29'],
    ['1900-02-29', 'Date "1900-02-29" 1900-02 has no day 29'],
    ['2026-13-01', 'Date "2026-13-01" month 13 does not exist'],
    ['2026-00-10', 'Date "2026-00-10" month 00 does not exist'],
    ['2026-04-00', 'Date "2026-04-00" 2026-04 has no day 00'],
    ['0000-01-01', 'Date "0000-01-01" year 0000 does not exist; years run from 0001'],
    ['2026-11-23T08:00:00Z', 'Date "2026-11-23T08:00:00Z" must be a calendar date alone, YYYY-MM-DD such as "2026-11-23": no time and no time zone'],
    ['2026-11-23 08:00', 'Date "2026-11-23 08:00" must be a calendar date alone, YYYY-MM-DD such as "2026-11-23": no time and no time zone'],
    ['2026-11-23+08:00', 'Date "2026-11-23+08:00" must be a calendar date alone, YYYY-MM-DD such as "2026-11-23": no time and no time zone'],
    ['2026-11-23Z', 'Date "2026-11-23Z" must be a calendar date alone, YYYY-MM-DD such as "2026-11-23": no time and no time zone'],
    ['20261123', 'Date "20261123" must be an ISO 8601 calendar date YYYY-MM-DD, e.g. "2026-11-23"'],
    ['2026-1-5', 'Date "2026-1-5" must be an ISO 8601 calendar date YYYY-MM-DD, e.g. "2026-11-23"'],
    ['23/11/2026', 'Date "23/11/2026" must be an ISO 8601 calendar date YYYY-MM-DD, e.g. "2026-11-23"'],
    ['+10000-01-01', 'Date "+10000-01-01" must be an ISO 8601 calendar date YYYY-MM-DD, e.g. "2026-11-23"'],
    [' 2026-11-23', 'Date " 2026-11-23" must be an ISO 8601 calendar date YYYY-MM-DD, e.g. "2026-11-23"'],
    ['', 'Date "" must be an ISO 8601 calendar date YYYY-MM-DD, e.g. "2026-11-23"'],
  ])('%j', async (date, message) => {
    const variable = await run('query($d: Date) { echo(date: $d) }', { d: date });
    expect(variable.data).toBeUndefined();
    expect(variable.errors?.[0].message).toBe(`Variable "$d" got invalid value ${JSON.stringify(date)}; ${message}`);
    expect(variable.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');

    // Written into the query, a bad value fails validation (GraphQL checks literals before running).
    const literal = await run(`{ echo(date: ${JSON.stringify(date)}) }`);
    expect(literal.data).toBeUndefined();
    expect(literal.errors?.[0].message).toContain(message);
  });

  it.each([
    [20261123, 'Date 20261123 must be a string such as "2026-11-23"'],
    [true, 'Date true must be a string such as "2026-11-23"'],
    [{ year: 2026 }, 'Date {"year":2026} must be a string such as "2026-11-23"'],
  ])('a variable that is no string: %j', async (value, message) => {
    const r = await run('query($d: Date) { echo(date: $d) }', { d: value });
    expect(r.errors?.[0].message).toContain(message);
    expect(r.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['20261123', 'Date 20261123 must be a string such as "2026-11-23"'],
    ['{ year: 2026 }', 'Date {"year":2026} must be a string such as "2026-11-23"'],
  ])('a literal that is no string: %s', async (literal, message) => {
    const r = await run(`{ echo(date: ${literal}) }`);
    expect(r.errors?.[0].message).toContain(message);
  });
});

describe('Date serializes', () => {
  it('a YYYY-MM-DD string as it is', async () => {
    expect(await run('{ stored }', {}, { value: '1990-02-03' })).toEqual({ data: { stored: '1990-02-03' } });
    expect(DateScalar.serialize('0001-01-01')).toBe('0001-01-01');
  });

  it.each([
    [new Date('1990-02-03T00:00:00Z'), /Date cannot serialize a JS Date \(select the column as text, e.g. birth_date::text\): expected a string YYYY-MM-DD/],
    ['1990-02-03T00:00:00Z', /Date cannot serialize "1990-02-03T00:00:00Z": expected a string YYYY-MM-DD/],
    ['2026-02-30', /Date cannot serialize "2026-02-30"/],
    [19900203, /Date cannot serialize 19900203/],
  ])('refuses %j: a resolver bug, reported as a field error', async (value, message) => {
    const r = await run('{ stored }', {}, { value });
    expect(r.data).toEqual({ stored: null });
    expect(r.errors?.[0].message).toMatch(message);
    expect(r.errors?.[0].extensions.code).toBeUndefined();
  });
});

describe("the API's schema", () => {
  it('declares Date with a description and resolves it with this scalar', () => {
    const declared = buildSchema(loadTypeDefs()).getType('Date');
    expect(declared).toBeInstanceOf(GraphQLScalarType);
    expect(declared?.description).toMatch(/ISO 8601 `YYYY-MM-DD`/);
    expect(buildResolvers().Date).toBe(DateScalar);
  });
});

describe('todayInChina and isCalendarDate', () => {
  it('turns the day at midnight in China (16:00 UTC), whichever instant was asked before', () => {
    const at = (iso: string) => Date.parse(iso);
    expect(todayInChina(at('2026-11-27T15:59:59.999Z'))).toBe('2026-11-27');
    expect(todayInChina(at('2026-11-27T16:00:00.000Z'))).toBe('2026-11-28');
    expect(todayInChina(at('2026-11-27T15:59:59.999Z'))).toBe('2026-11-27');
    expect(todayInChina(at('1969-12-31T16:00:00.000Z'))).toBe('1970-01-01');
    expect(todayInChina(at('1969-12-31T15:59:59.000Z'))).toBe('1969-12-31');
    expect(todayInChina(at('2024-02-28T16:00:00.000Z'))).toBe('2024-02-29');
  });

  it('knows the calendar: leap years, month lengths, no roll-over', () => {
    expect(isCalendarDate(2024, 2, 29)).toBe(true);
    expect(isCalendarDate(2023, 2, 29)).toBe(false);
    expect(isCalendarDate(1900, 2, 29)).toBe(false);
    expect(isCalendarDate(2000, 2, 29)).toBe(true);
    expect(isCalendarDate(2026, 4, 31)).toBe(false);
    expect(isCalendarDate(2026, 12, 31)).toBe(true);
    expect(isCalendarDate(2026, 13, 1)).toBe(false);
    expect(isCalendarDate(2026, 0, 1)).toBe(false);
    expect(isCalendarDate(2026, 1, 0)).toBe(false);
    expect(isCalendarDate(Number.NaN, 1, 1)).toBe(false);
  });
});
