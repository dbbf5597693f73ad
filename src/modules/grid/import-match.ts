import type { Knex } from 'knex';
import type { GridLevel } from '../../generated/graphql';
import { msg, type Msg } from '../../i18n';
import { problem, type Problems } from '../../shared/payload';
import { scopeIssue } from '../auth/policy';
import type { Principal } from '../auth/viewer';
import { label } from './edit-service';
import { goneProblem, staleProblem, type ImportOptions, type Pending } from './import-feature';
import { codeIssue, levelIssue as levelIssueOf, suffixRange } from './hierarchy';
import type { GridRow } from './mappers';
import * as repo from './repo';
import * as editRepo from './repo-edit';
import * as importRepo from './repo-import';

/**
 * Matching the features of an import batch to what the registry holds: their parents and the grids their codes
 * name (read under the write locks the batch needs), the checks that decide whether each may be written there,
 * and the next free codes for features without one.
 */

/** What an import carries from batch to batch: codes seen in the file, next free suffixes, parents by code. */
export interface BatchState {
  seenCodes: Map<string, number>;
  nextSuffix: Map<string, number>;
  parents: Map<string, GridRow | null>;
}

/**
 * Matches a feature to the current grid its code names (UPSERT) or to its parent (a new grid), and checks
 * that it may be written there: level, code, jurisdiction, expected version. Returns true when the feature
 * carries an expected version for a code no current grid has (its grid may have been retired since).
 */
export async function matchFeature(trx: Knex, p: Pending, existing: Map<string, GridRow>, o: ImportOptions, editor: Principal, state: BatchState): Promise<boolean> {
  const where = `features[${p.report.index}].properties`;
  const parent = p.parent;
  const at = (detail: Msg, field = where) => msg('gridImport.at', { at: field, detail });
  const levelIssue = parent || o.level === 'DISTRICT' ? levelIssueOf(o.level, parent?.level ?? null) : null;
  if (levelIssue) p.problems.add(problem('LEVEL_MISMATCH', at(levelIssue), { field: `${where}.${o.parentCodeProperty}` }));
  const code = p.report.code;
  const current = code ? existing.get(code) : undefined;
  if (code && state.seenCodes.has(code)) {
    p.problems.add(problem('CODE_TAKEN', at(msg('gridImport.codeTwice', { code, feature: state.seenCodes.get(code) ?? 0 }), `${where}.${o.codeProperty}`), { field: `${where}.${o.codeProperty}` }));
  } else if (current && o.mode === 'CREATE') {
    p.problems.add(problem('CODE_TAKEN', at(msg('gridImport.codeExists', { code: code ?? '' }), `${where}.${o.codeProperty}`), { field: `${where}.${o.codeProperty}`, gridIds: [current.id] }));
  } else if (current && (current.parent_id !== (parent?.id ?? null) || current.level !== o.level)) {
    p.problems.add(problem('BAD_VALUE', at(msg('gridImport.otherParent', { code: code ?? '', level: current.level })), { field: `${where}.${o.parentCodeProperty}`, gridIds: [current.id] }));
  } else if (current) {
    p.existing = current;
    const outside = scopeIssue(editor, 'grid:change', current, label(current));
    if (outside) p.problems.add(problem('OUTSIDE_JURISDICTION', at(outside), { field: `${where}.${o.codeProperty}` }));
    if (p.report.expectedVersion !== null && p.report.expectedVersion !== current.version) p.problems.add(staleProblem(p, current, o.versionProperty));
  } else if (code && !levelIssue && (parent || o.level === 'DISTRICT')) {
    const issue = codeIssue(code, o.level, parent?.code ?? null);
    if (issue) p.problems.add(problem('BAD_CODE', at(issue, `${where}.${o.codeProperty}`), { field: `${where}.${o.codeProperty}` }));
  } else if (!code && parent && !levelIssue) {
    p.report.code = await nextCode(trx, parent, o.level, state.nextSuffix, p.problems, where);
  }
  if (!p.existing && (parent || o.level === 'DISTRICT')) {
    const outside = scopeIssue(editor, 'grid:create', parent, parent ? msg('gridImport.theParent', { grid: label(parent) }) : msg('gridImport.newDistrict'));
    if (outside) p.problems.add(problem('OUTSIDE_JURISDICTION', at(outside), { field: `${where}.${o.parentCodeProperty}` }));
  }
  if (p.report.code) state.seenCodes.set(p.report.code, p.report.index);
  return !current && code !== null && p.report.expectedVersion !== null;
}

