import type { Resolvers } from '../../generated/graphql';
import { positionIn } from '../../geo/output-crs';
import { toGlobalId } from '../../graphql/relay';
import { isSpecialTag } from './group-checks';
import type { OverdueVisitPage, VisitPage } from './mappers';

/** The edges, nodes and page info of a connection whose page knows each row's cursor. */
function connection<R>() {
  type Page = { rows: R[]; hasNextPage: boolean; totalCount: () => Promise<number>; cursorOf: (row: R) => string };
  return {
    edges: (c: Page) => c.rows.map((node) => ({ cursor: c.cursorOf(node), node })),
    nodes: (c: Page) => c.rows,
    pageInfo: (c: Page) => ({
      hasNextPage: c.hasNextPage,
      hasPreviousPage: false,
      startCursor: c.rows.length ? c.cursorOf(c.rows[0]) : null,
      endCursor: c.rows.length ? c.cursorOf(c.rows[c.rows.length - 1]) : null,
    }),
    totalCount: (c: Page) => c.totalCount(),
  };
}

export const groupResolvers: Resolvers = {
  Query: {
    overdueVisits: (_, args, ctx) => ctx.services.personGroups.overdueVisits(args),
    expiringPermits: (_, args, ctx) => ctx.services.personGroups.expiringPermits(args),
  },
  Mutation: {
    tagPerson: (_, { input }, ctx) => ctx.services.personGroups.tag(input),
    untagPerson: (_, { input }, ctx) => ctx.services.personGroups.untag(input),
    logVisit: (_, { input }, ctx) => ctx.services.personGroups.logVisit(input),
  },
  TagPersonPayload: { __resolveType: (p) => ('personId' in p ? 'PersonSuccess' : p.__typename) },
  UntagPersonPayload: { __resolveType: (p) => ('personId' in p ? 'PersonSuccess' : p.__typename) },
  LogVisitPayload: { __resolveType: (p) => ('visitId' in p ? 'VisitSuccess' : p.__typename) },
  VisitSuccess: {
    visit: (s, _, ctx) => ctx.services.personGroups.loggedVisit(s.visitId),
    followUp: (s, _, ctx) => ctx.services.personGroups.followUpOfTag(s.tagId),
  },
  Person: {
    tags: (p, _, ctx) => ctx.services.personGroups.tagsOf(p),
  },
  PersonTagAssignment: {
    group: (t) => (isSpecialTag(t.tag) ? 'SPECIAL' : 'CARE'),
    hasDetails: (t) => t.has_details,
    followUp: (t, _, ctx) => ctx.services.personGroups.followUp(t),
    addedAt: (t) => t.created_at,
  },
  FollowUpPlan: {
    responsibleWorker: (f, _, ctx) => ctx.services.personGroups.responsibleWorker(f),
    attentionLevel: (f) => f.attention_level,
    visitIntervalDays: (f) => f.visit_interval_days,
    lastVisitAt: (f) => f.last_visit_at,
    nextVisitDue: (f) => f.next_visit_due,
    daysOverdue: (f) => f.days_overdue,
    visits: (f, args, ctx) => ctx.services.personGroups.visits(f, args.first, args.after),
  },
  VisitConnection: connection<VisitPage['rows'][number]>(),
  Visit: {
    id: (v) => toGlobalId('Visit', v.id),
    person: async (v, _, ctx) => (await ctx.services.person.byIdForNode(v.person_id))!,
    worker: (v, _, ctx) => (v.worker_id ? ctx.services.worker.byId(v.worker_id) : null),
    visitedAt: (v) => v.visited_at,
    location: (v, args) => (v.lng !== null && v.lat !== null ? positionIn({ lng: v.lng, lat: v.lat }, args.crs) : null),
    grid: (v, _, ctx) => ctx.services.personGroups.gridOfVisit(v),
    createdAt: (v) => v.created_at,
  },
  OverdueVisitConnection: connection<OverdueVisitPage['rows'][number]>(),
  OverdueVisit: {
    person: (o) => o.person,
    tag: (o) => o.tag.tag,
    attentionLevel: (o) => o.tag.attention_level!,
    responsibleWorker: (o, _, ctx) => (o.tag.responsible_worker_id ? ctx.services.worker.byId(o.tag.responsible_worker_id) : null),
    lastVisitAt: (o) => o.tag.last_visit_at,
    nextVisitDue: (o) => o.tag.next_visit_due!,
    daysOverdue: (o) => o.tag.days_overdue,
  },
};
