import { maskPhone, ROLES } from '../src/modules/auth/viewer';
import { createFixture, at } from './fixtures/grid';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok, testConfig, user } from './support/graphql';

afterAll(closeTestDb);

const PHONE = `query($code: String) { grid(code: $code) { workers { phone phoneMasked } } }`;

describe('worker phone numbers', () => {
  it('masks them for anonymous callers, including on the mobile resolve path', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const w = ok(await execute(trx, PHONE, { code: f.grids.GA1.code })).grid.workers[0];
      expect(w).toEqual({ phone: '138****5671', phoneMasked: true });
      const r = ok(await execute(trx, `query($lng: Float!, $lat: Float!) { resolveLocation(lng: $lng, lat: $lat) { responsibleWorkers { phone } } }`, at(0.5, 0.5)));
      expect(r.resolveLocation.responsibleWorkers).toEqual([{ phone: '138****5671' }]);
    }));

  it.each([
    ['ADMIN of the whole deployment', 'ADMIN@*', false],
    ['DISPATCHER of the district', 'DISPATCHER@D', false],
    ['GRID_WORKER of the very grid', 'GRID_WORKER@GA1', false],
    ['GIS_EDITOR of the street', 'GIS_EDITOR@A', false],
    ['VIEWER of the district (reads dashboards only)', 'VIEWER@D', true],
    ['DISPATCHER of another street', 'DISPATCHER@B', true],
    ['ADMIN of another district', 'ADMIN@130105', true],
  ] as const)('%s (%s) → masked: %s', (_name, who, masked) =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      // ROLE@FIXTURE_KEY, ROLE@<literal code>, or ROLE@* for no jurisdiction limit.
      const [role, where] = who.split('@');
      const code = where === '*' ? null : where in f.grids ? f.grids[where as keyof typeof f.grids].code : where;
      const known = ROLES.find((r) => r === role);
      if (!known) throw new Error(`no role ${role}`);
      const viewer = user(known, code);
      const w = ok(await execute(trx, PHONE, { code: f.grids.GA1.code }, { viewer })).grid.workers[0];
      expect(w).toEqual(masked ? { phone: '138****5671', phoneMasked: true } : { phone: '13812345671', phoneMasked: false });
    }),
  );

  it('masks to the first three and last four digits', () => {
    expect(maskPhone('13912345678')).toBe('139****5678');
  });
});

describe('me', () => {
  it('is null for an anonymous caller and the token holder otherwise, with the jurisdiction grid', () =>
    withRollback(async (trx) => {
      const f = await createFixture(trx);
      const q = `{ me { subject role jurisdictionCode jurisdiction { code level } } }`;
      expect(ok(await execute(trx, q)).me).toBeNull();
      const me = ok(await execute(trx, q, {}, { viewer: user('DISPATCHER', f.grids.A.code) })).me;
      expect(me).toEqual({ subject: 'test-dispatcher', role: 'DISPATCHER', jurisdictionCode: f.grids.A.code, jurisdiction: { code: f.grids.A.code, level: 'STREET' } });
    }));
});

