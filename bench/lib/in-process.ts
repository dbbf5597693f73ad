import type { Knex } from 'knex';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config';
import { createContext } from '../../src/context';
import { createApolloServer } from '../../src/graphql/apollo';
import type { AuthenticatedViewer, Viewer } from '../../src/modules/auth/viewer';

/** The secret the benchmarks sign their tokens with and start their server with. */
export const BENCH_JWT_SECRET = 'benchmark-secret-benchmark-secret-0123';
/** A key for personal data (production refuses to start without one); benchmark data only. */
export const BENCH_PII_KEY = Buffer.alloc(32, 42).toString('base64');

/** Production settings; limits such as REQUEST_TIMEOUT_MS come from the environment, as the server's would. */
export function benchConfig(): Config {
  return loadConfig({ ...process.env, NODE_ENV: 'production', JWT_SECRET: BENCH_JWT_SECRET, PII_KEY: BENCH_PII_KEY, LOG_LEVEL: 'silent' });
}

/** An ADMIN of the whole deployment (no jurisdiction root), as GIS staff and dispatchers' managers sign in. */
export const BENCH_ADMIN: AuthenticatedViewer = { kind: 'user', subject: 'bench-admin', name: null, role: 'ADMIN', jurisdictionCode: null };

export type Operation = (query: string, variables?: Record<string, unknown>) => Promise<{ data: any; statements: number }>;

/**
 * Runs GraphQL operations in process — the real schema, resolvers, loaders and SQL through Apollo's
 * `executeOperation`, without HTTP — as `viewer`, each with a fresh request context (no loader cache carries
 * over). Errors throw, with the operation's error list.
 */
export function inProcessAs(knex: Knex, viewer: Viewer, config: Config = benchConfig()): Operation {
  const log = pino({ level: 'silent' });
  const apollo = createApolloServer(config, log);
  return async (query, variables = {}) => {
    const contextValue = createContext({ requestId: 'bench', viewer, db: knex, log, config });
    let statements = 0;
    const count = () => (statements += 1);
    knex.on('query', count);
    try {
      const response = await apollo.executeOperation<any>({ query, variables }, { contextValue });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      const { data, errors } = response.body.singleResult;
      if (errors?.length) throw new Error(`operation failed: ${JSON.stringify(errors)}`);
      return { data, statements };
    } finally {
      knex.removeListener('query', count);
    }
  };
}

export interface Timing {
  name: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

/** Milliseconds `work` takes. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = process.hrtime.bigint();
  const result = await work();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, result };
}

/**
 * Runs `op` once to warm up, then `runs` times, and prints the median, min and max with the last run's summary;
 * returns the median. A refusal (a statement timeout, the request deadline) says after how long it came.
 */
export async function measureOperation(name: string, runs: number, op: () => Promise<string>): Promise<number> {
  const t0 = Date.now();
  let summary: string;
  try {
    summary = await op();
  } catch (err) {
    // Refused by the server's own limits (the statement timeout, the request deadline): say after how long.
    throw new Error(`${name}: failed after ${Date.now() - t0} ms: ${err instanceof Error ? err.message : String(err)}`);
  }
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = await timed(op);
    ms.push(t.ms);
    summary = t.result;
  }
  console.log(`  ${name.padEnd(34)} median ${fmt(median(ms))} ms  min ${fmt(Math.min(...ms))}  max ${fmt(Math.max(...ms))}   ${summary}`);
  return median(ms);
}

/** A part whose GraphQL fields may not exist yet, or which the server's limits cut short, prints why it did not run instead of ending the benchmark. */
export async function optional(name: string, part: () => Promise<void>): Promise<void> {
  try {
    await part();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.log(`  ${name} did not run: ${message.length > 500 ? `${message.slice(0, 500)}…` : message}`);
  }
}
