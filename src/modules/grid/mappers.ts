import type { GridLevel } from '../../generated/graphql';
import type { WorkerRow } from '../worker/mappers';
import type { MovedCount } from '../location/repo';

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
  changed_by?: string | null;
  change_reason?: string | null;
  /** Set when the row was read as of a past instant: nested fields answer as of the same instant. */
  as_of?: Date | null;
}

/** A row of `grid_version`. */
export interface GridVersionRow {
  grid_id: string;
  version: number;
  code: string;
  name: string;
  level: GridLevel;
  parent_id: string | null;
  area_sqm: number;
  valid_from: Date;
  valid_to: Date | null;
  changed_by: string | null;
  change_reason: string | null;
}

/** What a mutation that changed one grid returns: the payload loads the grid after the commit. */
export interface GridChangeSource {
  __typename?: string;
  gridId: string;
  /** Located records re-resolved to another grid, by kind (absent: the edit changed no area). */
  movedByKind?: MovedCount[];
  code?: string;
}

/** What a split or merge returns. */
export interface GridsChangeSource {
  __typename?: string;
  gridIds: string[];
  retiredIds: string[];
  movedByKind: MovedCount[];
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
