import type { CoordinateSystem, GridLevel, ImportAction, ImportChange, ImportMode, ProblemCode } from '../../generated/graphql';
import { coordinateSystemNamed } from '../../geo/coordinates';
import { crsMemberProblem, projectedCoordinatesProblem } from '../../geo/crs';
import { isObject } from '../../geo/geojson';
import { LocalizedError, msg, type Msg } from '../../i18n';
import { problem, Problems, type ProblemRow } from '../../shared/payload';
import type { BoundaryInput } from './boundary-check';
import { gridNameIssue } from './hierarchy';
import type { GridRow } from './mappers';

/**
 * Reading one feature of a grid import, and the checks that concern the file as a whole (its declared CRS,
 * projected coordinates): a file-wide problem is raised once as an ImportFileError instead of being repeated for
 * every feature and vertex.
 */
export interface ImportOptions {
  level: GridLevel;
  parentCodeProperty: string;
  codeProperty: string;
  nameProperty: string;
  /** The property holding the version a feature was exported at: the expected version on UPSERT. */
  versionProperty: string;
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
  /** For UPDATE: what changes. */
  changes: ImportChange[];
  previousName: string | null;
  areaSqm: number | null;
  areaDeltaSqm: number | null;
  expectedVersion: number | null;
  problems: ProblemRow[];
  gridId: string | null;
}

export interface Pending {
  report: FeatureReport;
  feature: { geometry: unknown; parentCode: string | null };
  parent: GridRow | null;
  existing: GridRow | null;
  problems: Problems;
}

/** The file as a whole cannot be imported (unreadable, another CRS): one message, no per-feature report. */
export class ImportFileError extends LocalizedError {
  constructor(
    readonly code: Extract<ProblemCode, 'BAD_FILE' | 'WRONG_CRS'>,
    message: Msg,
  ) {
    super(message);
  }
}


/**
 * Checks the FeatureCollection's own members: a `crs` naming anything but geographic WGS-84/CGCS2000, and the
 * `coordinateSystem` member `GET /export/grids.geojson?crs=GCJ02` writes, when it disagrees with the import's
 * `crs` (every grid would land half a kilometre off).
 */
export function checkCollectionMembers(members: { crs?: unknown; coordinateSystem?: unknown }, crs: CoordinateSystem): void {
  const crsProblem = crsMemberProblem(members.crs);
  if (crsProblem) throw new ImportFileError('WRONG_CRS', crsProblem);
  const declared = members.coordinateSystem;
  if (typeof declared === 'string' && coordinateSystemNamed(declared) === declared && declared !== crs) {
    throw new ImportFileError('WRONG_CRS', msg('gridImport.declaredCrs', { declared, crs }));
  }
}

/**
 * Names whose Chinese characters were lost on the way: every character GDAL could not encode became `?`
 * (a shapefile written in the default encoding), or a decoder replaced bytes it could not read with U+FFFD.
 */
export function garbledNameProblem(name: string): Msg | null {
  if (name.includes('\uFFFD')) return msg('gridImport.garbledFffd', { name: name.slice(0, 40) });
  if (!/\?{2,}|^[\s?]+$/.test(name)) return null;
  return msg('gridImport.garbledQuestion', { name: name.slice(0, 40) });
}

function emptyReport(index: number): FeatureReport {
  return { index, code: null, name: null, action: 'REFUSED', changes: [], previousName: null, areaSqm: null, areaDeltaSqm: null, expectedVersion: null, problems: [], gridId: null };
}

