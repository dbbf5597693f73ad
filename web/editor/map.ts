/**
 * The map: the grid layers from the API's own vector tiles (/tiles/{layer}/{z}/{x}/{y}.mvt: no external basemap
 * is needed, the grids are the map), an optional raster basemap (EDITOR_BASEMAP_URL), and GeoJSON overlays for
 * what the editor shows on top: the parent's outline, a refused save's problems, coverage gaps and overlaps, an
 * old boundary from the history.
 */
import * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource, LayerSpecification, Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { Crs } from './api';
// MapLibre 6 runs its tile workers from a module of their own: served from here like every other asset.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';

maplibregl.setWorkerUrl(workerUrl);

/** The grid levels' tile layers (src/modules/map/layers.ts), deepest last so they draw on top. */
export const GRID_LAYERS = ['districts', 'streets', 'communities', 'grids', 'micro-grids', 'dedicated-grids'] as const;
/** The tile layer of each level's grids. */
export const LEVEL_LAYERS: Record<string, (typeof GRID_LAYERS)[number]> = {
  DISTRICT: 'districts',
  STREET: 'streets',
  COMMUNITY: 'communities',
  GRID: 'grids',
  MICRO_GRID: 'micro-grids',
  DEDICATED: 'dedicated-grids',
};
const MIN_ZOOM: Record<(typeof GRID_LAYERS)[number], number> = {
  districts: 6,
  streets: 9,
  communities: 11,
  grids: 12,
  'micro-grids': 14,
  'dedicated-grids': 12,
};

/** The overlays, each a GeoJSON source drawn with a fill, an outline and (for points) circles. */
export const OVERLAYS = ['parent', 'history', 'gaps', 'overlaps', 'problem-areas', 'problem-points', 'selection'] as const;
export type Overlay = (typeof OVERLAYS)[number];

const OVERLAY_COLOURS: Record<Overlay, string> = {
  parent: '#1d4ed8',
  history: '#ea580c',
  gaps: '#dc2626',
  overlaps: '#9333ea',
  'problem-areas': '#dc2626',
  'problem-points': '#dc2626',
  selection: '#0891b2',
};

export interface Basemap {
  basemapUrl: string | null;
  basemapCrs: Crs;
}

function tileUrl(origin: string, layer: string, crs: Crs, revision: number): string {
  const query = new URLSearchParams({ r: String(revision) });
  if (crs !== 'WGS84') query.set('crs', crs);
  return `${origin}/tiles/${layer}/{z}/{x}/{y}.mvt?${query}`;
}

