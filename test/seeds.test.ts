import knexFactory, { type Knex } from 'knex';
import { DEMO_DISTRICT_CODE, seedDemoDistrict } from '../seeds/demo';
import { testDatabaseUrl } from './support/env';

/**
 * The demo district as PostGIS sees it (global setup seeded it): counts, validity, exact tiling of every
 * regular level, code hierarchy, overlays inside their community, irregular shapes, staffing.
 */
let db: Knex;

beforeAll(() => {
  db = knexFactory({ client: 'pg', connection: testDatabaseUrl(), pool: { min: 0, max: 2 } });
});

afterAll(async () => {
  await db.destroy();
});

/** Rows of the demo district only: other tests may add grids of their own (in rolled-back transactions). */
const DEMO = `code LIKE '${DEMO_DISTRICT_CODE}%'`;

async function rows<T>(sql: string, bindings: readonly Knex.RawBinding[] = []): Promise<T[]> {
  return (await db.raw(sql, bindings)).rows;
}

describe('demo seed (新华区)', () => {
  it('holds the published number of grids on each level', async () => {
    const counts = await rows<{ level: string; n: number }>(`SELECT level, count(*)::int AS n FROM grid WHERE ${DEMO} GROUP BY level`);
    expect(Object.fromEntries(counts.map((r) => [r.level, r.n]))).toEqual({
      DISTRICT: 1,
      STREET: 15,
      COMMUNITY: 116,
      GRID: 707,
      MICRO_GRID: 3500,
      DEDICATED: 30,
    });
  });

  it('does nothing when seeded again', async () => {
    await expect(seedDemoDistrict(db)).resolves.toBe('already-seeded');
  });

  it('stores only valid, non-empty WGS-84 multipolygons, each with its first history version', async () => {
    const [r] = await rows<{ n: number; invalid: number; wrong_type: number; unversioned: number }>(
      `SELECT count(*)::int AS n,
              count(*) FILTER (WHERE NOT ST_IsValid(boundary) OR ST_IsEmpty(boundary))::int AS invalid,
              count(*) FILTER (WHERE GeometryType(boundary) <> 'MULTIPOLYGON' OR ST_SRID(boundary) <> 4326)::int AS wrong_type,
              count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM grid_version v WHERE v.grid_id = g.id AND v.version = 1))::int AS unversioned
       FROM grid g WHERE ${DEMO}`,
    );
    expect(r).toEqual({ n: 4369, invalid: 0, wrong_type: 0, unversioned: 0 });
  });

  it('lies around Xinhua district and covers about its 93 km²', async () => {
    const [r] = await rows<{ km2: number; lng: number; lat: number }>(
      `SELECT area_sqm / 1e6 AS km2, ST_X(centroid) AS lng, ST_Y(centroid) AS lat FROM grid WHERE code = ?`,
      [DEMO_DISTRICT_CODE],
    );
    expect(r.km2).toBeGreaterThan(85);
    expect(r.km2).toBeLessThan(100);
    expect(Math.abs(r.lng - 114.46)).toBeLessThan(0.02);
    expect(Math.abs(r.lat - 38.05)).toBeLessThan(0.02);
  });

  it('tiles every district, street, community and grid exactly with its children', async () => {
    // Symmetric difference = gaps + anything outside the parent; below 1 m² means none worth the name.
    const worst = await rows<{ level: string; parents: number; max_m2: number }>(
      `SELECT p.level, count(*)::int AS parents, max(ST_Area(ST_SymDifference(p.boundary, c.covered)::geography)) AS max_m2
       FROM grid p
       JOIN LATERAL (SELECT ST_Union(boundary) AS covered FROM grid WHERE parent_id = p.id AND level <> 'DEDICATED') c ON true
       WHERE p.${DEMO} AND p.level IN ('DISTRICT', 'STREET', 'COMMUNITY', 'GRID')
       GROUP BY p.level ORDER BY p.level`,
    );
    expect(worst.map((r) => [r.level, r.parents])).toEqual([
      ['COMMUNITY', 116],
      ['DISTRICT', 1],
      ['GRID', 707],
      ['STREET', 15],
    ]);
    for (const r of worst) expect(r.max_m2).toBeLessThan(1);
  });

  it('never lets two siblings of a regular level overlap', async () => {
    const overlaps = await rows<{ level: string; pairs: number; m2: number }>(
      `SELECT a.level, count(*)::int AS pairs, coalesce(sum(ST_Area(ST_Intersection(a.boundary, b.boundary)::geography)), 0) AS m2
       FROM grid a JOIN grid b ON b.parent_id = a.parent_id AND b.level = a.level AND a.id < b.id AND a.boundary && b.boundary
       WHERE a.${DEMO} AND a.level IN ('STREET', 'COMMUNITY', 'GRID', 'MICRO_GRID')
       GROUP BY a.level ORDER BY a.level`,
    );
    expect(overlaps.map((r) => r.level)).toEqual(['COMMUNITY', 'GRID', 'MICRO_GRID', 'STREET']);
    for (const r of overlaps) {
      expect(r.pairs).toBeGreaterThan(0);
      expect(r.m2).toBeLessThan(0.01);
    }
  });

  it('codes each grid below its parent, in the 6/9/12/15/18-digit hierarchy', async () => {
    const bad = await rows<{ code: string }>(
      `SELECT c.code FROM grid c LEFT JOIN grid p ON p.id = c.parent_id
       WHERE c.${DEMO} AND (
         CASE c.level
           WHEN 'DISTRICT' THEN c.code ~ '^[0-9]{6}$' AND p.id IS NULL
           WHEN 'STREET' THEN c.code ~ '^[0-9]{9}$' AND p.level = 'DISTRICT'
           WHEN 'COMMUNITY' THEN c.code ~ '^[0-9]{12}$' AND p.level = 'STREET'
           WHEN 'GRID' THEN c.code ~ '^[0-9]{12}[0-8][0-9]{2}$' AND p.level = 'COMMUNITY'
           WHEN 'MICRO_GRID' THEN c.code ~ '^[0-9]{15}[0-8][0-9]{2}$' AND p.level = 'GRID'
           WHEN 'DEDICATED' THEN c.code ~ '^[0-9]{12}9[0-9]{2}$' AND p.level = 'COMMUNITY'
         END
         AND (p.id IS NULL OR (left(c.code, length(p.code)) = p.code
                               AND c.ancestor_ids = p.ancestor_ids || p.id AND c.depth = p.depth + 1))) IS NOT TRUE`,
    );
    expect(bad).toEqual([]);
  });

  it('puts every dedicated grid inside its community, across regular grids', async () => {
    const overlays = await rows<{ code: string; outside_m2: number; micro_grids_crossed: number }>(
      `SELECT d.code, ST_Area(ST_Difference(d.boundary, c.boundary)::geography) AS outside_m2,
              (SELECT count(*)::int FROM grid m WHERE m.parent_id IN (SELECT id FROM grid WHERE parent_id = c.id AND level = 'GRID')
                 AND m.boundary && d.boundary AND ST_Area(ST_Intersection(m.boundary, d.boundary)::geography) > 1) AS micro_grids_crossed
       FROM grid d JOIN grid c ON c.id = d.parent_id WHERE d.${DEMO} AND d.level = 'DEDICATED'`,
    );
    expect(overlays).toHaveLength(30);
    for (const o of overlays) expect(o.outside_m2).toBeLessThan(0.01);
    // Overlays overlap the regular tiling: most cross more than one micro-grid.
    expect(overlays.filter((o) => o.micro_grids_crossed > 1).length).toBeGreaterThan(20);
  });

  it('draws irregular micro-grids, not a lattice of rectangles', async () => {
    const [r] = await rows<{ quads: number; n: number; points_stddev: number; fill: number; max_fill: number }>(
      `SELECT count(*) FILTER (WHERE ST_NPoints(boundary) = 5)::int AS quads, count(*)::int AS n,
              stddev(ST_NPoints(boundary))::float8 AS points_stddev,
              avg(ST_Area(boundary) / ST_Area(ST_OrientedEnvelope(boundary))) AS fill,
              max(ST_Area(boundary) / ST_Area(ST_OrientedEnvelope(boundary))) AS max_fill
       FROM grid WHERE ${DEMO} AND level = 'MICRO_GRID'`,
    );
    expect(r.quads / r.n).toBeLessThan(0.2);
    expect(r.points_stddev).toBeGreaterThan(2);
    // A rectangle fills its minimum bounding rectangle; these shapes leave a good share of it empty.
    expect(r.fill).toBeLessThan(0.9);
    expect(r.max_fill).toBeLessThan(0.99);
  });

  it('staffs the district with 713 workers: one full-time per grid, 5 on leave, 6 part-time on communities', async () => {
    const staff = await rows<{ role: string; status: string; level: string; n: number; grids: number }>(
      `SELECT w.role, w.status, g.level, count(*)::int AS n, count(DISTINCT g.id)::int AS grids
       FROM grid_worker w JOIN grid_assignment a ON a.worker_id = w.id AND a.valid_to IS NULL AND a.is_primary
       JOIN grid g ON g.id = a.grid_id WHERE g.${DEMO}
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    );
    expect(staff).toEqual([
      { role: 'FULL_TIME', status: 'ACTIVE', level: 'GRID', n: 702, grids: 702 },
      { role: 'FULL_TIME', status: 'ON_LEAVE', level: 'GRID', n: 5, grids: 5 },
      { role: 'PART_TIME', status: 'ACTIVE', level: 'COMMUNITY', n: 6, grids: 6 },
    ]);
    // Every community with a grid worker on leave has a part-time worker standing in.
    const uncovered = await rows(
      `SELECT g.parent_id FROM grid_worker w JOIN grid_assignment a ON a.worker_id = w.id JOIN grid g ON g.id = a.grid_id
       WHERE g.${DEMO} AND w.status = 'ON_LEAVE'
         AND NOT EXISTS (SELECT 1 FROM grid_assignment pa JOIN grid_worker pw ON pw.id = pa.worker_id
                         WHERE pa.grid_id = g.parent_id AND pw.role = 'PART_TIME' AND pw.status = 'ACTIVE')`,
    );
    expect(uncovered).toEqual([]);
  });

  it('gives the workers well-formed, distinct mainland mobile numbers', async () => {
    const [r] = await rows<{ n: number; phones: number; malformed: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT w.phone)::int AS phones,
              count(*) FILTER (WHERE w.phone !~ '^1(3[0-9]|4[5-9]|5[0-35-9]|66|7[0-8]|8[0-9]|9[1-35-9])[0-9]{8}$')::int AS malformed
       FROM grid_worker w WHERE EXISTS (SELECT 1 FROM grid_assignment a JOIN grid g ON g.id = a.grid_id WHERE a.worker_id = w.id AND g.${DEMO})`,
    );
    expect(r).toEqual({ n: 713, phones: 713, malformed: 0 });
  });
});
