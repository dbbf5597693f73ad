import gcoord from 'gcoord';
import { geometryIn, positionIn } from '../src/geo/output-crs';
import { createCoverageFixture } from './fixtures/coverage';
import { closeTestDb, withRollback } from './support/db';
import { execute, ok, user } from './support/graphql';

/**
 * Coordinates out in the caller's map's system: every geometry-returning field takes `crs` (default WGS84), and
 * what it answers for GCJ02 / BD09 is gcoord's conversion of its WGS-84 answer, vertex by vertex.
 */
afterAll(closeTestDb);

type Geometry = { type: string; coordinates: unknown };
type LngLat = { lng: number; lat: number };
const SYSTEMS = { GCJ02: gcoord.GCJ02, BD09: gcoord.BD09 } as const;

/** Every position of a geometry, in order. */
function positions(g: Geometry): number[][] {
  const out: number[][] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n) && typeof n[0] === 'number') out.push(n as number[]);
    else if (Array.isArray(n)) n.forEach(walk);
  };
  walk(g.coordinates);
  return out;
}

/** `converted` is gcoord's conversion of `wgs84` into `crs`, vertex by vertex (to 1e-9°, 0.1 mm). */
function expectConverted(wgs84: Geometry, converted: Geometry, crs: keyof typeof SYSTEMS): void {
  expect(converted.type).toBe(wgs84.type);
  const from = positions(wgs84);
  const to = positions(converted);
  expect(to).toHaveLength(from.length);
  expect(from.length).toBeGreaterThan(3);
  from.forEach((p, i) => {
    const [lng, lat] = gcoord.transform([p[0], p[1]], gcoord.WGS84, SYSTEMS[crs]) as number[];
    expect(to[i][0]).toBeCloseTo(lng, 9);
    expect(to[i][1]).toBeCloseTo(lat, 9);
  });
}

function expectPointConverted(wgs84: LngLat, converted: LngLat, crs: keyof typeof SYSTEMS): void {
  const [lng, lat] = gcoord.transform([wgs84.lng, wgs84.lat], gcoord.WGS84, SYSTEMS[crs]) as number[];
  expect(converted.lng).toBeCloseTo(lng, 9);
  expect(converted.lat).toBeCloseTo(lat, 9);
  // The offset is real: hundreds of metres in the demo district.
  expect(Math.abs(converted.lng - wgs84.lng) + Math.abs(converted.lat - wgs84.lat)).toBeGreaterThan(0.002);
}

