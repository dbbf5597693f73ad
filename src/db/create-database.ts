import knexFactory from 'knex';

/**
 * Creates the database a PostgreSQL URL names when it does not exist yet, through the server's `postgres`
 * maintenance database: a new machine needs only a PostgreSQL server with PostGIS installed. Returns whether it
 * created it.
 */
export async function createDatabaseIfMissing(url: string): Promise<boolean> {
  const name = new URL(url).pathname.slice(1);
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const admin = knexFactory({ client: 'pg', connection: maintenance.toString(), pool: { min: 0, max: 1 } });
  try {
    const { rows } = await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [name]);
    if (rows.length > 0) return false;
    await admin.raw('CREATE DATABASE ??', [name]);
    return true;
  } catch (err) {
    throw new Error(`cannot reach PostgreSQL at ${maintenance.host} to create the database ${name}: ${(err as Error).message}`);
  } finally {
    await admin.destroy();
  }
}
