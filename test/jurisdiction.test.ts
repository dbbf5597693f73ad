import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Knex } from 'knex';
import { toGlobalId } from '../src/graphql/relay';
import { can, inJurisdiction, scopeProblem } from '../src/modules/auth/policy';
import type { ServiceViewer } from '../src/modules/auth/viewer';
import { closeTestDb, withRollback } from './support/db';
import { testDatabaseUrl } from './support/env';
import { execute, ok, user } from './support/graphql';
import { snapshot } from './support/edits';

/**
 * Every write checks the jurisdiction in one place (src/modules/auth/policy.ts): the bypasses the hardening
 * issue reported, each refused with the database unchanged, over GraphQL and the import CLI.
 */
afterAll(closeTestDb);

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const STREET = '130105001'; // 革新街街道, the scoped editor's jurisdiction
const editor = user('GIS_EDITOR', STREET);
const gid = (id: string) => toGlobalId('Grid', id);

async function gridByCode(db: Knex, code: string) {
  const { rows } = await db.raw(`SELECT id, version, ST_AsGeoJSON(boundary) AS geojson FROM grid WHERE code = ? AND valid_to IS NULL`, [code]);
  return { id: rows[0].id as string, version: rows[0].version as number, boundary: JSON.parse(rows[0].geojson) };
}

describe('jurisdiction', () => {
  it('matches whole code segments only: a 7-digit "1301050" contains nothing', () => {
    expect(inJurisdiction('130105001', '130105001015')).toBe(true);
    expect(inJurisdiction('130105001', '130105001')).toBe(true);
    expect(inJurisdiction('130105001', '130105001', 'below')).toBe(false);
    expect(inJurisdiction('130105001', '130105002001')).toBe(false);
    expect(inJurisdiction('1301050', '130105001')).toBe(false);
    expect(inJurisdiction('1301050', '1301050')).toBe(false);
    expect(inJurisdiction(null, '130105')).toBe(true);
  });

  it('decides roles, API-key operations and scope in one table', () => {
    const key: ServiceViewer = { kind: 'service', keyId: 'k', subject: 'apikey:gate', name: 'gate', operations: ['RESOLVE_LOCATION'], jurisdictionCode: STREET };
    expect(can({ kind: 'anonymous' }, 'grid:resolve')).toBe(true);
    expect(can(key, 'grid:resolve')).toBe(true);
    expect(can(key, 'grid:read')).toBe(false); // a key may do exactly what it lists, not what anonymous callers may
    expect(can(user('VIEWER'), 'grid:audit')).toBe(false);
    expect(can(user('DISPATCHER', STREET), 'worker:contact', { codes: ['130105002001001'] })).toBe(false);
    expect(can(user('DISPATCHER', STREET), 'worker:contact', { codes: ['130105002001001', '130105001015001'] })).toBe(true);
    expect(scopeProblem(editor, 'grid:change', { code: STREET })).toMatch(/is the root of your jurisdiction \(130105001\): only someone above it may change it/);
    expect(scopeProblem(editor, 'grid:create', null, 'a new district')).toMatch(/a new district lies above your jurisdiction \(130105001\)/);
    expect(scopeProblem(editor, 'grid:create', { code: STREET })).toBeNull();
  });
});

