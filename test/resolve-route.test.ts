import { signToken } from '../src/modules/auth/jwt';
import { startApp, type App } from '../src/server';
import { closeTestDb } from './support/db';
import { testDatabaseUrl } from './support/env';
import { silentLog, testConfig } from './support/graphql';

/**
 * `GET /resolve?lng=&lat=&crs=`: the mini-programs' plain JSON resolve. The same answer as GraphQL's
 * `resolveLocation` for the same caller (authentication, masking of workers' phones), and a 400 naming the
 * parameter for bad input.
 */
const SECRET = 's'.repeat(32);
let app: App;
let base: string;

beforeAll(async () => {
  app = await startApp(testConfig({ DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', JWT_SECRET: SECRET }), silentLog, { onProgress: () => {} });
  base = app.url.replace(/\/graphql$/, '');
});

afterAll(async () => {
  await app.stop();
  await closeTestDb();
});

/** The README's school in the demo district, as AMap (GCJ-02) reports it. */
const SCHOOL = { lng: 114.44796, lat: 38.03086 };
const FIELDS = `point(crs: $crs) { lng lat } grid { id code name level } chain { id code name level } dedicatedGrids { id code name level }
  responsibleGrid { id code name level } responsibleWorkers { id name phone phoneMasked role } approximate distanceMeters`;

async function viaGraphQL(lng: number, lat: number, crs: string, headers: Record<string, string> = {}) {
  const res = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: `query($lng: Float!, $lat: Float!, $crs: CoordinateSystem) { resolveLocation(lng: $lng, lat: $lat, crs: $crs) { ${FIELDS} } }`, variables: { lng, lat, crs } }),
  });
  const body = (await res.json()) as { data: { resolveLocation: unknown }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data.resolveLocation;
}

async function viaResolve(query: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/resolve?${query}`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
}

const bearer = async (role: 'GRID_WORKER' | 'DISPATCHER', grid: string) =>
  `Bearer ${await signToken(testConfig({ JWT_SECRET: SECRET }).jwt, { subject: `resolve-${role}`, role, grid })}`;

describe('GET /resolve', () => {
  it('answers what resolveLocation answers, anonymous (phones masked)', async () => {
    const plain = await viaResolve(`lng=${SCHOOL.lng}&lat=${SCHOOL.lat}&crs=GCJ02`);
    expect(plain.status).toBe(200);
    expect(plain.type).toMatch(/application\/json/);
    expect(plain.body).toEqual(await viaGraphQL(SCHOOL.lng, SCHOOL.lat, 'GCJ02'));
    expect(plain.body).toMatchObject({ grid: { code: '130105001018001001', level: 'MICRO_GRID' }, approximate: false, distanceMeters: 0 });
    // The point comes back in the system it was given in (a mini-program plots it on its own basemap).
    const point = plain.body.point as { lng: number; lat: number };
    expect([Math.abs(point.lng - SCHOOL.lng), Math.abs(point.lat - SCHOOL.lat)].every((d) => d < 1e-7)).toBe(true);
    const workers = plain.body.responsibleWorkers as { phone: string; phoneMasked: boolean }[];
    expect(workers.length).toBeGreaterThan(0);
    for (const w of workers) expect(w).toMatchObject({ phone: expect.stringMatching(/^1\d{2}\*{4}\d{4}$/), phoneMasked: true });
  });

  it('authenticates as GraphQL does: a grid worker of the grid sees phones, a dispatcher elsewhere does not', async () => {
    const worker = { authorization: await bearer('GRID_WORKER', '130105001018001') };
    const mine = await viaResolve(`lng=${SCHOOL.lng}&lat=${SCHOOL.lat}&crs=gcj02`, worker);
    expect(mine.body).toEqual(await viaGraphQL(SCHOOL.lng, SCHOOL.lat, 'GCJ02', worker));
    for (const w of mine.body.responsibleWorkers as { phone: string; phoneMasked: boolean }[]) expect(w).toMatchObject({ phone: expect.stringMatching(/^1\d{10}$/), phoneMasked: false });
    const elsewhere = { authorization: await bearer('DISPATCHER', '130105003') };
    const theirs = await viaResolve(`lng=${SCHOOL.lng}&lat=${SCHOOL.lat}&crs=GCJ02`, elsewhere);
    for (const w of theirs.body.responsibleWorkers as { phoneMasked: boolean }[]) expect(w.phoneMasked).toBe(true);
    const refused = await viaResolve(`lng=${SCHOOL.lng}&lat=${SCHOOL.lat}`, { authorization: 'Bearer not.a.token' });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('UNAUTHENTICATED');
  });

  it('answers a point outside every grid with grid null, like GraphQL, in WGS-84 by default', async () => {
    const far = await viaResolve('lng=100&lat=30');
    expect(far.status).toBe(200);
    expect(far.body).toEqual(await viaGraphQL(100, 30, 'WGS84'));
    expect(far.body).toMatchObject({ grid: null, chain: [], responsibleWorkers: [], approximate: false, point: { lng: 100, lat: 30 } });
  });

  it('refuses bad input with 400 and a message naming the parameter', async () => {
    const cases: [string, string, RegExp][] = [
      ['lng=114.4', 'lat', /query parameter lat is required/],
      ['lng=abc&lat=38', 'lng', /query parameter lng must be a decimal number \(got "abc"\)/],
      ['lng=114.4&lat=38&crs=WGS-84', 'crs', /crs must be WGS84, GCJ02 or BD09 \(got "WGS-84"\)/],
      ['lng=200&lat=38', 'lng', /lng must be within -180\.\.180 \(got 200\)/],
      ['lng=38.03&lat=114.44', 'lat', /longitude and latitude look swapped/],
      ['lng=114.4&lat=38&asOf=yesterday', 'asOf', /asOf must be an RFC 3339 date-time/],
    ];
    for (const [query, field, message] of cases) {
      const r = await viaResolve(query, { 'accept-language': 'en' });
      expect([query, r.status]).toEqual([query, 400]);
      expect(r.body).toMatchObject({ code: 'BAD_USER_INPUT', field, error: expect.stringMatching(message) });
    }
  });

  it('answers as of an instant, like resolveLocation(asOf:)', async () => {
    const asOf = new Date().toISOString();
    const r = await viaResolve(`lng=${SCHOOL.lng}&lat=${SCHOOL.lat}&crs=GCJ02&asOf=${encodeURIComponent(asOf)}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ grid: { code: '130105001018001001' } });
  });
});
