/**
 * One edit at a time: draw (create), reshape, split or merge, then save through its mutation with the version
 * the editor started from. The answer decides what follows: saved (the new version shown, tiles refetched),
 * refused (every problem on the map and in the list, the drawing kept with draggable vertices to fix it), or a
 * conflict (who changed the grid and when, and a reload).
 */
import type { Polygon } from 'geojson';
import type { EditOutcome, EditorApi, GridShape, GridSummary, ParentGrid } from './api';
import type { Drawing } from './draw';
import { feature, type EditorMap } from './map';
import { problemFeatures, renderProblemList } from './problems';
import { formatArea, formatTime } from './text';
import { $, fillList, input, setStatus, show } from './ui';

export type EditMode = 'create' | 'reshape' | 'split' | 'merge';

interface Page {
  parent(): ParentGrid | null;
  chosen(): GridShape[];
  saved(grids: GridSummary[]): Promise<void>;
  reloaded(grid: GridShape): void;
}

const HINTS: Record<EditMode, string> = {
  create: '在地图上依次点击各顶点，最后点击第一个顶点闭合；顶点会吸附到相邻网格的顶点和边。',
  reshape: '拖动顶点修改边界；拖动两顶点之间的中点可新增顶点；顶点会吸附到相邻网格。',
  split: '画一条穿过所选网格的分割线：依次点击，再次点击最后一点结束。',
  merge: '将合并所选的相邻网格（按住 Shift 在地图上多选）。',
};

/** Polygons terra-draw can edit: one shell, no holes. */
function single(grid: GridShape): Polygon | null {
  return grid.boundary.coordinates.length === 1 && grid.boundary.coordinates[0].length === 1 ? { type: 'Polygon', coordinates: grid.boundary.coordinates[0] } : null;
}

export class Edits {
  private mode: EditMode | null = null;
  /** The grids being edited and the versions the edit started from. */
  private subjects: GridShape[] = [];

  constructor(
    private readonly api: EditorApi,
    private readonly editorMap: EditorMap,
    private readonly drawingTool: Drawing,
    private readonly page: Page,
  ) {}

  /** Whether a map click belongs to the drawing rather than picks a grid. */
  get drawing(): boolean {
    return this.mode === 'create' || this.mode === 'reshape' || this.mode === 'split';
  }

  async start(mode: EditMode): Promise<void> {
    const chosen = this.page.chosen();
    const missing = mode === 'merge' ? chosen.length < 2 : mode !== 'create' && chosen.length !== 1;
    if (missing) {
      throw new Error(mode === 'merge' ? '请先在地图上按住 Shift 选中至少两个相邻网格' : '请先在地图上或列表中选中一个网格');
    }
    this.cancel();
    this.mode = mode;
    this.subjects = mode === 'create' ? [] : chosen;
    if (mode === 'create') this.drawingTool.drawPolygon();
    if (mode === 'split') this.drawingTool.drawLine();
    if (mode === 'reshape') {
      const polygon = single(chosen[0]);
      if (!polygon) throw new Error('该网格由多个部分组成或带有内洞，无法在地图上修改边界；请用导入（npm run import）');
      this.drawingTool.reshape(polygon);
    }
    $('hint').textContent = HINTS[mode];
    show('edit-form', true);
    show('name-label', mode !== 'reshape');
    show('name2-label', mode === 'split');
    show('level-label', mode === 'create');
    input('grid-name').value = mode === 'merge' ? chosen[0].name : mode === 'split' ? `${chosen[0].name}1` : '';
    input('grid-name2').value = mode === 'split' ? `${chosen[0].name}2` : '';
    for (const id of ['tool-draw', 'tool-reshape', 'tool-split', 'tool-merge']) $(id).setAttribute('aria-pressed', String(id === `tool-${mode === 'create' ? 'draw' : mode}`));
  }

  cancel(): void {
    this.mode = null;
    this.subjects = [];
    this.drawingTool.reset();
    this.clearRefusal();
    show('edit-form', false);
    $('hint').textContent = '';
    for (const id of ['tool-draw', 'tool-reshape', 'tool-split', 'tool-merge']) $(id).setAttribute('aria-pressed', 'false');
  }

