import type http from 'node:http';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { getOperationAST, GraphQLError, parse, specifiedRules, validate, type DocumentNode } from 'graphql';
import type { useServer as UseServer } from 'graphql-ws/dist/use/ws.cjs';
import { WebSocketServer } from 'ws';
import type { Config } from '../config';
import { createContext } from '../context';
import type { Database } from '../db/knex';
import { localizableError } from '../errors';
import { clientAddress, clientKeyOf } from '../http';
import { english, localizeError, msg, negotiateLocale, type Locale } from '../i18n';
import type { ConcurrencyGate } from '../limits/concurrency';
import type { RateLimiter } from '../limits/rate-limit';
import type { Logger } from '../logger';
import type { Authenticator } from '../modules/auth/authenticate';
import type { Viewer } from '../modules/auth/viewer';
import type { LiveDispatch } from '../modules/incident/live';
import { formatError } from './apollo';
import { assertOperationLimits, validationRules } from './limits';
import { buildResolvers, loadTypeDefs } from './schema';
import { bearerExpiry, closeOnExpiry, CLOSE_TOO_MANY, SocketCounts } from './ws-guard';

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

/**
 * GraphQL subscriptions over graphql-ws on the HTTP server's own port and path (`/graphql`): a WebSocket upgrade
 * there speaks `graphql-transport-ws`. The connection is authenticated once, from the connection params'
 * `authorization` (`Bearer <jwt>` or `ApiKey <key>`, as the HTTP header), and counted against the client's rate
 * limit. graphql-ws runs no Apollo plugin, so each subscribe message is parsed with the same token limit, validated
 * with the same depth / alias / directive rules and costed with the same checks as HTTP. Only subscriptions are
 * served here; queries and mutations go over HTTP, where the request limits and deadlines apply.
 *
 * Close codes (graphql-ws clients understand them): 4403 a bad credential, 4429 rate limited or too many sockets,
 * 4401 the token expired (ws-guard.ts). Limits (per instance): WS_MAX_CONNECTIONS sockets in all (more are refused at the upgrade, 503), at most
 * WS_MAX_CONNECTIONS_PER_CLIENT per client (closed 4429), WS_MAX_SUBSCRIPTIONS_PER_CONNECTION running on one
 * socket, messages of WS_MAX_MESSAGE_BYTES (a bigger one closes the socket, 1009), and each subscribe taken from
 * the client's rate limit. A socket signed in with a bearer token is closed (4401) when the token expires. Errors
 * are formatted as on HTTP (no database text in production) and localized by the connection params'
 * `accept-language`, else the upgrade request's Accept-Language header, else DEFAULT_LOCALE.
 */
export function attachSubscriptions(deps: SubscriptionDeps): SubscriptionServer {
  const { config, log } = deps;
  const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: buildResolvers() });
  const rules = [...specifiedRules, ...validationRules(config.limits)];
  const limits = config.subscriptions;
  const wss: WebSocketServer = new WebSocketServer({
    server: deps.server,
    path: '/graphql',
    maxPayload: limits.maxMessageBytes,
    verifyClient: (_info, done) => {
      if (wss.clients.size < limits.maxConnections) return done(true);
      log.warn({ open: wss.clients.size }, 'subscription socket refused: WS_MAX_CONNECTIONS reached');
      done(false, 503, 'Too many open connections', { 'Retry-After': '5' });
    },
  });
  const sockets = new SocketCounts(limits.maxConnectionsPerClient);
  const viewers = new WeakMap<object, { viewer: Viewer; clientKey: string; locale: Locale }>();
  const refuse = (message: string, code: string) => [new GraphQLError(message, { extensions: { code } })];
  const localeOf = (ctx: object) => viewers.get(ctx)?.locale ?? config.defaultLocale;
  const present = (e: GraphQLError, locale: Locale) => localizeError(formatError(e.toJSON(), e, config, log), locale);

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
        const { request, socket } = ctx.extra;
        const clientKey = clientKeyOf(viewer, `ip:${clientAddress(request, config.trustProxy)}`);
        if (!deps.limiter.take(clientKey).ok) {
          socket.close(CLOSE_TOO_MANY, 'Too many requests');
          return false;
        }
        if (!sockets.admit(clientKey, socket)) {
          log.info({ clientKey, open: sockets.of(clientKey) }, 'subscription socket refused: WS_MAX_CONNECTIONS_PER_CLIENT reached');
          socket.close(CLOSE_TOO_MANY, `Too many open connections for this client (at most ${limits.maxConnectionsPerClient})`);
          return false;
        }
        const expiresAt = viewer.kind === 'user' ? bearerExpiry(typeof raw === 'string' ? raw : undefined) : null;
        if (expiresAt !== null) closeOnExpiry(socket, expiresAt);
        const asked = params['accept-language'] ?? params.acceptLanguage;
        const locale = negotiateLocale(typeof asked === 'string' ? asked : request.headers['accept-language'], config.defaultLocale);
        viewers.set(ctx, { viewer, clientKey, locale });
        return true;
      },
      onSubscribe: (ctx, id, payload) => {
        // The subscription being asked for is already among ctx.subscriptions.
        if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerConnection) {
          const message = msg('limit.subscriptions', { max: limits.maxSubscriptionsPerConnection });
          return [localizableError(english(message), { code: 'RATE_LIMITED' }, message)];
        }
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
        const decision = deps.limiter.take(caller.clientKey);
        if (!decision.ok) {
          const message = msg('limit.rate', { perMinute: deps.limiter.perMinute, retry: decision.retryAfterSeconds });
          return [localizableError(english(message), { code: 'RATE_LIMITED', retryAfterSeconds: decision.retryAfterSeconds }, message)];
        }
        const contextValue = createContext({
          requestId: `ws:${id}`,
          viewer: caller.viewer,
          db: deps.database.knex,
          log: log.child({ subscription: id }),
          config,
          clientKey: caller.clientKey,
          gate: deps.gate,
          locale: caller.locale,
          // A subscription lives for hours: each notice is resolved with fresh loaders, and no request deadline.
          timeoutMs: null,
          live: deps.live,
        });
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      onError: (ctx, _id, _payload, errors) => errors.map((e) => present(e, localeOf(ctx))),
      // Errors inside a result (the subscribe resolver's refusal, a field's failure): formatted and localized alike.
      onNext: (ctx, _id, _payload, _args, result) => (result.errors?.length ? { ...result, errors: result.errors.map((e) => present(e, localeOf(ctx))) } : undefined),
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
