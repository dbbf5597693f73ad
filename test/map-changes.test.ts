import type { Knex } from 'knex';
import type { App } from '../src/server';
import { removeRaceTree } from './fixtures/race';
import { freshDistrictCode, insertGridTree, type InsertedGrid } from './fixtures/tree';
import { closeTestDb, instantBetweenWrites, testDb } from './support/db';
import { decodeLayer, startMapServer, tileAt } from './support/map';

/**
 * Tiles and OGC features over committed edits: a change gives the layer's tiles a new ETag (a client holding
 * the old one gets the new tile, not 304), an unchanged layer answers 304, and as-of tiles and features show
 * the grid as it was. Committed, so the fixture lies where no other test draws (105 E, 33 N) under a fresh
 * district code, and is removed afterwards.
 */

const ORIGIN = { lng: 105.0, lat: 33.0 };
const box = (x0: number, y0: number, x1: number, y1: number) => {
  const p = (x: number, y: number) => [ORIGIN.lng + x * 0.01, ORIGIN.lat + y * 0.01];
  return { type: 'Polygon', coordinates: [[p(x0, y0), p(x1, y0), p(x1, y1), p(x0, y1), p(x0, y0)]] };
};

let app: App;
let base: string;
let db: Knex;
let grids: Record<'D' | 'S' | 'C', InsertedGrid>;

beforeAll(async () => {
  ({ app, base } = await startMapServer());
  db = testDb();
  const code = freshDistrictCode('8');
  grids = await db.transaction((trx) =>
    insertGridTree(
      trx,
      [
        ['D', code, 'DISTRICT', null, box(0, 0, 4, 4)],
        ['S', `${code}001`, 'STREET', 'D', box(0, 0, 4, 4)],
        ['C', `${code}001001`, 'COMMUNITY', 'S', box(0, 0, 4, 4)],
      ],
      '地图测试',
      'map fixture',
    ),
  );
});

afterAll(async () => {
  if (grids) {
    await db.raw(`DELETE FROM building WHERE community_id = ?`, [grids.C.id]);
    await removeRaceTree(db, [grids.D.id]);
  }
  await app?.stop();
  await closeTestDb();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });

/**
 * A client revalidating a tile nothing changed since gets 304. Other test files commit edits at the same time,
 * which move the counters too: a 200 with a new ETag in between is tried again, a few times.
 */
async function expectNotModified(path: string): Promise<void> {
  const statuses: number[] = [];
  for (let attempt = 0; attempt < 5 && !statuses.includes(304); attempt++) {
    const etag = (await get(path)).headers.get('etag')!;
    const again = await get(path, { 'if-none-match': etag });
    statuses.push(again.status);
    if (again.status === 304) expect(again.headers.get('etag')).toBe(etag);
    else expect(again.headers.get('etag')).not.toBe(etag);
  }
  expect(statuses).toContain(304);
}

it('gives a layer’s tiles a new ETag when a grid changes, and answers 304 while nothing did; as of an instant, the grid as it was', async () => {
  const address = tileAt(ORIGIN.lng + 0.02, ORIGIN.lat + 0.02, 12);
  const path = `/tiles/districts/${address.z}/${address.x}/${address.y}.mvt`;
  const first = await get(path);
  expect(first.status).toBe(200);
  const etag = first.headers.get('etag')!;
  const names = async (res: Response) => decodeLayer(await res.arrayBuffer(), 'districts', address).map((f) => f.properties.name);
  expect(await names(first)).toEqual(['地图测试D']);
  await expectNotModified(path);

  const before = await instantBetweenWrites(db);
  await db.raw(`UPDATE grid SET name = '地图测试D改', version = version + 1, valid_from = clock_timestamp(), changed_by = 'test' WHERE id = ?`, [grids.D.id]);
  const changed = await get(path, { 'if-none-match': etag });
  expect(changed.status).toBe(200);
  expect(changed.headers.get('etag')).not.toBe(etag);
  expect(await names(changed)).toEqual(['地图测试D改']);

  const asOf = await get(`${path}?asOf=${before.toISOString()}`);
  expect(await names(asOf)).toEqual(['地图测试D']);
  expect((await get(`${path}?asOf=2001-01-01T00:00:00Z`)).status).toBe(204);

  // The same instant through OGC API Features' `datetime`.
  const item = async (query: string) => {
    const res = await get(`/ogc/collections/districts/items?code=${grids.D.code}${query}`);
    return ((await res.json()) as { numberMatched: number; features: { properties: { name: string; version: number } }[] });
  };
  expect(await item(`&datetime=${before.toISOString()}`)).toMatchObject({ numberMatched: 1, features: [{ properties: { name: '地图测试D', version: 1 } }] });
  expect(await item('')).toMatchObject({ numberMatched: 1, features: [{ properties: { name: '地图测试D改', version: 2 } }] });
});

it('gives a located layer’s tiles a new ETag when one of its records is added or removed', async () => {
  const at = { lng: ORIGIN.lng + 0.015, lat: ORIGIN.lat + 0.015 };
  const address = tileAt(at.lng, at.lat, 16);
  const path = `/tiles/buildings/${address.z}/${address.x}/${address.y}.mvt`;
  const empty = await get(path);
  expect(empty.status).toBe(204);
  const etag = empty.headers.get('etag')!;
  await expectNotModified(path);

  await db.raw(`INSERT INTO building (code, name, kind, community_id, location) VALUES (?, '地图测试楼', 'RESIDENTIAL', ?, ST_SetSRID(ST_MakePoint(?, ?), 4326))`, [
    `${grids.C.code}0001`,
    grids.C.id,
    at.lng,
    at.lat,
  ]);
  const added = await get(path, { 'if-none-match': etag });
  expect(added.status).toBe(200);
  expect(decodeLayer(await added.arrayBuffer(), 'buildings', address).map((f) => f.properties)).toEqual([
    expect.objectContaining({ name: '地图测试楼', kind: 'RESIDENTIAL', gridCode: grids.C.code }),
  ]);

  await db.raw(`DELETE FROM building WHERE community_id = ?`, [grids.C.id]);
  const removed = await get(path, { 'if-none-match': added.headers.get('etag')! });
  expect(removed.status).toBe(204);
  expect(removed.headers.get('etag')).not.toBe(added.headers.get('etag'));
});
