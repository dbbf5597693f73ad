import { defineModule } from '../module';

export const organizationModule = defineModule({
  id: 'organization',
  resolvers: {},
  located: [{ shape: 'point', kind: 'Organization', table: 'organization' }],
});