  async save(): Promise<void> {
    const parent = this.page.parent();
    if (!this.mode || !parent) return;
    const reason = input('reason').value.trim() || '地图编辑器';
    const name = input('grid-name').value.trim();
    const snapMeters = input('snap').checked ? 1 : 0;
    const drawn = this.drawingTool.polygon();
    let outcome: EditOutcome;
    setStatus('正在保存…');
    switch (this.mode) {
      case 'create':
        if (!drawn) throw new Error('请先画完多边形：最后点击第一个顶点闭合');
        outcome = await this.api.createGrid({ name, level: input('grid-level').value, parentId: parent.id, boundary: drawn, reason, snapMeters });
        break;
      case 'reshape':
        if (!drawn) throw new Error('没有要保存的边界');
        outcome = await this.api.updateBoundary({ id: this.subjects[0].id, boundary: drawn, expectedVersion: this.subjects[0].version, reason, snapMeters });
        break;
      case 'split': {
        const line = this.drawingTool.line();
        if (!line) throw new Error('请先画完分割线：再次点击最后一点结束');
        const names: [string, string] = [name, input('grid-name2').value.trim()];
        outcome = await this.api.splitGrid({ id: this.subjects[0].id, line, names, expectedVersion: this.subjects[0].version, reason });
        break;
      }
      case 'merge':
        outcome = await this.api.mergeGrids({ ids: this.subjects.map((g) => g.id), expectedVersions: this.subjects.map((g) => g.version), name, reason });
        break;
    }
    await this.answer(outcome, drawn, parent);
  }

  private async answer(outcome: EditOutcome, drawn: Polygon | null, parent: ParentGrid): Promise<void> {
    this.clearRefusal();
    switch (outcome.kind) {
      case 'saved': {
        const text = outcome.grids.map((g) => `${g.name}（${g.code}）版本 ${g.version}`).join('、');
        const retired = outcome.retired.length ? `；已撤销 ${outcome.retired.map((g) => g.code).join('、')}` : '';
        this.cancel();
        setStatus(`已保存：${text}${retired}`, 'ok', { saved: 'true', code: outcome.grids[0].code, version: String(outcome.grids[0].version) });
        await this.page.saved(outcome.grids);
        return;
      }
      case 'refused': {
        setStatus(`保存被拒绝：${outcome.problemCount} 个问题，修改后再保存`, 'error', { refused: 'true' });
        const { points, areas } = problemFeatures(outcome.problems, drawn, parent.boundary);
        this.editorMap.show('problem-points', points);
        this.editorMap.show('problem-areas', areas);
        $('problem-summary').textContent = `${outcome.problemCount} 个问题`;
        renderProblemList($('problems'), outcome.problems, outcome.problemCount, (p) => p.location && this.editorMap.map.flyTo({ center: [p.location.lng, p.location.lat] }));
        show('problems-box', true);
        // A new polygon stays on the map with draggable vertices, to be fixed and saved again.
        if (this.mode === 'create' && drawn) this.drawingTool.reshape(drawn);
        return;
      }
      case 'conflict': {
        const who = outcome.changedBy ?? '他人';
        $('conflict-text').textContent =
          `${outcome.grid.name}（${outcome.grid.code}）已被 ${who} 于 ${formatTime(outcome.changedAt)} 修改，当前版本 ${outcome.currentVersion}` +
          `（你编辑的是版本 ${this.subjects.find((g) => g.id === outcome.grid.id)?.version ?? '?'}）。重新加载后再修改。`;
        $('conflict').dataset.gridId = outcome.grid.id;
        show('conflict', true);
        setStatus('保存冲突：网格已被他人修改', 'error', { conflict: 'true' });
        return;
      }
      case 'notFound':
        setStatus(outcome.message, 'error');
    }
  }

  /** After a conflict: the grid as it is now replaces the stale copy; a reshape starts again from it. */
  async reload(): Promise<void> {
    const id = $('conflict').dataset.gridId;
    const grid = id ? await this.api.grid(id) : null;
    show('conflict', false);
    if (!grid) return setStatus('该网格已不存在（可能已被撤销、分割或合并）', 'error');
    this.subjects = this.subjects.map((g) => (g.id === grid.id ? grid : g));
    this.page.reloaded(grid);
    const polygon = single(grid);
    if (this.mode === 'reshape' && polygon) this.drawingTool.reshape(polygon);
    setStatus(`已重新加载：${grid.name}（${grid.code}）版本 ${grid.version}`, 'info', { version: String(grid.version) });
  }

  /** The chosen grid's versions; a click overlays that version's boundary (the previous one at first). */
  async history(): Promise<void> {
    const grid = this.page.chosen()[0];
    if (!grid) throw new Error('请先选中一个网格');
    const versions = await this.api.history(grid.id);
    const overlay = (v: (typeof versions)[number]) => this.editorMap.show('history', [feature(v.boundary, { version: v.version })]);
    fillList(
      $('history'),
      versions,
      'history-entry',
      (v) =>
        `版本 ${v.version}：${v.name}，${formatArea(v.areaSqm)}，${formatTime(v.validFrom)} 起${v.validTo ? `至 ${formatTime(v.validTo)}` : '（现行）'}` +
        `${v.changedBy ? `，${v.changedBy}` : ''}${v.changeReason ? `：${v.changeReason}` : ''}`,
      overlay,
    );
    show('history-box', true);
    if (versions[1]) overlay(versions[1]);
    else this.editorMap.clear('history');
  }

  private clearRefusal(): void {
    this.editorMap.clear('problem-points', 'problem-areas');
    show('problems-box', false);
    show('conflict', false);
  }
}