/** Reads a feature's properties and geometry, collecting what is wrong with them (nothing is looked up yet). */
export function readFeature(index: number, feature: unknown, o: ImportOptions): Pending {
  const problems = new Problems();
  const at = `features[${index}]`;
  const report = emptyReport(index);
  if (!isObject(feature) || feature.type !== 'Feature') {
    problems.add(problem('BAD_VALUE', msg('gridImport.at', { at, detail: msg('gridImport.notFeature') }), { field: at }));
    return { report, feature: { geometry: undefined, parentCode: null }, parent: null, existing: null, problems };
  }
  const projected = projectedCoordinatesProblem(feature.geometry, `${at}.geometry`);
  if (projected) throw new ImportFileError('WRONG_CRS', projected);
  const props = isObject(feature.properties) ? feature.properties : {};
  const text = (key: string) => {
    const v = props[key];
    return typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null;
  };
  report.name = text(o.nameProperty);
  report.code = text(o.codeProperty);
  const parentCode = text(o.parentCodeProperty);
  // A garbled name is reported for its cause alone (it would often also be "no letter or digit").
  const garbled = report.name === null ? null : garbledNameProblem(report.name);
  const nameIssue = report.name === null ? msg('gridImport.nameMissing', { property: o.nameProperty }) : garbled ? null : gridNameIssue(report.name);
  if (garbled) problems.add(problem('BAD_ENCODING', msg('gridImport.at', { at, detail: garbled }), { field: `${at}.properties.${o.nameProperty}` }));
  if (nameIssue) problems.add(problem('BAD_NAME', msg('gridImport.at', { at, detail: nameIssue }), { field: `${at}.properties.${o.nameProperty}` }));
  if (o.level !== 'DISTRICT' && !parentCode) {
    problems.add(problem('BAD_VALUE', msg('gridImport.at', { at, detail: msg('gridImport.parentMissing', { property: o.parentCodeProperty }) }), { field: `${at}.properties.${o.parentCodeProperty}` }));
  }
  if (o.mode === 'UPSERT' && !report.code) {
    problems.add(problem('BAD_VALUE', msg('gridImport.at', { at, detail: msg('gridImport.codeMissing', { property: o.codeProperty }) }), { field: `${at}.properties.${o.codeProperty}` }));
  }
  if (o.mode === 'UPSERT') report.expectedVersion = readVersion(props[o.versionProperty], `${at}.properties.${o.versionProperty}`, problems);
  if (feature.geometry === null || feature.geometry === undefined) {
    problems.add(problem('NOT_POLYGON', msg('gridImport.at', { at, detail: msg('gridImport.noGeometry') }), { field: `${at}.geometry` }));
  }
  return { report, feature: { geometry: feature.geometry ?? undefined, parentCode }, parent: null, existing: null, problems };
}

/** The expected version: a positive whole number (GDAL may write it as "3" or 3.0); absent means "not checked". */
function readVersion(value: unknown, field: string, problems: Problems): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 2_147_483_647) return n;
  problems.add(problem('BAD_VALUE', msg('gridImport.version', { field, got: JSON.stringify(value).slice(0, 40) }), { field }));
  return null;
}

/** A stale feature: the grid was changed since the version the file was exported at. */
export function staleProblem(p: Pending, current: GridRow, versionProperty: string): ProblemRow {
  const at = `features[${p.report.index}]`;
  const stale = msg('gridImport.stale', {
    grid: `${current.name} (${current.code})`,
    version: current.version,
    expected: p.report.expectedVersion ?? 0,
    by: current.changed_by ?? msg('someone'),
    at: current.valid_from.toISOString(),
    why: current.change_reason ?? '',
    property: versionProperty,
  });
  return problem('VERSION_CONFLICT', msg('gridImport.at', { at, detail: stale }), { field: `${at}.properties.${versionProperty}`, gridIds: [current.id] });
}

/** What became of a grid the file was exported from, when its code is no longer a current grid's. */
export interface FormerGrid {
  code: string;
  grid_id: string;
  code_now: string | null;
  retired_at: Date | null;
  changed_by: string | null;
  changed_at: Date;
}

export function goneProblem(p: Pending, former: FormerGrid, versionProperty: string): ProblemRow {
  const at = `features[${p.report.index}]`;
  const expected = p.report.expectedVersion ?? 0;
  const gone = former.retired_at
    ? msg('gridImport.retired', { code: former.code, expected, at: former.retired_at.toISOString(), property: versionProperty })
    : msg('gridImport.recoded', { code: former.code, expected, now: former.code_now ?? '', by: former.changed_by ?? msg('someone'), at: former.changed_at.toISOString(), property: versionProperty });
  return problem('VERSION_CONFLICT', msg('gridImport.at', { at, detail: gone }), { field: `${at}.properties.${versionProperty}`, gridIds: [former.grid_id] });
}

/**
 * What the import does with a checked feature, and what it changes: an existing grid whose name and boundary
 * (after snapping) are the stored ones is UNCHANGED; otherwise an UPDATE says which changed and by how much area.
 */
export function classify(p: Pending, accepted: { areaSqm: number } | undefined, sameBoundary: Set<string>): void {
  const r = p.report;
  const current = p.existing;
  r.areaSqm = accepted?.areaSqm ?? null;
  r.problems = p.problems.list;
  if (p.problems.any) {
    r.action = 'REFUSED';
    r.areaSqm = null;
    return;
  }
  if (!current) {
    r.action = 'CREATE';
    return;
  }
  const redrawn = !sameBoundary.has(current.id);
  r.changes = [...(r.name !== current.name ? (['NAME'] as const) : []), ...(redrawn ? (['BOUNDARY'] as const) : [])];
  r.action = r.changes.length ? 'UPDATE' : 'UNCHANGED';
  if (!redrawn) r.areaSqm = Number(current.area_sqm);
  if (r.changes.includes('NAME')) r.previousName = current.name;
  if (r.action === 'UPDATE') r.areaDeltaSqm = redrawn && accepted ? accepted.areaSqm - Number(current.area_sqm) : 0;
  if (r.action === 'UNCHANGED') r.gridId = current.id;
}