describe('crs on geometry-returning fields', () => {
  it('Grid.boundary and centroid: GCJ02 and BD09 are gcoord conversions of WGS84; the default is unchanged', () =>
    withRollback(async (trx) => {
      const { grid } = ok(
        await execute(
          trx,
          `{ grid(code: "130105001015") {
            wgs: boundary gcj: boundary(crs: GCJ02) bd: boundary(crs: BD09) explicit: boundary(crs: WGS84)
            simple: boundary(simplifyMeters: 5) simpleGcj: boundary(simplifyMeters: 5, crs: GCJ02)
            centroid { lng lat } centroidGcj: centroid(crs: GCJ02) { lng lat } centroidBd: centroid(crs: BD09) { lng lat }
            history { wgs: boundary gcj: boundary(crs: GCJ02) }
          } }`,
        ),
      );
      const { rows } = await trx.raw(`SELECT ST_AsGeoJSON(boundary)::json AS g FROM grid WHERE code = '130105001015' AND valid_to IS NULL`);
      expect(grid.wgs).toEqual(rows[0].g);
      expect(grid.explicit).toEqual(grid.wgs);
      expectConverted(grid.wgs, grid.gcj, 'GCJ02');
      expectConverted(grid.wgs, grid.bd, 'BD09');
      expectConverted(grid.simple, grid.simpleGcj, 'GCJ02');
      expectPointConverted(grid.centroid, grid.centroidGcj, 'GCJ02');
      expectPointConverted(grid.centroid, grid.centroidBd, 'BD09');
      expectConverted(grid.history[0].wgs, grid.history[0].gcj, 'GCJ02');
    }));

  it('LocationResolution.point: asked back in the input system, it is the position sent', () =>
    withRollback(async (trx) => {
      const { resolveLocation: r } = ok(
        await execute(trx, `{ resolveLocation(lng: 114.44796, lat: 38.03086, crs: GCJ02) { point { lng lat } gcj: point(crs: GCJ02) { lng lat } grid { code } } }`),
      );
      expect(r.grid.code).toBe('130105001018001001');
      expectPointConverted(r.point, r.gcj, 'GCJ02');
      // gcoord's inverse is iterative: the round trip lands within a few millimetres.
      expect(Math.abs(r.gcj.lng - 114.44796)).toBeLessThan(1e-7);
      expect(Math.abs(r.gcj.lat - 38.03086)).toBeLessThan(1e-7);
    }));

  it('Located.location, KeyPlace.area, Facility.location and CameraView.sector', () =>
    withRollback(async (trx) => {
      const data = ok(
        await execute(
          trx,
          `{ keyPlaces(filter: { gridCode: "130105" }, first: 50) { nodes { location { lng lat } gcj: location(crs: GCJ02) { lng lat } area bd: area(crs: BD09) } }
             facilities(filter: { gridCode: "130105", kind: [CAMERA] }, first: 1) { nodes {
               location { lng lat } bd: location(crs: BD09) { lng lat } camera { sector gcj: sector(crs: GCJ02) } } }
             buildings(filter: { gridCode: "130105" }, first: 1) { nodes { location { lng lat } gcj: location(crs: GCJ02) { lng lat } } } }`,
          {},
          { viewer: user('ADMIN') },
        ),
      );
      const place = data.keyPlaces.nodes.find((k: { area: unknown }) => k.area !== null);
      expectPointConverted(place.location, place.gcj, 'GCJ02');
      expectConverted(place.area, place.bd, 'BD09');
      const camera = data.facilities.nodes[0];
      expectPointConverted(camera.location, camera.bd, 'BD09');
      expectConverted(camera.camera.sector, camera.camera.gcj, 'GCJ02');
      const building = data.buildings.nodes[0];
      expectPointConverted(building.location, building.gcj, 'GCJ02');
    }));

  it('coverage gaps, overlaps and outside parts', () =>
    withRollback(async (trx) => {
      const f = await createCoverageFixture(trx);
      const coverage = async (code: string) =>
        ok(
          await execute(
            trx,
            `query($code: String!) { grid(code: $code) { coverage {
              gaps { boundary gcj: boundary(crs: GCJ02) centroid { lng lat } bdCentroid: centroid(crs: BD09) { lng lat } }
              overlaps { boundary bd: boundary(crs: BD09) } outside { boundary gcj: boundary(crs: GCJ02) } } } }`,
            { code },
            { viewer: user('ADMIN') },
          ),
        ).grid.coverage;
      const gappy = await coverage(f.grids.GAPPY.code);
      expect(gappy.gaps).toHaveLength(1);
      expectConverted(gappy.gaps[0].boundary, gappy.gaps[0].gcj, 'GCJ02');
      expectPointConverted(gappy.gaps[0].centroid, gappy.gaps[0].bdCentroid, 'BD09');
      const overlap = await coverage(f.grids.OVERLAP.code);
      expectConverted(overlap.overlaps[0].boundary, overlap.overlaps[0].bd, 'BD09');
      const outside = await coverage(f.grids.OUTSIDE.code);
      expectConverted(outside.outside[0].boundary, outside.outside[0].gcj, 'GCJ02');
    }));

  it('Problem.location of a refused edit', () =>
    withRollback(async (trx) => {
      const { grid } = ok(await execute(trx, '{ grid(code: "130105001015") { id } }'));
      const boundary = { type: 'Polygon', coordinates: [[[114.439, 38.043], [114.442, 38.045], [114.442, 38.043], [114.439, 38.045], [114.439, 38.043]]] };
      const { createGrid } = ok(
        await execute(
          trx,
          `mutation($input: CreateGridInput!) { createGrid(input: $input) { ... on ValidationError { problems { location { lng lat } gcj: location(crs: GCJ02) { lng lat } } } } }`,
          { input: { name: '测试', level: 'GRID', parentId: grid.id, reason: 'crs', boundary } },
          { viewer: user('GIS_EDITOR', '130105001') },
        ),
      );
      expectPointConverted(createGrid.problems[0].location, createGrid.problems[0].gcj, 'GCJ02');
    }));
});

describe('output-crs helpers', () => {
  it('pass WGS84 through untouched (the same text, never parsed) and never modify what they convert', () => {
    const text = '{"type":"Point","coordinates":[114.45,38.03]}';
    expect(geometryIn(text, 'WGS84')).toBe(text);
    expect(geometryIn(text, undefined)).toBe(text);
    const object = { type: 'LineString', coordinates: [[114.45, 38.03, 80], [114.46, 38.04, 81]] };
    const copy = JSON.parse(JSON.stringify(object));
    const converted = geometryIn(object, 'GCJ02') as Geometry;
    expect(object).toEqual(copy);
    expect(positions(converted)[0][2]).toBe(80);
    expectConverted({ type: 'LineString', coordinates: [...object.coordinates, ...object.coordinates] }, { type: 'LineString', coordinates: [...positions(converted), ...positions(converted)] }, 'GCJ02');
    const collection = geometryIn({ type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [114.45, 38.03] }] }, 'BD09') as { geometries: Geometry[] };
    expect(positions(collection.geometries[0])[0][0]).not.toBe(114.45);
  });

  it('leave positions outside China as they are for GCJ02 (gcoord does), not for BD09', () => {
    expect(positionIn({ lng: 2.35, lat: 48.85 }, 'GCJ02')).toEqual({ lng: 2.35, lat: 48.85 });
    expect(positionIn({ lng: 2.35, lat: 48.85 }, 'BD09')).not.toEqual({ lng: 2.35, lat: 48.85 });
    expect(positionIn(null, 'GCJ02')).toBeNull();
  });
});
