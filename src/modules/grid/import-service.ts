import type { Knex } from 'knex';
import { withLongStatements } from '../../db/deadline';
import type { Context } from '../../context';
import { isObject } from '../../geo/geojson';
import { MalformedGeoJSON, textSource, unreadableJsonProblem } from '../../geo/json-text';
import { msg } from '../../i18n';
import { problem, validationError } from '../../shared/payload';
import { assertPrincipal } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import { checkBoundaries } from './boundary-check';
import { checkCollectionMembers, classify, ImportFileError, readFeature, type FeatureReport, type ImportOptions, type Pending } from './import-feature';
import { checkGone, lockBatch, matchFeature, type BatchState } from './import-match';
import { relocateWithin, type MovedCount } from '../location/repo';
import * as editRepo from './repo-edit';
import * as importRepo from './repo-import';

export { ImportFileError, type FeatureReport, type ImportOptions } from './import-feature';

/**
 * Bulk import of grids from GeoJSON features, all or nothing. Features are taken in batches: each batch is
 * checked set-wise (a few statements for hundreds of features) and, when clean, written at once inside the
 * import's single transaction, so later batches are checked against it. Any refused feature, or a dry run,
 * rolls everything back; the report says, feature by feature, what happened or would have happened.
 */
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
/**
 * Vertices of an UPSERT within this distance of the stored boundary's vertices are snapped onto them before
 * anything is compared. Snapping rather than comparing with a tolerance: a grid whose name alone changed keeps
 * its boundary bit for bit, and one whose vertex moved keeps every other vertex exactly where it was, so edges
 * shared with neighbours stay shared (a tolerance would store the shifted copy, opening slivers). 5 cm is far
 * above what a round trip moves a vertex (GCJ-02 and back: under 0.02 mm; GDAL's 15 significant digits: less)
 * and far below what anyone draws on purpose.
 */
const SNAP_TO_STORED_METERS = 0.05;

class Rollback extends Error {}

type Batch = { index: number; feature: unknown }[];

export class GridImportService {
  constructor(private readonly ctx: Context) {}

  /** `importGrids`: the FeatureCollection came in the request. */
  async importFeatureCollection(input: { featureCollection: unknown } & ImportOptionsInput) {
    // AUTH (each feature's grid or parent is checked against the jurisdiction as it is read)
    assertPrincipal(this.ctx.viewer, 'grid:import');
    // VALIDATION (the collection as a whole: one problem, not one per feature or vertex)
    const field = 'input.featureCollection';
    const fc = input.featureCollection;
    if (fc instanceof MalformedGeoJSON) {
      return validationError([problem('BAD_FILE', await unreadableJsonProblem(textSource(fc.text), 'featureCollection'), { field })]);
    }
    if (!isObject(fc) || fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
      return validationError([problem('BAD_VALUE', msg(isObject(fc) && fc.type === 'Feature' ? 'gridImport.inputFeature' : 'gridImport.inputShape'), { field })]);
    }
    const features: unknown[] = fc.features;
    const options = withDefaults(input);
    try {
      checkCollectionMembers(fc, options.crs);
      return await this.ctx.expensive('import', () => this.run(features, options));
    } catch (err) {
      if (err instanceof ImportFileError) return validationError([{ code: err.code, field, message: err.message, msg: err.localized }]);
      throw err;
    }
  }

  /**
   * Imports as the context's viewer: the mutation, and the CLI (which acts as `--as` within `--grid`). Every
   * feature is checked against that principal's jurisdiction, as a change of the grid it updates or a new
   * grid under its parent. Throws ImportFileError, having written nothing, when the file as a whole cannot be
   * imported (projected coordinates; the CLI's reader also throws it for unreadable text).
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
    const state: BatchState = { seenCodes: new Map(), nextSuffix: new Map(), parents: new Map() };
    try {
      // Checking a batch of hundreds of boundaries may take longer than one request's statement should.
      await withLongStatements(this.ctx.db, this.ctx.deadline, this.ctx.config.db.longStatementTimeoutMs, async (trx) => {
        let batch: Batch = [];
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

  private async processBatch(trx: Knex.Transaction, batch: Batch, o: ImportOptions, editor: Principal, state: BatchState, report: ImportReport): Promise<void> {
    const pending = batch.map(({ index, feature }) => readFeature(index, feature, o));
    const existing = await lockBatch(trx, pending, o, state.parents);
    const gone: Pending[] = [];
    for (const p of pending) {
      if (await matchFeature(trx, p, existing, o, editor, state)) gone.push(p);
    }
    await checkGone(trx, gone, o);

    const checked = await checkBoundaries(
      trx,
      pending
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
          snapToStoredMeters: SNAP_TO_STORED_METERS,
        })),
      this.ctx.config.boundary,
      (ids) => this.ctx.services.gridEdit.describe(trx, ids),
      pending.flatMap((p) => (p.existing ? [p.existing.id] : [])),
    );
    for (const p of pending) p.problems.addAll(checked.problems.get(p.report.index));
    const same = await importRepo.sameBoundaries(
      trx,
      pending.flatMap((p) => {
        const g = checked.accepted.get(p.report.index);
        return p.existing && g ? [{ id: p.existing.id, hex: g.hex }] : [];
      }),
      UNCHANGED_SQM,
    );
    for (const p of pending) {
      classify(p, checked.accepted.get(p.report.index), same);
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
    const redrawn = updates.filter((p) => p.report.changes.includes('BOUNDARY'));
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
    const oldHexes = redrawn.length ? await editRepo.boundaryHexes(trx, redrawn.map((p) => p.existing!.id)) : [];
    for (const p of updates) {
      // Only what changed is written: a renamed grid keeps its stored boundary bit for bit.
      const change = {
        name: p.report.changes.includes('NAME') ? p.report.name! : undefined,
        hex: p.report.changes.includes('BOUNDARY') ? accepted.get(p.report.index)!.hex : undefined,
      };
      const ok = await editRepo.writeVersion(trx, p.existing!.id, p.existing!.version, change, editor.subject, o.reason ?? 'import');
      if (!ok) {
        p.report.action = 'REFUSED';
        p.report.problems = [problem('VERSION_CONFLICT', msg('gridImport.at', { at: `features[${p.report.index}]`, detail: msg('gridImport.changedDuring', { code: p.report.code ?? '' }) }))];
        report.updated--;
        report.refused++;
      }
      p.report.gridId = p.existing!.id;
    }
    const moved = await relocateWithin(trx, this.ctx.located, [...oldHexes, ...[...creates, ...redrawn].map((p) => accepted.get(p.report.index)!.hex)]);
    for (const m of moved) {
      report.moved += m.count;
      const total = report.movedByKind.find((t) => t.kind === m.kind);
      if (total) total.count += m.count;
    }
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
    versionProperty: input.versionProperty ?? 'version',
    mode: input.mode ?? 'CREATE',
    dryRun: input.dryRun ?? false,
    crs: input.crs ?? 'WGS84',
    reason: input.reason ?? null,
    options: input.options ?? undefined,
  };
}
