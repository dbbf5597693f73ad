import { fromWgs84 } from '../src/geo/coordinates';
import { createFixture, at, ORIGIN, UNIT, type Fixture } from './fixtures/grid';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok, user } from './support/graphql';

afterAll(closeTestDb);

const RESOLVE = /* GraphQL */ `
  query Resolve($lng: Float!, $lat: Float!, $crs: CoordinateSystem) {
    resolveLocation(lng: $lng, lat: $lat, crs: $crs) {
      point { lng lat }
      grid { code level }
      chain { code }
      dedicatedGrids { code }
      responsibleWorkers { name status }
      responsibleGrid { code }
      approximate
      distanceMeters
    }
  }
`;

type Resolution = {
  resolveLocation: {
    point: { lng: number; lat: number };
    grid: { code: string; level: string } | null;
    chain: { code: string }[];
    dedicatedGrids: { code: string }[];
    responsibleWorkers: { name: string; status: string }[];
    responsibleGrid: { code: string } | null;
    approximate: boolean;
    distanceMeters: number | null;
  };
};

async function resolveIn(f: Fixture, trx: Parameters<Parameters<typeof withRollback>[0]>[0], p: { lng: number; lat: number }, crs?: string) {
  return execute<Resolution>(trx, RESOLVE, { ...p, crs });
}

/** Metres east of a position, converted to degrees of longitude at the fixture's latitude. */
const metresEast = (m: number) => m / (111320 * Math.cos((ORIGIN.lat * Math.PI) / 180));

