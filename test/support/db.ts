import knexFactory, { type Knex } from 'knex';
import { testDatabaseUrl } from './env';

let shared: Knex | undefined;

/** One pool per test file; `afterAll(closeTestDb)` releases it. */
export function testDb(): Knex {
  shared ??= knexFactory({ client: 'pg', connection: testDatabaseUrl(), pool: { min: 0, max: 4 } });
  return shared;
}

export async function closeTestDb(): Promise<void> {
  await shared?.destroy();
  shared = undefined;
}

class Rollback extends Error {}

/**
 * GraphQL resolves sibling fields at once, so loaders send queries concurrently. On the server they go to
 * different pool connections; in a test they share the one connection of the transaction, where pg queues
 * them itself but deprecates doing so (pg 9 will refuse). This queues them here instead, in order. A query
 * sent while none is in flight (the transaction's own ROLLBACK among them) is passed on at once, because
 * knex checks at call time that the transaction is still open.
 */
function serialiseQueries(trx: Knex.Transaction): void {
  const client = trx.client as { query: (connection: unknown, query: unknown) => Promise<unknown> };
  const query = client.query.bind(client);
  let inFlight = 0;
  let tail: Promise<unknown> = Promise.resolve();
  client.query = (connection, q) => {
    const run = inFlight === 0 ? query(connection, q) : tail.then(() => query(connection, q));
    inFlight += 1;
    tail = run.catch(() => undefined).finally(() => (inFlight -= 1));
    return run;
  };
}

/**
 * Runs `fn` in a transaction that is always rolled back, so a test's fixtures and writes are invisible to
 * every other test (which may run at the same time in another worker) and leave nothing behind.
 */
export async function withRollback<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  let result: T | undefined;
  try {
    await testDb().transaction(async (trx) => {
      serialiseQueries(trx);
      result = await fn(trx);
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return result as T;
}

/**
 * An instant strictly after every write so far and before every later one, at the millisecond precision an
 * RFC 3339 `asOf` carries (the database keeps microseconds: an instant read and passed on as a JS Date could
 * otherwise fall a fraction of a millisecond before a write made just before it).
 */
export async function instantBetweenWrites(db: Knex): Promise<Date> {
  await db.raw('SELECT pg_sleep(0.002)');
  const t: Date = (await db.raw('SELECT clock_timestamp() AS t')).rows[0].t;
  await db.raw('SELECT pg_sleep(0.002)');
  return t;
}
