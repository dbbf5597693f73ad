import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig, type Config } from '../src/config';
import { toGlobalId } from '../src/graphql/relay';
import { signToken } from '../src/modules/auth/jwt';
import { startApp, type App } from '../src/server';
import { closeTestDb, testDb } from './support/db';
import { testDatabaseUrl } from './support/env';
import { silentLog, testConfig } from './support/graphql';
import { removeRaceTree } from './fixtures/race';
import { freshDistrictCode, insertGridTree, type GridSpec, type InsertedGrid } from './fixtures/tree';

/**
 * The map editor (GET /editor) in a real browser: Debian's Chromium driven by playwright-core, WebGL through
 * SwiftShader. A GIS editor signs in with a token, picks a community, draws a grid over a sibling by clicking,
 * sees the refusal (a marker at the problem, the overlap highlighted, the list), drags the vertices off the
 * sibling, saves and sees version 1; reshapes it, meets a conflict (a colleague saved meanwhile), reloads, saves
 * version 3, and overlays the old boundary from the history. Screenshots go to test-artifacts/editor/.
 *
 * Without Chromium the file is skipped with a note, except in CI (CI set), where .ci/run installs it.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const present = fs.existsSync(CHROMIUM);
if (!present && !process.env.CI) {
  console.warn(`test/editor.test.ts skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH); in CI it runs`);
}
const describeInBrowser = present || process.env.CI ? describe : describe.skip;

const ARTIFACTS = path.resolve(__dirname, '../test-artifacts/editor');
/** Units of 0.01° from (116.00 E, 36.00 N), an area no other fixture draws in. */
const ORIGIN = { lng: 116.0, lat: 36.0 };
const UNIT = 0.01;
const at = (x: number, y: number): [number, number] => [ORIGIN.lng + x * UNIT, ORIGIN.lat + y * UNIT];
const square = (x0: number, y0: number, x1: number, y1: number) => ({ type: 'Polygon', coordinates: [[at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1), at(x0, y0)]] });

/**
 *   y=2 +------+--------------------+    district D = street S = community C = [0,4]×[0,2]
 *       |      |                    |    grid G1 = [0,1]×[0,2]: the sibling the new grid must not overlap
 *       |  G1  |       free         |
 *   y=0 +------+--------------------+
 *      x=0     1                    4
 */
async function insertFixture(): Promise<Record<'D' | 'S' | 'C' | 'G1', InsertedGrid>> {
  const d = freshDistrictCode('9');
  const spec: GridSpec<'D' | 'S' | 'C' | 'G1'>[] = [
    ['D', d, 'DISTRICT', null, square(0, 0, 4, 2)],
    ['S', `${d}001`, 'STREET', 'D', square(0, 0, 4, 2)],
    ['C', `${d}001001`, 'COMMUNITY', 'S', square(0, 0, 4, 2)],
    ['G1', `${d}001001001`, 'GRID', 'C', square(0, 0, 1, 2)],
  ];
  return testDb().transaction((trx) => insertGridTree(trx, spec, '编辑器', 'editor fixture'));
}

let app: App;
let config: Config;
let browser: Browser | undefined;
let page: Page;
let fixture: Record<'D' | 'S' | 'C' | 'G1', InsertedGrid> | undefined;

