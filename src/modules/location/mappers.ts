/**
 * The columns every located row carries (alias `t`), and the row type they make. A module's row type extends
 * `LocatedRow`; `node_type` names the GraphQL type (so `Node.__resolveType` can tell rows apart).
 */
export const LOCATED_COLUMNS = `t.id, ST_X(t.location) AS lng, ST_Y(t.location) AS lat, t.grid_id, t.grid_distance_m,
  t.grid_resolved_at, t.version, t.created_at, t.updated_at, t.updated_by, t.retired_at`;

export interface LocatedRow {
  id: string;
  node_type: string;
  lng: number;
  lat: number;
  grid_id: string | null;
  /** 0 inside a grid; the distance to the nearest one (≤ 100 m) otherwise; null with no grid. */
  grid_distance_m: number | null;
  grid_resolved_at: Date;
  version: number;
  created_at: Date;
  updated_at: Date;
  updated_by: string | null;
  retired_at: Date | null;
  /** Set when read as of a past instant: `grid_id` is then the grid it belonged to then. */
  as_of?: Date | null;
  /** Set in a `near` list: metres from the position asked about, on the spheroid. */
  distance_m?: number | null;
  /** Set in a `near` list: the great-circle distance the list is ordered by (its cursor). */
  knn_m?: number | null;
}

/** What `Grid.inventory` resolves from. */
export interface InventorySource {
  gridId: string;
  asOf: Date | null;
}
