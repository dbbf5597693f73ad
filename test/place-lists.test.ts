import type { Knex } from 'knex';
import { at } from './fixtures/grid';
import { createPlaceFixture, dbId, mutatePlace } from './fixtures/place';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok } from './support/graphql';

/**
 * Reading places in lists: `near` (against PostGIS distances on the spheroid, pages continuing in order), a
 * grid's subtree (`gridCode`, `Grid.buildings`), the address search and kinds; `Grid.inventory` counts
 * rolled up the tree, now and as of an instant.
 */

afterAll(closeTestDb);

const query = async (db: Knex, q: string, variables: Record<string, unknown> = {}) => ok(await execute(db, q, variables));

describe('place lists', () => {
  it('near: nearest first (by the great-circle distance of the KNN index), distances as PostGIS ST_Distance on the spheroid, pages continuing in order', () =>
    withRollback(async (trx) => {
      const { rows: [p] } = await trx.raw(`SELECT ST_X(location) + 0.0007 AS lng, ST_Y(location) - 0.0004 AS lat FROM building WHERE code LIKE '130105003%' ORDER BY code LIMIT 1`);
      const { rows: expected } = await trx.raw(
        `SELECT id, ST_Distance(location::geography, ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography) AS d FROM building
         WHERE retired_at IS NULL AND ST_DWithin(location::geography, ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography, 600)
         ORDER BY location::geography <-> ST_SetSRID(ST_MakePoint(:lng, :lat), 4326)::geography, id`,
        p,
      );
      expect(expected.length).toBeGreaterThan(12);
      const seen: { id: string; distanceMeters: number }[] = [];
      let after: string | null = null;
      do {
        const page: any = (await query(trx, `query($near: NearInput!, $after: String) { buildings(filter: { near: $near }, first: 6, after: $after) { nodes { id distanceMeters } pageInfo { hasNextPage endCursor } } }`, { near: { ...p, meters: 600 }, after })).buildings;
        seen.push(...page.nodes);
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      expect(seen.map((b) => dbId(b.id))).toEqual(expected.map((r: any) => r.id));
      seen.forEach((b, i) => expect(b.distanceMeters).toBeCloseTo(expected[i].d, 6));
    }));

  it("gridCode lists exactly the records whose grid lies in that grid's subtree; Grid.buildings the same", () =>
    withRollback(async (trx) => {
      const { rows: [c] } = await trx.raw(`SELECT id, code FROM grid WHERE level = 'COMMUNITY' AND code LIKE '130105%' AND valid_to IS NULL ORDER BY code OFFSET 7 LIMIT 1`);
      const { rows } = await trx.raw(`SELECT code FROM building WHERE retired_at IS NULL AND grid_id IN (SELECT id FROM grid WHERE id = :id OR ancestor_ids @> ARRAY[:id]::uuid[]) ORDER BY code`, c);
      expect(rows.length).toBeGreaterThan(10);
      const listed = (await query(trx, `{ buildings(filter: { gridCode: "${c.code}" }, first: 100) { totalCount nodes { code } } }`)).buildings;
      expect(listed.nodes.map((b: any) => b.code)).toEqual(rows.map((r: any) => r.code));
      expect(listed.totalCount).toBe(rows.length);
      const viaGrid = (await query(trx, `{ grid(code: "${c.code}") { buildings(first: 100) { totalCount nodes { code } } } }`)).grid.buildings;
      expect(viaGrid).toEqual(listed);
      const twice = await execute(trx, `{ grid(code: "${c.code}") { buildings(filter: { gridCode: "${c.code}" }) { totalCount } } }`);
      expect(twice.errors?.[0]).toMatchObject({ message: expect.stringMatching(/give the grid once/), extensions: { code: 'BAD_USER_INPUT' } });
    }));

  it('addressContains is the local address search; kind filters', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      const codes = async (filter: string) =>
        (await query(trx, `{ buildings(filter: { gridCode: "${f.districtCode}", ${filter} }) { nodes { code } } }`)).buildings.nodes.map((b: any) => b.code);
      expect(await codes('addressContains: "建设南"')).toEqual([f.buildings.BA1.code]);
      expect(await codes('addressContains: "zhonghua RD"')).toEqual([f.buildings.BA3.code]);
      expect(await codes('addressContains: "100%"')).toEqual([]);
      expect(await codes('kind: [RESIDENTIAL]')).toEqual([f.buildings.BA1.code, f.buildings.BB.code]);
      const near = (await query(trx, `query($near: NearInput!) { keyPlaces(filter: { near: $near }) { nodes { name distanceMeters } } }`, { near: { ...at(0.3, 1.1), meters: 5000 } })).keyPlaces.nodes;
      expect(near.map((k: any) => k.name)).toEqual(['测试小学', '东区农贸市场']);
    }));
});

