import { GraphQLError } from 'graphql';
import type { Context } from '../../context';
import { classifyError, forbidden, unauthenticated } from '../../errors';
import type { Resolvers } from '../../generated/graphql';
import { expectGlobalId } from '../../graphql/relay';
import { msg } from '../../i18n';
import { assertPrincipal, inJurisdiction, mayReadIncident } from '../auth/policy';
import { noticesAfter, type LiveDispatch, type Notice, type NoticeFilter } from './live';

/**
 * The incident subscriptions (schema/incident-live.graphql). Who may subscribe is decided once, at subscribe
 * time, through the policy; each notice is then filtered by what it concerns (the worker, the incident, grid
 * codes) and resolved with fresh loaders, the incident shown only where the subscriber may read it.
 */
const REPLAY_MAX = 1_000;
/** A subscriber this far behind is cut off (it resubscribes with `since`), so one slow phone cannot hold memory. */
const QUEUE_MAX = 2_000;
const SLA_KINDS = new Set(['SLA_ORANGE', 'SLA_RED']);

/** An async iterator fed by the hub; ends when the client unsubscribes or falls QUEUE_MAX behind. */
class NoticeQueue implements AsyncIterableIterator<Notice> {
  private readonly buffer: Notice[] = [];
  private waiting: ((r: IteratorResult<Notice>) => void) | null = null;
  private failed: GraphQLError | null = null;
  private done = false;
  private readonly unsubscribe: () => void;

  constructor(live: LiveDispatch, accept: (n: Notice) => boolean, private readonly onDeliver?: (n: Notice) => void) {
    this.unsubscribe = live.subscribe((n) => {
      if (accept(n)) this.push(n);
    });
  }