describeInBrowser('the map editor in Chromium', () => {
  beforeAll(async () => {
    if (!present) throw new Error(`no Chromium at ${CHROMIUM}: CI must install it (.ci/run: apt-get install chromium)`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fixture = await insertFixture();
    config = testConfig({ DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1' });
    app = await startApp(config, silentLog, { onProgress: () => {} });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (err) => console.error('editor page error:', err));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (fixture) await removeRaceTree(testDb(), [fixture.D.id]);
    await closeTestDb();
  });

  const base = () => app.url.replace(/\/graphql$/, '');
  const status = () => page.getByTestId('status');
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

  /** Waits for the status line to carry `data-<flag>` (saved, refused, conflict, version...); says what it shows if not. */
  async function statusShows(flag: string, value = 'true'): Promise<void> {
    try {
      await page.waitForSelector(`[data-testid="status"][data-${flag}="${value}"]`, { timeout: 15_000 });
    } catch {
      await shot(`failed-${flag}`);
      throw new Error(`the status line never showed data-${flag}="${value}"; it says: ${await status().textContent()}`);
    }
  }

  /** Calls a method of the page's MapLibre map (exposed by the editor as `gridEditor.map`). */
  const onMap = <R>(method: string, ...args: unknown[]): Promise<R> =>
    page.evaluate(
      ([name, values]) => {
        const map = (globalThis as unknown as { gridEditor: { map: Record<string, (...a: unknown[]) => unknown> } }).gridEditor.map;
        return map[name](...values) as R;
      },
      [method, args] as const,
    );
  const mapIdle = () => page.waitForFunction(() => (globalThis as unknown as { gridEditor: { map: { loaded(): boolean } } }).gridEditor.map.loaded());

  /** The pixel of a fixture position on the page (MapLibre's own projection, in the page). */
  async function pixel(x: number, y: number): Promise<{ x: number; y: number }> {
    const lngLat = at(x, y);
    const p = await onMap<{ x: number; y: number }>('project', lngLat);
    const box = (await page.getByTestId('map').boundingBox())!;
    return { x: box.x + p.x, y: box.y + p.y };
  }

  async function clickAt(x: number, y: number): Promise<void> {
    const p = await pixel(x, y);
    await page.mouse.click(p.x, p.y);
  }

  async function drag(from: [number, number], to: [number, number]): Promise<void> {
    const a = await pixel(...from);
    const b = await pixel(...to);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
    await page.mouse.move(b.x, b.y, { steps: 5 });
    await page.mouse.up();
  }

  /** How many features of a layer the map has drawn. */
  const rendered = (layer: string) =>
    page.evaluate(
      (id) => (globalThis as unknown as { gridEditor: { map: { queryRenderedFeatures(o: object): unknown[] } } }).gridEditor.map.queryRenderedFeatures({ layers: [id] }).length,
      layer,
    );

  /** The current grid under C with that name or id, and how much of G1 it overlaps (m²). */
  async function storedGrid(nameOrId: { name: string } | { id: string }): Promise<{ id: string; name: string; version: number; area: number; overlap: number }> {
    const [column, value] = 'id' in nameOrId ? ['g.id', nameOrId.id] : ['g.name', nameOrId.name];
    const { rows } = await testDb().raw(
      `SELECT g.id, g.name, g.version, ST_Area(g.boundary::geography) AS area, ST_Area(ST_Intersection(g.boundary, s.boundary)::geography) AS overlap
       FROM grid g JOIN grid s ON s.id = ? WHERE ${column} = ? AND g.parent_id = ? AND g.valid_to IS NULL`,
      [fixture!.G1.id, value, fixture!.C.id],
    );
    return rows[0];
  }

  it('signs in, draws a grid by clicking, shows the refusal on the map, is fixed by dragging vertices and saved as version 1', async () => {
    const f = fixture!;
    await page.goto(`${base()}/editor`);
    await page.waitForSelector('body[data-ready="true"]');
    const token = await signToken(config.jwt, { subject: 'editor.test', role: 'GIS_EDITOR', grid: f.D.code });
    await page.getByTestId('token').fill(token);
    await page.getByTestId('signin').click();
    await page.waitForSelector('[data-testid="viewer"][data-role="GIS_EDITOR"]');

    await page.getByTestId('parent-search').fill(f.C.code);
    await page.getByTestId('parent-search-button').click();
    await page.getByTestId('parent-result').first().click();
    await page.waitForSelector(`[data-testid="parent-info"][data-code="${f.C.code}"]`);
    await expectText(page.getByTestId('children'), f.G1.code);
    // The sibling comes from the vector tiles, filled as a child of the chosen parent.
    await mapIdle();
    expect(await rendered('grids-children')).toBeGreaterThan(0);

    // A square from x=0.5 to 2: half a unit over G1.
    await page.getByTestId('tool-draw').click();
    for (const [x, y] of [[0.5, 0.5], [2, 0.5], [2, 1.5], [0.5, 1.5], [0.5, 0.5]] as const) await clickAt(x, y);
    await page.getByTestId('grid-name').fill('编辑器新网格');
    await page.getByTestId('reason').fill('浏览器测试');
    await page.getByTestId('save').click();
    await statusShows('refused');
    const problem = page.getByTestId('problem');
    expect(await problem.count()).toBe(1);
    expect(await problem.first().getAttribute('data-code')).toBe('OVERLAPS_SIBLING');
    await expectText(problem.first(), f.G1.code);
    await mapIdle();
    expect(await rendered('problem-points')).toBe(1);
    expect(await rendered('problem-areas-fill')).toBeGreaterThan(0);
    await shot('1-refused');

    // Fix: drag the two left vertices onto G1's edge (x = 1), where they snap.
    await drag([0.5, 0.5], [1.02, 0.5]);
    await drag([0.5, 1.5], [1.02, 1.5]);
    await page.getByTestId('save').click();
    await statusShows('saved');
    expect(await status().getAttribute('data-version')).toBe('1');
    await expectText(status(), '版本 1');
    await expectText(page.getByTestId('children'), '编辑器新网格');
    await shot('2-saved');
    const stored = await storedGrid({ name: '编辑器新网格' });
    expect(stored.version).toBe(1);
    expect(stored.overlap).toBeLessThan(1);
    // 1 × 1 unit, about 0.9 km × 1.1 km.
    expect(stored.area / 1e6).toBeCloseTo(1.0, 0);
  });

  it('reshapes the grid, shows who changed it meanwhile, reloads, saves version 3 and overlays the old boundary', async () => {
    const created = await storedGrid({ name: '编辑器新网格' });
    await page.getByTestId('child').filter({ hasText: '编辑器新网格' }).click();
    await page.getByTestId('tool-reshape').click();
    await drag([2, 1.5], [2.5, 1.5]);

    // A colleague saves the same grid first (through the same API): the editor's version 1 is stale.
    const colleague = await signToken(config.jwt, { subject: 'colleague', role: 'GIS_EDITOR', grid: fixture!.D.code });
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${colleague}` },
      body: JSON.stringify({
        query: 'mutation($input: UpdateGridInput!) { updateGrid(input: $input) { __typename } }',
        variables: { input: { id: toGlobalId('Grid', created.id), name: '编辑器网格甲', expectedVersion: 1, reason: '同事改名' } },
      }),
    });
    expect(await response.json()).toEqual({ data: { updateGrid: { __typename: 'UpdateGridSuccess' } } });

    await page.getByTestId('save').click();
    await statusShows('conflict');
    await expectText(page.getByTestId('conflict-text'), 'colleague');
    await shot('3-conflict');
    await page.getByTestId('reload').click();
    await statusShows('version', '2');
    await drag([2, 1.5], [2.5, 1.5]);
    await page.getByTestId('save').click();
    await statusShows('saved');
    expect(await status().getAttribute('data-version')).toBe('3');
    const after = await storedGrid({ id: created.id });
    expect(after.name).toBe('编辑器网格甲');
    expect(after.version).toBe(3);
    expect(after.area).toBeGreaterThan(created.area * 1.1);

    await page.getByTestId('tool-history').click();
    await page.getByTestId('history-entry').nth(2).waitFor();
    expect(await page.getByTestId('history-entry').count()).toBe(3);
    await mapIdle();
    expect(await rendered('history-line')).toBeGreaterThan(0);
    await shot('4-history');
  });

  it('splits the grid with a drawn line and merges the two parts back, picked on the map', async () => {
    const before = await storedGrid({ name: '编辑器网格甲' });
    await page.getByTestId('child').filter({ hasText: '编辑器网格甲' }).click();
    await page.getByTestId('tool-split').click();
    for (const [x, y] of [[1.5, 0.2], [1.5, 1.8], [1.5, 1.8]] as const) await clickAt(x, y);
    await page.getByTestId('save').click();
    await statusShows('saved');
    await expectText(status(), '编辑器网格甲1');
    await expectText(status(), '编辑器网格甲2');
    const left = await storedGrid({ name: '编辑器网格甲1' });
    const right = await storedGrid({ name: '编辑器网格甲2' });
    expect((left.area + right.area) / before.area).toBeCloseTo(1, 3);

    // Both parts picked on the map (Shift adds to the choice), from the refreshed tiles.
    await mapIdle();
    await clickAt(1.2, 1.0);
    await page.keyboard.down('Shift');
    await clickAt(2.0, 1.0);
    await page.keyboard.up('Shift');
    expect((await page.getByTestId('chosen').getAttribute('data-ids'))!.split(',')).toHaveLength(2);
    await page.getByTestId('tool-merge').click();
    await page.getByTestId('grid-name').fill('编辑器合并网格');
    await page.getByTestId('save').click();
    await statusShows('saved');
    const merged = await storedGrid({ name: '编辑器合并网格' });
    expect(merged.version).toBe(1);
    expect(merged.area / before.area).toBeCloseTo(1, 3);
    await shot('5-merged');
  });

  it('shows the parent’s coverage gaps as a layer', async () => {
    await page.getByTestId('coverage').check();
    await page.waitForSelector('[data-testid="coverage-summary"][data-gaps]');
    expect(Number(await page.getByTestId('coverage-summary').getAttribute('data-gaps'))).toBeGreaterThan(0);
    expect(await page.getByTestId('coverage-summary').getAttribute('data-overlaps')).toBe('0');
    await mapIdle();
    expect(await rendered('gaps-fill')).toBeGreaterThan(0);
    await shot('6-coverage');
  });
});

describe('GET /editor and its settings', () => {
  let server: App;
  beforeAll(async () => {
    server = await startApp(
      testConfig({ DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', EDITOR_BASEMAP_URL: 'http://tiles.intranet.example:8080/{z}/{x}/{y}.png', EDITOR_BASEMAP_CRS: 'GCJ02' }),
      silentLog,
      { onProgress: () => {} },
    );
  });
  afterAll(() => server.stop());

  it('serves the page built from web/editor, allowed to reach the basemap and nothing else outside', async () => {
    const res = await fetch(server.url.replace(/\/graphql$/, '/editor'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("connect-src 'self' http://tiles.intranet.example:8080;");
    expect(csp).toContain("script-src 'self';");
    const html = await res.text();
    expect(html).toContain('lang="zh-CN"');
    // Every script and style is the project's own: nothing from a CDN.
    for (const [, src] of html.matchAll(/(?:src|href)="([^"]+)"/g)) expect(src).toMatch(/^\/web\/assets\//);
  });

  it('tells the page the basemap and the coordinate system it is drawn in', async () => {
    const res = await fetch(server.url.replace(/\/graphql$/, '/editor/config.json'));
    expect(await res.json()).toEqual({ basemapUrl: 'http://tiles.intranet.example:8080/{z}/{x}/{y}.png', basemapCrs: 'GCJ02' });
  });

  it('refuses a basemap setting that is no tile URL template, naming it', () => {
    expect(() => loadConfig({ EDITOR_BASEMAP_URL: 'http://tiles.intranet.example/tiles.png' })).toThrow(/EDITOR_BASEMAP_URL must be an http\(s\) raster tile URL template/);
    expect(() => loadConfig({ EDITOR_BASEMAP_URL: 'http://tiles.intranet.example/{z}.png' })).toThrow(/EDITOR_BASEMAP_URL must contain \{x\} and \{y\}/);
    expect(() => loadConfig({ EDITOR_BASEMAP_CRS: 'EPSG:3857' })).toThrow(/EDITOR_BASEMAP_CRS/);
  });
});

async function expectText(locator: { textContent(): Promise<string | null> }, text: string): Promise<void> {
  expect(await locator.textContent()).toContain(text);
}