function style(origin: string, settings: Basemap): StyleSpecification {
  const sources: StyleSpecification['sources'] = {};
  const layers: LayerSpecification[] = [{ id: 'background', type: 'background', paint: { 'background-color': '#f8fafc' } }];
  if (settings.basemapUrl) {
    sources.basemap = { type: 'raster', tiles: [settings.basemapUrl], tileSize: 256, maxzoom: 19 };
    layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
  }
  for (const id of GRID_LAYERS) {
    sources[id] = { type: 'vector', tiles: [tileUrl(origin, id, settings.basemapCrs, 0)], minzoom: MIN_ZOOM[id], maxzoom: 16 };
    const common = { source: id, 'source-layer': id };
    // Children of the chosen parent filled (the filter is set when a parent is chosen), every grid outlined.
    layers.push({ id: `${id}-children`, type: 'fill', ...common, filter: ['==', ['get', 'parentCode'], ''], paint: { 'fill-color': '#60a5fa', 'fill-opacity': 0.25 } });
    layers.push({ id: `${id}-chosen`, type: 'fill', ...common, filter: ['in', ['get', 'id'], ['literal', []]], paint: { 'fill-color': '#0891b2', 'fill-opacity': 0.35 } });
    layers.push({
      id: `${id}-outline`,
      type: 'line',
      ...common,
      paint: { 'line-color': id === 'dedicated-grids' ? '#16a34a' : '#475569', 'line-width': 1, ...(id === 'dedicated-grids' ? { 'line-dasharray': [2, 2] } : {}) },
    });
  }
  for (const id of OVERLAYS) {
    sources[id] = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };
    const colour = OVERLAY_COLOURS[id];
    if (id === 'problem-points') {
      layers.push({ id, type: 'circle', source: id, paint: { 'circle-radius': 7, 'circle-color': colour, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
      continue;
    }
    const filled = id !== 'parent' && id !== 'history';
    if (filled) layers.push({ id: `${id}-fill`, type: 'fill', source: id, paint: { 'fill-color': colour, 'fill-opacity': id === 'selection' ? 0.15 : 0.4 } });
    layers.push({
      id: `${id}-line`,
      type: 'line',
      source: id,
      paint: { 'line-color': colour, 'line-width': id === 'parent' ? 3 : 2, ...(id === 'history' ? { 'line-dasharray': [3, 2] } : {}) },
    });
  }
  return { version: 8, sources, layers };
}

export class EditorMap {
  readonly map: MapLibreMap;
  private revision = 0;

  constructor(
    container: HTMLElement,
    private readonly origin: string,
    private readonly settings: Basemap,
    authHeaders: () => Record<string, string>,
  ) {
    this.map = new maplibregl.Map({
      container,
      style: style(origin, settings),
      center: [114.45, 38.03],
      zoom: 11,
      attributionControl: false,
      // Shift-click adds a grid to the choice (to merge); MapLibre would start a box zoom.
      boxZoom: false,
      // Tiles of grid layers carry the caller's token: a scoped layer shows what the policy lets them see.
      transformRequest: (url) => (url.startsWith(`${origin}/tiles/`) ? { url, headers: authHeaders() } : { url }),
    });
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
  }

  loaded(): Promise<void> {
    return this.map.loaded() ? Promise.resolve() : new Promise((resolve) => this.map.once('load', () => resolve()));
  }

  /**
   * Fills the children of `parentCode` and marks the grids of `ids` as chosen. Levels below the children's
   * (`childDepth`, the index of their layer in GRID_LAYERS) are hidden: a street's hundreds of micro-grids would
   * bury the communities being edited.
   */
  highlight(parentCode: string, ids: readonly string[], childDepth: number = GRID_LAYERS.length): void {
    GRID_LAYERS.forEach((id, depth) => {
      const visible = id === 'dedicated-grids' ? childDepth >= GRID_LAYERS.indexOf('grids') : depth <= childDepth;
      for (const suffix of ['children', 'chosen', 'outline']) this.map.setLayoutProperty(`${id}-${suffix}`, 'visibility', visible ? 'visible' : 'none');
    });
    for (const id of GRID_LAYERS) {
      this.map.setFilter(`${id}-children`, ['==', ['get', 'parentCode'], parentCode]);
      this.map.setFilter(`${id}-chosen`, ['in', ['get', 'id'], ['literal', [...ids]]]);
    }
  }

  /** Fetches the grid tiles again after a save (their ETags changed with the edit). */
  refreshTiles(): void {
    this.revision += 1;
    for (const id of GRID_LAYERS) {
      const source = this.map.getSource(id) as maplibregl.VectorTileSource | undefined;
      source?.setTiles([tileUrl(this.origin, id, this.settings.basemapCrs, this.revision)]);
    }
  }

  show(overlay: Overlay, features: Feature[]): void {
    const data: FeatureCollection = { type: 'FeatureCollection', features };
    (this.map.getSource(overlay) as GeoJSONSource).setData(data);
  }

  clear(...overlays: Overlay[]): void {
    for (const o of overlays) this.show(o, []);
  }

  fitTo(geometry: Geometry): void {
    const bounds = new maplibregl.LngLatBounds();
    const visit = (c: unknown): void => {
      if (Array.isArray(c) && typeof c[0] === 'number') bounds.extend(c as [number, number]);
      else if (Array.isArray(c)) c.forEach(visit);
    };
    visit('coordinates' in geometry ? geometry.coordinates : []);
    if (!bounds.isEmpty()) this.map.fitBounds(bounds, { padding: 40, animate: false });
  }

  /** The chosen parent's children (from the tiles) under a pixel, to pick one to edit. */
  childrenAt(point: { x: number; y: number }): TileGrid[] {
    const layers = GRID_LAYERS.map((id) => `${id}-children`);
    return this.map.queryRenderedFeatures([point.x, point.y], { layers }).map((f) => f.properties as TileGrid);
  }
}

/** The properties of a grid tile feature (src/modules/map/layers.ts). */
export interface TileGrid {
  id: string;
  code: string;
  name: string;
  level: string;
  version: number;
  parentCode: string;
}

export function feature(geometry: Geometry, properties: Record<string, unknown> = {}): Feature {
  return { type: 'Feature', geometry, properties };
}
