import type { Knex } from 'knex';
import type { Logger } from '../logger';

/** The name a repository gives a query in its leading comment: `/* gridsCoveringPoint *\/ select ...`. */
export function queryName(sql: string): string {
  const m = /^\s*\/\*\s*([\w.-]+)\s*\*\//.exec(sql);
  return m ? m[1] : sql.slice(0, 60).replace(/\s+/g, ' ');
}

/**
 * Logs every statement slower than `slowQueryMs` with its name and duration. The line carries no request
 * id: tying a statement to its request would need AsyncLocalStorage, whose promise hooks cost about a
 * tenth of the throughput on Node 20, and one statement often serves several requests anyway (loaders
 * and the resolve batcher coalesce them). The name finds it in pg_stat_statements; the time, in the
 * request log.
 */
export function observeQueries(knex: Knex, log: Logger, slowQueryMs: number): void {
  const started = new Map<string, bigint>();
  knex.on('query', (q: { __knexQueryUid: string }) => {
    started.set(q.__knexQueryUid, process.hrtime.bigint());
  });
  const finish = (failed: boolean) => (_result: unknown, q: { __knexQueryUid: string; sql: string }) => {
    const start = started.get(q.__knexQueryUid);
    if (start === undefined) return;
    started.delete(q.__knexQueryUid);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (ms >= slowQueryMs) {
      log.warn({ query: queryName(q.sql), ms: Math.round(ms * 10) / 10, failed }, 'slow query');
    }
  };
  knex.on('query-response', finish(false));
  knex.on('query-error', finish(true));
}
