import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fromWgs84 } from '../src/geo/coordinates';
import { testDb } from './support/db';
import { authorization, personalLooking, useMapServer, tokenFor } from './support/map';

/**
 * OGC API - Features Part 1 at /ogc on the demo district: the documents GDAL and QGIS read, items pages
 * (limits, keyset next links, numberMatched, bbox, property filters, one feature, GCJ-02), jurisdiction, and
 * GDAL's own OAPIF driver opening collections as layers (`ogrinfo`, Debian gdal-bin).
 */

const run = promisify(execFile);
const server = useMapServer();

interface Page {
  type: string;
  numberMatched: number;
  numberReturned: number;
  links: Link[];
  features: { type: string; id: string; geometry: { type: string; coordinates: number[][][][] | number[] }; properties: Record<string, unknown> }[];
}

interface Link {
  rel: string;
  href: string;
  type: string;
}
interface Landing {
  links: Link[];
}
interface Api {
  paths: Record<string, { get: { parameters: { name: string; schema: object }[] } }>;
}
interface Collection {
  id: string;
  itemType: string;
  extent: { spatial: { bbox: number[][]; crs: string }; temporal?: { interval: (string | null)[][] } };
  links: Link[];
}
interface Refusal {
  error: string;
}

async function getJson<T>(path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; body: T }> {
  const res = await fetch(path.startsWith('http') ? path : `${server.base}${path}`, { headers: { 'accept-language': 'en', ...headers } });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as T };
}

/** Around the demo district (114.39–114.53 E, 38.00–38.10 N). */
const DEMO_BOX = [114.38, 37.99, 114.53, 38.11];

const count = async (sql: string, bindings: number[] = []) => (await testDb().raw(sql, bindings)).rows[0].n as number;

