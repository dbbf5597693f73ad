/**
 * `npm start`: the API on the embedded PostgreSQL + PostGIS (or DATABASE_URL), migrated and, on first start,
 * seeded with the demo district. SIGTERM / SIGINT drain requests in flight before exiting.
 */
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { startApp } from './server';

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
  say(config.databaseUrl ? 'Connecting to PostgreSQL (DATABASE_URL)…' : `Starting embedded PostgreSQL + PostGIS in ${config.dataDir} …`);
  const app = await startApp(config, log, { onProgress: say });
  say(`\nGrid registry ready: ${app.url}  (${app.db.kind === 'embedded' ? 'embedded database' : 'PostgreSQL'})`);
  say(`Open it in a browser to explore the API; health: ${app.url.replace('/graphql', '/healthz')}\n`);

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
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
  // mid-drain.
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
