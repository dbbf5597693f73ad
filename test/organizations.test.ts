import type { Knex } from 'knex';
import { createContext } from '../src/context';
import { fromGlobalId, toGlobalId } from '../src/graphql/relay';
import { ANONYMOUS, type Viewer } from '../src/modules/auth/viewer';
import { createOrganization, createOrgFixture, freshCreditCode, insertBuilding, mutateOrganization, opt, ORGANIZATION, runOrganization, type OrgFixture } from './fixtures/organization';
import { closeTestDb, testDb, withRollback } from './support/db';
import { execute, ok, silentLog, testConfig, user } from './support/graphql';

/**
 * Organisations (组织) through GraphQL: create / update / retire with versions, the credit-code and contact
 * checks, who may write and who sees the contact phone in clear, the lists (grid subtree, `near`), the
 * inventory roll-up, `node(id:)`, and two racing creates of one credit code on real connections.
 */

afterAll(closeTestDb);

const gid = (id: string) => toGlobalId('Grid', id);
const dbId = (globalId: string) => fromGlobalId(globalId)!.id;

/** Every organisation row and link: a refused write leaves it exactly as it was. */
async function snapshot(db: Knex): Promise<string> {
  const { rows } = await db.raw(`SELECT
    (SELECT md5(string_agg(concat_ws('|', id, name, kind, credit_code, contact_phone, employee_count, risk_level, ST_AsText(location), grid_id, version, updated_at, updated_by, retired_at), ',' ORDER BY id)) FROM organization) AS orgs,
    (SELECT count(*) FROM organization_managed_grid) AS grids, (SELECT count(*) FROM organization_managed_building) AS buildings`);
  return JSON.stringify(rows[0]);
}

const ORG_QUERY = `query($id: ID!) { organization(id: $id) { ${ORGANIZATION} } }`;
const readOrg = async (db: Knex, id: string, viewer: Viewer = ANONYMOUS) => ok(await execute(db, ORG_QUERY, { id }, { viewer })).organization;

