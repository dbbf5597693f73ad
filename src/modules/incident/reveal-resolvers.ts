import type { Resolvers } from '../../generated/graphql';

export const revealResolvers: Resolvers = {
  Mutation: {
    revealIncidentContacts: (_, { input }, ctx) => ctx.services.incidentContacts.reveal(input),
  },
  RevealIncidentContactsPayload: { __resolveType: (p) => ('auditId' in p ? 'RevealedIncidentContacts' : p.__typename) },
  RevealedIncidentContacts: {
    incident: async (s, _, ctx) => (await ctx.services.incident.byId(s.incidentId))!,
    audit: async (s, _, ctx) => (await ctx.services.personPrivacy.auditEntry(s.auditId))!,
  },
};