describe('resolveLocation', () => {
  it('resolves an interior point to its grid, the chain root first, and the grid worker in one statement', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const result = await resolveIn(f, trx, at(0.5, 0.5));
      const r = ok(result).resolveLocation;
      expect(r.grid).toEqual({ code: f.grids.GA1.code, level: 'GRID' });
      expect(r.chain.map((g) => g.code)).toEqual([f.grids.D, f.grids.A, f.grids.A1, f.grids.GA1].map((g) => g.code));
      expect(r.responsibleWorkers).toEqual([{ name: f.workers.W1.name, status: 'ACTIVE' }]);
      expect(r.responsibleGrid).toEqual({ code: f.grids.GA1.code });
      expect(r.approximate).toBe(false);
      expect(r.distanceMeters).toBe(0);
      expect(r.dedicatedGrids).toEqual([]);
      expect(result.statements).toBe(1);
    }));

  it('answers nested questions about the resolved grid from the same statement', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const q = `query($lng: Float!, $lat: Float!) { resolveLocation(lng: $lng, lat: $lat) {
        grid { code parent { code } ancestors { code } areaSqm version }
        chain { code parent { code } }
        responsibleGrid { code ancestors { code } }
      } }`;
      const result = await execute(trx, q, at(2.5, 0.5));
      const r = ok(result).resolveLocation;
      const [D, B, B1, GB1, MB1a] = [f.grids.D, f.grids.B, f.grids.B1, f.grids.GB1, f.grids.MB1a].map((g) => g.code);
      expect(r.grid).toMatchObject({ code: MB1a, parent: { code: GB1 }, ancestors: [D, B, B1, GB1].map((code) => ({ code })), version: 1 });
      expect(r.chain.map((g: any) => g.parent?.code ?? null)).toEqual([null, D, B, B1, GB1]);
      expect(r.responsibleGrid).toBeNull();
      expect(result.statements).toBe(1);
    }));

  it('resolves several positions in one request with one statement', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const q = `query($a: Float!, $b: Float!, $c: Float!) {
        p1: resolveLocation(lng: $a, lat: $b) { grid { code } }
        p2: resolveLocation(lng: $c, lat: $b) { grid { code } }
      }`;
      const result = await execute(trx, q, { a: at(0.5, 0.5).lng, c: at(2.5, 0.5).lng, b: at(0.5, 0.5).lat });
      expect(ok(result)).toEqual({ p1: { grid: { code: f.grids.GA1.code } }, p2: { grid: { code: f.grids.MB1a.code } } });
      expect(result.statements).toBe(1);
    }));

  it('prefers the deepest level: a point in a micro-grid resolves to the micro-grid', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const r = ok(await resolveIn(f, trx, at(2.5, 1.5))).resolveLocation;
      expect(r.grid?.code).toBe(f.grids.MB1b.code);
      expect(r.chain.map((g) => g.code)).toEqual([f.grids.D, f.grids.B, f.grids.B1, f.grids.GB1, f.grids.MB1b].map((g) => g.code));
      // Nobody is staffed anywhere up this chain.
      expect(r.responsibleWorkers).toEqual([]);
      expect(r.responsibleGrid).toBeNull();
    }));

  it('counts a point on an edge shared by two grids as covered and gives it to the lower code', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const r = ok(await resolveIn(f, trx, at(0.5, 1))).resolveLocation;
      expect(r.grid?.code).toBe(f.grids.GA1.code);
      expect(r.approximate).toBe(false);
    }));

  it('gives a vertex shared by four grids to the lowest code, the same way every time', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const answers = new Set<string | undefined>();
      for (let i = 0; i < 3; i++) answers.add(ok(await resolveIn(f, trx, at(1, 1))).resolveLocation.grid?.code);
      expect([...answers]).toEqual([f.grids.GA1.code]);
    }));

  it('walks up the chain to the nearest grid with an active worker when the grid has none', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const r = ok(await resolveIn(f, trx, at(0.5, 1.5))).resolveLocation;
      expect(r.grid?.code).toBe(f.grids.GA2.code); // W2 is on leave
      expect(r.responsibleGrid?.code).toBe(f.grids.A1.code);
      expect(r.responsibleWorkers.map((w) => w.name)).toEqual([f.workers.W3.name]);
    }));

  it('lists dedicated overlay grids covering the point next to the regular grid', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const r = ok(await resolveIn(f, trx, at(0.3, 0.9))).resolveLocation;
      expect(r.grid?.code).toBe(f.grids.GA1.code);
      expect(r.dedicatedGrids).toEqual([{ code: f.grids.SCHOOL.code }]);
    }));

  it('gives a point just outside every grid the nearest grid, flagged approximate with the distance', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const p = { lng: ORIGIN.lng - metresEast(50), lat: ORIGIN.lat + 0.5 * UNIT };
      const r = ok(await resolveIn(f, trx, p)).resolveLocation;
      expect(r.grid?.code).toBe(f.grids.GA1.code); // the deepest of the grids whose edge is nearest
      expect(r.approximate).toBe(true);
      expect(r.distanceMeters).toBeGreaterThan(49);
      expect(r.distanceMeters).toBeLessThan(51);
      expect(r.chain.at(-1)?.code).toBe(f.grids.GA1.code);
    }));

  it('returns no grid for a point farther than 100 m from every grid', () =>
    withRollback(async (trx) => {
      await createFixture(trx);
      const p = { lng: ORIGIN.lng - metresEast(150), lat: ORIGIN.lat + 0.5 * UNIT };
      const r = ok(await resolveIn({} as Fixture, trx, p)).resolveLocation;
      expect(r).toMatchObject({ grid: null, chain: [], responsibleWorkers: [], responsibleGrid: null, approximate: false, distanceMeters: null });
    }));

  it.each(['GCJ02', 'BD09'])('resolves %s input to the same grid as the WGS-84 position it encodes', (crs) =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      // Points 30 m from a grid edge: the GCJ-02 offset here is hundreds of metres, so an unconverted
      // position would land in another grid or outside.
      const wgs = { lng: at(1, 0.5).lng - metresEast(30), lat: at(1, 0.5).lat };
      const encoded = fromWgs84(wgs, crs as 'GCJ02' | 'BD09');
      const direct = ok(await resolveIn(f, trx, wgs)).resolveLocation;
      const converted = ok(await resolveIn(f, trx, encoded, crs)).resolveLocation;
      expect(direct.grid?.code).toBe(f.grids.GA1.code);
      expect(converted.grid?.code).toBe(f.grids.GA1.code);
      expect(converted.point.lng).toBeCloseTo(wgs.lng, 5);
      expect(converted.point.lat).toBeCloseTo(wgs.lat, 5);
      // The encoded position, taken as WGS-84, is elsewhere: the conversion is what made the difference.
      const unconverted = ok(await resolveIn(f, trx, encoded)).resolveLocation;
      expect(unconverted.grid?.code).not.toBe(f.grids.GA1.code);
    }),
  );

  describe('refuses bad coordinates with BAD_USER_INPUT saying what is wrong', () => {
    const cases: [string, string, RegExp][] = [
      ['swapped axes', '{ resolveLocation(lng: 38.05, lat: 114.46) { approximate } }', /swapped.*lng=114.46, lat=38.05/],
      ['latitude out of range', '{ resolveLocation(lng: 114.46, lat: 95) { approximate } }', /lat must be within -90..90 \(got 95\)/],
      ['longitude out of range', '{ resolveLocation(lng: 181, lat: 38) { approximate } }', /lng must be within -180..180 \(got 181\)/],
      ['non-finite', '{ resolveLocation(lng: 1e400, lat: 38) { approximate } }', /lng must be a finite number/],
    ];
    it.each(cases)('%s', (_name, query, message) =>
      withRollback(async (trx) => {
        const result = await execute(trx, query);
        expect(result.errors).toHaveLength(1);
        expect(result.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
        expect(result.errors![0].message).toMatch(message);
        expect(result.statements).toBe(0);
      }),
    );
  });
});

describe('fields the fast path leaves out', () => {
  it('are loaded when asked: workers\' version and account, grids\' audit fields', () =>
    withRollback(async (trx) => {
      const q = `{ resolveLocation(lng: 114.44796, lat: 38.03086, crs: GCJ02) {
        grid { code changedBy changeReason } chain { changedBy }
        responsibleWorkers { name version account } } }`;
      const r = ok(await execute(trx, q, {}, { viewer: user('ADMIN') })).resolveLocation;
      expect(r.grid).toEqual({ code: '130105001018001001', changedBy: 'seed', changeReason: 'demo data' });
      expect(r.chain.map((g: { changedBy: string }) => g.changedBy)).toEqual(Array(5).fill('seed'));
      expect(r.responsibleWorkers).toEqual([{ name: '汪文莉', version: 1, account: 'worker-130105001018001' }]);
    }));
});
