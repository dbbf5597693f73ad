import type { Resolvers } from '../../generated/graphql';
import { locatedConnection, locatedFields } from '../location/fields';
import type { OrganizationRow } from './mappers';

export const organizationResolvers: Resolvers = {
  Query: {
    organization: (_, { id }, ctx) => ctx.services.organization.organization(id),
    organizations: (_, args, ctx) => ctx.services.organization.list(args),
  },
  Mutation: {
    createOrganization: (_, { input }, ctx) => ctx.services.organizationEdit.create(input),
    updateOrganization: (_, { input }, ctx) => ctx.services.organizationEdit.update(input),
    retireOrganization: (_, { input }, ctx) => ctx.services.organizationEdit.retire(input),
  },
  // The success member carries the organisation's id; the failures name themselves.
  CreateOrganizationPayload: { __resolveType: (p) => ('organizationId' in p ? 'OrganizationSuccess' : p.__typename) },
  UpdateOrganizationPayload: { __resolveType: (p) => ('organizationId' in p ? 'OrganizationSuccess' : p.__typename) },
  RetireOrganizationPayload: { __resolveType: (p) => ('organizationId' in p ? 'OrganizationSuccess' : p.__typename) },
  OrganizationSuccess: {
    organization: async (s, _, ctx) => (await ctx.services.organization.byId(s.organizationId))!,
  },
  Organization: {
    ...locatedFields('Organization'),
    creditCode: (o) => o.credit_code,
    contactName: (o) => o.contact_name,
    contactPhone: (o, _, ctx) => ctx.services.organization.contactPhone(o),
    contactPhoneMasked: (o, _, ctx) => o.contact_phone !== null && !ctx.services.organization.contactPhoneVisible(o),
    employeeCount: (o) => o.employee_count,
    riskLevel: (o) => o.risk_level,
    managedGrids: (o, _, ctx) => ctx.services.organization.managedGrids(o),
    managedBuildings: (o, _, ctx) => ctx.services.organization.managedBuildings(o),
    createdAt: (o) => o.created_at,
    updatedAt: (o) => o.updated_at,
    retiredAt: (o) => o.retired_at,
  },
  OrganizationConnection: locatedConnection<OrganizationRow>((r) => r.name),
  Grid: {
    organizations: (g, args, ctx) => ctx.services.organization.ofGrid(g, args),
  },
  Building: {
    managedBy: (b, _, ctx) => ctx.services.organization.managersOf(b.id),
  },
  Inventory: {
    organizationsByKind: (s, _, ctx) => ctx.services.organization.countsByKind(s),
  },
};