  push(n: Notice): void {
    if (this.done) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      this.onDeliver?.(n);
      resolve({ value: n, done: false });
      return;
    }
    if (this.buffer.length >= QUEUE_MAX) {
      this.failed = new GraphQLError(`more than ${QUEUE_MAX} notices waiting: resubscribe with since: the last cursor received`, { extensions: { code: 'SUBSCRIBER_TOO_SLOW' } });
      this.finish();
      return;
    }
    this.buffer.push(n);
  }

  async next(): Promise<IteratorResult<Notice>> {
    const n = this.buffer.shift();
    if (n) {
      this.onDeliver?.(n);
      return { value: n, done: false };
    }
    if (this.failed) throw this.failed;
    if (this.done) return { value: undefined, done: true };
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async return(): Promise<IteratorResult<Notice>> {
    this.finish();
    return { value: undefined, done: true };
  }

  private finish(): void {
    this.done = true;
    this.unsubscribe();
    this.waiting?.({ value: undefined, done: true });
    this.waiting = null;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function liveOf(ctx: Context): LiveDispatch {
  if (!ctx.live) throw new GraphQLError('subscriptions are served over graphql-ws at /graphql (subprotocol graphql-transport-ws)', { extensions: { code: 'BAD_REQUEST' } });
  return ctx.live;
}

/** The grid code a centre's screen covers, after checking the caller may read incidents there. */
async function screenRoot(ctx: Context, gridId: string): Promise<string> {
  if (ctx.viewer.kind === 'anonymous') throw unauthenticated(msg('subscription.signIn'));
  const grid = await ctx.loaders.grid.byId.load(expectGlobalId(gridId, 'Grid', 'gridId'));
  if (!grid) throw new GraphQLError(`no grid ${gridId}`, { extensions: { code: 'NOT_FOUND' } });
  assertPrincipal(ctx.viewer, 'incident:read', { code: grid.code }, `the incidents of grid ${grid.code}`);
  return grid.code;
}

const inSubtree = (root: string) => (n: Notice) => n.gridCodes.some((c) => inJurisdiction(root, c));

function checkSince(since: string | null | undefined): void {
  if (since != null && !/^\d{1,19}$/.test(since)) throw new GraphQLError('since must be a cursor from an earlier notice', { extensions: { code: 'BAD_USER_INPUT', field: 'since' } });
}

/**
 * Live notices `accept` takes, after those committed since the cursor `since` that `filter` selects (up to
 * REPLAY_MAX). It listens first, then replays, so nothing committed in between is missed; a notice heard live
 * while the replay was read, or replayed and then heard, is delivered once.
 */
async function withReplay(ctx: Context, since: string | null | undefined, accept: (n: Notice) => boolean, filter: NoticeFilter, onDeliver?: (n: Notice) => void): Promise<NoticeQueue> {
  const replayed = new Set<string>();
  let heardMeanwhile: Set<string> | null = since != null ? new Set() : null;
  const queue = new NoticeQueue(liveOf(ctx), (n) => {
    if (!accept(n) || replayed.has(n.id)) return false;
    heardMeanwhile?.add(n.id);
    return true;
  }, onDeliver);
  if (since != null) {
    for (const n of await noticesAfter(ctx.db, since, REPLAY_MAX, filter)) {
      replayed.add(n.id);
      if (!heardMeanwhile?.has(n.id)) queue.push(n);
    }
    heardMeanwhile = null;
  }
  return queue;
}

async function myAssignments(ctx: Context, since: string | null | undefined): Promise<AsyncIterable<Notice>> {
  // AUTH
  const viewer = ctx.viewer;
  if (viewer.kind !== 'user') throw unauthenticated(msg('subscription.workerSignIn'));
  const worker = await ctx.services.worker.ofViewer();
  if (!worker) throw forbidden(msg('subscription.noWorker', { account: viewer.subject }));
  // VALIDATION
  checkSince(since);
  // RESOLUTION
  return withReplay(ctx, since, (n) => n.workerIds.includes(worker.id), { workerId: worker.id }, (n) => {
    if (n.kind === 'ASSIGN') recordDelivery(ctx, n, worker.id);
  });
}

/** A centre's screen (`gridIncidents`, `slaAlerts`): the subtree's notices, of `kinds` only when given. */
async function screen(ctx: Context, gridId: string, since: string | null | undefined, kinds?: ReadonlySet<string>): Promise<AsyncIterable<Notice>> {
  const root = await screenRoot(ctx, gridId);
  checkSince(since);
  const within = inSubtree(root);
  return withReplay(ctx, since, (n) => (!kinds || kinds.has(n.kind)) && within(n), { subtreeCode: root, kinds: kinds ? [...kinds] : undefined });
}

/** A socket took the assignment: the scheduler's notifier pass leaves it alone (notifier.ts). */
function recordDelivery(ctx: Context, n: Notice, workerId: string): void {
  ctx.db
    .raw(`/* recordIncidentDelivery */ INSERT INTO incident_delivery (outbox_id, worker_id, via) VALUES (?, ?, 'SOCKET') ON CONFLICT DO NOTHING`, [n.id, workerId])
    .catch((err: unknown) => ctx.log.warn({ err }, 'could not record a delivery'));
}

async function incidentUpdated(ctx: Context, id: string): Promise<AsyncIterable<Notice>> {
  const row = await ctx.services.incident.get(id);
  if (!row) throw new GraphQLError(`no incident ${id}`, { extensions: { code: 'NOT_FOUND' } });
  return new NoticeQueue(liveOf(ctx), (n) => n.incidentId === row.id);
}

/** How many times a notice's incident is read while the pool is busy (each read waits DB_ACQUIRE_TIMEOUT_MS for a connection). */
const INCIDENT_READS = 3;

/**
 * The notice's incident as the subscriber may see it now. A busy pool is waited out a few times before the
 * notice goes out with an error in its place: an assignment a little late beats one the phone cannot show.
 */
async function incidentOf(ctx: Context, n: Notice) {
  for (let read = 1; ; read++) {
    ctx.clearLoaders();
    try {
      const row = await ctx.loaders.incident.byId.load(n.incidentId);
      return row && mayReadIncident(ctx.viewer, row) ? row : null;
    } catch (err) {
      if (read >= INCIDENT_READS || classifyError(err)?.extensions.code !== 'SERVICE_UNAVAILABLE') throw err;
    }
  }
}

export const subscriptionResolvers: Resolvers = {
  Subscription: {
    myAssignments: { subscribe: (_, { since }, ctx) => myAssignments(ctx, since), resolve: (n: Notice) => n },
    incidentUpdated: { subscribe: (_, { id }, ctx) => incidentUpdated(ctx, id), resolve: (n: Notice) => n },
    gridIncidents: { subscribe: (_, { gridId, since }, ctx) => screen(ctx, gridId, since), resolve: (n: Notice) => n },
    slaAlerts: { subscribe: (_, { gridId, since }, ctx) => screen(ctx, gridId, since, SLA_KINDS), resolve: (n: Notice) => n },
  },
  IncidentNotice: {
    cursor: (n) => n.id,
    kind: (n) => n.kind,
    at: (n) => n.at,
    incident: (n, _, ctx) => incidentOf(ctx, n),
  },
};
