import type { Resolvers } from '../../generated/graphql';

/** A resident's report and the public lookup by tracking code (resident.ts, public.ts). */
export const residentResolvers: Resolvers = {
  Query: {
    incidentByTrackingCode: (_, { code }, ctx) => ctx.services.residentIncident.byTrackingCode(code),
  },
  Mutation: {
    reportIncidentAsResident: (_, { input }, ctx) => ctx.services.residentIncident.report(input),
  },
  ResidentReportPayload: { __resolveType: (p) => p.__typename },
  TrackedIncident: {
    updates: (t) => t.updates,
  },
};