describe('createOrganization / updateOrganization / retireOrganization', () => {
  it('creates with normalised fields, tied to the grid its position resolves to; updates and retires by version', () =>
    withRollback(async (trx) => {
      const f = await createOrgFixture(trx);
      const code = freshCreditCode();
      const org = await createOrganization(trx, {
        name: ' 新华物业 ', kind: 'PROPERTY_MANAGEMENT', creditCode: code.toLowerCase(), address: '合作路1号', contactName: '王经理',
        contactPhone: '+86 138-1234-5678', employeeCount: 40, riskLevel: 'MEDIUM', location: opt(0.5, 0.5), managedGridIds: [gid(f.grids.C1.id)],
      });
      expect(org).toMatchObject({
        name: '新华物业', creditCode: code, contactPhone: '13812345678', contactPhoneMasked: false, employeeCount: 40, riskLevel: 'MEDIUM',
        version: 1, retiredAt: null, grid: { code: f.grids.G1.code }, approximate: false, managedGrids: [{ code: f.grids.C1.code }],
      });
      expect(org.chain.map((g: { code: string }) => g.code)).toEqual(['D', 'S1', 'C1', 'G1'].map((k) => f.grids[k as 'D'].code));

      const stale = await mutateOrganization(trx, 'updateOrganization', { id: org.id, expectedVersion: 2, name: '改名' });
      expect(stale).toMatchObject({ __typename: 'VersionConflict', currentVersion: 1, node: { __typename: 'Organization', id: org.id, name: '新华物业' } });

      const moved = await mutateOrganization(trx, 'updateOrganization', { id: org.id, expectedVersion: 1, location: opt(1.5, 1.5), contactPhone: '(0311) 8668 1234', address: '' });
      expect(moved.organization).toMatchObject({ version: 2, grid: { code: f.grids.C2.code }, contactPhone: '0311-86681234', address: null, creditCode: code });
      const [row] = await trx('organization').where({ id: dbId(org.id) });
      expect(row).toMatchObject({ version: 2, updated_by: 'test-admin', grid_id: f.grids.C2.id });

      const early = await mutateOrganization(trx, 'retireOrganization', { id: org.id, expectedVersion: 1 });
      expect(early).toMatchObject({ __typename: 'VersionConflict', currentVersion: 2 });
      const retired = await mutateOrganization(trx, 'retireOrganization', { id: org.id, expectedVersion: 2 });
      expect(retired.organization).toMatchObject({ version: 3, retiredAt: expect.any(String) });
      const list = ok(await execute(trx, `query($c: String!) { organizations(filter: { gridCode: $c }) { totalCount } }`, { c: f.grids.D.code }));
      expect(list.organizations.totalCount).toBe(0);
      expect((await readOrg(trx, org.id)).retiredAt).not.toBeNull();
      const again = await mutateOrganization(trx, 'updateOrganization', { id: org.id, expectedVersion: 3, name: '复活' });
      expect(again.__typename).toBe('NotFoundError');
    }));

  it('stamps an edit with the clock, not the start of the transaction: an edit after the insert in one transaction is later', () =>
    withRollback(async (trx) => {
      await createOrgFixture(trx);
      const org = await createOrganization(trx, { name: '时刻单位', location: opt(0.5, 0.5) });
      const stamps = async () => (await trx.raw('SELECT created_at, updated_at, retired_at FROM organization WHERE id = ?', [dbId(org.id)])).rows[0];
      await mutateOrganization(trx, 'updateOrganization', { id: org.id, expectedVersion: 1, name: '时刻单位二' });
      const updated = await stamps();
      expect(updated.updated_at.getTime()).toBeGreaterThan(updated.created_at.getTime());
      await mutateOrganization(trx, 'retireOrganization', { id: org.id, expectedVersion: 2 });
      const retired = await stamps();
      expect(retired.retired_at.getTime()).toBeGreaterThan(updated.updated_at.getTime());
      expect(retired.updated_at).toEqual(retired.retired_at);
    }));

  it('a wrong check character is a ValidationError on input.creditCode naming the expected character; nothing is written', () =>
    withRollback(async (trx) => {
      await createOrgFixture(trx);
      const before = await snapshot(trx);
      const r = await mutateOrganization(trx, 'createOrganization', {
        name: '错码公司', kind: 'ENTERPRISE', creditCode: '91110108551385082A', contactPhone: '400-810-8888', employeeCount: -1, location: opt(0.5, 0.5),
      });
      expect(r.__typename).toBe('ValidationError');
      expect(r.problems.map((p: { field: string }) => p.field)).toEqual(['input.creditCode', 'input.contactPhone', 'input.employeeCount']);
      expect(r.problems[0].message).toMatch(/should be Q, not A/);
      expect(await snapshot(trx)).toBe(before);
    }));

  it('a credit code already held names its holder (Problem.subjects), on create and on update', () =>
    withRollback(async (trx) => {
      await createOrgFixture(trx);
      const code = freshCreditCode();
      const holder = await createOrganization(trx, { name: '先到公司', creditCode: code, location: opt(0.5, 0.5) });
      const other = await createOrganization(trx, { name: '后到公司', location: opt(1.5, 0.5) });
      const before = await snapshot(trx);
      for (const [mutation, input] of [
        ['createOrganization', { name: '重复公司', kind: 'ENTERPRISE', creditCode: code, location: opt(0.5, 1.5) }],
        ['updateOrganization', { id: other.id, expectedVersion: 1, creditCode: code.toLowerCase() }],
      ] as const) {
        const r = await mutateOrganization(trx, mutation, input);
        expect(r.__typename).toBe('ValidationError');
        expect(r.problems).toEqual([
          { code: 'CODE_TAKEN', field: 'input.creditCode', message: expect.stringContaining('先到公司'), subjects: [{ __typename: 'Organization', id: holder.id }] },
        ]);
      }
      expect(await snapshot(trx)).toBe(before);
    }));

  it('records managed buildings (current ones only) and Building.managedBy lists the organisation', () =>
    withRollback(async (trx) => {
      const f = await createOrgFixture(trx);
      const b1 = await insertBuilding(trx, f.grids.C2, 1, opt(1.2, 0.2));
      const b2 = await insertBuilding(trx, f.grids.C2, 2, opt(1.4, 0.2));
      await trx('building').where({ id: b2 }).update({ retired_at: trx.fn.now() });
      const b3 = await insertBuilding(trx, f.grids.C2, 3, opt(1.6, 0.2));
      const refused = await mutateOrganization(trx, 'createOrganization', {
        name: '物业', kind: 'PROPERTY_MANAGEMENT', location: opt(1.5, 0.5), managedBuildingIds: [toGlobalId('Building', b1), toGlobalId('Building', b2), gid(f.grids.C2.id)],
      });
      expect(refused.problems.map((p: { field: string }) => p.field)).toEqual(['input.managedBuildingIds[2]', 'input.managedBuildingIds']);
      const org = await createOrganization(trx, { name: '物业', kind: 'PROPERTY_MANAGEMENT', location: opt(1.5, 0.5), managedBuildingIds: [toGlobalId('Building', b1)] });
      expect(await trx('organization_managed_building').where({ organization_id: dbId(org.id) }).pluck('building_id')).toEqual([b1]);
      const ctx = createContext({ requestId: 't', viewer: ANONYMOUS, db: trx, log: silentLog, config: testConfig() });
      expect((await ctx.services.organization.managersOf(b1)).map((o) => o.name)).toEqual(['物业']);
      // Read back, current buildings only, by code; grids likewise.
      await mutateOrganization(trx, 'updateOrganization', { id: org.id, expectedVersion: 1, managedBuildingIds: [toGlobalId('Building', b1), toGlobalId('Building', b3)], managedGridIds: [gid(f.grids.C2.id), gid(f.grids.C1.id)] });
      const managed = async () => ok(await execute(trx, `query($id: ID!) { organization(id: $id) { managedBuildings { id } managedGrids { code } } }`, { id: org.id })).organization;
      expect(await managed()).toEqual({ managedBuildings: [b1, b3].map((b) => ({ id: toGlobalId('Building', b) })), managedGrids: [{ code: f.grids.C1.code }, { code: f.grids.C2.code }] });
      await trx('building').where({ id: b1 }).update({ retired_at: trx.fn.now() });
      expect((await managed()).managedBuildings).toEqual([{ id: toGlobalId('Building', b3) }]);
    }));
});

