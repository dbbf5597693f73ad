import type { Resolvers } from '../../generated/graphql';
import { encodeCursor, toGlobalId } from '../../graphql/relay';
import type { AuditEntryPage, AuditEntryRow } from './mappers';
import { AUDIT_SUBJECT_NODE_TYPES } from './privacy-service';

const cursorOf = (row: AuditEntryRow) => encodeCursor([row.id]);

export const privacyResolvers: Resolvers = {
  Query: {
    auditLog: (_, args, ctx) => ctx.services.personPrivacy.auditLog(args.filter, args.first, args.after),
  },
  Mutation: {
    revealPerson: (_, { input }, ctx) => ctx.services.personPrivacy.reveal(input),
    erasePerson: (_, { input }, ctx) => ctx.services.personPrivacy.erase(input),
  },
  RevealPersonPayload: { __resolveType: (p) => ('auditId' in p ? 'RevealedPerson' : p.__typename) },
  ErasePersonPayload: { __resolveType: (p) => ('personId' in p ? 'PersonSuccess' : p.__typename) },
  RevealedPerson: {
    person: async (s, _, ctx) => (await ctx.services.person.byIdForNode(s.personId))!,
    audit: async (s, _, ctx) => (await ctx.services.personPrivacy.auditEntry(s.auditId))!,
  },
  AuditEntry: {
    subjectType: (r) => r.subject_type,
    subjectId: (r) => {
      if (!r.subject_id) return null;
      const type = r.subject_type ? AUDIT_SUBJECT_NODE_TYPES[r.subject_type] : undefined;
      return type ? toGlobalId(type, r.subject_id) : r.subject_id;
    },
    requestId: (r) => r.request_id,
    detail: (r) => (r.detail == null ? null : JSON.stringify(r.detail)),
  },
  AuditEntryConnection: {
    edges: (c: AuditEntryPage) => c.rows.map((node) => ({ cursor: cursorOf(node), node })),
    nodes: (c: AuditEntryPage) => c.rows,
    pageInfo: (c: AuditEntryPage) => ({
      hasNextPage: c.hasNextPage,
      hasPreviousPage: false,
      startCursor: c.rows.length ? cursorOf(c.rows[0]) : null,
      endCursor: c.rows.length ? cursorOf(c.rows[c.rows.length - 1]) : null,
    }),
  },
};
