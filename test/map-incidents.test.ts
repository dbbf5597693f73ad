import type { Knex } from 'knex';
import { fromGlobalId } from '../src/graphql/relay';
import { layerById } from '../src/modules/map/layers';
import { layerChanges } from '../src/modules/map/repo';
import type { App } from '../src/server';
import { incidentMutation } from './fixtures/incident';
import { removeRaceTree } from './fixtures/race';
import { freshDistrictCode, insertGridTree, type InsertedGrid } from './fixtures/tree';
import { closeTestDb, testDb } from './support/db';
import { removeIncidents } from './support/incidents';
import { user } from './support/graphql';
import { authorization, decodeLayer, personalLooking, startMapServer, tileAt, tokenFor } from './support/map';

/**
 * The incidents layer (tiles and OGC items): open incidents for staff who may read them, as GraphQL decides it
 * (jurisdiction over the responsible grid, the reported grid and the centre), with the properties a dispatcher's
 * map needs and none of the free text that may name people; a new ETag when an incident changes.
 * Committed (the API reads over its own connections), at 107 E, 31 N under a fresh district code, and removed
 * afterwards.
 */

const ORIGIN = { lng: 107.01, lat: 31.01 };
const UNIT = 0.002;
const at = (x: number, y: number) => ({ lng: ORIGIN.lng + x * UNIT, lat: ORIGIN.lat + y * UNIT });
const box = (x0: number, y0: number, x1: number, y1: number) => {
  const p = (x: number, y: number) => [at(x, y).lng, at(x, y).lat];
  return { type: 'Polygon', coordinates: [[p(x0, y0), p(x1, y0), p(x1, y1), p(x0, y1), p(x0, y0)]] };
};

/** What reporters write: a name and a phone in free text, which no map feature may carry. */
const TITLE = '张三家门口堆放杂物';
const DESCRIPTION = '联系人张三 13903118765';
const REPORTER = { name: '李四', phone: '13903115678' };

let app: App;
let base: string;
let db: Knex;
let grids: Record<'D' | 'S' | 'C1' | 'C2' | 'G1' | 'G2', InsertedGrid>;
let incidents: { id: string; version: number; trackingCode: string }[];
const admin = user('ADMIN');

beforeAll(async () => {
  ({ app, base } = await startMapServer());
  db = testDb();
  const code = freshDistrictCode('9');
  grids = await db.transaction((trx) =>
    insertGridTree(
      trx,
      [
        ['D', code, 'DISTRICT', null, box(0, 0, 4, 2)],
        ['S', `${code}001`, 'STREET', 'D', box(0, 0, 4, 2)],
        ['C1', `${code}001001`, 'COMMUNITY', 'S', box(0, 0, 2, 2)],
        ['C2', `${code}001002`, 'COMMUNITY', 'S', box(2, 0, 4, 2)],
        ['G1', `${code}001001001`, 'GRID', 'C1', box(0, 0, 2, 2)],
        ['G2', `${code}001002001`, 'GRID', 'C2', box(2, 0, 4, 2)],
      ],
      '事件图层',
      'incidents layer fixture',
    ),
  );
  incidents = [];
  for (const [x, severity] of [[1, 'HIGH'], [3, 'LOW']] as const) {
    const input = { category: 'SAFETY_HAZARD', title: TITLE, description: DESCRIPTION, channel: 'HOTLINE_12345', location: at(x, 1), severity, reporter: REPORTER };
    const result = await incidentMutation(db, 'reportIncident', input, admin, 'id version trackingCode');
    expect(result.__typename).toBe('ReportIncidentSuccess');
    incidents.push({ ...result.incident, trackingCode: result.trackingCode });
  }
});

afterAll(async () => {
  await removeIncidents(db, (incidents ?? []).map((i) => i.id));
  if (grids) await removeRaceTree(db, [grids.D.id]);
  await app?.stop();
  await closeTestDb();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers: { 'accept-language': 'en', ...headers } });

