import { defineModule } from '../module';
import { OrganizationEditService } from './edit-service';
import { createOrganizationLoaders } from './loaders';
import type { OrganizationRow } from './mappers';
import { organizationResolvers } from './resolvers';
import { OrganizationService } from './service';

/** Organisations (组织): located records, their contacts, and the grids and buildings they manage. */
export const organizationModule = defineModule({
  id: 'organization',
  resolvers: organizationResolvers,
  mappers: {
    Organization: '../modules/organization/mappers#OrganizationRow',
    OrganizationConnection: '../modules/organization/mappers#OrganizationPage',
    OrganizationSuccess: '../modules/organization/mappers#OrganizationChangeSource',
  },
  loaders: (db) => ({ organization: createOrganizationLoaders(db) }),
  services: (ctx) => ({ organization: new OrganizationService(ctx), organizationEdit: new OrganizationEditService(ctx) }),
  nodeTypes: {
    Organization: {
      load: (ctx, id): Promise<OrganizationRow | null> => ctx.services.organization.node(id),
      is: (row) => 'node_type' in row && row.node_type === 'Organization',
    },
  },
  located: [{ shape: 'point', kind: 'Organization', table: 'organization' }],
});
