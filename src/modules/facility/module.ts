import { defineModule } from '../module';
import { CameraCoverageService } from './coverage-service';
import { FacilityEditService } from './edit-service';
import { createFacilityLoaders } from './loaders';
import type { FacilityRow } from './mappers';
import { facilityResolvers } from './resolvers';
import { FacilityService } from './service';

/** Things (物): cameras, gates, hydrants, AEDs, hazards — security data, read by staff within their jurisdiction — and camera coverage. */
export const facilityModule = defineModule({
  id: 'facility',
  resolvers: facilityResolvers,
  mappers: {
    Facility: '../modules/facility/mappers#FacilityRow',
    CameraView: '../modules/facility/mappers#CameraViewSource',
    FacilityConnection: '../modules/facility/mappers#FacilityPage',
    FacilitySuccess: '../modules/facility/mappers#FacilityChangeSource',
    CameraCoverage: '../modules/facility/mappers#CameraCoverageSource',
  },
  loaders: (db, ctx) => ({ facility: createFacilityLoaders(db, ctx) }),
  services: (ctx) => ({
    facility: new FacilityService(ctx),
    facilityEdit: new FacilityEditService(ctx),
    cameraCoverage: new CameraCoverageService(ctx),
  }),
  nodeTypes: {
    Facility: {
      load: (ctx, id): Promise<FacilityRow | null> => ctx.services.facility.byId(id),
      is: (row) => 'node_type' in row && row.node_type === 'Facility',
    },
  },
  located: [{ shape: 'point', kind: 'Facility', table: 'facility' }],
});
