import { toGlobalId } from '../src/graphql/relay';
import type { Viewer } from '../src/modules/auth/viewer';
import { ADMIN, at, createCamera, createFacilityFixture, facilityEdit, insertBuilding, moveGrid } from './fixtures/facility';
import { closeTestDb, withRollback, instantBetweenWrites } from './support/db';
import { execute, ok, user, type Result } from './support/graphql';

/**
 * Which facilities a list hands out when its own scope does not settle the caller's jurisdiction: a building's
 * (a facility may stand across a boundary from it), and a grid's read as of an instant (the rows are today's
 * facilities, which may lie elsewhere now, and the grid may have moved to another street since).
 */

afterAll(closeTestDb);

const errorCodes = (r: Result) => r.errors?.map((e) => e.extensions?.code);

describe("a building's facilities", () => {
  it("lists only those in the caller's jurisdiction: a gate across the street boundary is not theirs", () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      // The building stands in C2 (street S1) by the boundary with C3 (street S2); its gate across it, ~96 m away.
      const buildingId = toGlobalId('Building', await insertBuilding(trx, f.grids.C2, '边界楼', at(1.95, 1.0)));
      await facilityEdit(trx, 'createFacility', { name: '边界楼北门', kind: 'GATE', location: at(1.95, 1.1), buildingId });
      const across = await facilityEdit(trx, 'createFacility', { name: '边界楼东门', kind: 'GATE', location: at(2.05, 1.0), buildingId });
      expect(across.facility.grid.code).toBe(f.grids.C3.code);
      const q = `query($id: ID!) { node(id: $id) { ... on Building { facilities { totalCount nodes { name } } } } }`;
      const seen = async (viewer: Viewer) => ok(await execute(trx, q, { id: buildingId }, { viewer })).node.facilities;
      expect(await seen(user('GRID_WORKER', f.grids.S1.code))).toEqual({ totalCount: 1, nodes: [{ name: '边界楼北门' }] });
      expect(await seen(user('GRID_WORKER', f.code))).toEqual({ totalCount: 2, nodes: [{ name: '边界楼东门' }, { name: '边界楼北门' }] });
      expect((await seen(ADMIN)).totalCount).toBe(2);
    }));
});

describe('reading as of an instant (the facilities are today\'s)', () => {
  // One field a query: a refused list (non-null) takes its grid with it, and the other fields with that.
  const FIELDS = {
    facilities: 'facilities { nodes { name } }',
    inventory: 'inventory { facilitiesByKind { kind count } }',
    buildings: 'buildings { nodes { facilities { nodes { name } } } }',
  };

  it("hands a grid's facilities as of before it moved to another street only to those whose jurisdiction holds it now", () =>
    withRollback(async (trx) => {
      const f = await createFacilityFixture(trx);
      const buildingId = toGlobalId('Building', await insertBuilding(trx, f.grids.C2, '迁出楼', at(1.5, 1.0)));
      await facilityEdit(trx, 'createFacility', { name: '迁出楼门', kind: 'GATE', location: at(1.5, 1.0), buildingId });
      await createCamera(trx, { name: '迁出监控', at: at(1.5, 1.2), bearing: 0, fov: 90, range: 50 });
      await createCamera(trx, { name: '留下监控', at: at(0.5, 1.0), bearing: 0, fov: 90, range: 50 });
      const before = await instantBetweenWrites(trx);
      await moveGrid(trx, f.grids.C2, f.grids.S2); // C2 and what lies in it: now street S2's
      const read = (field: keyof typeof FIELDS, code: string, viewer: Viewer) =>
        execute(trx, `query($code: String!, $asOf: DateTime!) { grid(code: $code, asOf: $asOf) { ${FIELDS[field]} } }`, { code, asOf: before.toISOString() }, { viewer });
      const s1 = user('DISPATCHER', f.grids.S1.code);
      // C2 as it was: S1's then, S2's now.
      const refused = await read('facilities', f.grids.C2.code, s1);
      expect(refused.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([
        ['FORBIDDEN', expect.stringMatching(new RegExp(`now ${f.grids.S2.code}\\d{3} lies outside your jurisdiction`))],
      ]);
      expect(errorCodes(await read('buildings', f.grids.C2.code, s1))).toEqual(['FORBIDDEN']);
      expect(ok(await read('inventory', f.grids.C2.code, s1)).grid.inventory.facilitiesByKind).toBeNull();
      // S1 as it was held C2: of its facilities then, S1's dispatcher gets those that are S1's now.
      expect(ok(await read('facilities', f.grids.S1.code, s1)).grid.facilities.nodes).toEqual([{ name: '留下监控' }]);
      // The district's dispatcher holds it then and now.
      const district = user('DISPATCHER', f.code);
      expect(ok(await read('facilities', f.grids.C2.code, district)).grid.facilities.nodes.map((n: { name: string }) => n.name).sort()).toEqual(['迁出楼门', '迁出监控'].sort());
      expect(ok(await read('buildings', f.grids.C2.code, district)).grid.buildings.nodes).toEqual([{ facilities: { nodes: [{ name: '迁出楼门' }] } }]);
      expect(ok(await read('inventory', f.grids.C2.code, district)).grid.inventory.facilitiesByKind).toEqual([
        { kind: 'CAMERA', count: 1 },
        { kind: 'GATE', count: 1 },
      ]);
    }));
});
