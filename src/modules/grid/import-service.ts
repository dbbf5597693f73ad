import type { Knex } from 'knex';
import { withLongStatements } from '../../db/deadline';
import type { Context } from '../../context';
import type { CoordinateSystem, GridLevel, ImportAction, ImportMode } from '../../generated/graphql';
import { isObject } from '../../geo/geojson';
import { Problems, validationError, type ProblemRow } from '../../shared/payload';
import { assertPrincipal, scopeProblem } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import { checkBoundaries, type BoundaryInput } from './boundary-check';
import { label } from './edit-service';
import { codeProblem, levelProblem, gridNameProblem, suffixRange } from './hierarchy';
import type { GridRow } from './mappers';
import * as repo from './repo';
import { relocateWithin, type MovedCount } from '../location/repo';
import * as editRepo from './repo-edit';

/**
 * Bulk import of grids from GeoJSON features, all or nothing. Features are taken in batches: each batch is
 * checked set-wise (a few statements for hundreds of features) and, when clean, written at once inside the
 * import's single transaction, so later batches are checked against it. Any refused feature, or a dry run,
 * rolls everything back; the report says, feature by feature, what happened or would have happened.
 */
export interface ImportOptions {
  level: GridLevel;
  parentCodeProperty: string;
  codeProperty: string;
  nameProperty: string;
  mode: ImportMode;
  dryRun: boolean;
  crs: CoordinateSystem;
  reason: string | null;
  options?: BoundaryInput['options'];
}

export interface FeatureReport {
  index: number;
  code: string | null;
  name: string | null;
  action: ImportAction;
  problems: ProblemRow[];
  gridId: string | null;
}

export interface ImportReport {
  __typename: 'ImportGridsReport';
  written: boolean;
  dryRun: boolean;
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  refused: number;
  /** Located records re-resolved to another grid, by kind (summed over the batches). */
  movedByKind: MovedCount[];
  moved: number;
  features: FeatureReport[];
}

const BATCH = 500;
/** A redrawn boundary differing from the stored one by less than this (m²) counts as unchanged. */
const UNCHANGED_SQM = 0.01;

class Rollback extends Error {}

interface Pending {
  report: FeatureReport;
  feature: { geometry: unknown; parentCode: string | null };
  parent: GridRow | null;
  existing: GridRow | null;
  problems: Problems;
}

export class GridImportService {
  constructor(private readonly ctx: Context) {}

  /** `importGrids`: the FeatureCollection came in the request. */
  async importFeatureCollection(input: { featureCollection: unknown } & ImportOptionsInput) {
    // AUTH (each feature's grid or parent is checked against the jurisdiction as it is read)
    assertPrincipal(this.ctx.viewer, 'grid:import');
    const fc = input.featureCollection;
    if (!isObject(fc) || fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
      return validationError([
        { code: 'BAD_VALUE', field: 'input.featureCollection', message: 'featureCollection must be a GeoJSON FeatureCollection: {"type": "FeatureCollection", "features": [...]}' },
      ]);
    }
    const features: unknown[] = fc.features;
    return this.ctx.expensive('import', () => this.run(features, withDefaults(input)));
  }

  /**
   * Imports as the context's viewer: the mutation, and the CLI (which acts as `--as` within `--grid`). Every
   * feature is checked against that principal's jurisdiction, as a change of the grid it updates or a new
   * grid under its parent.
   */
  async run(
    features: Iterable<unknown> | AsyncIterable<unknown>,
    options: ImportOptions,
    /** Called after each batch (the CLI prints progress). */
    onBatch?: (report: ImportReport) => void,
  ): Promise<ImportReport> {
    const editor = assertPrincipal(this.ctx.viewer, 'grid:import');
    const report: ImportReport = {
      __typename: 'ImportGridsReport',
      written: false,
      dryRun: options.dryRun,
      total: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      refused: 0,
      moved: 0,
      movedByKind: this.ctx.located.map((k) => ({ kind: k.kind, count: 0 })),
      features: [],
    };
    const state = { seenCodes: new Map<string, number>(), nextSuffix: new Map<string, number>(), parents: new Map<string, GridRow | null>() };
    try {
      // Checking a batch of hundreds of boundaries may take longer than one request's statement should.
      await withLongStatements(this.ctx.db, this.ctx.deadline, this.ctx.config.db.longStatementTimeoutMs, async (trx) => {
        let batch: { index: number; feature: unknown }[] = [];
        for await (const feature of features) {
          batch.push({ index: report.total++, feature });
          if (batch.length === BATCH) {
            await this.processBatch(trx, batch, options, editor, state, report);
            onBatch?.(report);
            batch = [];
          }
        }
        if (batch.length) {
          await this.processBatch(trx, batch, options, editor, state, report);
          onBatch?.(report);
        }
        if (report.refused > 0 || options.dryRun) throw new Rollback();
      });
      report.written = true;
      this.ctx.clearLoaders();
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
      for (const f of report.features) f.gridId = null;
      report.moved = 0;
      for (const m of report.movedByKind) m.count = 0;
    }
    return report;
  }

