/**
 * `npm start`: the API on the embedded PostgreSQL + PostGIS (or DATABASE_URL), migrated and, on first start,
 * seeded with the demo district. SIGTERM / SIGINT drain requests in flight before exiting.
 */
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { DataDirectoryLockedError } from './db/data-lock';
import { startApp, type App } from './server';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config);
  const say = (line: string) => process.stdout.write(`${line}\n`);

  // Registered before anything starts: a SIGTERM while the database is still being prepared ends the process
  // at once (releasing the embedded data directory's lock); after that, it drains requests first.
  let app: App | undefined;
  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    if (!app) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    setTimeout(() => {
      log.error('requests still running after the grace period; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    app.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: tsx re-raises a signal that has no listener left, which would kill the process
  // mid-drain. `npm start` runs this with `exec`, so the PID a process manager signals is this process.
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  say(config.databaseUrl ? 'Connecting to PostgreSQL (DATABASE_URL)…' : `Starting embedded PostgreSQL + PostGIS in ${config.dataDir} …`);
  try {
    app = await startApp(config, log, { onProgress: say });
  } catch (err) {
    if (err instanceof DataDirectoryLockedError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  say(`\nGrid registry ready: ${app.url}  (${app.db.kind === 'embedded' ? 'embedded database' : 'PostgreSQL'})`);
  say(`Open it in a browser to explore the API; health: ${app.url.replace('/graphql', '/healthz')}\n`);
  if (config.pii.developmentKey) {
    say('Personal data is encrypted with the development key published in this repository (PII_KEY is unset): set PII_KEY before real data goes in.\n');
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
