import type http from 'node:http';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { getOperationAST, GraphQLError, parse, specifiedRules, validate, type DocumentNode } from 'graphql';
import type { useServer as UseServer } from 'graphql-ws/dist/use/ws.cjs';
import { WebSocketServer } from 'ws';
import type { Config } from '../config';
import { createContext } from '../context';
import type { Database } from '../db/knex';
import type { ConcurrencyGate } from '../limits/concurrency';
import type { RateLimiter } from '../limits/rate-limit';
import type { Logger } from '../logger';
import type { Authenticator } from '../modules/auth/authenticate';
import type { Viewer } from '../modules/auth/viewer';
import type { LiveDispatch } from '../modules/incident/live';
import { formatError } from './apollo';
import { assertOperationLimits, validationRules } from './limits';
import { buildResolvers, loadTypeDefs } from './schema';

// graphql-ws publishes its ws adapter under package "exports" only ("graphql-ws/use/ws"), which this project's
// moduleResolution "node" does not read: the types come from the file itself, the code through Node's resolver.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { useServer } = require('graphql-ws/use/ws') as { useServer: typeof UseServer };

export interface SubscriptionDeps {
  server: http.Server;
  database: Database;
  config: Config;
  log: Logger;
  authenticator: Authenticator;
  limiter: RateLimiter;
  gate: ConcurrencyGate;
  live: LiveDispatch;
}

export interface SubscriptionServer {
  /** Open sockets now. */
  readonly clients: number;
  stop(): Promise<void>;
}

/** Close codes graphql-ws clients understand: 4403 Forbidden (bad credential), 4429 (rate limited). */
const RATE_LIMITED = 4429;

/**
 * GraphQL subscriptions over graphql-ws on the HTTP server's own port and path (`/graphql`): a WebSocket upgrade
 * there speaks `graphql-transport-ws`. The connection is authenticated once, from the connection params'
 * `authorization` (`Bearer <jwt>` or `ApiKey <key>`, as the HTTP header), and counted against the client's rate
 * limit. graphql-ws runs no Apollo plugin, so each subscribe message is parsed with the same token limit, validated
 * with the same depth / alias / directive rules and costed with the same checks as HTTP. Only subscriptions are
 * served here; queries and mutations go over HTTP, where the request limits and deadlines apply.
 */
export function attachSubscriptions(deps: SubscriptionDeps): SubscriptionServer {
  const { config, log } = deps;
  const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: buildResolvers() });
  const rules = [...specifiedRules, ...validationRules(config.limits)];
  const wss = new WebSocketServer({ server: deps.server, path: '/graphql', maxPayload: config.limits.maxRequestBytes });
  const viewers = new WeakMap<object, { viewer: Viewer; clientKey: string }>();
  const refuse = (message: string, code: string) => [new GraphQLError(message, { extensions: { code } })];

  const disposable = useServer(
    {
      schema,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const raw = params.authorization ?? params.Authorization;
        let viewer: Viewer;
        try {
          viewer = await deps.authenticator.authenticate(typeof raw === 'string' ? raw : undefined);
        } catch (err) {
          log.info({ err }, 'subscription connection refused');
          return false;
        }
        const address = ctx.extra.request.socket.remoteAddress ?? 'unknown';
        const clientKey = viewer.kind === 'user' ? `user:${viewer.subject}` : viewer.kind === 'service' ? `key:${viewer.keyId}` : `ip:${address}`;
        if (!deps.limiter.take(clientKey).ok) {
          ctx.extra.socket.close(RATE_LIMITED, 'Too many requests');
          return false;
        }
        viewers.set(ctx, { viewer, clientKey });
        return true;
      },
      onSubscribe: (ctx, id, payload) => {
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: config.limits.maxTokens });
        } catch (err) {
          return err instanceof GraphQLError ? [err] : refuse('the query could not be parsed', 'GRAPHQL_PARSE_FAILED');
        }
        const errors = validate(schema, document, rules);
        if (errors.length) return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...e.extensions } }));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return refuse('no operation to run (name it with operationName)', 'OPERATION_RESOLUTION_FAILURE');
        if (operation.operation !== 'subscription') return refuse('only subscriptions are served over WebSocket: send queries and mutations over HTTP', 'BAD_REQUEST');
        try {
          assertOperationLimits(config.limits, { schema, document, query: payload.query, variables: payload.variables, operationName: payload.operationName, operation });
        } catch (err) {
          if (err instanceof GraphQLError) return [err];
          throw err;
        }
        const caller = viewers.get(ctx);
        if (!caller) return refuse('the connection was not initialised', 'UNAUTHENTICATED');
        const contextValue = createContext({
          requestId: `ws:${id}`,
          viewer: caller.viewer,
          db: deps.database.knex,
          log: log.child({ subscription: id }),
          config,
          clientKey: caller.clientKey,
          gate: deps.gate,
          // A subscription lives for hours: each notice is resolved with fresh loaders, and no request deadline.
          timeoutMs: null,
          live: deps.live,
        });
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e, config, log)),
    },
    wss,
  );

  return {
    get clients() {
      return wss.clients.size;
    },
    async stop() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
