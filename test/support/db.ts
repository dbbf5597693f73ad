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
 * Runs `fn` in a transaction that is always rolled back, so a test's fixtures and writes are invisible to
 * every other test (which may run at the same time in another worker) and leave nothing behind.
 */
export async function withRollback<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  let result: T | undefined;
  try {
    await testDb().transaction(async (trx) => {
      result = await fn(trx);
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return result as T;
}