describe('inventory', () => {
  const KINDS = `buildingsByKind { kind count } housesByUse { kind count } keyPlacesByKind { kind count }`;
  type Counts = Record<'buildingsByKind' | 'housesByUse' | 'keyPlacesByKind', { kind: string; count: number }[]>;
  const inventory = async (db: Knex, code: string, asOf?: string): Promise<Counts> =>
    (await query(db, `query($asOf: DateTime) { grid(code: "${code}", asOf: $asOf) { inventory { ${KINDS} } } }`, { asOf })).grid.inventory;

  /** What lies directly in a grid (not below it), counted in SQL. */
  async function direct(db: Knex, gridId: string): Promise<Counts> {
    const counts = async (sql: string) => (await db.raw(`${sql} GROUP BY 1 ORDER BY 1`, [gridId])).rows;
    return {
      buildingsByKind: await counts(`SELECT kind, count(*)::int AS count FROM building WHERE grid_id = ? AND retired_at IS NULL`),
      housesByUse: await counts(`SELECT h.use, count(*)::int AS count FROM house h JOIN building b ON b.id = h.building_id WHERE b.grid_id = ? AND b.retired_at IS NULL AND h.retired_at IS NULL`),
      keyPlacesByKind: await counts(`SELECT kind, count(*)::int AS count FROM key_place WHERE grid_id = ? AND retired_at IS NULL`),
    };
  }

  /** The counts of a grid summed from what lies directly in it and its children's counts. */
  async function rolledUp(db: Knex, code: string): Promise<Counts> {
    const { grid } = await query(db, `{ grid(code: "${code}") { id children(first: 100) { nodes { inventory { ${KINDS} } } } } }`);
    const parts: Counts[] = [await direct(db, dbId(grid.id)), ...grid.children.nodes.map((c: any) => c.inventory)];
    const sum = (key: keyof Counts) => {
      const totals = new Map<string, number>();
      for (const part of parts) for (const { kind, count } of part[key]) totals.set(kind, (totals.get(kind) ?? 0) + count);
      return [...totals].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, count]) => ({ kind, count }));
    };
    return { buildingsByKind: sum('buildingsByKind'), housesByUse: sum('housesByUse'), keyPlacesByKind: sum('keyPlacesByKind') };
  }

  it("a demo street's counts are the sum of its children's plus what lies directly in the street", () =>
    withRollback(async (trx) => {
      const street = await inventory(trx, '130105001');
      expect(street).toEqual(await rolledUp(trx, '130105001'));
      const { rows } = await trx.raw(`SELECT count(*)::int AS n FROM building WHERE code LIKE '130105001%' AND retired_at IS NULL`);
      expect(street.buildingsByKind.reduce((s, k) => s + k.count, 0)).toBe(rows[0].n);
    }));

  it('counts over the subtree, records lying directly in a street included, now and as of an instant', () =>
    withRollback(async (trx) => {
      const f = await createPlaceFixture(trx);
      expect(await inventory(trx, f.grids.A1.code)).toEqual({
        buildingsByKind: [{ kind: 'COMMERCIAL', count: 1 }, { kind: 'RESIDENTIAL', count: 1 }],
        housesByUse: [{ kind: 'OWNER_OCCUPIED', count: 1 }, { kind: 'RENTED', count: 2 }],
        keyPlacesByKind: [{ kind: 'SCHOOL', count: 1 }],
      });
      // A street of the fixture's district with no community over its east half, and a key place there.
      const east = { type: 'Polygon', coordinates: [[at(3, 0), at(4, 0), at(4, 2), at(3, 2), at(3, 0)].map((p) => [p.lng, p.lat])] };
      await trx.raw(`UPDATE grid SET boundary = ST_Multi(ST_SetSRID(ST_MakeEnvelope(?, ?, ?, ?), 4326)), version = version + 1 WHERE id = ?`, [at(0, 0).lng, at(0, 0).lat, at(4, 2).lng, at(4, 2).lat, f.grids.D.id]);
      await trx.raw(`INSERT INTO grid (code, name, level, depth, parent_id, ancestor_ids, boundary, changed_by)
        VALUES (?, '测试C', 'STREET', 1, ?, ARRAY[?]::uuid[], ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(?), 4326)), 'fixture')`, [`${f.districtCode}003`, f.grids.D.id, f.grids.D.id, JSON.stringify(east)]);
      await mutatePlace(trx, 'createKeyPlace', { name: '汽车站', kind: 'TRANSPORT_HUB', location: at(3.5, 1) });
      const district = await inventory(trx, f.districtCode);
      expect(district.keyPlacesByKind).toEqual([{ kind: 'MARKET', count: 1 }, { kind: 'SCHOOL', count: 1 }, { kind: 'TRANSPORT_HUB', count: 1 }]);
      expect(district).toEqual(await rolledUp(trx, f.districtCode));
      expect((await inventory(trx, `${f.districtCode}003`)).keyPlacesByKind).toEqual([{ kind: 'TRANSPORT_HUB', count: 1 }]);
      expect(await inventory(trx, f.districtCode, new Date().toISOString())).toEqual(district);
    }));
});