  private async processBatch(
    trx: Knex.Transaction,
    batch: { index: number; feature: unknown }[],
    o: ImportOptions,
    editor: Principal,
    state: { seenCodes: Map<string, number>; nextSuffix: Map<string, number>; parents: Map<string, GridRow | null> },
    report: ImportReport,
  ): Promise<void> {
    const pending = batch.map(({ index, feature }) => this.readFeature(index, feature, o));
    const existing = await this.lockBatch(trx, pending, o, state.parents);

    for (const p of pending) {
      const where = `features[${p.report.index}].properties`;
      const parent = p.parent;
      const levelIssue = parent || o.level === 'DISTRICT' ? levelProblem(o.level, parent?.level ?? null) : null;
      if (levelIssue) p.problems.add({ code: 'LEVEL_MISMATCH', field: `${where}.${o.parentCodeProperty}`, message: `${where}: ${levelIssue}` });
      const code = p.report.code;
      const current = code ? existing.get(code) : undefined;
      if (code && state.seenCodes.has(code)) {
        p.problems.add({ code: 'CODE_TAKEN', field: `${where}.${o.codeProperty}`, message: `${where}.${o.codeProperty}: ${code} is also the code of feature ${state.seenCodes.get(code)}` });
      } else if (current && o.mode === 'CREATE') {
        p.problems.add({ code: 'CODE_TAKEN', field: `${where}.${o.codeProperty}`, message: `${where}.${o.codeProperty}: ${code} is already a current grid's code (mode CREATE; use UPSERT to update it)`, gridIds: [current.id] });
      } else if (current && (current.parent_id !== (parent?.id ?? null) || current.level !== o.level)) {
        p.problems.add({ code: 'BAD_VALUE', field: `${where}.${o.parentCodeProperty}`, message: `${where}: ${code} exists as a ${current.level} under another parent; use moveGrid to move it`, gridIds: [current.id] });
      } else if (current) {
        p.existing = current;
        const outside = scopeProblem(editor, 'grid:change', current, label(current));
        if (outside) p.problems.add({ code: 'OUTSIDE_JURISDICTION', field: `${where}.${o.codeProperty}`, message: `${where}: ${outside}` });
      } else if (code && !levelIssue && (parent || o.level === 'DISTRICT')) {
        const issue = codeProblem(code, o.level, parent?.code ?? null);
        if (issue) p.problems.add({ code: 'BAD_CODE', field: `${where}.${o.codeProperty}`, message: `${where}.${o.codeProperty}: ${issue}` });
      } else if (!code && parent && !levelIssue) {
        p.report.code = await this.nextCode(trx, parent, o.level, state.nextSuffix, p.problems, where);
      }
      if (!p.existing && (parent || o.level === 'DISTRICT')) {
        const outside = scopeProblem(editor, 'grid:create', parent, parent ? `the parent ${label(parent)}` : 'a new district');
        if (outside) p.problems.add({ code: 'OUTSIDE_JURISDICTION', field: `${where}.${o.parentCodeProperty}`, message: `${where}: ${outside}` });
      }
      if (p.report.code) state.seenCodes.set(p.report.code, p.report.index);
    }

    const inputs: BoundaryInput[] = pending
      .filter((p) => p.feature.geometry !== undefined)
      .map((p) => ({
        n: p.report.index,
        field: `features[${p.report.index}].geometry`,
        boundary: p.feature.geometry,
        crs: o.crs,
        level: o.level,
        parent: p.parent,
        selfId: p.existing?.id ?? null,
        options: o.options,
      }));
    const redrawn = pending.flatMap((p) => (p.existing ? [p.existing.id] : []));
    const checked = await checkBoundaries(trx, inputs, this.ctx.config.boundary, (ids) => this.ctx.services.gridEdit.describe(trx, ids), redrawn);
    for (const p of pending) p.problems.addAll(checked.problems.get(p.report.index));

    const unchanged = await editRepo.unchangedGrids(trx, pending.flatMap((p) => {
      const g = checked.accepted.get(p.report.index);
      return p.existing && g ? [{ id: p.existing.id, hex: g.hex, name: p.report.name! }] : [];
    }), UNCHANGED_SQM);
    for (const p of pending) {
      p.report.action = p.problems.any ? 'REFUSED' : !p.existing ? 'CREATE' : unchanged.has(p.existing.id) ? 'UNCHANGED' : 'UPDATE';
      if (p.report.action === 'UNCHANGED') p.report.gridId = p.existing!.id;
      p.report.problems = p.problems.list;
      report.features.push(p.report);
      report[({ CREATE: 'created', UPDATE: 'updated', UNCHANGED: 'unchanged', REFUSED: 'refused' } as const)[p.report.action]]++;
    }
    if (pending.some((p) => p.problems.any)) return;
    await this.write(trx, pending, checked.accepted, o, editor, report);
  }

