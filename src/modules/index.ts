import type { Knex } from 'knex';
import type { Context } from '../context';
import { apiKeyModule } from './apikey/module';
import { authModule } from './auth/module';
import { coverageModule } from './coverage/module';
import { gridModule } from './grid/module';
import { locationModule } from './location/module';
import { routeKey, type ModuleDefinition, type NodeTypeDefinition, type NodeTypeName, type RouteHandler, type RouteMethod } from './module';
import { orderLocatedKinds, type LocatedKind } from './location/registry';
import { workerModule } from './worker/module';
import { placeModule } from './place/module';
import { facilityModule } from './facility/module';
import { organizationModule } from './organization/module';
import { personModule } from './person/module';
import { mapModule } from './map/module';
import { incidentModule } from './incident/module';

/**
 * THE list of modules. Adding a domain is one folder (schema/<domain>.graphql + src/modules/<domain>/, with a
 * `module.ts`) and one entry here (+ its migration in migrations/index.ts). Everything else — the resolver map,
 * codegen's mappers, `ctx.loaders`, `ctx.services`, `node(id:)`, the located records grid edits re-resolve —
 * is derived from this list.
 */
export const MODULES = [
  gridModule,
  workerModule,
  coverageModule,
  apiKeyModule,
  authModule,
  locationModule,
  organizationModule,
  placeModule,
  facilityModule,
  personModule,
  mapModule,
  incidentModule,
] as const;

type UnionToIntersection<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void ? I : never;
type Module = (typeof MODULES)[number];

/** Every module's services, by name: `ctx.services.grid`, `ctx.services.worker`, ... */
export type Services = UnionToIntersection<Module extends infer M ? (M extends { services: (ctx: Context) => infer S } ? S : never) : never>;
/** Every module's loaders, by name: `ctx.loaders.grid`, ... */
export type Loaders = UnionToIntersection<Module extends infer M ? (M extends { loaders: (db: Knex, ctx: Context) => infer L } ? L : never) : never>;

const modules: readonly ModuleDefinition[] = MODULES;

export function createServices(ctx: Context): Services {
  return Object.assign({}, ...modules.map((m) => m.services?.(ctx) ?? {})) as Services;
}

export function createLoaders(db: Knex, ctx: Context): Loaders {
  return Object.assign({}, ...modules.map((m) => m.loaders?.(db, ctx) ?? {})) as Loaders;
}

/** Every Node type by name. */
export const NODE_TYPES: ReadonlyMap<NodeTypeName, NodeTypeDefinition> = new Map(
  modules.flatMap((m) => Object.entries(m.nodeTypes ?? {}) as [NodeTypeName, NodeTypeDefinition][]),
);

/** The Node type of a row one of the modules returned (for `Node.__resolveType`). */
export function nodeTypeOf(row: Parameters<NodeTypeDefinition['is']>[0]): NodeTypeName | null {
  for (const [name, type] of NODE_TYPES) if (type.is(row)) return name;
  return null;
}

/** Every located kind, derived kinds after the kinds they come from. */
export const LOCATED_KINDS: readonly LocatedKind[] = orderLocatedKinds(modules.flatMap((m) => m.located ?? []));

/** codegen's mappers: GraphQL type → row type, from every module. */
export const MAPPERS: Readonly<Record<string, string>> = Object.assign(
  {
    Problem: '../shared/payload#ProblemRow',
    ValidationError: '../shared/payload#ValidationErrorSource',
    ConflictError: '../shared/payload#ConflictSource',
    VersionConflict: '../shared/payload#VersionConflictSource',
    WorkerConflictError: '../shared/payload#WorkerConflictSource',
    NotFoundError: '../shared/payload#NotFoundSource',
  },
  ...modules.map((m) => m.mappers ?? {}),
);

export const MODULE_RESOLVERS = modules.map((m) => m.resolvers);

/** Every module's plain HTTP routes, by path and then method (a route registered twice throws at start). */
export const ROUTES: ReadonlyMap<string, ReadonlyMap<RouteMethod, RouteHandler>> = (() => {
  const routes = new Map<string, Map<RouteMethod, RouteHandler>>();
  for (const m of modules) {
    for (const [key, handler] of Object.entries(m.routes ?? {})) {
      const { method, path } = routeKey(key);
      const methods = routes.get(path) ?? new Map<RouteMethod, RouteHandler>();
      if (methods.has(method)) throw new Error(`route ${method} ${path} is registered twice (module ${m.id})`);
      routes.set(path, methods.set(method, handler));
    }
  }
  return routes;
})();

/**
 * The methods answering a path: its exact route, else the route of the longest `/prefix/*` key above it
 * (`/tiles/*` answers `/tiles/grids/14/13392/6288.mvt`).
 */
export function findRoute(pathname: string): ReadonlyMap<RouteMethod, RouteHandler> | undefined {
  const exact = ROUTES.get(pathname);
  if (exact) return exact;
  for (let end = pathname.lastIndexOf('/'); end > 0; end = pathname.lastIndexOf('/', end - 1)) {
    const methods = ROUTES.get(`${pathname.slice(0, end)}/*`);
    if (methods) return methods;
  }
  return undefined;
}
