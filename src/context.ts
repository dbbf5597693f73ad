import type { Knex } from 'knex';
import type { Config } from './config';
import { Deadline, withDeadline } from './db/deadline';
import { ConcurrencyGate, type ExpensiveKind } from './limits/concurrency';
import { ResponseBudget } from './limits/response-budget';
import type { Logger } from './logger';
import type { Viewer } from './modules/auth/viewer';
import { createApiKeyLoaders, type ApiKeyLoaders } from './modules/apikey/loaders';
import { ApiKeyService } from './modules/apikey/service';
import { createCoverageLoaders, type CoverageLoaders } from './modules/coverage/loaders';
import { CoverageService } from './modules/coverage/service';
import { GridEditService } from './modules/grid/edit-service';
import { GridImportService } from './modules/grid/import-service';
import { createGridLoaders, type GridLoaders } from './modules/grid/loaders';
import { GridReshapeService } from './modules/grid/reshape-service';
import { GridService } from './modules/grid/service';
import { createWorkerLoaders, type WorkerLoaders } from './modules/worker/loaders';
import { WorkerService } from './modules/worker/service';

export interface Loaders {
  grid: GridLoaders;
  worker: WorkerLoaders;
  coverage: CoverageLoaders;
  apiKey: ApiKeyLoaders;
}

export interface Services {
  grid: GridService;
  gridEdit: GridEditService;
  gridReshape: GridReshapeService;
  gridImport: GridImportService;
  worker: WorkerService;
  coverage: CoverageService;
  apiKey: ApiKeyService;
}

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
  /** Drops every loader's cached rows: after a write, later reads in the request see the new state. */
  clearLoaders(): void;
  /** Tells the authenticator a key was revoked, so this instance stops accepting it at once. */
  onApiKeyRevoked?(prefix: string): void;
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
  /** Whether statements past the deadline can be cancelled (PostgreSQL yes, the embedded database no). */
  cancellable?: boolean;
  /** The request's deadline; null for none (command-line tools, whose work may take as long as it takes). */
  timeoutMs?: number | null;
  onApiKeyRevoked?(prefix: string): void;
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
    deadline,
    budget: new ResponseBudget(config.limits.maxResponseBytes),
    clientKey,
    expensive: gate.session(clientKey),
    onApiKeyRevoked: input.onApiKeyRevoked,
  } as Context;
  let loaders: Loaders | undefined;
  let services: Services | undefined;
  ctx.clearLoaders = () => {
    loaders = undefined;
  };
  Object.defineProperties(ctx, {
    loaders: {
      get: () =>
        (loaders ??= {
          grid: createGridLoaders(db),
          worker: createWorkerLoaders(db),
          coverage: createCoverageLoaders(ctx),
          apiKey: createApiKeyLoaders(db),
        }),
      enumerable: true,
    },
    services: {
      get: () =>
        (services ??= {
          grid: new GridService(ctx),
          gridEdit: new GridEditService(ctx),
          gridReshape: new GridReshapeService(ctx),
          gridImport: new GridImportService(ctx),
          worker: new WorkerService(ctx),
          coverage: new CoverageService(ctx),
          apiKey: new ApiKeyService(ctx),
        }),
      enumerable: true,
    },
  });
  return ctx;
}
