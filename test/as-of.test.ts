import { english } from '../src/i18n';
import { RouteError } from '../src/modules/module';
import { asOfParam } from '../src/shared/as-of';
import { useMapServer } from './support/map';

/**
 * One reading of an as-of instant in a query string, with one message: /tiles and /resolve and /export (`asOf`)
 * and OGC items (`datetime`) refuse a bad instant alike, with the problem text GraphQL's DateTime gives.
 */

const NOT_RFC3339 = 'must be an RFC 3339 date-time with a time zone, e.g. "2026-11-23T08:00:00Z" or "2026-11-23T16:00:00+08:00"';

describe('asOfParam', () => {
  it('reads an instant, nothing when absent or empty, and refuses anything else naming the parameter', () => {
    expect(asOfParam(new URLSearchParams('asOf=2026-11-23T16:00:00%2B08:00'), 'asOf')).toEqual(new Date('2026-11-23T08:00:00Z'));
    expect(asOfParam(new URLSearchParams(''), 'asOf')).toBeNull();
    expect(asOfParam(new URLSearchParams('asOf='), 'asOf')).toBeNull();
    const refusal = (query: string, name: string) => {
      try {
        asOfParam(new URLSearchParams(query), name);
      } catch (err) {
        return err as RouteError;
      }
      throw new Error(`${query} was read`);
    };
    const bad = refusal('datetime=yesterday', 'datetime');
    expect(bad).toBeInstanceOf(RouteError);
    expect(bad).toMatchObject({ status: 400, code: 'BAD_USER_INPUT', field: 'datetime', message: `datetime ${NOT_RFC3339} (got "yesterday")` });
    expect(english(refusal('asOf=2026-02-30T00:00:00Z', 'asOf').localized!)).toBe('asOf 2026-02 has no day 30 (got "2026-02-30T00:00:00Z")');
  });
});

describe('as-of parameters over HTTP', () => {
  const server = useMapServer();

  it('are refused with the same message everywhere, and GraphQL says the same of its asOf', async () => {
    const error = async (path: string, locale = 'en') => {
      const res = await fetch(`${server.base}${path}`, { headers: { 'accept-language': locale } });
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: string }).error;
    };
    const expected = `asOf ${NOT_RFC3339} (got "yesterday")`;
    expect(await error('/tiles/micro-grids/14/13400/6318.mvt?asOf=yesterday')).toBe(expected);
    expect(await error('/resolve?lng=114.44&lat=38.03&asOf=yesterday')).toBe(expected);
    expect(await error('/export/grids.geojson?asOf=yesterday')).toBe(expected);
    expect(await error('/ogc/collections/micro-grids/items?datetime=yesterday')).toBe(`datetime ${NOT_RFC3339} (got "yesterday")`);
    expect(await error('/resolve?lng=114.44&lat=38.03&asOf=yesterday', 'zh-CN')).toMatch(/^asOf 无效：应为带时区的 RFC 3339 日期时间/);

    const res = await fetch(`${server.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': 'en' },
      body: JSON.stringify({ query: 'query($t: DateTime) { grid(code: "130105", asOf: $t) { code } }', variables: { t: 'yesterday' } }),
    });
    const body = (await res.json()) as { errors: { message: string }[] };
    expect(body.errors[0].message).toContain(NOT_RFC3339);
  });
});