describe('a GIS_EDITOR scoped to street 130105001', () => {
  const importGrids = `mutation($input: ImportGridsInput!) { importGrids(input: $input) { __typename
    ... on ImportGridsReport { written refused features(onlyRefused: true) { index code problems { code message } } } } }`;

  it('cannot rename the district through an UPSERT import, nor create districts above it', () =>
    withRollback(async (trx) => {
      const district = await gridByCode(trx, '130105');
      const before = await snapshot(trx);
      const upsert = ok(
        await execute(
          trx,
          importGrids,
          {
            input: {
              level: 'DISTRICT',
              mode: 'UPSERT',
              featureCollection: { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: '130105', name: 'PWNED-DISTRICT' }, geometry: district.boundary }] },
            },
          },
          { viewer: editor },
        ),
      ).importGrids;
      expect(upsert).toMatchObject({ written: false, refused: 1 });
      expect(upsert.features[0].problems).toEqual([{ code: 'OUTSIDE_JURISDICTION', message: expect.stringMatching(/新华区 \(130105\) lies outside your jurisdiction \(130105001\)/) }]);

      const square = (x: number) => ({ type: 'Polygon', coordinates: [[[x, 10], [x + 0.01, 10], [x + 0.01, 10.01], [x, 10.01], [x, 10]]] });
      const create = ok(
        await execute(
          trx,
          importGrids,
          {
            input: {
              level: 'DISTRICT',
              mode: 'CREATE',
              featureCollection: {
                type: 'FeatureCollection',
                features: [
                  { type: 'Feature', properties: { code: '999999', name: 'X' }, geometry: square(100) },
                  { type: 'Feature', properties: { code: '999998', name: 'Y' }, geometry: square(101) },
                ],
              },
            },
          },
          { viewer: editor },
        ),
      ).importGrids;
      expect(create).toMatchObject({ written: false, refused: 2 });
      for (const f of create.features) {
        expect(f.problems.map((p: { code: string }) => p.code)).toContain('OUTSIDE_JURISDICTION');
        expect(f.problems.find((p: { code: string }) => p.code === 'OUTSIDE_JURISDICTION').message).toMatch(/a new district lies above your jurisdiction/);
      }
      expect(await snapshot(trx)).toBe(before);
    }));

  it('cannot recode, rename, redraw, retire, split, move or merge its own root', () =>
    withRollback(async (trx) => {
      const street = await gridByCode(trx, STREET);
      const other = await gridByCode(trx, '130105003');
      const district = await gridByCode(trx, '130105');
      const before = await snapshot(trx);
      const id = gid(street.id);
      const line = { type: 'LineString', coordinates: [[114.0, 38.0], [115.0, 39.0]] };
      const attempts: [string, string, object][] = [
        ['updateGrid', 'UpdateGridInput', { id, code: '130105002', expectedVersion: street.version }],
        ['updateGrid', 'UpdateGridInput', { id, name: '我的街道', expectedVersion: street.version }],
        ['updateGridBoundary', 'UpdateGridBoundaryInput', { id, boundary: street.boundary, expectedVersion: street.version, reason: 'x' }],
        ['retireGrid', 'RetireGridInput', { id, expectedVersion: street.version, reason: 'x' }],
        ['splitGrid', 'SplitGridInput', { id, line, names: ['a', 'b'], expectedVersion: street.version }],
        ['moveGrid', 'MoveGridInput', { id, newParentId: gid(district.id), expectedVersion: street.version }],
        ['mergeGrids', 'MergeGridsInput', { ids: [id, gid(other.id)], expectedVersions: [street.version, other.version], name: 'x' }],
      ];
      for (const [mutation, type, input] of attempts) {
        const r = await execute(trx, `mutation($input: ${type}!) { ${mutation}(input: $input) { __typename } }`, { input }, { viewer: editor });
        expect([mutation, r.errors?.[0].extensions?.code]).toEqual([mutation, 'FORBIDDEN']);
        expect(r.errors?.[0].message).toMatch(/革新街街道 \(130105001\) is the root of your jurisdiction|lies outside your jurisdiction/);
      }
      expect(await snapshot(trx)).toBe(before);
    }));

  it('may still draw under its root and edit below it, and nothing in another street', () =>
    withRollback(async (trx) => {
      const street = await gridByCode(trx, STREET);
      const community = await gridByCode(trx, '130105001015');
      const elsewhere = await gridByCode(trx, '130105003005');
      const bowTie = { type: 'Polygon', coordinates: [[[114.439, 38.043], [114.442, 38.045], [114.442, 38.043], [114.439, 38.045], [114.439, 38.043]]] };
      const create = `mutation($input: CreateGridInput!) { createGrid(input: $input) { __typename ... on ValidationError { problems { code } } } }`;
      // Authorised: the answer is about the drawing (a bow-tie), not about who may draw.
      const under = ok(await execute(trx, create, { input: { name: 'x', level: 'COMMUNITY', parentId: gid(street.id), boundary: bowTie } }, { viewer: editor })).createGrid;
      expect(under).toEqual({ __typename: 'ValidationError', problems: [{ code: 'SELF_INTERSECTION' }] });
      const rename = ok(await execute(trx, `mutation($input: UpdateGridInput!) { updateGrid(input: $input) { __typename } }`, { input: { id: gid(community.id), name: '革新街社区', expectedVersion: community.version } }, { viewer: editor }));
      expect(rename.updateGrid.__typename).toBe('UpdateGridSuccess');
      const outside = await execute(trx, create, { input: { name: 'x', level: 'GRID', parentId: gid(elsewhere.id), boundary: bowTie } }, { viewer: editor });
      expect(outside.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(outside.errors?.[0].message).toMatch(/the parent grid .* \(130105003005\) lies outside your jurisdiction \(130105001\)/);
    }));
});

describe('the import CLI', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grid-jurisdiction-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'src/modules/grid/import-cli.ts', ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: testDatabaseUrl() } }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('acts within --grid: a district feature is refused (exit 1), a bad --grid is a usage error (exit 2)', async () => {
    const file = path.join(tmp, 'district.geojson');
    const square = { type: 'Polygon', coordinates: [[[100, 10], [100.01, 10], [100.01, 10.01], [100, 10.01], [100, 10]]] };
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: '999997', name: 'X' }, geometry: square }] }));
    const scoped = await cli([file, '--level', 'DISTRICT', '--as', 'li.ming', '--grid', STREET]);
    expect(scoped.code).toBe(1);
    expect(scoped.stdout).toMatch(/refused: nothing written .* 1 refused/);
    expect(scoped.stdout).toMatch(/OUTSIDE_JURISDICTION: features\[0\]\.properties: a new district lies above your jurisdiction \(130105001\)/);
    const badGrid = await cli([file, '--level', 'DISTRICT', '--grid', '1301050']);
    expect(badGrid.code).toBe(2);
    expect(badGrid.stderr).toMatch(/--grid must be a grid code/);
    const noGrid = await cli([file, '--level', 'DISTRICT', '--grid', '130105999', '--dry-run']);
    expect(noGrid.code).toBe(2);
    expect(noGrid.stderr).toMatch(/--grid 130105999 is not the code of a current grid/);
  });
});

describe("audit fields (who changed a grid, and why)", () => {
  it('are hidden from anonymous callers and VIEWERs, shown to staff', () =>
    withRollback(async (trx) => {
      const q = `{ grid(code: "130105001") { changedBy changeReason history { changedBy changeReason } } }`;
      const seen = async (viewer?: ReturnType<typeof user>) => ok(await execute(trx, q, {}, viewer ? { viewer } : {})).grid;
      for (const viewer of [undefined, user('VIEWER')]) {
        const g = await seen(viewer);
        expect([g.changedBy, g.changeReason, ...g.history.flatMap((h: { changedBy: string; changeReason: string }) => [h.changedBy, h.changeReason])].every((v) => v === null)).toBe(true);
      }
      const staff = await seen(user('DISPATCHER', STREET));
      expect(staff.changedBy).toBe('seed');
      expect(staff.history[0].changeReason).toBe('demo data');
    }));
});
