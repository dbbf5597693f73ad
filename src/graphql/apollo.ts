import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Config } from '../config';
import type { Context } from '../context';
import { classifyError, CLIENT_ERROR_CODES, HTTP_STATUS, type ErrorCode } from '../errors';
import type { Logger } from '../logger';
import { limitsPlugin, validationRules } from './limits';
import { localizePlugin } from './localize';
import { buildResolvers, loadTypeDefs } from './schema';

/** Errors GraphQL itself raises about the request: safe and useful to show as they are. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

export function createApolloServer(config: Config, log: Logger): ApolloServer<Context> {
  // The query page at GET /graphql is the project's own (src/http/pages.ts): Apollo's landing page would load
  // Apollo Sandbox from a CDN, blank on an intranet.
  const plugins: ApolloServerPlugin<Context>[] = [limitsPlugin(config.limits), subscriptionsOverWebSocket, httpStatusPlugin, localizePlugin, ApolloServerPluginLandingPageDisabled()];
  return new ApolloServer<Context>({
    typeDefs: loadTypeDefs(),
    resolvers: buildResolvers(),
    // The query page needs the schema; a deployment that turns it on in production (QUERY_PAGE) wants its docs.
    introspection: !config.isProduction || config.queryPage,
    includeStacktraceInErrorResponses: !config.isProduction,
    hideSchemaDetailsFromClientErrors: config.isProduction,
    logger: log,
    plugins,
    // graphql-armor's token limit is graphql-js's own parser option (the parser stops counting there).
    parseOptions: { maxTokens: config.limits.maxTokens },
    // main.ts owns shutdown (drain HTTP, then stop Apollo, then close the database); Apollo's own signal
    // handler would stop it underneath in-flight requests and re-raise the signal.
    stopOnTerminationSignals: false,
    validationRules: validationRules(config.limits),
    formatError: (formatted, error) => formatError(formatted, error, config, log),
  });
}

/**
 * Expected errors (bad input, auth, limits, conflicts, GraphQL validation) go out as they are; failures of the
 * database or the pool become the client error they mean (503, request timeout, bad input). Anything else is a
 * bug: it is logged with its cause, and in production the client sees only that something failed, never
 * database text or a stack.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, config: Config, log: Logger): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && (CLIENT_ERROR_CODES.has(code) || REQUEST_ERROR_CODES.has(code))) return formatted;
  const cause = unwrapResolverError(error);
  const classified = classifyError(cause);
  if (classified) {
    if (classified.extensions.code === 'SERVICE_UNAVAILABLE') log.warn({ err: cause, path: formatted.path }, 'database unavailable');
    return { message: classified.message, locations: formatted.locations, path: formatted.path, extensions: classified.extensions };
  }
  log.error({ err: cause, path: formatted.path }, 'unexpected error');
  if (!config.isProduction) return formatted;
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

/** A subscription sent over HTTP is answered 400 with where to send it (graphql-ws on the same path: src/graphql/ws.ts). */
const subscriptionsOverWebSocket: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation }) {
        if (operation?.operation !== 'subscription') return;
        throw new GraphQLError('subscriptions are served over WebSocket at this path (graphql-ws, subprotocol graphql-transport-ws), not over HTTP', {
          extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
        });
      },
    };
  },
};

/**
 * The HTTP status of a response whose errors say it should be retried later (429, 503, with Retry-After) or
 * was not authenticated (401), however deep in execution they arose: the one place codes become statuses on
 * /graphql (the errors themselves carry no status).
 */
const httpStatusPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, operation }) {
        if (response.body.kind !== 'single') return;
        // A mutation that answered anything may have committed part of its work (a batch whose first
        // mutation went through): its status must not invite a client to retry the whole request.
        if (operation?.operation === 'mutation' && response.body.singleResult.data != null) return;
        let retryAfter = 0;
        for (const e of response.body.singleResult.errors ?? []) {
          const status = HTTP_STATUS[e.extensions?.code as ErrorCode];
          if (!status) continue;
          const current = response.http.status;
          if (!current || current === 200 || current < status) response.http.status = status;
          const seconds = Number(e.extensions?.retryAfterSeconds ?? 0);
          if (seconds > retryAfter) retryAfter = seconds;
        }
        if (retryAfter > 0) response.http.headers.set('retry-after', String(retryAfter));
      },
    };
  },
};
