import knexFactory from 'knex';

/** Creates the benchmark database when it does not exist yet (a new machine needs only PostgreSQL with PostGIS). */
export async function ensureDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const admin = knexFactory({ client: 'pg', connection: maintenance.toString(), pool: { min: 0, max: 1 } });
  try {
    const { rows } = await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [name]);
    if (rows.length === 0) {
      await admin.raw('CREATE DATABASE ??', [name]);
      console.log(`created database ${name}`);
    }
  } finally {
    await admin.destroy();
  }
}
