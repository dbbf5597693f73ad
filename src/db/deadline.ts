import type { Knex } from 'knex';
import { DeadlineExceededError } from '../errors';

/**
 * A request's deadline (REQUEST_TIMEOUT_MS), and the database handle that keeps to it: every statement started
 * through it carries the time left as a knex timeout, which on the PostgreSQL server cancels the statement
 * (`pg_cancel_backend`, over a connection of its own, so a full pool cannot hold it up); once the deadline has
 * passed, no new statement starts. The connection then goes back to the pool at once instead of working for
 * a client that has been answered. The embedded database runs statements on this thread, where no timer
 * fires until they end: there the handle only refuses statements after the deadline.
 */
export class Deadline {
  readonly at: number;

  constructor(readonly timeoutMs: number) {
    this.at = Date.now() + timeoutMs;
  }

  remaining(): number {
    return this.at - Date.now();
  }

  get expired(): boolean {
    return this.remaining() <= 0;
  }

  /** Throws the request-timeout error when the deadline has passed. */
  check(): void {
    if (this.expired) throw new DeadlineExceededError(this.timeoutMs);
  }
}

/** knex entry points that build a statement (a query builder or a raw statement). */
const BUILDERS = new Set(['raw', 'select', 'from', 'table', 'queryBuilder', 'with', 'insert', 'update', 'del', 'delete', 'first', 'where', 'count']);

type Bounded = { timeout(ms: number, options?: { cancel?: boolean }): unknown };

export function withDeadline<T extends Knex>(db: T, deadline: Deadline, cancel: boolean): T {
  const bound = <T>(statement: T): T => {
    deadline.check();
    if (cancel && statement && typeof (statement as unknown as Bounded).timeout === 'function') {
      (statement as unknown as Bounded).timeout(Math.max(1, deadline.remaining()), { cancel: true });
    }
    return statement;
  };
  return new Proxy(db, {
    apply: (target, thisArg, args: unknown[]) => bound(Reflect.apply(target, thisArg, args)),
    get: (target, prop, receiver) => {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      if (BUILDERS.has(prop)) return (...args: unknown[]) => bound(value.apply(target, args));
      if (prop === 'transaction') {
        // The handler form (the only one used here): the transaction's statements keep to the deadline too.
        return (handler: unknown, config?: Knex.TransactionConfig) =>
          typeof handler === 'function'
            ? value.call(target, (trx: Knex.Transaction) => handler(withDeadline(trx, deadline, cancel)), config)
            : value.call(target, handler, config);
      }
      return value;
    },
  });
}

/**
 * Runs `work` in a transaction whose statements may run longer than the pool's statement_timeout (coverage,
 * imports): up to `longMs`, and never past the request's deadline.
 */
export async function withLongStatements<T>(db: Knex, deadline: Deadline, longMs: number, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  const ms = Math.max(1, Math.min(longMs, deadline.remaining()));
  return db.transaction(async (trx) => {
    await trx.raw(`SET LOCAL statement_timeout = ${Math.round(ms)}`);
    return work(trx);
  });
}
