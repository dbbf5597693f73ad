import type { GridLevel } from '../../generated/graphql';
import type { WorkerRow } from '../worker/mappers';

/** A row of `grid` as the repository returns it (geometry columns are fetched separately, on demand). */
export interface GridRow {
  id: string;
  code: string;
  name: string;
  level: GridLevel;
  depth: number;
  parent_id: string | null;
  ancestor_ids: string[];
  area_sqm: number;
  centroid_lng: number;
  centroid_lat: number;
  version: number;
  valid_from: Date;
  valid_to: Date | null;
}

/** What a `GridConnection` resolves from: one page of rows plus how to count the whole list lazily. */
export interface GridConnectionSource {
  rows: GridRow[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: () => Promise<number>;
}

export interface LocationResolutionSource {
  point: { lng: number; lat: number };
  grid: GridRow | null;
  chain: GridRow[];
  dedicatedGrids: GridRow[];
  responsibleGridId: string | null;
  responsibleWorkers: WorkerRow[];
  approximate: boolean;
  distanceMeters: number | null;
}