  private async write(
    trx: Knex.Transaction,
    pending: Pending[],
    accepted: Map<number, { hex: string }>,
    o: ImportOptions,
    editor: Principal,
    report: ImportReport,
  ): Promise<void> {
    const creates = pending.filter((p) => p.report.action === 'CREATE');
    const updates = pending.filter((p) => p.report.action === 'UPDATE');
    const rows = creates.map((p) => ({
      id: crypto.randomUUID(),
      code: p.report.code!,
      name: p.report.name!,
      level: o.level,
      depth: p.parent ? p.parent.depth + 1 : 0,
      parentId: p.parent?.id ?? null,
      ancestorIds: p.parent ? [...p.parent.ancestor_ids, p.parent.id] : [],
      hex: accepted.get(p.report.index)!.hex,
    }));
    if (rows.length) await editRepo.insertGrids(trx, rows, editor.subject, o.reason ?? 'import');
    rows.forEach((r, i) => (creates[i].report.gridId = r.id));
    const oldHexes = updates.length ? await editRepo.boundaryHexes(trx, updates.map((p) => p.existing!.id)) : [];
    for (const p of updates) {
      const ok = await editRepo.writeVersion(trx, p.existing!.id, p.existing!.version, { hex: accepted.get(p.report.index)!.hex, name: p.report.name! }, editor.subject, o.reason ?? 'import');
      if (!ok) {
        p.report.action = 'REFUSED';
        p.report.problems = [{ code: 'BAD_VALUE', message: `features[${p.report.index}]: ${p.report.code} was changed by someone else during the import` }];
        report.updated--;
        report.refused++;
      }
      p.report.gridId = p.existing!.id;
    }
    const moved = await relocateWithin(trx, this.ctx.located, [...oldHexes, ...[...creates, ...updates].map((p) => accepted.get(p.report.index)!.hex)]);
    for (const m of moved) {
      report.moved += m.count;
      const total = report.movedByKind.find((t) => t.kind === m.kind);
      if (total) total.count += m.count;
    }
  }

  private readFeature(index: number, feature: unknown, o: ImportOptions): Pending {
    const problems = new Problems();
    const at = `features[${index}]`;
    const report: FeatureReport = { index, code: null, name: null, action: 'REFUSED', problems: [], gridId: null };
    if (!isObject(feature) || feature.type !== 'Feature') {
      problems.add({ code: 'BAD_VALUE', field: at, message: `${at}: not a GeoJSON Feature ({"type": "Feature", "geometry": ..., "properties": {...}})` });
      return { report, feature: { geometry: undefined, parentCode: null }, parent: null, existing: null, problems };
    }
    const props = isObject(feature.properties) ? feature.properties : {};
    const text = (key: string) => {
      const v = props[key];
      return typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null;
    };
    report.name = text(o.nameProperty);
    report.code = text(o.codeProperty);
    const parentCode = text(o.parentCodeProperty);
    const nameIssue = report.name === null ? `property "${o.nameProperty}" is missing` : gridNameProblem(report.name);
    if (nameIssue) problems.add({ code: 'BAD_NAME', field: `${at}.properties.${o.nameProperty}`, message: `${at}: ${nameIssue}` });
    if (o.level !== 'DISTRICT' && !parentCode) {
      problems.add({ code: 'BAD_VALUE', field: `${at}.properties.${o.parentCodeProperty}`, message: `${at}: property "${o.parentCodeProperty}" (the parent grid's code) is missing` });
    }
    if (o.mode === 'UPSERT' && !report.code) {
      problems.add({ code: 'BAD_VALUE', field: `${at}.properties.${o.codeProperty}`, message: `${at}: property "${o.codeProperty}" is missing; UPSERT matches grids by code` });
    }
    if (feature.geometry === null || feature.geometry === undefined) {
      problems.add({ code: 'NOT_POLYGON', field: `${at}.geometry`, message: `${at}: the feature has no geometry` });
    }
    return { report, feature: { geometry: feature.geometry ?? undefined, parentCode }, parent: null, existing: null, problems };
  }

