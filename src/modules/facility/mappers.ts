import type { CameraCategory, FacilityKind, FacilityStatus } from '../../generated/graphql';
import type { GridRow } from '../grid/mappers';
import type { LocatedPage } from '../location/repo-list';
import type { LocatedRow } from '../location/mappers';

/** A row of `facility` as the repository returns it (the sector polygon is loaded on demand). */
export interface FacilityRow extends LocatedRow {
  node_type: 'Facility';
  name: string;
  kind: FacilityKind;
  status: FacilityStatus;
  building_id: string | null;
  /** Set for cameras only (a CHECK keeps them together). */
  bearing: number | null;
  fov: number | null;
  range_m: number | null;
  camera_category: CameraCategory | null;
  /** The code of the grid it belongs to now: what the jurisdiction check compares. */
  grid_code: string | null;
}

/** What `CameraView` resolves from: the camera's row (the view columns set). */
export type CameraViewSource = FacilityRow;

/** What a `FacilityConnection` resolves from. */
export type FacilityPage = LocatedPage<FacilityRow>;

/** What a facility mutation returns: the payload loads the facility after the commit. */
export interface FacilityChangeSource {
  __typename: 'FacilitySuccess';
  facilityId: string;
}

/** What `CameraCoverage` resolves from: the grid whose subtree is measured (current, never as of). */
export interface CameraCoverageSource {
  grid: GridRow;
}

