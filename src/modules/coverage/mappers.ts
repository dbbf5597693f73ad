import type { GridLevel } from '../../generated/graphql';
import type { GridRow } from '../grid/mappers';

/**
 * What `Coverage` resolves from: the question, not the answer. Each group of fields (the tiling figures and
 * gaps, the overlaps) loads its own statement on first use, so `coverage { coveredRatio }` never pays for
 * the pairwise overlap search.
 */
export interface CoverageSource {
  grid: GridRow;
  childLevel: GridLevel;
  minAreaSqm: number;
}

/** A gap, as built by PostGIS in `coverageTiling` (GeoJSON already parsed from json). */
export interface GapRow {
  boundary: unknown;
  areaSqm: number;
  centroid: { lng: number; lat: number };
}

export interface OverlapRow {
  aId: string;
  bId: string;
  boundary: unknown;
  areaSqm: number;
}

export interface OutsideRow {
  gridId: string;
  boundary: unknown;
  areaSqm: number;
}

/** What `Staffing` resolves from: its figures are loaded in batches across every grid of the page. */
export interface StaffingSource {
  grid: GridRow;
}
