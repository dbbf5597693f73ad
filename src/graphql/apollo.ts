import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, type GraphQLFormattedError, type ValidationContext } from 'graphql';
import type { Config } from '../config';
import type { Context } from '../context';
import { CLIENT_ERROR_CODES } from '../errors';
import type { Logger } from '../logger';
import { buildResolvers, loadTypeDefs } from './schema';

/**
 * Query limits that hold in every environment: a public endpoint must not be one query away from a DoS.
 * The cost is graphql-armor's estimate, which multiplies by literal `first` values: a district tree three
 * levels deep at `first: 20` costs about 850,000; `first: 100` at three levels about 257 million.
 */
export const QUERY_LIMITS = { maxDepth: 15, maxCost: 2_000_000, maxAliases: 15 } as const;

/**
 * graphql-armor throws when a limit is exceeded, which Apollo would answer as an internal error (500);
 * reported through the validation context instead, the client gets a 400 GRAPHQL_VALIDATION_FAILED that
 * says which limit it hit.
 */
const asValidationError = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''))),
  ],
};

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
  const plugins: ApolloServerPlugin<Context>[] = [];
  if (config.isProduction) plugins.push(ApolloServerPluginLandingPageDisabled());
  return new ApolloServer<Context>({
    typeDefs: loadTypeDefs(),
    resolvers: buildResolvers(),
    introspection: !config.isProduction,
    includeStacktraceInErrorResponses: !config.isProduction,
    hideSchemaDetailsFromClientErrors: config.isProduction,
    logger: log,
    plugins,
    // main.ts owns shutdown (drain HTTP, then stop Apollo, then close the database); Apollo's own signal
    // handler would stop it underneath in-flight requests and re-raise the signal.
    stopOnTerminationSignals: false,
    validationRules: [
      maxDepthRule({ n: QUERY_LIMITS.maxDepth, ...asValidationError }),
      costLimitRule({ maxCost: QUERY_LIMITS.maxCost, ...asValidationError }),
      maxAliasesRule({ n: QUERY_LIMITS.maxAliases, ...asValidationError }),
    ],
    formatError: (formatted, error) => formatError(formatted, error, config, log),
  });
}

/**
 * Expected errors (bad input, auth, conflicts, GraphQL validation) go out as they are. Anything else is a
 * bug or an outage: it is logged with its cause, and in production the client sees only that something
 * failed, never database text or a stack.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, config: Config, log: Logger): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && (CLIENT_ERROR_CODES.has(code) || REQUEST_ERROR_CODES.has(code))) return formatted;
  log.error({ err: unwrapResolverError(error), path: formatted.path }, 'unexpected error');
  if (!config.isProduction) return formatted;
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
