import type { GridRow } from './mappers';
import { defineModule } from '../module';
import { GridEditService } from './edit-service';
import { gridEditResolvers } from './edit-resolvers';
import { GridImportService } from './import-service';
import { createGridLoaders } from './loaders';
import { GridReshapeService } from './reshape-service';
import { gridResolvers } from './resolvers';
import { GridService } from './service';
import { exportGridsRoute } from './export-route';
import { resolveRoute } from './resolve-route';
import { mergeResolvers } from '../../graphql/merge';

export const gridModule = defineModule({
  id: 'grid',
  resolvers: mergeResolvers(gridResolvers, gridEditResolvers),
  mappers: {
    Grid: '../modules/grid/mappers#GridRow',
    GridConnection: '../modules/grid/mappers#GridConnectionSource',
    LocationResolution: '../modules/grid/mappers#LocationResolutionSource',
    GridVersion: '../modules/grid/mappers#GridVersionRow',
    CreateGridSuccess: '../modules/grid/mappers#GridChangeSource',
    UpdateGridBoundarySuccess: '../modules/grid/mappers#GridChangeSource',
    UpdateGridSuccess: '../modules/grid/mappers#GridChangeSource',
    MoveGridSuccess: '../modules/grid/mappers#GridChangeSource',
    RetireGridSuccess: '../modules/grid/mappers#GridChangeSource',
    SplitGridSuccess: '../modules/grid/mappers#GridsChangeSource',
    MergeGridsSuccess: '../modules/grid/mappers#GridsChangeSource',
    ImportGridsReport: '../modules/grid/import-service#ImportReport',
    ImportFeatureReport: '../modules/grid/import-service#FeatureReport',
  },
  loaders: (db) => ({ grid: createGridLoaders(db) }),
  services: (ctx) => ({
    grid: new GridService(ctx),
    gridEdit: new GridEditService(ctx),
    gridReshape: new GridReshapeService(ctx),
    gridImport: new GridImportService(ctx),
  }),
  routes: { '/export/grids.geojson': exportGridsRoute, '/resolve': resolveRoute },
  nodeTypes: {
    Grid: { load: (ctx, id): Promise<GridRow | null> => ctx.services.grid.byId(id), is: (row) => 'level' in row && 'ancestor_ids' in row },
  },
});
