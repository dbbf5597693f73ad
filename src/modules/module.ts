import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { english, type Locale, type Msg } from '../i18n';
import type { ConcurrencyGate } from '../limits/concurrency';
import type { Viewer } from './auth/viewer';
import type { Context } from '../context';
import type { NodeResolvers, Resolvers, ResolversInterfaceTypes, ResolversTypes } from '../generated/graphql';
import type { LocatedKind } from './location/registry';

/**
 * What a domain module brings, registered once in src/modules/index.ts: its resolvers, the row types codegen
 * maps its GraphQL types onto, its per-request loaders and services, the Node types `node(id:)` can fetch, and
 * the located records grid edits re-resolve. Its SDL is its own file in schema/.
 */
export interface ModuleDefinition {
  id: string;
  resolvers: Resolvers;
  /** GraphQL type → row type, as codegen's `mappers` (paths relative to src/generated/). */
  mappers?: Readonly<Record<string, string>>;
  /** Per-request DataLoaders, merged into `ctx.loaders` (keys must not clash across modules). */
  loaders?: (db: Knex, ctx: Context) => object;
  /** Per-request services, merged into `ctx.services`. */
  services?: (ctx: Context) => object;
  /** Node types this module owns: how to load one by database id (through its service, so its rules apply). */
  nodeTypes?: Readonly<Partial<Record<NodeTypeName, NodeTypeDefinition>>>;
  /** Located records this module owns (see location/registry.ts). */
  located?: readonly LocatedKind[];
  /**
   * Plain HTTP routes beside /graphql, by exact path: `/export/grids.geojson` answers GET (and HEAD),
   * `POST /import/people` answers POST; a key ending in `/*` answers every path below it (`/tiles/*`: the
   * handler reads `url.pathname`). The caller is already authenticated and rate limited; a handler asserts
   * its own policy action, and throws a `GraphQLError` from the policy (403/401) or a `RouteError` (status +
   * message) for anything it refuses.
   */
  routes?: Readonly<Record<string, RouteHandler>>;
}

export interface RouteRequest {
  /** GET (HEAD is answered as GET) or POST. */
  method: RouteMethod;
  url: URL;
  /** The request's headers (lower-case names). */
  headers: IncomingHttpHeaders;
  /**
   * The request body as it arrives (a POST route's upload), at most `maxBytes`: a declared Content-Length above
   * it is refused at once, and a body growing past it fails the stream, both with a 413 `RouteError`. Read once.
   */
  body(maxBytes: number, setting: string): Readable;
  /** The request id (X-Request-Id, or one made up): what audit rows name. */
  requestId: string;
  res: ServerResponse;
  viewer: Viewer;
  /** Who is asking, for per-client limits. */
  clientKey: string;
  /** The shared database handle (a route streams past any one request deadline, page by page). */
  db: Knex;
  gate: ConcurrencyGate;
  config: Config;
  /** The language of messages: the request's Accept-Language, else DEFAULT_LOCALE. */
  locale: Locale;
  /**
   * The per-request context GraphQL resolvers get (services, loaders, deadline, locale), built on first use: for
   * a route that answers what a resolver would, through the same services.
   */
  context(): Context;
}

export type RouteHandler = (request: RouteRequest) => Promise<void>;

export type RouteMethod = 'GET' | 'POST';

/** `/path` (GET) or `POST /path`: the method and path of a route's key in `routes`. */
export function routeKey(key: string): { method: RouteMethod; path: string } {
  const m = /^(?:(GET|POST) )?(\/\S*)$/.exec(key);
  if (!m) throw new Error(`route "${key}" is neither "/path" nor "POST /path"`);
  return { method: (m[1] as RouteMethod | undefined) ?? 'GET', path: m[2] };
}

/**
 * A refusal of a plain HTTP route: answered with `status` and `{ error: message, code }`. A catalogue message
 * is answered in the caller's language.
 */
export class RouteError extends Error {
  readonly localized?: Msg;

  constructor(
    readonly status: number,
    message: string | Msg,
    readonly code?: string,
    /** The input it concerns (a query parameter), answered as `field`. */
    readonly field?: string,
  ) {
    super(typeof message === 'string' ? message : english(message));
    if (typeof message !== 'string') this.localized = message;
  }
}

/** What any Node type resolves from (the union of the Node types' row types, from codegen). */
export type NodeRow = ResolversInterfaceTypes<ResolversTypes>['Node'];
/** The names of the types implementing Node. */
export type NodeTypeName = Exclude<Awaited<ReturnType<NodeResolvers['__resolveType']>>, null | undefined>;

export interface NodeTypeDefinition {
  /** Annotate the return type: inferring it would go through `ctx.services`, which is inferred from the registry. */
  load(ctx: Context, id: string): Promise<NodeRow | null>;
  /** Whether a row this module's resolvers return is of this type (for `Node.__resolveType`). */
  is(row: NodeRow): boolean;
}

/** Keeps the literal types of a definition, so the registry can derive `ctx.services` and `ctx.loaders` from it. */
export function defineModule<const M extends ModuleDefinition>(module: M): M {
  return module;
}
