import type { GridLevel } from '../../generated/graphql';
import type { Action } from '../auth/policy';
import { FINAL_SQL } from '../incident/repo';
import { readableIncidents } from '../incident/repo-list';
import { SLA_CLOCK_SQL } from '../incident/scheduler';
import { slaStatusSql } from '../incident/sla';

/**
 * The map layers: what `/tiles/{layer}/{z}/{x}/{y}.mvt` draws and `/ogc/collections/{layer}` lists. One entry a
 * layer; the SQL around it (tile envelope, simplification, keyset pages, jurisdiction) is written once in
 * repo.ts. A located record type is one `located({...})` entry below, with the policy action that gates it (a
 * scoped action limits the layer to the caller's subtree, or to what its module's rule lets them read), the rows
 * that show (`live`: incidents' open ones), and its table added to `map_change`'s sources by a migration.
 *
 * No layer carries personal data: no person, no phone, no count derived from people (GB/T 35273; the policy
 * table in DESIGN.md). Every property here is one GraphQL shows to whoever may read the layer.
 */
export type FieldType = 'String' | 'Number';

/** The tables whose change counters (`map_change`, migration 20261130000500) a layer's ETag follows. */
export type ChangeSource = 'grid' | 'building' | 'key_place' | 'facility' | 'incident' | 'incident_category';

/** SQL with its bindings. */
export interface Fragment {
  sql: string;
  bindings: unknown[];
}

interface LayerBase {
  /** The tile layer's name, its path segment and its OGC collection id. */
  id: string;
  /** The GraphQL type of its features, for their global ids. */
  nodeType: string;
  title: string;
  description: string;
  /** What the caller needs (src/modules/auth/policy.ts); a scoped action limits rows to their jurisdiction. */
  action: Action;
  geometry: 'Polygon' | 'Point';
  minZoom: number;
  /** The deepest zoom the TileJSON advertises (clients over-zoom past it); tiles are served to MAX_TILE_ZOOM. */
  maxZoom: number;
  sources: readonly ChangeSource[];
  /** Feature properties besides `id` (the GraphQL global id), with their types. */
  fields: Readonly<Record<string, FieldType>>;
  /** OGC items property filters: query parameter → SQL expression (aliases: `t` the row, `p` its parent or grid). */
  filters: Readonly<Record<string, string>>;
}

export interface GridLayer extends LayerBase {
  kind: 'grid';
  level: GridLevel;
}

export interface LocatedLayer extends LayerBase {
  kind: 'located';
  /** The table (alias `t`), with `id`, `location` and `grid_id`. */
  table: string;
  /** Property → SQL expression (alias `t`; `p` is the grid the record lies in, `p.code` its code). */
  properties: Readonly<Record<string, string>>;
  /** The keyset order of OGC pages: a unique column (`t.code`) or the primary key. */
  orderBy: 't.id' | 't.code';
  /** Which rows show (a condition on `t`): the current ones, or an incident layer's open ones. */
  live: string;
  /**
   * The rows a scoped caller sees (a condition on `t`), given their jurisdiction's grid and their token's account;
   * absent: the records lying in that grid's subtree.
   */
  readableBy?: (rootId: string, account: string | null) => Fragment;
  /** SQL for one value that changes when time alone changes rows (a deadline passing): part of a tile's ETag. */
  clock?: string;
}

export type MapLayer = GridLayer | LocatedLayer;

/** Tiles are served down to this zoom (street-level editing); below a layer's minZoom there are none. */
export const MAX_TILE_ZOOM = 22;

const GRID_FIELDS = { code: 'String', name: 'String', level: 'String', parentCode: 'String', version: 'Number', areaSqm: 'Number' } as const;
const GRID_FILTERS = { code: 't.code', level: 't.level', parentCode: 'p.code' };

function grid(id: string, level: GridLevel, title: string, minZoom: number): GridLayer {
  return {
    kind: 'grid',
    id,
    nodeType: 'Grid',
    level,
    title,
    description: `Current ${level} grids (as of an instant with asOf= / datetime=): code, name, parentCode, version, area in m².`,
    action: 'grid:read',
    geometry: 'Polygon',
    minZoom,
    maxZoom: 16,
    sources: ['grid'],
    fields: GRID_FIELDS,
    filters: GRID_FILTERS,
  };
}

type LocatedSpec = Omit<LocatedLayer, 'kind' | 'geometry' | 'maxZoom' | 'sources' | 'fields' | 'live'> & {
  fields: Readonly<Record<string, FieldType>>;
  /** The table's change counter, and any other table its properties read. */
  source: ChangeSource | readonly ChangeSource[];
  /** Default: not retired. */
  live?: string;
};

