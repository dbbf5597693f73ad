/**
 * The test database. Tests drop and rebuild its schema, so a URL whose database name does not say "test"
 * is refused: pointing DATABASE_URL at a real database by mistake must not wipe it.
 */
export function testDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      'DATABASE_URL is not set. The tests need PostgreSQL with PostGIS, e.g.\n' +
        '  DATABASE_URL=postgres://postgres@127.0.0.1:5432/grid_registry_test npm test\n' +
        '(.ci/run creates that database; see README "Running the tests").',
    );
  }
  const name = new URL(url).pathname.replace(/^\//, '');
  if (!/test/i.test(name)) {
    throw new Error(`DATABASE_URL names database "${name}"; the tests rebuild it, so its name must contain "test"`);
  }
  return url;
}