/**
 * Features exported from a grid whose code no current grid has: if a grid had it, that grid was retired or
 * given another code since, and creating it anew would undo that. Codes no grid ever had are new grids.
 */
export async function checkGone(trx: Knex, gone: Pending[], o: ImportOptions): Promise<void> {
  const formers = new Map((await importRepo.formerGridsByCodes(trx, o.level, gone.map((p) => p.report.code!))).map((f) => [f.code, f]));
  for (const p of gone) {
    const former = formers.get(p.report.code!);
    if (former) p.problems.add(goneProblem(p, former, o.versionProperty));
  }
}

/**
 * Reads the batch's parents and the grids its codes already name, takes the write locks for creating under
 * those parents and changing those grids, then reads both again (they may have changed while another edit
 * held the locks). Returns the current grids by code.
 */
export async function lockBatch(trx: Knex, pending: Pending[], o: ImportOptions, parents: Map<string, GridRow | null>): Promise<Map<string, GridRow>> {
  const codes = [...new Set(pending.flatMap((p) => (p.report.code ? [p.report.code] : [])))];
  const readExisting = async () => new Map((codes.length ? await repo.currentGridsByCodes(trx, codes) : []).map((g) => [g.code, g]));
  await loadParents(trx, pending, parents);
  const before = await readExisting();
  const targets = pending.flatMap((p) => (p.parent ? [p.parent] : []));
  const changes = editRepo.locksForChange([...before.values()]);
  await editRepo.lockGrids(trx, {
    exclusive: [...targets.map((g) => g.id), ...(o.level === 'DISTRICT' ? [null] : []), ...changes.exclusive],
    shared: [...targets.flatMap((g) => g.ancestor_ids), ...(changes.shared ?? [])],
  });
  for (const p of pending) if (p.feature.parentCode) parents.delete(p.feature.parentCode);
  await loadParents(trx, pending, parents);
  for (const p of pending) {
    if (p.feature.parentCode && !p.parent) {
      const detail = msg('gridImport.noParent', { code: p.feature.parentCode });
      p.problems.add(problem('BAD_VALUE', msg('gridImport.at', { at: `features[${p.report.index}]`, detail }), { field: `features[${p.report.index}].properties` }));
    }
  }
  return readExisting();
}

async function loadParents(trx: Knex, pending: Pending[], cache: Map<string, GridRow | null>): Promise<void> {
  const missing = [...new Set(pending.flatMap((p) => (p.feature.parentCode && !cache.has(p.feature.parentCode) ? [p.feature.parentCode] : [])))];
  if (missing.length) {
    const found = new Map((await repo.currentGridsByCodes(trx, missing)).map((g) => [g.code, g]));
    for (const code of missing) cache.set(code, found.get(code) ?? null);
  }
  for (const p of pending) p.parent = p.feature.parentCode ? (cache.get(p.feature.parentCode) ?? null) : null;
}

async function nextCode(trx: Knex, parent: GridRow, level: GridLevel, next: Map<string, number>, problems: Problems, where: string): Promise<string | null> {
  const { from, to } = suffixRange(level);
  const n = next.get(parent.code) ?? (await editRepo.highestSuffix(trx, parent.code, 3, from, to)) + 1;
  if (n > to) {
    problems.add(problem('BAD_CODE', msg('gridImport.at', { at: where, detail: msg('gridImport.codesExhausted', { level, parent: parent.code }) }), { field: where }));
    return null;
  }
  next.set(parent.code, n + 1);
  return `${parent.code}${String(n).padStart(3, '0')}`;
}
