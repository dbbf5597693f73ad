import type { Knex } from 'knex';
import * as postgis from './20261123000100_postgis';
import * as grids from './20261123000200_grids';
import * as workers from './20261123000300_workers';
import * as gridPieces from './20261124000100_grid_pieces';
import * as places from './20261124000200_places';
import * as boundarySnap from './20261124000300_boundary_snap';
import * as foreignKeyIndexes from './20261124000400_foreign_key_indexes';
import * as identities from './20261127000100_identities';
import * as overlayGuards from './20261127000200_overlay_guards';
import * as locatedRecords from './20261128000100_located_records';
import * as organizations from './20261128000200_organizations';
import * as placeRegistry from './20261128000300_places';
import * as facilities from './20261128000400_facilities';
import * as houseCounts from './20261128000500_house_counts';
import * as locatedGridIndexes from './20261128000600_located_grid_indexes';
import * as people from './20261129000100_people';
import * as tenantPending from './20261129000150_tenant_pending';
import * as populationCounts from './20261129000200_population_counts';
import * as personBuildingGiven from './20261129000300_person_building_given';
import * as mapChanges from './20261130000500_map_changes';
import * as incidents from './20261201000100_incidents';
import * as incidentDispatch from './20261201000300_incident_dispatch';
import * as incidentStats from './20261202000100_incident_stats';
import * as incidentHousekeeping from './20261202000200_incident_housekeeping';
import * as incidentMapChanges from './20261202000300_incident_map_changes';

/**
 * Every migration, in order. Listed explicitly (rather than read from the folder) so the same list runs
 * under tsx, jest and compiled JavaScript. Append-only: a landed migration is never edited.
 */
export const migrations: Record<string, { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> }> = {
  '20261123000100_postgis': postgis,
  '20261123000200_grids': grids,
  '20261123000300_workers': workers,
  '20261124000100_grid_pieces': gridPieces,
  '20261124000200_places': places,
  '20261124000300_boundary_snap': boundarySnap,
  '20261124000400_foreign_key_indexes': foreignKeyIndexes,
  '20261127000100_identities': identities,
  '20261127000200_overlay_guards': overlayGuards,
  '20261128000100_located_records': locatedRecords,
  '20261128000200_organizations': organizations,
  '20261128000300_places': placeRegistry,
  '20261128000400_facilities': facilities,
  '20261128000500_house_counts': houseCounts,
  '20261128000600_located_grid_indexes': locatedGridIndexes,
  '20261129000100_people': people,
  '20261129000150_tenant_pending': tenantPending,
  '20261129000200_population_counts': populationCounts,
  '20261129000300_person_building_given': personBuildingGiven,
  '20261130000500_map_changes': mapChanges,
  '20261201000100_incidents': incidents,
  '20261201000300_incident_dispatch': incidentDispatch,
  '20261202000100_incident_stats': incidentStats,
  '20261202000200_incident_housekeeping': incidentHousekeeping,
  '20261202000300_incident_map_changes': incidentMapChanges,
};
