import { fromGlobalId } from '../src/graphql/relay';
import { fromWgs84 } from '../src/geo/coordinates';
import { MAP_LAYERS } from '../src/modules/map/layers';
import { testDb } from './support/db';
import { authorization, decodeLayer, personalLooking, positions, useMapServer, tileAt, tokenFor } from './support/map';

/**
 * Vector tiles over HTTP on the demo district: decoded with @mapbox/vector-tile + pbf, checked against PostGIS;
 * jurisdiction and masking as GraphQL applies them; 204, 400, 404; GCJ-02 tiles on a Chinese basemap.
 * (ETag and as-of tiles over committed edits: map-changes.test.ts.)
 */

const server = useMapServer();

/** English messages (the default locale is zh-CN); `accept-language` given overrides it. */
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.base}${path}`, { headers: { 'accept-language': 'en', ...headers } });

/** A demo micro-grid and a point surely inside it. */
async function demoMicroGrid(offset: number): Promise<{ code: string; lng: number; lat: number }> {
  const { rows } = await testDb().raw(
    `SELECT code, ST_X(p) AS lng, ST_Y(p) AS lat FROM (SELECT code, ST_PointOnSurface(boundary) AS p FROM grid
     WHERE level = 'MICRO_GRID' AND valid_to IS NULL AND code LIKE '130105001%' ORDER BY code LIMIT 1 OFFSET ?) s`,
    [offset],
  );
  return rows[0];
}

/** The tile's envelope and its buffer (64/4096 of a tile each side), as PostGIS computes it. */
const BUFFERED_TILE = `ST_Transform(ST_TileEnvelope(?, ?, ?, margin => 64.0 / 4096), 4326)`;

describe('vector tiles', () => {
  it('lists the layers the caller may read, with TileJSON for each', async () => {
    const anonymous = (await (await get('/tiles')).json()) as { layers: { id: string; tilejson: string }[] };
    expect(anonymous.layers.map((l) => l.id)).toEqual(MAP_LAYERS.filter((l) => !['facilities', 'incidents'].includes(l.id)).map((l) => l.id));
    const staff = (await (await get('/tiles', authorization(await tokenFor('GRID_WORKER', '130105001')))).json()) as { layers: { id: string }[] };
    expect(staff.layers.map((l) => l.id)).toContain('facilities');

    const res = await get('/tiles/micro-grids.json?crs=GCJ02');
    expect(res.status).toBe(200);
    const tilejson = (await res.json()) as { tiles: string[]; bounds: number[]; vector_layers: { id: string; fields: Record<string, string> }[] };
    expect(tilejson).toMatchObject({ tilejson: '3.0.0', scheme: 'xyz', minzoom: 14, tiles: [`${server.base}/tiles/micro-grids/{z}/{x}/{y}.mvt?crs=GCJ02`] });
    expect(tilejson.vector_layers[0]).toMatchObject({ id: 'micro-grids', fields: { id: 'String', code: 'String', parentCode: 'String', areaSqm: 'Number' } });
    const [w, s, e, n] = tilejson.bounds;
    expect(w).toBeGreaterThan(114.3);
    expect(e).toBeLessThan(114.6);
    expect(s).toBeLessThan(n);
  });

  it('draws a micro-grid tile with the features PostGIS finds in it, and the properties a map needs', async () => {
    const g = await demoMicroGrid(40);
    const address = tileAt(g.lng, g.lat, 15);
    const res = await get(`/tiles/micro-grids/${address.z}/${address.x}/${address.y}.mvt`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
    expect(res.headers.get('etag')).toMatch(/^W\/".+"$/);
    expect(res.headers.get('cache-control')).toBe('public, no-cache');
    // A browser on another origin: a shared cache keys the answer by Origin too (CORS), not only by token and encoding.
    const cors = await get(`/tiles/micro-grids/${address.z}/${address.x}/${address.y}.mvt`, { origin: 'http://localhost:5173' });
    expect(cors.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(cors.headers.get('vary')?.split(/,\s*/).sort()).toEqual(['Accept-Encoding', 'Authorization', 'Origin']);
    const features = decodeLayer(await res.arrayBuffer(), 'micro-grids', address);

    // Every micro-grid with a point in the tile proper is drawn; nothing beyond the buffer is.
    const { rows: inside } = await testDb().raw(
      `SELECT code FROM grid WHERE level = 'MICRO_GRID' AND valid_to IS NULL AND ST_Intersects(ST_PointOnSurface(boundary), ST_Transform(ST_TileEnvelope(?, ?, ?), 4326))`,
      [address.z, address.x, address.y],
    );
    const { rows: reach } = await testDb().raw(
      `SELECT code FROM grid WHERE level = 'MICRO_GRID' AND valid_to IS NULL AND ST_Intersects(boundary, ${BUFFERED_TILE})`,
      [address.z, address.x, address.y],
    );
    const codes = features.map((f) => f.properties.code);
    expect(inside.length).toBeGreaterThan(0);
    expect(codes).toEqual(expect.arrayContaining(inside.map((r: { code: string }) => r.code)));
    expect(reach.map((r: { code: string }) => r.code)).toEqual(expect.arrayContaining(codes));
    expect(new Set(codes).size).toBe(codes.length);

    const mine = features.find((f) => f.properties.code === g.code)!;
    expect(mine.properties).toMatchObject({ level: 'MICRO_GRID', parentCode: g.code.slice(0, 15), version: 1 });
    expect(fromGlobalId(String(mine.properties.id))?.type).toBe('Grid');
    expect(Number(mine.properties.areaSqm)).toBeGreaterThan(0);
    // Its outline (simplified at about a metre at zoom 15) surrounds the point inside it.
    const xs = positions(mine.geometry).map((p) => p[0]);
    const ys = positions(mine.geometry).map((p) => p[1]);
    expect(Math.min(...xs)).toBeLessThan(g.lng);
    expect(Math.max(...xs)).toBeGreaterThan(g.lng);
    expect(Math.min(...ys)).toBeLessThan(g.lat);
    expect(Math.max(...ys)).toBeGreaterThan(g.lat);
  });

  it('places points where they are, and in GCJ-02 where a Chinese basemap has them', async () => {
    const { rows } = await testDb().raw(
      `SELECT b.code, ST_X(b.location) AS lng, ST_Y(b.location) AS lat, g.code AS grid_code FROM building b JOIN grid g ON g.id = b.grid_id
       WHERE b.retired_at IS NULL ORDER BY b.code LIMIT 1 OFFSET 50`,
    );
    const b = rows[0];
    const metres = (a: number[], lng: number, lat: number) => Math.hypot((a[0] - lng) * 111320 * Math.cos((lat * Math.PI) / 180), (a[1] - lat) * 110574);
    const wgs = tileAt(b.lng, b.lat, 16);
    const plain = decodeLayer(await (await get(`/tiles/buildings/${wgs.z}/${wgs.x}/${wgs.y}.mvt`)).arrayBuffer(), 'buildings', wgs);
    const drawn = plain.find((f) => f.properties.code === b.code)!;
    expect(drawn.properties).toMatchObject({ gridCode: b.grid_code });
    expect(metres(positions(drawn.geometry)[0], b.lng, b.lat)).toBeLessThan(1);

    const shifted = fromWgs84({ lng: b.lng, lat: b.lat }, 'GCJ02');
    expect(metres([shifted.lng, shifted.lat], b.lng, b.lat)).toBeGreaterThan(100);
    const gcj = tileAt(shifted.lng, shifted.lat, 16);
    const res = await get(`/tiles/buildings/${gcj.z}/${gcj.x}/${gcj.y}.mvt?crs=GCJ02`);
    const onBasemap = decodeLayer(await res.arrayBuffer(), 'buildings', gcj).find((f) => f.properties.code === b.code)!;
    expect(metres(positions(onBasemap.geometry)[0], shifted.lng, shifted.lat)).toBeLessThan(1);
    expect(res.headers.get('etag')).not.toBe((await get(`/tiles/buildings/${gcj.z}/${gcj.x}/${gcj.y}.mvt`)).headers.get('etag'));
  });

  it('answers 204 for an empty tile or a zoom below the layer, 400 for a bad address or parameter, 404 for an unknown layer', async () => {
    expect((await get('/tiles/micro-grids/14/0/0.mvt')).status).toBe(204);
    const g = await demoMicroGrid(0);
    const low = tileAt(g.lng, g.lat, 10);
    expect((await get(`/tiles/micro-grids/${low.z}/${low.x}/${low.y}.mvt`)).status).toBe(204);
    expect((await get(`/tiles/districts/${low.z}/${low.x}/${low.y}.mvt`)).status).toBe(200);

    const refusal = async (path: string, status: number, message: RegExp) => {
      const res = await get(path);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    };
    await refusal('/tiles/micro-grids/14/16384/0.mvt', 400, /x must be a whole number from 0 to 16383 at zoom 14/);
    await refusal('/tiles/micro-grids/23/0/0.mvt', 400, /zoom must be a whole number from 0 to 22/);
    await refusal('/tiles/rivers/14/0/0.mvt', 404, /no layer "rivers"; the layers are districts, streets/);
    await refusal('/tiles/micro-grids/14/0/0.png', 404, /ask \/tiles\/\{layer\}\/\{z\}\/\{x\}\/\{y\}\.mvt/);
    await refusal('/tiles/micro-grids/14/0/0.mvt?crs=EPSG3857', 400, /crs must be one of WGS84, GCJ02, BD09/);
    await refusal('/tiles/micro-grids/14/0/0.mvt?asOf=yesterday', 400, /asOf must be an RFC 3339 date-time/);
    await refusal('/tiles/buildings/14/0/0.mvt?asOf=2026-01-01T00:00:00Z', 400, /buildings has no history/);
    const chinese = await get('/tiles/rivers/14/0/0.mvt', { 'accept-language': 'zh-CN' });
    expect(((await chinese.json()) as { error: string }).error).toBe('没有图层 "rivers"；图层有 districts, streets, communities, grids, micro-grids, dedicated-grids, buildings, key-places, facilities, incidents');
  });

  it('limits facilities to staff within their jurisdiction, as GraphQL does, and carries no personal data in any layer', async () => {
    const { rows } = await testDb().raw(
      `SELECT ST_X(f.location) AS lng, ST_Y(f.location) AS lat FROM facility f JOIN grid g ON g.id = f.grid_id
       WHERE f.retired_at IS NULL AND g.code LIKE '130105001019%' ORDER BY f.id LIMIT 1`,
    );
    const address = tileAt(rows[0].lng, rows[0].lat, 15);
    const path = `/tiles/facilities/${address.z}/${address.x}/${address.y}.mvt`;
    expect((await get(path)).status).toBe(401);
    expect((await get(path, authorization(await tokenFor('VIEWER')))).status).toBe(403);

    const all = decodeLayer(await (await get(path, authorization(await tokenFor('ADMIN')))).arrayBuffer(), 'facilities', address);
    const worker = await get(path, authorization(await tokenFor('GRID_WORKER', '130105001019')));
    expect(worker.headers.get('cache-control')).toBe('private, no-cache');
    const theirs = decodeLayer(await worker.arrayBuffer(), 'facilities', address);
    expect(theirs.length).toBeGreaterThan(0);
    expect(all.length).toBeGreaterThan(theirs.length);
    expect(theirs.every((f) => String(f.properties.gridCode).startsWith('130105001019'))).toBe(true);
    const { rows: expected } = await testDb().raw(
      `SELECT count(*)::int AS n FROM facility f JOIN grid g ON g.id = f.grid_id
       WHERE f.retired_at IS NULL AND g.code LIKE '130105001019%' AND ST_Intersects(f.location, ${BUFFERED_TILE})`,
      [address.z, address.x, address.y],
    );
    expect(theirs.length).toBe(expected[0].n);

    // Every layer's properties are the declared ones, none of them a phone or ID number.
    const admin = authorization(await tokenFor('ADMIN'));
    for (const layer of MAP_LAYERS) {
      const z = Math.max(layer.minZoom, 14);
      const a = tileAt(rows[0].lng, rows[0].lat, z);
      const res = await get(`/tiles/${layer.id}/${a.z}/${a.x}/${a.y}.mvt`, admin);
      if (res.status === 204) continue;
      for (const f of decodeLayer(await res.arrayBuffer(), layer.id, a)) {
        expect(['id', ...Object.keys(layer.fields)]).toEqual(expect.arrayContaining(Object.keys(f.properties)));
        expect(personalLooking(f.properties)).toEqual([]);
      }
    }
  });
});
