import type { Role } from '../../src/generated/graphql';
import { signToken } from '../../src/modules/auth/jwt';
import { startApp, type App } from '../../src/server';
import { closeTestDb } from './db';
import { testDatabaseUrl } from './env';
import { silentLog, testConfig } from './graphql';

/** The API over HTTP for the map tests (/tiles, /ogc): a server on the test database, and tokens for it. */

const SECRET = 'm'.repeat(32);

export async function startMapServer(): Promise<{ app: App; base: string }> {
  const config = testConfig({ DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', JWT_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: '0' });
  const app = await startApp(config, silentLog, { onProgress: () => {} });
  return { app, base: app.url.replace(/\/graphql$/, '') };
}

/**
 * A map server for the tests of a file that needs nothing else: started before them, stopped after (with the test
 * database's pool); `base` is set once it runs.
 */
export function useMapServer(): { base: string } {
  const server = { base: '' };
  let app: App | undefined;
  beforeAll(async () => {
    ({ app, base: server.base } = await startMapServer());
  });
  afterAll(async () => {
    await app?.stop();
    await closeTestDb();
  });
  return server;
}

export function tokenFor(role: Role, grid?: string): Promise<string> {
  return signToken(testConfig({ JWT_SECRET: SECRET }).jwt, { subject: `map-${role.toLowerCase()}`, role, ...(grid ? { grid } : {}) });
}

export function authorization(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

export { decodeLayer, personalLooking, positions, tileAt, type DecodedFeature } from './mvt';