/** The zoom-12 tile holding both incidents. */
function tile() {
  const address = tileAt(at(1, 1).lng, at(1, 1).lat, 12);
  expect(tileAt(at(3, 1).lng, at(3, 1).lat, 12)).toEqual(address);
  return { address, path: `/tiles/incidents/${address.z}/${address.x}/${address.y}.mvt` };
}

/** The fixture's features of a tile (other test files commit incidents elsewhere). */
async function ours(res: Response, address: { z: number; x: number; y: number }) {
  if (res.status === 204) return [];
  expect(res.status).toBe(200);
  const ids = new Set(incidents.map((i) => i.id));
  return decodeLayer(await res.arrayBuffer(), 'incidents', address).filter((f) => ids.has(String(f.properties.id)));
}

describe('incidents layer', () => {
  it('draws open incidents with the properties a map needs and no free text, title or reporter', async () => {
    const { address, path } = tile();
    const res = await get(path, authorization(await tokenFor('ADMIN')));
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    // The tile's bytes (fetch undoes any compression) hold no name or phone from the title, description or reporter.
    const body = Buffer.from(await res.clone().arrayBuffer());
    for (const text of ['张三', '李四', '1390311', TITLE]) expect(body.includes(Buffer.from(text))).toBe(false);

    const features = await ours(res, address);
    expect(features.map((f) => f.properties.trackingCode).sort()).toEqual(incidents.map((i) => i.trackingCode).sort());
    const layer = layerById('incidents')!;
    const { rows } = await db.raw(`SELECT reported_at FROM incident WHERE id = ?`, [fromGlobalId(incidents[0].id)!.id]);
    const first = features.find((f) => f.properties.id === incidents[0].id)!;
    expect(Object.keys(first.properties).sort()).toEqual(['id', ...Object.keys(layer.fields)].sort());
    expect(first.properties).toMatchObject({
      trackingCode: incidents[0].trackingCode,
      category: 'SAFETY_HAZARD',
      categoryName: '安全隐患',
      status: 'REPORTED',
      level: 'GRID',
      severity: 'HIGH',
      slaStatus: 'GREEN',
      gridCode: grids.G1.code,
    });
    expect(new Date(String(first.properties.reportedAt)).getTime()).toBe(rows[0].reported_at.getTime());
    const [lng, lat] = (first.geometry as { coordinates: number[] }).coordinates;
    expect([lng, lat]).toEqual([expect.closeTo(at(1, 1).lng, 4), expect.closeTo(at(1, 1).lat, 4)]);
    for (const f of features) expect(personalLooking(f.properties)).toEqual([]);
  });

  it('shows each caller the incidents GraphQL lets them read: jurisdiction over grid, reported grid and centre', async () => {
    const { address, path } = tile();
    expect((await get(path)).status).toBe(403);
    for (const role of ['VIEWER', 'GIS_EDITOR'] as const) expect((await get(path, authorization(await tokenFor(role)))).status).toBe(403);
    const listed = async (token: string) => ((await (await get('/tiles', authorization(token))).json()) as { layers: { id: string }[] }).layers.map((l) => l.id);
    expect(await listed(await tokenFor('VIEWER'))).not.toContain('incidents');
    expect(await listed(await tokenFor('GRID_WORKER', grids.G1.code))).toContain('incidents');

    const codes = async (role: 'GRID_WORKER' | 'DISPATCHER', grid: string) =>
      (await ours(await get(path, authorization(await tokenFor(role, grid))), address)).map((f) => f.properties.trackingCode);
    expect(await codes('GRID_WORKER', grids.G1.code)).toEqual([incidents[0].trackingCode]);
    expect(await codes('GRID_WORKER', grids.G2.code)).toEqual([incidents[1].trackingCode]);
    // The centre of the first incident is its community.
    expect(await codes('DISPATCHER', grids.C1.code)).toEqual([incidents[0].trackingCode]);
    expect((await codes('DISPATCHER', grids.S.code)).sort()).toEqual(incidents.map((i) => i.trackingCode).sort());
    // A worker of another district's grid: nothing of these.
    expect(await codes('GRID_WORKER', '130105001018001')).toEqual([]);
  });

  it('lists the incidents as an OGC collection, to staff where they may read them', async () => {
    const worker = authorization(await tokenFor('GRID_WORKER', grids.G1.code));
    const collections = async (headers: Record<string, string>) =>
      ((await (await get('/ogc/collections', headers)).json()) as { collections: { id: string }[] }).collections.map((c) => c.id);
    expect(await collections({})).not.toContain('incidents');
    expect(await collections(worker)).toContain('incidents');
    expect((await get('/ogc/collections/incidents/items')).status).toBe(403);

    type Page = { numberMatched: number; features: { id: string; properties: Record<string, unknown>; geometry: { coordinates: number[] } }[] };
    const page = (await (await get('/ogc/collections/incidents/items?limit=10000', worker)).json()) as Page;
    expect(page.features.map((f) => f.properties.trackingCode)).toEqual([incidents[0].trackingCode]);
    expect(page.numberMatched).toBe(1);
    expect(page.features[0]).toMatchObject({ id: incidents[0].id, properties: { gridCode: grids.G1.code, status: 'REPORTED', categoryName: '安全隐患' } });
    for (const f of page.features) expect(JSON.stringify(f)).not.toMatch(/张三|李四|1390311/);

    const dispatcher = authorization(await tokenFor('DISPATCHER', grids.S.code));
    const filtered = (await (await get(`/ogc/collections/incidents/items?gridCode=${grids.G2.code}&status=REPORTED&slaStatus=GREEN`, dispatcher)).json()) as Page;
    expect(filtered.features.map((f) => f.id)).toEqual([incidents[1].id]);
    const one = await get(`/ogc/collections/incidents/items/${encodeURIComponent(incidents[1].id)}`, dispatcher);
    expect(((await one.json()) as { properties: { severity: string } }).properties.severity).toBe('LOW');
    expect((await get(`/ogc/collections/incidents/items/${encodeURIComponent(incidents[1].id)}`, worker)).status).toBe(404);
    const asOf = await get('/ogc/collections/incidents/items?datetime=2026-01-01T00:00:00Z', dispatcher);
    expect(asOf.status).toBe(400);
    expect(((await asOf.json()) as { error: string }).error).toMatch(/incidents has no history/);
  });

  it('gives the tiles a new ETag when an incident changes, and when a deadline passes with no write', async () => {
    const { address, path } = tile();
    const dispatcher = authorization(await tokenFor('DISPATCHER', grids.C2.code));
    const before = await get(path, dispatcher);
    expect((await ours(before.clone(), address)).map((f) => f.properties.status)).toEqual(['REPORTED']);
    const etag = before.headers.get('etag')!;

    const { rows } = await db.raw('SELECT version FROM incident WHERE id = ?', [fromGlobalId(incidents[1].id)!.id]);
    await incidentMutation(db, 'rejectIncident', { id: incidents[1].id, expectedVersion: rows[0].version, reason: '重复上报' }, admin, 'id');
    const after = await get(path, { ...dispatcher, 'if-none-match': etag });
    expect(after.status).not.toBe(304);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(await ours(after, address)).toEqual([]);

    // Time alone turns a case orange: the layer's clock (part of the ETag) moves past the deadline.
    const layer = layerById('incidents')!;
    const orangeAt = (changes: string[]) => new Date(Number(changes[changes.length - 1].split('/')[0]) * 1000);
    const dueAt = new Date(Date.now() + 1_500);
    await db.raw('UPDATE incident SET sla_assign_due_at = ? WHERE id = ?', [dueAt, fromGlobalId(incidents[0].id)!.id]);
    expect(orangeAt(await layerChanges(db, layer)).getTime()).toBeLessThan(dueAt.getTime());
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(orangeAt(await layerChanges(db, layer)).getTime()).toBeGreaterThanOrEqual(dueAt.getTime());
    const late = await ours(await get(path, authorization(await tokenFor('ADMIN'))), address);
    expect(late.map((f) => f.properties.slaStatus)).toEqual(['ORANGE']);
  });
});
