import type { Knex } from 'knex';
import { prepareGeometries } from '../src/modules/grid/repo-boundary';
import { createEditFixture, EDIT_ORIGIN, pt } from './fixtures/edit';
import { closeTestDb, withRollback } from './support/db';

/**
 * The snap of an import's vertices back onto the grid's stored boundary (a GCJ-02 or GeoPackage round trip)
 * measures metres in every direction: at 31° N a degree of longitude is 95 km and one of latitude 111 km, so a
 * tolerance taken in degrees of longitude reached 1/cos(31°) ≈ 1.17 times as far north as east.
 */

afterAll(closeTestDb);

const SNAP_METERS = 0.05;
/** Metres east and north, in degrees at the fixture's latitude. */
const east = (m: number) => m / (111_320 * Math.cos((EDIT_ORIGIN.lat * Math.PI) / 180));
const north = (m: number) => m / 110_574;

async function vertices(db: Knex, hexOrId: { hex: string } | { gridId: string }): Promise<number[][]> {
  const geom = 'hex' in hexOrId ? `ST_GeomFromEWKB(decode(?, 'hex'))` : '(SELECT boundary FROM grid WHERE id = ?)';
  const { rows } = await db.raw(`SELECT ST_X(d.geom) AS x, ST_Y(d.geom) AS y FROM ST_DumpPoints(${geom}) d ORDER BY d.path`, ['hex' in hexOrId ? hexOrId.hex : hexOrId.gridId]);
  return rows.map((r: { x: number; y: number }) => [r.x, r.y]);
}

it('puts back a vertex moved less than the tolerance in metres, bit for bit, and leaves one moved further, in any direction', () =>
  withRollback(async (trx) => {
    const f = await createEditFixture(trx);
    const stored = await vertices(trx, { gridId: f.ids.G1 });
    const [a, b, c, d] = [pt(0, 0), pt(1, 0), pt(1, 1), pt(0, 1)];
    // a: 5.5 cm north (beyond 5 cm, within 5 cm's worth of degrees of longitude); b: 4.5 cm east; c: 3 cm each way
    // (4.2 cm); d: where it is.
    const moved = [
      [a[0], a[1] + north(0.055)],
      [b[0] + east(0.045), b[1]],
      [c[0] + east(0.03), c[1] + north(0.03)],
      d,
    ];
    const geojson = JSON.stringify({ type: 'MultiPolygon', coordinates: [[[...moved, moved[0]]]] });
    const [prepared] = await prepareGeometries(trx, [
      { n: 0, geojson, parentId: f.ids.C, selfId: f.ids.G1, level: 'GRID', clipToParent: false, snapDegrees: 0, snapToSelfMeters: SNAP_METERS },
    ]);
    expect(prepared.valid).toBe(true);
    const result = await vertices(trx, prepared);
    const at = (p: number[]) => result.find((v) => Math.abs(v[0] - p[0]) < 1e-6 && Math.abs(v[1] - p[1]) < 1e-6)!;
    expect(at(a)).toEqual(moved[0]);
    for (const corner of [b, c, d]) expect(stored).toContainEqual(at(corner));
    expect(result).toHaveLength(5);

    // The same file without a stored boundary to go back to (a new grid) keeps every vertex as given.
    const [fresh] = await prepareGeometries(trx, [
      { n: 0, geojson, parentId: f.ids.C, selfId: null, level: 'GRID', clipToParent: false, snapDegrees: 0, snapToSelfMeters: SNAP_METERS },
    ]);
    expect(await vertices(trx, fresh)).toEqual([...moved, moved[0]]);
  }));
