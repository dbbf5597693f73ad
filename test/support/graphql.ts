import type { Knex } from 'knex';
import type { ApolloServer } from '@apollo/server';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config';
import { createContext, type Context } from '../../src/context';
import { createApolloServer } from '../../src/graphql/apollo';
import { ANONYMOUS, type Viewer, type AuthenticatedViewer } from '../../src/modules/auth/viewer';
import type { Role } from '../../src/generated/graphql';

export const silentLog = pino({ level: 'silent' });

/** The suite reads messages in English (DEFAULT_LOCALE=en); the localization tests ask for each language. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEFAULT_LOCALE: 'en', ...env });
}

const servers = new Map<string, ApolloServer<Context>>();

function serverFor(config: Config): ApolloServer<Context> {
  const key = JSON.stringify([config.env, config.limits]);
  let server = servers.get(key);
  if (!server) {
    server = createApolloServer(config, silentLog);
    servers.set(key, server);
  }
  return server;
}

export interface Result<T = any> {
  data?: T;
  errors?: { message: string; path?: readonly (string | number)[]; extensions?: Record<string, any> }[];
  /** SQL statements the operation ran. */
  statements: number;
}

/**
 * Runs an operation through the real schema, resolvers and Apollo pipeline (validation rules, error
 * formatting), against `db`: usually a transaction from `withRollback`.
 */
export async function execute<T = any>(
  db: Knex,
  query: string,
  variables: Record<string, unknown> = {},
  options: { viewer?: Viewer; config?: Config } = {},
): Promise<Result<T>> {
  const config = options.config ?? testConfig();
  const contextValue = createContext({ requestId: 'test', viewer: options.viewer ?? ANONYMOUS, db, log: silentLog, config });
  let statements = 0;
  const count = () => (statements += 1);
  db.on('query', count);
  try {
    const response = await serverFor(config).executeOperation<T>({ query, variables }, { contextValue });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    const { data, errors } = response.body.singleResult;
    return { data: (data ?? undefined) as T | undefined, errors: errors as Result['errors'], statements };
  } finally {
    db.removeListener('query', count);
  }
}

export function user(role: Role, jurisdictionCode: string | null = null): AuthenticatedViewer {
  return { kind: 'user', subject: `test-${role.toLowerCase()}`, name: null, role, jurisdictionCode };
}

/** The data of a result that must have no errors (the errors are shown when it has). */
export function ok<T>(result: Result<T>): T {
  if (result.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(result.errors, null, 2)}`);
  return result.data as T;
}