  /**
   * Reads the batch's parents and the grids its codes already name, takes the write locks for creating under
   * those parents and changing those grids, then reads both again (they may have changed while another edit
   * held the locks). Returns the current grids by code.
   */
  private async lockBatch(trx: Knex, pending: Pending[], o: ImportOptions, parents: Map<string, GridRow | null>): Promise<Map<string, GridRow>> {
    const codes = [...new Set(pending.flatMap((p) => (p.report.code ? [p.report.code] : [])))];
    const readExisting = async () => new Map((codes.length ? await repo.currentGridsByCodes(trx, codes) : []).map((g) => [g.code, g]));
    await this.loadParents(trx, pending, parents);
    const before = await readExisting();
    const targets = pending.flatMap((p) => (p.parent ? [p.parent] : []));
    const changes = editRepo.locksForChange([...before.values()]);
    await editRepo.lockGrids(trx, {
      exclusive: [...targets.map((g) => g.id), ...(o.level === 'DISTRICT' ? [null] : []), ...changes.exclusive],
      shared: [...targets.flatMap((g) => g.ancestor_ids), ...(changes.shared ?? [])],
    });
    for (const p of pending) if (p.feature.parentCode) parents.delete(p.feature.parentCode);
    await this.loadParents(trx, pending, parents);
    for (const p of pending) {
      if (p.feature.parentCode && !p.parent) {
        p.problems.add({ code: 'BAD_VALUE', field: `features[${p.report.index}].properties`, message: `features[${p.report.index}]: no current grid has the parent code ${p.feature.parentCode}` });
      }
    }
    return readExisting();
  }

  private async loadParents(trx: Knex, pending: Pending[], cache: Map<string, GridRow | null>): Promise<void> {
    const missing = [...new Set(pending.flatMap((p) => (p.feature.parentCode && !cache.has(p.feature.parentCode) ? [p.feature.parentCode] : [])))];
    if (missing.length) {
      const found = new Map((await repo.currentGridsByCodes(trx, missing)).map((g) => [g.code, g]));
      for (const code of missing) cache.set(code, found.get(code) ?? null);
    }
    for (const p of pending) p.parent = p.feature.parentCode ? (cache.get(p.feature.parentCode) ?? null) : null;
  }

  private async nextCode(trx: Knex, parent: GridRow, level: GridLevel, next: Map<string, number>, problems: Problems, where: string): Promise<string | null> {
    const { from, to } = suffixRange(level);
    const n = next.get(parent.code) ?? (await editRepo.highestSuffix(trx, parent.code, 3, from, to)) + 1;
    if (n > to) {
      problems.add({ code: 'BAD_CODE', field: where, message: `${where}: no free ${level} code left under ${parent.code}; give codes explicitly` });
      return null;
    }
    next.set(parent.code, n + 1);
    return `${parent.code}${String(n).padStart(3, '0')}`;
  }
}

/** Import options as the mutation and the CLI give them: any may be missing (null or undefined). */
export type ImportOptionsInput = { [K in keyof ImportOptions]?: ImportOptions[K] | null };

export function withDefaults(input: ImportOptionsInput): ImportOptions {
  return {
    level: input.level!,
    parentCodeProperty: input.parentCodeProperty ?? 'parentCode',
    codeProperty: input.codeProperty ?? 'code',
    nameProperty: input.nameProperty ?? 'name',
    mode: input.mode ?? 'CREATE',
    dryRun: input.dryRun ?? false,
    crs: input.crs ?? 'WGS84',
    reason: input.reason ?? null,
    options: input.options ?? undefined,
  };
}
