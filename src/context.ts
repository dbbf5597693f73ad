import type { Knex } from 'knex';
import type { Config } from './config';
import type { Locale } from './i18n';
import { Deadline, withDeadline } from './db/deadline';
import { ConcurrencyGate, type ExpensiveKind } from './limits/concurrency';
import { ResponseBudget } from './limits/response-budget';
import type { Logger } from './logger';
import type { Viewer } from './modules/auth/viewer';
import { createLoaders, createServices, LOCATED_KINDS, NODE_TYPES, type Loaders, type Services } from './modules';
import type { LiveDispatch } from './modules/incident/live';
import type { LocatedKind } from './modules/location/registry';
import type { NodeRow, NodeTypeName } from './modules/module';

export type { Loaders, Services };

/**
 * Built once per request. Loaders and services are created on first use: most requests (a mobile
 * `resolveLocation`, a health probe through GraphQL) touch one or two of them.
 */
export interface Context {
  requestId: string;
  viewer: Viewer;
  /** The database handle for this request: it keeps to the request's deadline (see db/deadline.ts). */
  db: Knex;
  /**
   * The handle shared by all requests, for work batched across requests (the resolve fast path), which
   * keeps to no single request's deadline: only to the pool's statement timeout.
   */
  sharedDb: Knex;
  log: Logger;
  config: Config;
  /** The language messages are answered in: the request's Accept-Language, else DEFAULT_LOCALE. */
  locale: Locale;
  deadline: Deadline;
  /** What the response may still hold; big values are charged as they are produced. */
  budget: ResponseBudget;
  /** Who is asking, for per-client limits: `user:<sub>`, `key:<id>` or `ip:<address>`. */
  clientKey: string;
  /**
   * Runs expensive work (coverage, intersects, import) under the process-wide concurrency cap: one slot per
   * request, its expensive work one piece at a time.
   */
  expensive<T>(kind: ExpensiveKind, work: () => Promise<T>): Promise<T>;
  loaders: Loaders;
  services: Services;
  /** The located records grid edits re-resolve, from the module registry. */
  located: readonly LocatedKind[];
  /** Any Node by type name and database id, through its module (null: none, or not visible). */
  loadNode(type: string, id: string): Promise<NodeRow | null>;
  /** Drops every loader's cached rows: after a write, later reads in the request see the new state. */
  clearLoaders(): void;
  /** Tells the authenticator a key was revoked, so this instance stops accepting it at once. */
  onApiKeyRevoked?(prefix: string): void;
  /** This instance's live incident notices: set on subscriptions (graphql-ws) only. */
  live?: LiveDispatch;
}

export interface ContextInput {
  requestId: string;
  viewer: Viewer;
  db: Knex;
  log: Logger;
  config: Config;
  /** Defaults: `anonymous`, a deadline and budget from the config, a gate of its own (tests, CLIs). */
  clientKey?: string;
  gate?: ConcurrencyGate;
  /** Default: DEFAULT_LOCALE. */
  locale?: Locale;
  /** Whether statements past the deadline can be cancelled (PostgreSQL yes, the embedded database no). */
  cancellable?: boolean;
  /** The request's deadline; null for none (command-line tools, whose work may take as long as it takes). */
  timeoutMs?: number | null;
  onApiKeyRevoked?(prefix: string): void;
  live?: LiveDispatch;
}

export function createContext(input: ContextInput): Context {
  const { config } = input;
  const timeoutMs = input.timeoutMs === undefined ? config.limits.requestTimeoutMs : input.timeoutMs;
  const deadline = new Deadline(timeoutMs ?? Infinity);
  const gate = input.gate ?? new ConcurrencyGate(config.limits.expensiveMaxConcurrent, config.limits.expensiveMaxPerClient);
  const clientKey = input.clientKey ?? 'anonymous';
  const db = timeoutMs === null ? input.db : withDeadline(input.db, deadline, input.cancellable ?? true);
  const ctx = {
    requestId: input.requestId,
    viewer: input.viewer,
    db,
    sharedDb: input.db,
    log: input.log,
    config,
    locale: input.locale ?? config.defaultLocale,
    deadline,
    budget: new ResponseBudget(config.limits.maxResponseBytes),
    clientKey,
    expensive: gate.session(clientKey),
    onApiKeyRevoked: input.onApiKeyRevoked,
    live: input.live,
    located: LOCATED_KINDS,
    loadNode: async (type: string, id: string) => NODE_TYPES.get(type as NodeTypeName)?.load(ctx, id) ?? null,
  } as Context;
  let loaders: Loaders | undefined;
  let services: Services | undefined;
  ctx.clearLoaders = () => {
    loaders = undefined;
  };
  Object.defineProperties(ctx, {
    loaders: { get: () => (loaders ??= createLoaders(db, ctx)), enumerable: true },
    services: { get: () => (services ??= createServices(ctx)), enumerable: true },
  });
  return ctx;
}
