import { AsyncLocalStorage } from 'node:async_hooks';
import type { Knex } from 'knex';
import type { Logger } from '../logger';

/**
 * What a request knows about the SQL it runs: its id for log lines, and a statement count (tests use it to
 * prove that nested queries are batched). Carried with AsyncLocalStorage because knex's query events have
 * no notion of the GraphQL request that caused them.
 */
export interface QueryScope {
  requestId: string;
  statements: number;
}

export const queryScope = new AsyncLocalStorage<QueryScope>();

/** The name a repository gives a query in its leading comment: `/* gridsCoveringPoint *\/ select ...`. */
export function queryName(sql: string): string {
  const m = /^\s*\/\*\s*([\w.-]+)\s*\*\//.exec(sql);
  return m ? m[1] : sql.slice(0, 60).replace(/\s+/g, ' ');
}

export function observeQueries(knex: Knex, log: Logger, slowQueryMs: number): void {
  const started = new Map<string, { at: bigint; scope?: QueryScope }>();
  knex.on('query', (q: { __knexQueryUid: string; sql: string }) => {
    const scope = queryScope.getStore();
    if (scope) scope.statements += 1;
    started.set(q.__knexQueryUid, { at: process.hrtime.bigint(), scope });
  });
  const finish = (failed: boolean) => (_result: unknown, q: { __knexQueryUid: string; sql: string }) => {
    const start = started.get(q.__knexQueryUid);
    if (!start) return;
    started.delete(q.__knexQueryUid);
    const ms = Number(process.hrtime.bigint() - start.at) / 1e6;
    if (ms >= slowQueryMs) {
      log.warn(
        { reqId: start.scope?.requestId, query: queryName(q.sql), ms: Math.round(ms * 10) / 10, failed },
        'slow query',
      );
    }
  };
  knex.on('query-response', finish(false));
  knex.on('query-error', finish(true));
}
