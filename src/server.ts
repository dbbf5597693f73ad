import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import type { Config } from './config';
import type { Context } from './context';
import { openDatabase, type Database } from './db/knex';
import { migrateLatest } from './db/migrate';
import { createApolloServer } from './graphql/apollo';
import { createRequestHandler } from './http';
import { ConcurrencyGate } from './limits/concurrency';
import { RateLimiter } from './limits/rate-limit';
import type { Logger } from './logger';
import { createAuthenticator } from './modules/auth/authenticate';
import { LiveDispatch } from './modules/incident/live';
import { logNotifier, type Notifier } from './modules/incident/notifier';
import { housekeepingOptions } from './modules/incident/housekeeping';
import { SlaScheduler, type SchedulerOptions } from './modules/incident/scheduler';
import { attachSubscriptions } from './graphql/ws';
import { cipherFor } from './modules/person/sealing';
import { seedDemoDistrict } from '../seeds/demo';

export interface App {
  /** Where the GraphQL endpoint listens, e.g. http://localhost:4000/graphql. */
  url: string;
  db: Database;
  apollo: ApolloServer<Context>;
  /** Live incident notices on this instance (subscriptions), and the SLA scheduler's loop. */
  live: LiveDispatch;
  scheduler: SlaScheduler;
  /** Stops taking requests, lets the ones in flight finish, then closes the database. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Progress lines while preparing the database (migrations, first-start seeding). */
  onProgress?: (line: string) => void;
  /** Where assignments no open app took go (SMS, push); default: logged (src/modules/incident/notifier.ts). */
  notifier?: Notifier;
  /** The SLA scheduler's clock and pace (tests). */
  scheduler?: SchedulerOptions;
}

/**
 * Builds and starts the service: opens the database (server or embedded), migrates it, seeds the demo
 * district on the first start of an empty embedded database, and listens. The only place a server starts.
 */
export async function startApp(config: Config, log: Logger, options: StartOptions = {}): Promise<App> {
  const progress = options.onProgress ?? ((line: string) => log.info(line));
  const db = await openDatabase(config, log);
  try {
    const applied = await migrateLatest(db.knex);
    if (applied.length) progress(`applied ${applied.length} migration(s): ${applied.join(', ')}`);
    if (db.kind === 'embedded' && config.seedDemo === 'auto') {
      const result = await seedDemoDistrict(db.knex, cipherFor(config), progress);
      if (result !== 'already-seeded') {
        progress(`demo district seeded: ${result.grids} grids, ${result.workers} workers, ${result.buildings} buildings, ${result.houses} houses, ${result.keyPlaces} key places, ${result.facilities} facilities, ${result.organizations} organisations, ${result.population.people} residents in ${result.population.households} households in ${(result.ms / 1000).toFixed(1)} s`);
      }
    }
  } catch (err) {
    await db.close();
    throw err;
  }

  const apollo = createApolloServer(config, log);
  try {
    await apollo.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  const authenticator = createAuthenticator(config.jwt, db.knex, log);
  const limiter = new RateLimiter(config.limits.ratePerMinute, config.limits.rateBurst);
  const gate = new ConcurrencyGate(config.limits.expensiveMaxConcurrent, config.limits.expensiveMaxPerClient);
  const handler = createRequestHandler({ apollo, log, config, database: db, authenticator, limiter, gate });
  const server = http.createServer(handler);
  let live: LiveDispatch;
  try {
    live = await new LiveDispatch(db.knex, log).start(db, config.databaseUrl ?? null);
  } catch (err) {
    await apollo.stop();
    await db.close();
    throw err;
  }
  const subscriptions = attachSubscriptions({ server, database: db, config, log, authenticator, limiter, gate, live });
  const scheduler = new SlaScheduler(db.knex, log, options.notifier ?? logNotifier(log), { housekeeping: housekeepingOptions(config), ...options.scheduler }).start();
  server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout (60 s)
  // Slow clients must not hold sockets open forever: the whole request (headers and body) within this.
  server.requestTimeout = Math.max(config.limits.requestTimeoutMs * 2, 60_000);
  server.headersTimeout = 30_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, resolve);
    });
  } catch (err) {
    // The port is taken, say: let go of the database (and the embedded data directory) before saying so.
    await subscriptions.stop();
    await live.stop();
    await scheduler.stop();
    await apollo.stop();
    await db.close();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host}:${port}/graphql`;
  db.lock?.setUrl(url);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // No new connections; keep-alive connections are closed as soon as their request in flight is
      // answered (an idle socket would otherwise hold close() open until its keep-alive timeout).
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Subscriptions end (clients reconnect elsewhere and replay `since`), the scheduler finishes its tick.
      await subscriptions.stop();
      await scheduler.stop();
      await live.stop();
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      try {
        await closed;
      } finally {
        clearInterval(sweep);
      }
      await apollo.stop();
      await db.close();
    })());

  return { url, db, apollo, live, scheduler, stop };
}
