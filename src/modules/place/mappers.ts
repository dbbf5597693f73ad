import type { BuildingKind, HouseUse, KeyPlaceKind } from '../../generated/graphql';
import type { LocatedPage } from '../location/repo-list';
import type { LocatedRow } from '../location/mappers';

/** A row of `building` (alias `t`), with its footprint as GeoJSON text (ST_AsGeoJSON). */
export interface BuildingRow extends LocatedRow {
  node_type: 'Building';
  code: string;
  name: string;
  address: string | null;
  kind: BuildingKind;
  floors: number | null;
  units: number | null;
  community_id: string;
  footprint: string | null;
}

/** A row of `house`, with its building's grid (a house has no position of its own). */
export interface HouseRow {
  node_type: 'House';
  id: string;
  building_id: string;
  unit: number | null;
  floor: number | null;
  room: string;
  area_sqm: number | null;
  use: HouseUse;
  /** The building's grid. */
  grid_id: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  updated_by: string | null;
  retired_at: Date | null;
}

/** A row of `key_place` (alias `t`), with its area as GeoJSON text. */
export interface KeyPlaceRow extends LocatedRow {
  node_type: 'KeyPlace';
  name: string;
  kind: KeyPlaceKind;
  address: string | null;
  area: string | null;
  organization_id: string | null;
  dedicated_grid_id: string | null;
}

export type BuildingPage = LocatedPage<BuildingRow>;
export type KeyPlacePage = LocatedPage<KeyPlaceRow>;

/** One page of a building's houses (by unit, floor, room). */
export interface HousePage {
  rows: HouseRow[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
}

/** What a building mutation returns: the payload loads the building after the commit. */
export interface BuildingChangeSource {
  __typename?: 'BuildingSuccess';
  buildingId: string;
}

export interface HouseChangeSource {
  __typename?: 'HouseSuccess';
  houseId: string;
}

export interface KeyPlaceChangeSource {
  __typename?: 'KeyPlaceSuccess';
  keyPlaceId: string;
}
