import type { Resolvers } from '../../generated/graphql';
import { toGlobalId } from '../../graphql/relay';
import { registrationCursorOf } from './tenant-service';

export const tenantResolvers: Resolvers = {
  Query: {
    pendingRegistrations: (_, args, ctx) => ctx.services.tenant.pending(args),
  },
  Mutation: {
    registerTenant: (_, { input }, ctx) => ctx.services.tenant.register(input),
    confirmTenant: (_, { input }, ctx) => ctx.services.tenant.confirm(input),
    rejectTenant: (_, { input }, ctx) => ctx.services.tenant.reject(input),
    recordGatePassage: (_, { input }, ctx) => ctx.services.gateAccess.recordPassage(input),
  },
  // Every member names itself but the decision's success, which carries the registration's id.
  RegisterTenantPayload: { __resolveType: (p) => p.__typename! },
  ConfirmTenantPayload: { __resolveType: (p) => ('registrationId' in p ? 'TenantRegistrationSuccess' : p.__typename) },
  RejectTenantPayload: { __resolveType: (p) => ('registrationId' in p ? 'TenantRegistrationSuccess' : p.__typename) },
  RecordGatePassagePayload: { __resolveType: (p) => p.__typename! },
  TenantRegistrationSuccess: {
    registration: async (s, _, ctx) => (await ctx.services.tenant.registrationForNode(s.registrationId))!,
  },
  TenantRegistration: {
    id: (r) => toGlobalId('TenantRegistration', r.id),
    building: async (r, _, ctx) => (await ctx.services.place.buildingById(r.building_id))!,
    house: (r, _, ctx) => ctx.services.tenant.house(r),
    idNumber: (r) => r.id_number_masked,
    phone: (r) => r.phone_masked,
    submittedAt: (r) => r.submitted_at,
    decidedAt: (r) => r.decided_at,
    decidedBy: (r) => r.decided_by,
    rejectionReason: (r) => r.rejection_reason,
    person: (r, _, ctx) => ctx.services.tenant.personOf(r),
  },
  TenantRegistrationConnection: {
    edges: (c) => c.rows.map((node) => ({ cursor: registrationCursorOf(node), node })),
    nodes: (c) => c.rows,
    pageInfo: (c) => ({
      hasNextPage: c.hasNextPage,
      hasPreviousPage: false,
      startCursor: c.rows.length ? registrationCursorOf(c.rows[0]) : null,
      endCursor: c.rows.length ? registrationCursorOf(c.rows[c.rows.length - 1]) : null,
    }),
    totalCount: (c) => c.totalCount(),
  },
  Person: {
    gateAccess: (p, _, ctx) => ctx.services.gateAccess.gateAccessOf(p),
  },
  GateAccess: {
    building: async (a, _, ctx) => (await ctx.services.place.buildingById(a.building_id))!,
    grantedAt: (a) => a.granted_at,
    lastPassageAt: (a) => a.last_passage_at,
    expiresAt: (a) => a.expires_at,
  },
  Building: {
    tenantRegistrationUrl: (b, _, ctx) => ctx.services.tenant.registrationUrl(b),
  },
};
