/**
 * The map editor at GET /editor: sign in with a token, pick a parent grid, see its children and neighbours from
 * the vector tiles, draw a new grid, reshape, split or merge children, and save through the GraphQL mutations with
 * `expectedVersion`. A refused save shows every problem on the map and in a list; a conflict says who changed
 * the grid and when and offers to reload it. Everything is bundled by Vite from node_modules: no CDN.
 */
import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';
import type { Position } from 'geojson';
import { EditorApi, type Crs, type GridShape, type GridSummary, type ParentGrid } from './api';
import { Drawing } from './draw';
import { EditorMap, GRID_LAYERS, LEVEL_LAYERS, feature } from './map';
import { Edits, type EditMode } from './edits';
import { CHILD_LEVEL, LEVEL_NAMES, ROLE_NAMES, formatArea } from './text';
import { $, fillList, input, setStatus, show } from './ui';

const TOKEN_KEY = 'grid-editor-token';

interface Settings {
  basemapUrl: string | null;
  basemapCrs: Crs;
}

async function boot(): Promise<void> {
  const settings = (await fetch('/editor/config.json').then((r) => r.json())) as Settings;
  const api = new EditorApi(settings.basemapCrs);
  const editorMap = new EditorMap($('map'), window.location.origin, settings, () => api.authHeaders());
  await editorMap.loaded();
  const drawing = new Drawing(editorMap.map);
  const state = { parent: null as ParentGrid | null, chosen: [] as GridShape[] };

  const edits = new Edits(api, editorMap, drawing, {
    parent: () => state.parent,
    chosen: () => state.chosen,
    saved: async (grids) => {
      editorMap.refreshTiles();
      if (state.parent) await loadParent(state.parent.id, false);
      choose(grids.map((g) => state.parent?.children.find((c) => c.id === g.id)).filter((g): g is GridShape => !!g));
    },
    reloaded: (grid) => {
      state.chosen = state.chosen.map((g) => (g.id === grid.id ? grid : g));
      if (state.parent) state.parent.children = state.parent.children.map((g) => (g.id === grid.id ? grid : g));
      renderChosen();
    },
  });

  // Sign in: the token stays in this tab only (sessionStorage), and goes with every request of the page.
  async function signIn(token: string): Promise<void> {
    api.token = token.trim().replace(/^Bearer\s+/i, '');
    try {
      const me = api.token ? await api.me() : null;
      $('viewer').textContent = me ? `已登录：${me.name ?? me.subject}（${ROLE_NAMES[me.role] ?? me.role}${me.jurisdictionCode ? `，管辖 ${me.jurisdictionCode}` : ''}）` : '未登录（只能查看）';
      $('viewer').dataset.role = me?.role ?? '';
      show('signout-button', !!me);
      if (me) sessionStorage.setItem(TOKEN_KEY, api.token);
      editorMap.refreshTiles();
    } catch (err) {
      api.token = '';
      sessionStorage.removeItem(TOKEN_KEY);
      setStatus(`登录失败：${(err as Error).message}`, 'error');
    }
  }

  async function loadParent(id: string, fit = true): Promise<void> {
    const parent = await api.parent(id);
    if (!parent) return setStatus('找不到该网格（可能已撤销）', 'error');
    state.parent = parent;
    $('parent').textContent = `${parent.name}（${parent.code}，${LEVEL_NAMES[parent.level] ?? parent.level}，版本 ${parent.version}）`;
    $('parent').dataset.code = parent.code;
    $('child-count').textContent = `共 ${parent.childCount} 个${parent.childCount > parent.children.length ? `，列出前 ${parent.children.length} 个` : ''}`;
    editorMap.show('parent', [feature(parent.boundary)]);
    if (fit) editorMap.fitTo(parent.boundary);
    fillList($('children'), parent.children, 'child', (g) => `${g.code} ${g.name}（版本 ${g.version}）`, (g) => choose([g]));
    for (const id of ['tool-draw', 'tool-reshape', 'tool-split', 'tool-merge', 'tool-history']) ($(id) as HTMLButtonElement).disabled = false;
    const levels = CHILD_LEVEL[parent.level] ?? [];
    $('grid-level').replaceChildren(...levels.map((l) => Object.assign(document.createElement('option'), { value: l, textContent: LEVEL_NAMES[l] })));
    updateSnapTargets();
    choose(state.chosen.map((g) => parent.children.find((c) => c.id === g.id)).filter((g): g is GridShape => !!g));
    if (input('coverage').checked) await showCoverage();
  }

  /** Snap to the parent and every child but the one being reshaped. */
  function updateSnapTargets(exceptId?: string): void {
    const parent = state.parent;
    if (!parent) return drawing.setSnapTargets([]);
    const rings: Position[][] = [parent, ...parent.children.filter((c) => c.id !== exceptId)].flatMap((g) => g.boundary.coordinates.flat());
    drawing.setSnapTargets(rings);
  }

  function choose(grids: GridShape[]): void {
    state.chosen = grids;
    renderChosen();
  }

  function renderChosen(): void {
    const grids = state.chosen;
    $('chosen').textContent = grids.length ? `已选中：${grids.map((g) => `${g.name}（${g.code}，版本 ${g.version}）`).join('、')}` : '在地图上点击下级网格选中（按住 Shift 多选以合并）';
    $('chosen').dataset.ids = grids.map((g) => g.id).join(',');
    const childLevel = CHILD_LEVEL[state.parent?.level ?? '']?.[0];
    editorMap.highlight(state.parent?.code ?? '', grids.map((g) => g.id), childLevel ? GRID_LAYERS.indexOf(LEVEL_LAYERS[childLevel]) : undefined);
    editorMap.show('selection', grids.map((g) => feature(g.boundary, { code: g.code })));
  }

  async function showCoverage(): Promise<void> {
    editorMap.clear('gaps', 'overlaps');
    $('coverage-summary').textContent = '';
    if (!input('coverage').checked || !state.parent || !CHILD_LEVEL[state.parent.level]) return;
    const coverage = await api.coverage(state.parent.id);
    if (!coverage) return;
    editorMap.show('gaps', coverage.gaps.map((g) => feature(g.boundary, { areaSqm: g.areaSqm })));
    editorMap.show('overlaps', coverage.overlaps.map((o) => feature(o.boundary, { areaSqm: o.areaSqm, a: o.a.code, b: o.b.code })));
    const overlapText = coverage.overlaps.map((o) => `${o.a.code}/${o.b.code} ${formatArea(o.areaSqm)}`).join('、');
    $('coverage-summary').textContent =
      `覆盖率 ${(coverage.coveredRatio * 100).toFixed(1)}%；缺口 ${coverage.gaps.length} 处（红色），重叠 ${coverage.overlaps.length} 处（紫色）${overlapText ? `：${overlapText}` : ''}`;
    $('coverage-summary').dataset.gaps = String(coverage.gaps.length);
    $('coverage-summary').dataset.overlaps = String(coverage.overlaps.length);
  }

  async function search(text: string): Promise<void> {
    const found = await api.searchGrids(text.trim());
    const label = (g: GridSummary) => `${g.code} ${g.name}（${LEVEL_NAMES[g.level] ?? g.level}）`;
    fillList($('results'), found, 'parent-result', label, (g) => {
      $('results').replaceChildren();
      void run(() => loadParent(g.id));
    });
    if (found.length === 0) setStatus('没有找到匹配的网格', 'error');
  }

  /** Runs a step of the page, showing its failure (network, authorisation) instead of losing it. */
  async function run(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (err) {
      setStatus((err as Error).message, 'error');
    }
  }

  function startTool(mode: EditMode): void {
    if (mode === 'reshape') updateSnapTargets(state.chosen[0]?.id);
    else updateSnapTargets();
    void run(() => edits.start(mode));
  }

  $('signin-button').addEventListener('click', () => void signIn(input('token').value));
  $('signout-button').addEventListener('click', () => {
    input('token').value = '';
    void signIn('');
  });
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void run(() => search(input('search').value));
  });
  $('coverage').addEventListener('change', () => void run(showCoverage));
  $('tool-draw').addEventListener('click', () => startTool('create'));
  $('tool-reshape').addEventListener('click', () => startTool('reshape'));
  $('tool-split').addEventListener('click', () => startTool('split'));
  $('tool-merge').addEventListener('click', () => startTool('merge'));
  $('tool-history').addEventListener('click', () => void run(() => edits.history()));
  $('edit-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void run(() => edits.save());
  });
  $('cancel').addEventListener('click', () => edits.cancel());
  $('reload').addEventListener('click', () => void run(() => edits.reload()));
  editorMap.map.on('click', (e) => {
    if (edits.drawing || !state.parent) return;
    const picked = editorMap.childrenAt(e.point)[0];
    const grid = picked && state.parent.children.find((c) => c.id === picked.id);
    if (!grid) return;
    const shift = (e.originalEvent as MouseEvent).shiftKey;
    choose(shift ? [...state.chosen.filter((g) => g.id !== grid.id), grid] : [grid]);
  });

  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) {
    input('token').value = saved;
    await signIn(saved);
  }
  // For browser tests and the curious: the map (map.project turns a position into a pixel to click at).
  Object.assign(window, { gridEditor: { map: editorMap.map, draw: drawing.draw } });
  document.body.dataset.ready = 'true';
}

void boot().catch((err: unknown) => setStatus(`编辑器启动失败：${(err as Error).message}`, 'error'));
