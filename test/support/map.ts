import type { Role } from '../../src/generated/graphql';
import { signToken } from '../../src/modules/auth/jwt';
import { startApp, type App } from '../../src/server';
import { testDatabaseUrl } from './env';
import { silentLog, testConfig } from './graphql';

/** The API over HTTP for the map tests (/tiles, /ogc): a server on the test database, and tokens for it. */

const SECRET = 'm'.repeat(32);

export async function startMapServer(): Promise<{ app: App; base: string }> {
  const config = testConfig({ DATABASE_URL: testDatabaseUrl(), PORT: '0', HOST: '127.0.0.1', JWT_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: '0' });
  const app = await startApp(config, silentLog, { onProgress: () => {} });
  return { app, base: app.url.replace(/\/graphql$/, '') };
}

export function tokenFor(role: Role, grid?: string): Promise<string> {
  return signToken(testConfig({ JWT_SECRET: SECRET }).jwt, { subject: `map-${role.toLowerCase()}`, role, ...(grid ? { grid } : {}) });
}

export function authorization(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

export { decodeLayer, personalLooking, positions, tileAt, type DecodedFeature } from './mvt';