describe('OGC API Features', () => {
  it('describes itself: landing page, conformance, OpenAPI 3.0, collections with their extents', async () => {
    const landing = await getJson<Landing>('/ogc');
    const rels = Object.fromEntries(landing.body.links.map((l) => [l.rel, l.href]));
    expect(rels).toMatchObject({ self: `${server.base}/ogc`, 'service-desc': `${server.base}/ogc/api`, conformance: `${server.base}/ogc/conformance`, data: `${server.base}/ogc/collections` });
    expect((await getJson<{ conformsTo: string[] }>('/ogc/conformance')).body.conformsTo).toEqual(
      ['core', 'geojson', 'oas30'].map((c) => `http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/${c}`),
    );
    const api = await getJson<Api>('/ogc/api');
    expect(api.type).toMatch(/^application\/vnd\.oai\.openapi\+json;version=3\.0/);
    const limit = api.body.paths['/collections/{collectionId}/items'].get.parameters.find((p) => p.name === 'limit')!;
    expect(limit.schema).toEqual({ type: 'integer', minimum: 1, maximum: 10000, default: 100 });

    const anonymous = await getJson<{ collections: Collection[] }>('/ogc/collections');
    const ids = anonymous.body.collections.map((c) => c.id);
    expect(ids).toContain('micro-grids');
    expect(ids).not.toContain('facilities');
    const staff = await getJson<{ collections: Collection[] }>('/ogc/collections', authorization(await tokenFor('DISPATCHER', '130105001')));
    expect(staff.body.collections.map((c) => c.id)).toContain('facilities');
    const micro = await getJson<Collection>('/ogc/collections/micro-grids');
    expect(micro.body).toMatchObject({ id: 'micro-grids', itemType: 'feature', extent: { spatial: { crs: 'http://www.opengis.net/def/crs/OGC/1.3/CRS84' } } });
    const [w, s, e, n] = micro.body.extent.spatial.bbox[0];
    expect([w > 114.3, e < 114.6, s < n]).toEqual([true, true, true]);
    expect(micro.body.extent.temporal?.interval[0][1]).toBeNull();
    expect(micro.body.links).toContainEqual(expect.objectContaining({ rel: 'items', type: 'application/geo+json', href: `${server.base}/ogc/collections/micro-grids/items` }));
    expect((await getJson<Collection>('/ogc/collections/buildings')).body.extent.temporal).toBeUndefined();
  });

  it('pages through a collection with stable next links until every feature came once', async () => {
    // The demo district's box: other test files commit fixtures of their own elsewhere while this one runs.
    const total = await count(
      `SELECT count(*)::int AS n FROM grid WHERE level = 'MICRO_GRID' AND valid_to IS NULL AND ST_Intersects(boundary, ST_MakeEnvelope(?, ?, ?, ?, 4326))`,
      DEMO_BOX,
    );
    const first = await getJson<Page>(`/ogc/collections/micro-grids/items?bbox=${DEMO_BOX.join(',')}`);
    expect(first.type).toBe('application/geo+json; charset=utf-8');
    expect(first.body).toMatchObject({ type: 'FeatureCollection', numberMatched: total, numberReturned: 100 });
    expect(first.body.features[0]).toMatchObject({ type: 'Feature', geometry: { type: 'MultiPolygon' }, properties: { level: 'MICRO_GRID' } });
    const seen = new Set<string>();
    let next: string | undefined = `${server.base}/ogc/collections/micro-grids/items?limit=1000&bbox=${DEMO_BOX.join(',')}`;
    let pages = 0;
    while (next) {
      const page: Page = (await getJson<Page>(next)).body;
      for (const f of page.features) seen.add(f.id);
      expect(page.numberReturned).toBe(page.features.length);
      next = page.links.find((l) => l.rel === 'next')?.href;
      pages++;
    }
    expect(seen.size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 1000) + (total % 1000 === 0 ? 1 : 0));

    // A limit above the maximum is served as the maximum; a limit that is no count is refused.
    const big = await getJson<Page>('/ogc/collections/buildings/items?limit=50000');
    expect(big.body.numberReturned).toBe(Math.min(10000, big.body.numberMatched));
    expect((await getJson<Refusal>('/ogc/collections/buildings/items?limit=0')).body.error).toMatch(/limit must be a whole number from 1/);
  });

  it('filters by bbox, code, level and parentCode, returns one feature by id, and converts to GCJ-02 on request', async () => {
    const bbox = [114.44, 38.02, 114.46, 38.04];
    const inBox = await count(
      `SELECT count(*)::int AS n FROM grid WHERE level = 'GRID' AND valid_to IS NULL AND ST_Intersects(boundary, ST_MakeEnvelope(?, ?, ?, ?, 4326))`,
      bbox,
    );
    const boxed = await getJson<Page>(`/ogc/collections/grids/items?bbox=${bbox.join(',')}&limit=1000`);
    expect(boxed.body.numberMatched).toBe(inBox);
    expect(boxed.body.features).toHaveLength(inBox);

    const children = await getJson<Page>('/ogc/collections/micro-grids/items?parentCode=130105001018001&limit=1000');
    const expected = await count(`SELECT count(*)::int AS n FROM grid g JOIN grid p ON p.id = g.parent_id WHERE p.code = '130105001018001' AND g.valid_to IS NULL`);
    expect(children.body.features.map((f) => f.properties.parentCode)).toEqual(Array(expected).fill('130105001018001'));
    expect((await getJson<Page>('/ogc/collections/micro-grids/items?level=GRID')).body.numberMatched).toBe(0);

    const one = await getJson<Page>('/ogc/collections/micro-grids/items?code=130105001018001001');
    expect(one.body.numberMatched).toBe(1);
    const feature = one.body.features[0];
    const byId = await getJson<Page['features'][number]>(`/ogc/collections/micro-grids/items/${feature.id}`);
    expect(byId.type).toBe('application/geo+json; charset=utf-8');
    expect(byId.body).toMatchObject({ type: 'Feature', id: feature.id, properties: feature.properties, geometry: feature.geometry });
    expect((await getJson<Refusal>(`/ogc/collections/grids/items/${feature.id}`)).status).toBe(404);
    expect((await getJson<Refusal>('/ogc/collections/micro-grids/items/nope')).status).toBe(404);

    const gcj = await getJson<Page>('/ogc/collections/micro-grids/items?code=130105001018001001&coordinateSystem=GCJ02');
    const [lng, lat] = (feature.geometry.coordinates as number[][][][])[0][0][0];
    const shifted = fromWgs84({ lng, lat }, 'GCJ02');
    const [glng, glat] = (gcj.body.features[0].geometry.coordinates as number[][][][])[0][0][0];
    expect([glng, glat]).toEqual([expect.closeTo(shifted.lng, 9), expect.closeTo(shifted.lat, 9)]);
  });

  it('refuses unknown parameters and bad values with a message, and facilities outside the caller’s reach', async () => {
    const refusal = async (path: string, status: number, message: RegExp, headers: Record<string, string> = {}) => {
      const res = await getJson<Refusal>(path, headers);
      expect(res.status).toBe(status);
      expect(res.body.error).toMatch(message);
    };
    await refusal('/ogc/collections/micro-grids/items?colour=red', 400, /unknown parameter "colour"; this endpoint takes limit, bbox/);
    await refusal('/ogc/collections/buildings/items?parentCode=130105001', 400, /unknown parameter "parentCode"/);
    await refusal('/ogc/collections/micro-grids/items?bbox=1,2,3', 400, /bbox must be four numbers/);
    await refusal('/ogc/collections/micro-grids/items?datetime=2026-01-01T00:00:00Z/..', 400, /give one instant/);
    await refusal('/ogc/collections/micro-grids/items?cursor=abc', 400, /cursor is not one of this collection's next links/);
    await refusal('/ogc/collections/rivers', 404, /no collection "rivers"/);
    await refusal('/ogc/collections/facilities/items', 401, /to read facilities you need a bearer token/);

    const worker = authorization(await tokenFor('GRID_WORKER', '130105001019'));
    const theirs = await getJson<Page>('/ogc/collections/facilities/items?limit=10000', worker);
    const expected = await count(
      `SELECT count(*)::int AS n FROM facility f JOIN grid g ON g.id = f.grid_id WHERE f.retired_at IS NULL AND g.code LIKE '130105001019%'`,
    );
    expect(theirs.body.numberMatched).toBe(expected);
    expect(theirs.body.features.every((f) => String(f.properties.gridCode).startsWith('130105001019'))).toBe(true);
    for (const f of theirs.body.features) expect(personalLooking(f.properties)).toEqual([]);
    const elsewhere = await count(`SELECT count(*)::int AS n FROM facility f JOIN grid g ON g.id = f.grid_id WHERE f.retired_at IS NULL AND g.code LIKE '130105003%'`);
    expect(elsewhere).toBeGreaterThan(0);
    expect((await getJson<Page>('/ogc/collections/facilities/items?gridCode=130105003001001', worker)).body.numberMatched).toBe(0);
  });

  it('opens as live layers in GDAL (ogrinfo, OAPIF driver)', async () => {
    const ogrinfo = await run('ogrinfo', ['--version']).catch(() => null);
    if (!ogrinfo) {
      console.warn('ogrinfo is not installed (Debian: apt-get install gdal-bin; .ci/run installs it): GDAL check skipped');
      return;
    }
    const { stdout: layers } = await run('ogrinfo', ['-ro', '-so', `OAPIF:${server.base}/ogc`]);
    expect(layers).toMatch(/micro-grids \(title: 微网格 — micro-grids\) \(Multi Polygon\)/);
    expect(layers).toMatch(/buildings .*\(Point\)/);

    const communities = await count(
      `SELECT count(*)::int AS n FROM grid WHERE level = 'COMMUNITY' AND valid_to IS NULL AND ST_Intersects(boundary, ST_MakeEnvelope(?, ?, ?, ?, 4326))`,
      DEMO_BOX,
    );
    const spat = ['-spat', ...DEMO_BOX.map(String)];
    const { stdout: summary } = await run('ogrinfo', ['-ro', '-so', '-oo', 'PAGE_SIZE=1000', ...spat, `OAPIF:${server.base}/ogc`, 'communities']);
    expect(summary).toMatch(new RegExp(`Feature Count: ${communities}\\b`));
    for (const field of ['code: String', 'name: String', 'parentCode: String', 'version: Integer', 'areaSqm: Real']) expect(summary).toContain(field);

    // Every feature read through the next links, as QGIS reads a layer.
    const keyPlaces = await count(
      `SELECT count(*)::int AS n FROM key_place WHERE retired_at IS NULL AND ST_Intersects(location, ST_MakeEnvelope(?, ?, ?, ?, 4326))`,
      DEMO_BOX,
    );
    const { stdout: features } = await run('ogrinfo', ['-ro', '-al', '-oo', 'PAGE_SIZE=20', ...spat, `OAPIF:${server.base}/ogc`, 'key-places'], { maxBuffer: 64 * 1024 * 1024 });
    expect(features.match(/^OGRFeature\(key-places\)/gm)).toHaveLength(keyPlaces);
  });
});
