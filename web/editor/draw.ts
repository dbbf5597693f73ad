/**
 * Drawing with terra-draw on the MapLibre map: a polygon for a new grid, a line to split one, a grid's boundary
 * with draggable vertices to reshape it. Every vertex snaps to the neighbours' vertices, else their edges, within
 * a few pixels (terra-draw's `toCustom` snapping, fed with the exact boundaries of the parent and its children
 * from GraphQL, not the simplified tiles), so shared edges coincide without slivers; the save asks the server to
 * snap the same way (`snapToleranceMeters`) for what a pixel cannot resolve.
 */
import type { LineString, Polygon, Position } from 'geojson';
import type { Map as MapLibreMap } from 'maplibre-gl';
import { TerraDraw, TerraDrawLineStringMode, TerraDrawPolygonMode, TerraDrawSelectMode, type TerraDrawExtend } from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';

type SnapToCustom = NonNullable<NonNullable<ConstructorParameters<typeof TerraDrawPolygonMode>[0]>['snapping']>['toCustom'];
type FeatureId = TerraDrawExtend.FeatureId;

/** How close (screen pixels) a pointer must come to a neighbour's vertex or edge to snap onto it. */
export const SNAP_PIXELS = 12;
/** terra-draw refuses coordinates finer than its precision: 9 decimals of a degree is a tenth of a millimetre. */
const PRECISION = 9;

interface Pixel {
  x: number;
  y: number;
}

function closestOnSegment(p: Pixel, a: Pixel, b: Pixel): { point: Pixel; distance: number } {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2));
  const point = { x: a.x + t * dx, y: a.y + t * dy };
  return { point, distance: Math.hypot(p.x - point.x, p.y - point.y) };
}

const round = (v: number) => Math.round(v * 10 ** PRECISION) / 10 ** PRECISION;

export class Drawing {
  readonly draw: TerraDraw;
  /** The rings to snap to (the parent's and its children's, except the grid being reshaped). */
  private snapRings: Position[][] = [];
  private editedId: FeatureId | null = null;

  constructor(map: MapLibreMap) {
    const toCustom: SnapToCustom = (event, context) => this.snap({ x: event.containerX, y: event.containerY }, context.project, context.unproject);
    const snapping = { toCustom, toCoordinate: true };
    this.draw = new TerraDraw({
      adapter: new TerraDrawMapLibreGLAdapter({ map, coordinatePrecision: PRECISION }),
      modes: [
        new TerraDrawPolygonMode({ snapping, styles: { fillColor: '#f59e0b', outlineColor: '#b45309', fillOpacity: 0.3, outlineWidth: 2 } }),
        new TerraDrawLineStringMode({ snapping, styles: { lineStringColor: '#b45309', lineStringWidth: 3 } }),
        new TerraDrawSelectMode({
          flags: {
            polygon: {
              feature: { coordinates: { draggable: true, deletable: true, midpoints: { draggable: true }, snappable: snapping } },
            },
          },
        }),
      ],
    });
    this.draw.start();
  }

  setSnapTargets(rings: Position[][]): void {
    this.snapRings = rings;
  }

  /** The nearest neighbour vertex within SNAP_PIXELS, else the nearest point on a neighbour's edge. */
  private snap(
    pointer: Pixel,
    project: (lng: number, lat: number) => Pixel,
    unproject: (x: number, y: number) => { lng: number; lat: number },
  ): Position | undefined {
    let vertex: { at: Position; distance: number } | null = null;
    let edge: { at: Pixel; distance: number } | null = null;
    for (const ring of this.snapRings) {
      let previous: Pixel | null = null;
      for (const position of ring) {
        const pixel = project(position[0], position[1]);
        const d = Math.hypot(pixel.x - pointer.x, pixel.y - pointer.y);
        if (d <= SNAP_PIXELS && (!vertex || d < vertex.distance)) vertex = { at: position, distance: d };
        if (previous) {
          const c = closestOnSegment(pointer, previous, pixel);
          if (c.distance <= SNAP_PIXELS && (!edge || c.distance < edge.distance)) edge = { at: c.point, distance: c.distance };
        }
        previous = pixel;
      }
    }
    if (vertex) return [round(vertex.at[0]), round(vertex.at[1])];
    if (edge) {
      const { lng, lat } = unproject(edge.at.x, edge.at.y);
      return [round(lng), round(lat)];
    }
    return undefined;
  }

  /** Starts drawing a new polygon (click each vertex, click the first again to close). */
  drawPolygon(): void {
    this.reset();
    this.draw.setMode('polygon');
  }

  /** Starts drawing a split line (click each point, click the last again or press Enter to finish). */
  drawLine(): void {
    this.reset();
    this.draw.setMode('linestring');
  }

  /** Puts a boundary on the map with draggable vertices (drag a vertex; drag a midpoint to add one). */
  reshape(polygon: Polygon): void {
    this.reset();
    const coordinates = polygon.coordinates.map((ring) => ring.map(([lng, lat]) => [round(lng), round(lat)]));
    const id = this.draw.getFeatureId();
    const [result] = this.draw.addFeatures([{ id, type: 'Feature', geometry: { type: 'Polygon', coordinates }, properties: { mode: 'polygon' } }]);
    if (!result.valid) throw new Error(result.reason ?? 'invalid boundary');
    this.editedId = id;
    this.draw.setMode('select');
    this.draw.selectFeature(id);
  }

  /** The polygon drawn or reshaped, when there is one. */
  polygon(): Polygon | null {
    const found = this.draw.getSnapshot().find((f) => f.geometry.type === 'Polygon' && (this.editedId === null || f.id === this.editedId) && !f.properties.currentlyDrawing);
    return found ? (found.geometry as Polygon) : null;
  }

  line(): LineString | null {
    const found = this.draw.getSnapshot().find((f) => f.geometry.type === 'LineString' && !f.properties.currentlyDrawing);
    return found ? (found.geometry as LineString) : null;
  }

  /** Removes what was drawn and stops drawing. */
  reset(): void {
    this.editedId = null;
    this.draw.setMode('static');
    this.draw.clear();
  }
}
