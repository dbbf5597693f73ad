import { checkPosition, fromWgs84, toWgs84 } from '../src/geo/coordinates';
import { geometryProblems } from '../src/geo/geojson';
import { decodeCursor, encodeCursor, expectGlobalId, fromGlobalId, toGlobalId } from '../src/graphql/relay';

describe('coordinate systems', () => {
  // Xinhua district, Shijiazhuang; Zhengzhou; a point outside China where GCJ-02 does not apply.
  const points = [
    { lng: 114.46, lat: 38.05 },
    { lng: 113.65, lat: 34.75 },
  ];

  it.each(['GCJ02', 'BD09'] as const)('%s → WGS-84 inverts the forward transform to under 1 mm (the importer snaps within 5 cm)', (crs) => {
    for (const p of points) {
      const encoded = fromWgs84(p, crs);
      // The offset is hundreds of metres: the test would pass vacuously if nothing were converted.
      expect(Math.abs(encoded.lng - p.lng) + Math.abs(encoded.lat - p.lat)).toBeGreaterThan(0.003);
      const back = toWgs84(encoded, crs);
      expect(Math.abs(back.lng - p.lng) * 111320 * Math.cos((p.lat * Math.PI) / 180)).toBeLessThan(0.001);
      expect(Math.abs(back.lat - p.lat) * 110574).toBeLessThan(0.001);
    }
  });

  it('leaves positions outside China unchanged for GCJ-02', () => {
    expect(toWgs84({ lng: 2.35, lat: 48.85 }, 'GCJ02')).toEqual({ lng: 2.35, lat: 48.85 });
  });

  it('says which value is wrong and how', () => {
    expect(() => checkPosition(38.05, 114.46)).toThrow('lat 114.46 is outside -90..90 and lng 38.05 would be a valid latitude');
    expect(() => checkPosition(200, 10)).toThrow('lng must be within -180..180 (got 200)');
    expect(() => checkPosition(100, -91)).toThrow('lat must be within -90..90 (got -91)');
    expect(() => checkPosition(NaN, 10)).toThrow('lng must be a finite number (got NaN)');
    expect(checkPosition(114.46, 38.05)).toEqual({ lng: 114.46, lat: 38.05 });
  });
});

describe('GeoJSON structure', () => {
  it('accepts a valid polygon', () => {
    expect(geometryProblems({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] })).toEqual([]);
  });

  it('reports every bad position with its index path', () => {
    const problems = geometryProblems({
      type: 'MultiPolygon',
      coordinates: [[[[114, 38], [38, 114], [Infinity, 1], [200, 10], 'x']]],
    });
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['SWAPPED_AXES', [0, 0, 1]],
      ['NON_FINITE', [0, 0, 2]],
      ['OUT_OF_RANGE', [0, 0, 3]],
      ['BAD_COORDINATES', [0, 0, 4]],
    ]);
  });

  it('reports rings that are too short or not closed', () => {
    const problems = geometryProblems({
      type: 'MultiPolygon',
      coordinates: [
        [[[0, 0], [1, 0], [0, 0]]],
        [[[0, 0], [1, 0], [1, 1], [0, 1]]],
      ],
    });
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['RING_TOO_SHORT', [0, 0]],
      ['RING_NOT_CLOSED', [1, 0]],
    ]);
    expect(problems[1].message).toBe('coordinates[1][0]: the ring is not closed: it starts at [0, 0] but ends at [0, 1]');
  });

  it('refuses what is not a geometry or not an allowed type', () => {
    expect(geometryProblems('POINT(1 2)')[0].code).toBe('NOT_GEOMETRY');
    expect(geometryProblems({ type: 'Polygon' }, ['Point'])[0].message).toBe('geometry type must be one of Point (got "Polygon")');
    expect(geometryProblems({ type: 'Polygon', coordinates: 5 })[0].message).toBe('coordinates must be an array');
  });
});

describe('relay ids and cursors', () => {
  const id = '6f1c2f0e-8a59-4b1e-9f0a-2d7c8e4b5a11';

  it('round-trips global ids and rejects foreign ones', () => {
    expect(fromGlobalId(toGlobalId('Grid', id))).toEqual({ type: 'Grid', id });
    // Any type name parses (the registry decides which exist: `node` answers null for the others) ...
    expect(fromGlobalId(Buffer.from(`User:${id}`).toString('base64url'))).toEqual({ type: 'User', id });
    // ... but an argument that must name a grid refuses another type's id.
    expect(() => expectGlobalId(Buffer.from(`User:${id}`).toString('base64url'), 'Grid', 'parentId')).toThrow(/parentId is not a Grid id/);
    expect(fromGlobalId(Buffer.from(`user;drop:${id}`).toString('base64url'))).toBeNull();
    expect(fromGlobalId(Buffer.from('Grid:1').toString('base64url'))).toBeNull();
    expect(fromGlobalId('%%%')).toBeNull();
  });

  it('round-trips cursors and rejects tampered ones', () => {
    expect(decodeCursor(encodeCursor(['130105001', id]), 2)).toEqual(['130105001', id]);
    expect(() => decodeCursor(encodeCursor(['x']), 2)).toThrow(/after is not a cursor/);
    expect(() => decodeCursor('not-base64-json', 2)).toThrow(/after is not a cursor/);
  });
});
