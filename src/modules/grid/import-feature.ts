import type { CoordinateSystem, GridLevel, ImportAction, ImportChange, ImportMode, ProblemCode } from '../../generated/graphql';
import { coordinateSystemNamed } from '../../geo/coordinates';
import { crsMemberProblem, projectedCoordinatesProblem } from '../../geo/crs';
import { isObject } from '../../geo/geojson';
import { Problems, type ProblemRow } from '../../shared/payload';
import type { BoundaryInput } from './boundary-check';
import { gridNameProblem } from './hierarchy';
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
export class ImportFileError extends Error {
  constructor(
    readonly code: Extract<ProblemCode, 'BAD_FILE' | 'WRONG_CRS'>,
    message: string,
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
    throw new ImportFileError(
      'WRONG_CRS',
      `the file says its coordinates are ${declared} ("coordinateSystem" member, as exported with ?crs=${declared}) but they would be read as ${crs}: ` +
        `import with crs ${declared} (CLI: --crs ${declared})`,
    );
  }
}

/**
 * Names whose Chinese characters were lost on the way: every character GDAL could not encode became `?`
 * (a shapefile written in the default encoding), or a decoder replaced bytes it could not read with U+FFFD.
 */
export function garbledNameProblem(name: string): string | null {
  const shown = `name "${name.slice(0, 40)}" has lost its characters to a wrong text encoding`;
  if (name.includes('\uFFFD')) {
    return (
      `${shown} (U+FFFD in place of Chinese): most likely a GBK shapefile read as UTF-8 (its .cpg missing); ` +
      'convert it naming its encoding: `ogr2ogr -f GeoJSON -t_srs EPSG:4326 -oo ENCODING=CP936 out.geojson in.shp`'
    );
  }
  if (!/\?{2,}|^[\s?]+$/.test(name)) return null;
  return (
    `${shown} ('?' in place of Chinese): most likely a shapefile written without \`-lco ENCODING=UTF-8\`, which lost ` +
    'them for good; export again from the original data, as GeoJSON (`ogr2ogr -f GeoJSON -t_srs EPSG:4326 out.geojson <source>`) ' +
    'or as a shapefile with `-lco ENCODING=UTF-8`'
  );
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
    problems.add({ code: 'BAD_VALUE', field: at, message: `${at}: not a GeoJSON Feature ({"type": "Feature", "geometry": ..., "properties": {...}})` });
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
  const nameIssue = report.name === null ? `property "${o.nameProperty}" is missing` : garbled ? null : gridNameProblem(report.name);
  if (garbled) problems.add({ code: 'BAD_ENCODING', field: `${at}.properties.${o.nameProperty}`, message: `${at}: ${garbled}` });
  if (nameIssue) problems.add({ code: 'BAD_NAME', field: `${at}.properties.${o.nameProperty}`, message: `${at}: ${nameIssue}` });
  if (o.level !== 'DISTRICT' && !parentCode) {
    problems.add({ code: 'BAD_VALUE', field: `${at}.properties.${o.parentCodeProperty}`, message: `${at}: property "${o.parentCodeProperty}" (the parent grid's code) is missing` });
  }
  if (o.mode === 'UPSERT' && !report.code) {
    problems.add({ code: 'BAD_VALUE', field: `${at}.properties.${o.codeProperty}`, message: `${at}: property "${o.codeProperty}" is missing; UPSERT matches grids by code` });
  }
  if (o.mode === 'UPSERT') report.expectedVersion = readVersion(props[o.versionProperty], `${at}.properties.${o.versionProperty}`, problems);
  if (feature.geometry === null || feature.geometry === undefined) {
    problems.add({ code: 'NOT_POLYGON', field: `${at}.geometry`, message: `${at}: the feature has no geometry` });
  }
  return { report, feature: { geometry: feature.geometry ?? undefined, parentCode }, parent: null, existing: null, problems };
}

/** The expected version: a positive whole number (GDAL may write it as "3" or 3.0); absent means "not checked". */
function readVersion(value: unknown, field: string, problems: Problems): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 2_147_483_647) return n;
  problems.add({ code: 'BAD_VALUE', field, message: `${field} must be the version the grid was exported at, a whole number from 1 (got ${JSON.stringify(value).slice(0, 40)})` });
  return null;
}

/** A stale feature: the grid was changed since the version the file was exported at. */
export function staleProblem(p: Pending, current: GridRow, versionProperty: string): ProblemRow {
  const at = `features[${p.report.index}]`;
  const who = current.changed_by ?? 'someone';
  return {
    code: 'VERSION_CONFLICT',
    field: `${at}.properties.${versionProperty}`,
    gridIds: [current.id],
    message:
      `${at}: ${current.name} (${current.code}) is at version ${current.version}, not ${p.report.expectedVersion} as in the file: ` +
      `${who} changed it at ${current.valid_from.toISOString()}${current.change_reason ? ` (${current.change_reason})` : ''}; ` +
      `importing would undo that: export it again and redo your edit, or remove "${versionProperty}" to overwrite it`,
  };
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
  const what = former.retired_at
    ? `was retired at ${former.retired_at.toISOString()}`
    : `now has the code ${former.code_now} (${former.changed_by ?? 'someone'} changed it at ${former.changed_at.toISOString()})`;
  return {
    code: 'VERSION_CONFLICT',
    field: `${at}.properties.${versionProperty}`,
    gridIds: [former.grid_id],
    message: `${at}: the file was exported at version ${p.report.expectedVersion} of grid ${former.code}, which ${what}; importing would bring it back: export again, or remove "${versionProperty}" to create it anew`,
  };
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
