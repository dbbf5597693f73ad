import type { Knex } from 'knex';
import type { Config } from './config';
import type { Logger } from './logger';
import type { Viewer } from './modules/auth/viewer';
import { createGridLoaders, type GridLoaders } from './modules/grid/loaders';
import { createWorkerLoaders, type WorkerLoaders } from './modules/worker/loaders';
import { createCoverageLoaders, type CoverageLoaders } from './modules/coverage/loaders';
import { GridService } from './modules/grid/service';
import { GridEditService } from './modules/grid/edit-service';
import { GridReshapeService } from './modules/grid/reshape-service';
import { GridImportService } from './modules/grid/import-service';
import { WorkerService } from './modules/worker/service';
import { CoverageService } from './modules/coverage/service';

export interface Loaders {
  grid: GridLoaders;
  worker: WorkerLoaders;
  coverage: CoverageLoaders;
}

export interface Services {
  grid: GridService;
  gridEdit: GridEditService;
  gridReshape: GridReshapeService;
  gridImport: GridImportService;
  worker: WorkerService;
  coverage: CoverageService;
}

/**
 * Built once per request. Loaders and services are created on first use: most requests (a mobile
 * `resolveLocation`, a health probe through GraphQL) touch one or two of them.
 */
export interface Context {
  requestId: string;
  viewer: Viewer;
  /** The database handle for this request: the pool, or a transaction in tests. */
  db: Knex;
  log: Logger;
  config: Config;
  loaders: Loaders;
  services: Services;
  /** Drops every loader's cached rows: after a write, later reads in the request see the new state. */
  clearLoaders(): void;
}

export interface ContextInput {
  requestId: string;
  viewer: Viewer;
  db: Knex;
  log: Logger;
  config: Config;
}

export function createContext(input: ContextInput): Context {
  const ctx = { ...input } as Context;
  let loaders: Loaders | undefined;
  let services: Services | undefined;
  ctx.clearLoaders = () => {
    loaders = undefined;
  };
  Object.defineProperties(ctx, {
    loaders: {
      get: () =>
        (loaders ??= {
          grid: createGridLoaders(input.db),
          worker: createWorkerLoaders(input.db),
          coverage: createCoverageLoaders(input.db),
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
        }),
      enumerable: true,
    },
  });
  return ctx;
}
