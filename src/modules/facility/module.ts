import { defineModule } from '../module';

export const facilityModule = defineModule({
  id: 'facility',
  resolvers: {},
  located: [{ shape: 'point', kind: 'Facility', table: 'facility' }],
});