/** A layer of located records (a point each): `gridCode` (the grid it lies in now) comes with every one. */
function located(spec: LocatedSpec): LocatedLayer {
  const { source, ...rest } = spec;
  return {
    ...rest,
    kind: 'located',
    live: spec.live ?? 't.retired_at IS NULL',
    geometry: 'Point',
    maxZoom: 16,
    // A record's gridCode follows grid edits (re-resolution) and recodes.
    sources: [...[source].flat(), 'grid'],
    properties: { ...spec.properties, gridCode: 'p.code' },
    fields: { ...spec.fields, gridCode: 'String' },
    filters: { ...spec.filters, gridCode: 'p.code' },
  };
}

export const MAP_LAYERS: readonly MapLayer[] = [
  grid('districts', 'DISTRICT', '区/县 — districts', 6),
  grid('streets', 'STREET', '街道/乡镇 — streets', 9),
  grid('communities', 'COMMUNITY', '社区/村 — communities', 11),
  grid('grids', 'GRID', '网格 — grids', 12),
  // A city district's micro-grids by the two thousand in a zoom-13 tile (330 KB): outlines from 14.
  grid('micro-grids', 'MICRO_GRID', '微网格 — micro-grids', 14),
  grid('dedicated-grids', 'DEDICATED', '专属网格 — dedicated grids', 12),
  located({
    id: 'buildings',
    title: '楼栋 — buildings',
    description: 'Current buildings (points): code, name, kind, floors, address, gridCode.',
    table: 'building',
    nodeType: 'Building',
    source: 'building',
    action: 'place:read',
    // A city street's buildings by the thousand at zoom 14: points from 15.
    minZoom: 15,
    orderBy: 't.code',
    properties: { code: 't.code', name: 't.name', kind: 't.kind', floors: 't.floors', address: 't.address' },
    fields: { code: 'String', name: 'String', kind: 'String', floors: 'Number', address: 'String' },
    filters: { code: 't.code', kind: 't.kind' },
  }),
  located({
    id: 'key-places',
    title: '重点场所 — key places',
    description: 'Current key places (schools, hospitals, markets, ...; points): name, kind, address, gridCode.',
    table: 'key_place',
    nodeType: 'KeyPlace',
    source: 'key_place',
    action: 'place:read',
    minZoom: 12,
    orderBy: 't.id',
    properties: { name: 't.name', kind: 't.kind', address: 't.address' },
    fields: { name: 'String', kind: 'String', address: 'String' },
    filters: { kind: 't.kind' },
  }),
  located({
    id: 'facilities',
    title: '设施 — facilities',
    description:
      'Cameras, gates, hydrants, AEDs and hazards (points), for staff within their jurisdiction: name, kind, status, ' +
      'and for cameras cameraCategory, bearing, fov and rangeM.',
    table: 'facility',
    nodeType: 'Facility',
    source: 'facility',
    action: 'facility:read',
    minZoom: 15,
    orderBy: 't.id',
    properties: { name: 't.name', kind: 't.kind', status: 't.status', cameraCategory: 't.camera_category', bearing: 't.bearing', fov: 't.fov', rangeM: 't.range_m' },
    fields: { name: 'String', kind: 'String', status: 'String', cameraCategory: 'String', bearing: 'Number', fov: 'Number', rangeM: 'Number' },
    filters: { kind: 't.kind', status: 't.status' },
  }),
  located({
    id: 'incidents',
    title: '事件 — incidents',
    description:
      'Open incidents (points), for GRID_WORKER, DISPATCHER and ADMIN where they may read them (jurisdiction, and ' +
      'their assignments): trackingCode, category and categoryName, status, level, severity, slaStatus (now), ' +
      'reportedAt, gridCode (the grid responsible). Never the title, description, reporter or parties: free text names people.',
    table: 'incident',
    nodeType: 'Incident',
    source: ['incident', 'incident_category'],
    action: 'incident:read',
    minZoom: 12,
    orderBy: 't.id',
    live: `t.status NOT IN ${FINAL_SQL}`,
    readableBy: (rootId, account) => readableIncidents(rootId, account ? { account } : null, 't'),
    clock: SLA_CLOCK_SQL,
    properties: {
      trackingCode: 't.tracking_code',
      category: 't.category_code',
      categoryName: '(SELECT c.name FROM incident_category c WHERE c.code = t.category_code)',
      status: 't.status',
      level: 't.level',
      severity: 't.severity',
      slaStatus: slaStatusSql('now()', 't'),
      reportedAt: 't.reported_at',
    },
    fields: { trackingCode: 'String', category: 'String', categoryName: 'String', status: 'String', level: 'String', severity: 'String', slaStatus: 'String', reportedAt: 'String' },
    filters: { category: 't.category_code', status: 't.status', level: 't.level', slaStatus: slaStatusSql('now()', 't') },
  }),
];

export function layerById(id: string): MapLayer | undefined {
  return MAP_LAYERS.find((l) => l.id === id);
}
