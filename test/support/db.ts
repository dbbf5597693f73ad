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
 * them itself but deprecates doing so (pg 9 will refuse). This queues them here instead, in order.
 */
function serialiseQueries(trx: Knex.Transaction): void {
  const client = trx.client as { query: (connection: unknown, query: unknown) => Promise<unknown> };
  const query = client.query.bind(client);
  let tail: Promise<unknown> = Promise.resolve();
  client.query = (connection, q) => {
    // The transaction's own end runs at once: knex checks at call time that the transaction is still open.
    const sql = typeof q === 'string' ? q : ((q as { sql?: string }).sql ?? '');
    if (/^\s*(ROLLBACK|COMMIT)\s*;?\s*$/i.test(sql)) return query(connection, q);
    const run = tail.then(() => query(connection, q));
    tail = run.catch(() => undefined);
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