describe('who may write, and who sees the contact phone', () => {
  const roles: [string, string, Viewer | ((f: OrgFixture) => Viewer)][] = [
    ['ADMIN', 'OrganizationSuccess', user('ADMIN')],
    ['DISPATCHER of its street', 'OrganizationSuccess', (f) => user('DISPATCHER', f.grids.S1.code)],
    ['DISPATCHER of another street', 'FORBIDDEN', (f) => user('DISPATCHER', f.grids.S2.code)],
    ['GIS_EDITOR', 'FORBIDDEN', user('GIS_EDITOR')],
    ['GRID_WORKER', 'FORBIDDEN', (f) => user('GRID_WORKER', f.grids.S1.code)],
    ['VIEWER', 'FORBIDDEN', user('VIEWER')],
    ['anonymous', 'UNAUTHENTICATED', ANONYMOUS],
  ];

  it.each(roles)('%s: create, update and retire answer %s', (_, expected, who) =>
    withRollback(async (trx) => {
      const f = await createOrgFixture(trx);
      const viewer = typeof who === 'function' ? who(f) : who;
      const org = await createOrganization(trx, { name: '受测单位', location: opt(1.5, 0.5) });
      const other = await createOrganization(trx, { name: '另一单位', location: opt(2.5, 0.5) });
      const before = await snapshot(trx);
      const attempts = [
        ['createOrganization', { name: '新单位', kind: 'OTHER', location: opt(1.5, 1.5) }],
        ['updateOrganization', { id: org.id, expectedVersion: 1, riskLevel: 'HIGH' }],
        ['retireOrganization', { id: other.id, expectedVersion: 1 }],
      ] as const;
      for (const [mutation, input] of attempts) {
        const r = await runOrganization(trx, mutation, input, viewer);
        const outcome = r.errors ? r.errors[0].extensions?.code : r.data![mutation].__typename;
        expect([mutation, outcome]).toEqual([mutation, expected]);
      }
      if (expected !== 'OrganizationSuccess') expect(await snapshot(trx)).toBe(before);
    }));

  it('a DISPATCHER may not move an organisation out of their street, nor record a grid outside it as managed', () =>
    withRollback(async (trx) => {
      const f = await createOrgFixture(trx);
      const dispatcher = user('DISPATCHER', f.grids.S1.code);
      const org = await createOrganization(trx, { name: '本街单位', location: opt(0.5, 0.5) }, dispatcher);
      const before = await snapshot(trx);
      const move = await runOrganization(trx, 'updateOrganization', { id: org.id, expectedVersion: 1, location: opt(3.5, 0.5) }, dispatcher);
      expect(move.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const manage = await mutateOrganization(trx, 'updateOrganization', { id: org.id, expectedVersion: 1, managedGridIds: [gid(f.grids.C3.id)] }, dispatcher);
      expect(manage.problems).toEqual([expect.objectContaining({ code: 'OUTSIDE_JURISDICTION', field: 'input.managedGridIds', subjects: [{ __typename: 'Grid', id: gid(f.grids.C3.id) }] })]);
      expect(await snapshot(trx)).toBe(before);
    }));

  it('the phone is masked like a worker\'s for anonymous callers, VIEWERs and other streets\' DISPATCHERs; in clear for its street\'s', () =>
    withRollback(async (trx) => {
      const f = await createOrgFixture(trx);
      const org = await createOrganization(trx, { name: '调解委员会', kind: 'MEDIATION_COMMITTEE', contactName: '李主任', contactPhone: '13812345678', location: opt(1.5, 0.5) });
      const seen = async (viewer: Viewer) => {
        const o = await readOrg(trx, org.id, viewer);
        return [o.contactName, o.contactPhone, o.contactPhoneMasked];
      };
      const masked = ['李主任', '138****5678', true];
      expect(await seen(ANONYMOUS)).toEqual(masked);
      expect(await seen(user('VIEWER', f.grids.S1.code))).toEqual(masked);
      expect(await seen(user('DISPATCHER', f.grids.S2.code))).toEqual(masked);
      expect(await seen(user('DISPATCHER', f.grids.S1.code))).toEqual(['李主任', '13812345678', false]);
    }));
});

describe('lists, node(id:) and the inventory', () => {
  /** Organisations in every part of the fixture: 2 in G1, 1 directly in C1, 2 in C2, 2 directly in S1, 1 in C3. */
  async function populate(trx: Knex) {
    const f = await createOrgFixture(trx);
    const places: [string, string, number, number][] = [
      ['甲', 'ENTERPRISE', 0.2, 0.2], ['乙', 'SCHOOL', 0.7, 0.6], ['丙', 'ENTERPRISE', 0.5, 1.5], ['丁', 'ENTERPRISE', 1.3, 0.4],
      ['戊', 'HOSPITAL', 1.6, 1.2], ['己', 'SCHOOL', 2.5, 0.5], ['庚', 'ENTERPRISE', 2.4, 1.7], ['辛', 'ENTERPRISE', 3.5, 1.0],
    ];
    for (const [name, kind, x, y] of places) await createOrganization(trx, { name, kind, location: opt(x, y), riskLevel: name === '戊' ? 'HIGH' : 'LOW' });
    return f;
  }

  it('organizations(filter: { gridCode }) is the grid and everything below it; Grid.organizations the same, refusing a second grid', () =>
    withRollback(async (trx) => {
      const f = await populate(trx);
      const names = async (code: string) =>
        ok(await execute(trx, `query($c: String!) { organizations(filter: { gridCode: $c }, first: 100) { totalCount nodes { name } } }`, { c: code })).organizations;
      expect(await names(f.grids.S1.code)).toEqual({ totalCount: 7, nodes: ['丁', '丙', '乙', '己', '庚', '戊', '甲'].map((name) => ({ name })) });
      expect((await names(f.grids.C1.code)).nodes.map((n: { name: string }) => n.name).sort()).toEqual(['丙', '乙', '甲'].sort());
      const viaGrid = ok(await execute(trx, `query($id: ID!) { node(id: $id) { ... on Grid { organizations(filter: { kind: [ENTERPRISE] }) { nodes { name } } } } }`, { id: gid(f.grids.C1.id) }));
      expect(viaGrid.node.organizations.nodes.map((n: { name: string }) => n.name).sort()).toEqual(['丙', '甲'].sort());
      const filtered = async (filter: object) =>
        ok(await execute(trx, `query($f: OrganizationFilter) { organizations(filter: $f) { nodes { name } } }`, { f: { gridCode: f.grids.D.code, ...filter } }))
          .organizations.nodes.map((n: { name: string }) => n.name);
      expect(await filtered({ riskLevel: ['HIGH'] })).toEqual(['戊']);
      expect(await filtered({ nameContains: '庚' })).toEqual(['庚']);
      const [sw, ne] = [opt(0, 0), opt(1, 1)];
      expect((await filtered({ bbox: [sw.lng, sw.lat, ne.lng, ne.lat] })).sort()).toEqual(['乙', '甲'].sort());
      const twice = await execute(trx, `query($id: ID!, $c: String!) { node(id: $id) { ... on Grid { organizations(filter: { gridCode: $c }) { totalCount } } } }`, { id: gid(f.grids.C1.id), c: f.grids.C1.code });
      expect(twice.errors?.[0]).toMatchObject({ message: expect.stringMatching(/give the grid once/), extensions: { code: 'BAD_USER_INPUT' } });
    }));

  it('near: within the distance, nearest first, distances equal to ST_Distance on the spheroid, cursors continuing in order', () =>
    withRollback(async (trx) => {
      const f = await populate(trx);
      const here = opt(1.0, 1.0);
      const Q = `query($near: NearInput!, $after: String) { organizations(filter: { near: $near }, first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { id name distanceMeters } } }`;
      const near = { ...here, meters: 1500 };
      const seen: { id: string; name: string; distanceMeters: number }[] = [];
      let after: string | null = null;
      for (;;) {
        const page: any = ok(await execute(trx, Q, { near, after })).organizations;
        seen.push(...page.nodes);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      const { rows } = await trx.raw(
        `SELECT name, ST_Distance(location::geography, ST_SetSRID(ST_MakePoint(?, ?), 4326)::geography) AS d FROM organization
         WHERE grid_id IN (SELECT id FROM grid WHERE id = ? OR ancestor_ids @> ARRAY[?]::uuid[]) AND retired_at IS NULL
           AND ST_DWithin(location::geography, ST_SetSRID(ST_MakePoint(?, ?), 4326)::geography, 1500) ORDER BY d`,
        [here.lng, here.lat, f.grids.D.id, f.grids.D.id, here.lng, here.lat],
      );
      expect(rows.length).toBeGreaterThan(2);
      expect(seen.map((o) => o.name)).toEqual(rows.map((r: { name: string }) => r.name));
      seen.forEach((o, i) => expect(o.distanceMeters).toBeCloseTo(rows[i].d, 6));
      expect(seen.every((o, i) => i === 0 || seen[i - 1].distanceMeters <= o.distanceMeters)).toBe(true);
    }));

  it('Inventory.organizationsByKind of a street is the sum of its communities plus what lies directly in it', () =>
    withRollback(async (trx) => {
      const f = await populate(trx);
      const inventory = async (key: keyof OrgFixture['grids']) => {
        const r = ok(await execute(trx, `query($id: ID!) { node(id: $id) { ... on Grid { inventory { organizationsByKind { kind status count } } } } }`, { id: gid(f.grids[key].id) }));
        return r.node.inventory.organizationsByKind as { kind: string; status: null; count: number }[];
      };
      const street = await inventory('S1');
      expect(street).toEqual([
        { kind: 'ENTERPRISE', status: null, count: 4 },
        { kind: 'HOSPITAL', status: null, count: 1 },
        { kind: 'SCHOOL', status: null, count: 2 },
      ]);
      const sum = new Map<string, number>();
      for (const part of [await inventory('C1'), await inventory('C2')]) for (const k of part) sum.set(k.kind, (sum.get(k.kind) ?? 0) + k.count);
      const { rows } = await trx.raw(`SELECT kind, count(*)::int AS n FROM organization WHERE grid_id = ? GROUP BY kind`, [f.grids.S1.id]);
      for (const r of rows) sum.set(r.kind, (sum.get(r.kind) ?? 0) + r.n);
      expect(Object.fromEntries(street.map((k) => [k.kind, k.count]))).toEqual(Object.fromEntries(sum));
      const district = await inventory('D');
      expect(district).toEqual([
        { kind: 'ENTERPRISE', status: null, count: 5 },
        { kind: 'HOSPITAL', status: null, count: 1 },
        { kind: 'SCHOOL', status: null, count: 2 },
      ]);
      // As of an instant: the records then, resolved against the grid versions then (here: the same).
      const asOf = ok(await execute(trx, `query($c: String!, $t: DateTime!) { grid(code: $c, asOf: $t) { inventory { organizationsByKind { kind status count } }
        organizations(first: 100) { totalCount nodes { name grid { code } } } } }`, { c: f.grids.S2.code, t: new Date().toISOString() })).grid;
      expect(asOf.inventory.organizationsByKind).toEqual([{ kind: 'ENTERPRISE', status: null, count: 1 }]);
      expect(asOf.organizations).toEqual({ totalCount: 1, nodes: [{ name: '辛', grid: { code: f.grids.C3.code } }] });
    }));

  it('node(id:) gives an Organization', () =>
    withRollback(async (trx) => {
      await createOrgFixture(trx);
      const org = await createOrganization(trx, { name: '党群服务中心', kind: 'PARTY_GOVERNMENT', location: opt(0.5, 0.5) });
      const r = ok(await execute(trx, `query($id: ID!) { node(id: $id) { __typename id ... on Organization { name kind } } }`, { id: org.id }));
      expect(r.node).toEqual({ __typename: 'Organization', id: org.id, name: '党群服务中心', kind: 'PARTY_GOVERNMENT' });
    }));
});

describe('racing creates of one credit code (real connections)', () => {
  it('exactly one of two creates with the same code succeeds; the other is told who holds it', async () => {
    const code = freshCreditCode();
    // Far from every grid, so only a whole-deployment ADMIN writes there and nobody else's lists see it.
    const create = (name: string) =>
      mutateOrganization(testDb(), 'createOrganization', { name, kind: 'ENTERPRISE', creditCode: code, location: { lng: 100.5, lat: 20.5 } });
    try {
      const results = await Promise.all([create('竞争甲'), create('竞争乙')]);
      const won = results.filter((r) => r.__typename === 'OrganizationSuccess');
      const lost = results.filter((r) => r.__typename === 'ValidationError');
      expect([won.length, lost.length]).toEqual([1, 1]);
      expect(lost[0].problems[0]).toMatchObject({ code: 'CODE_TAKEN', field: 'input.creditCode', subjects: [{ id: won[0].organization.id }] });
    } finally {
      await testDb()('organization').where({ credit_code: code }).delete();
    }
  });
});

describe('retiring an organisation responsible for key places', () => {
  it('is refused, naming the key places, until they have another organisation', () =>
    withRollback(async (trx) => {
      const { rows } = await trx.raw(
        `SELECT o.id, o.version, k.id AS key_place_id FROM organization o JOIN key_place k ON k.organization_id = o.id AND k.retired_at IS NULL
         WHERE o.retired_at IS NULL ORDER BY o.id LIMIT 1`,
      );
      expect(rows).toHaveLength(1);
      const [o] = rows;
      const Q = `mutation($input: RetireOrganizationInput!) { retireOrganization(input: $input) { __typename
        ... on ValidationError { problems { code field message subjects { id } } } } }`;
      const refused = ok(await execute(trx, Q, { input: { id: toGlobalId('Organization', o.id), expectedVersion: o.version } }, { viewer: user('ADMIN') })).retireOrganization;
      expect(refused.problems).toEqual([
        { code: 'HAS_DEPENDANTS', field: 'input.id', message: expect.stringMatching(/is still responsible for 1 key place .*give them another organisation first/), subjects: [{ id: toGlobalId('KeyPlace', o.key_place_id) }] },
      ]);
      await trx('key_place').where({ id: o.key_place_id }).update({ organization_id: null });
      const retired = ok(await execute(trx, Q, { input: { id: toGlobalId('Organization', o.id), expectedVersion: o.version } }, { viewer: user('ADMIN') })).retireOrganization;
      expect(retired.__typename).toBe('OrganizationSuccess');
    }));
});
