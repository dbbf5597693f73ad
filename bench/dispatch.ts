/**
 * `npm run bench:dispatch`: live dispatch across two API instances on one PostgreSQL. N grid workers (the primary
 * workers of N grids, by the same routing the API uses) subscribe to `myAssignments` over graphql-ws, spread over
 * both instances; incidents are reported over HTTP at a steady rate, each at a point in one worker's grid and sent
 * to the OTHER instance, so every delivery crosses instances through LISTEN/NOTIFY. Prints the delivery latency
 * (outbox row written in the report's transaction → message received by the client: a little more than
 * commit → received) p50 / p99 / max, how many reports were refused and how many assignments were lost (committed, never
 * received after the run settled). Target: p99 ≤ 1 s, 0 lost.
 *
 *   DATABASE_URL=postgres://…/grid_registry_bench DISPATCH_WORKERS=5000 DISPATCH_INCIDENTS=2000 DISPATCH_RATE=100 npm run bench:dispatch
 *
 * It writes incidents (category OTHER, titles starting "bench:dispatch") and nothing else; the servers apply any
 * pending migrations when they start.
 */
import os from 'node:os';
import knexFactory from 'knex';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { fromGlobalId, toGlobalId } from '../src/graphql/relay';
import { signToken } from '../src/modules/auth/jwt';
import { loadConfig } from '../src/config';
import { responsibleWorkers } from '../src/modules/incident/routing';
import { postgresCpuTracker, processCpuSeconds } from './lib/cpu';
import { BENCH_JWT_SECRET as SECRET, BENCH_PII_KEY } from './lib/in-process';
import { startServer, type RunningServer } from './lib/server';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const WORKERS = env('DISPATCH_WORKERS', 5000);
const INCIDENTS = env('DISPATCH_INCIDENTS', 2000);
const RATE = env('DISPATCH_RATE', 100);
/** After the last report returned, the run waits until every assignment arrived or none arrived for this long. */
const SETTLE_MS = 15_000;
const CONNECT_BATCH = 200;

interface Target {
  account: string;
  gridCode: string;
  lng: number;
  lat: number;
}

/** N grids with their primary worker (who a GRID_WORKER_APP report there is assigned to), one grid per worker. */
async function targets(db: knexFactory.Knex, n: number): Promise<Target[]> {
  const { rows } = await db.raw(
    `/* benchDispatchGrids */ SELECT g.id, g.code, ST_X(p) AS lng, ST_Y(p) AS lat
     FROM grid g CROSS JOIN LATERAL ST_PointOnSurface(g.boundary) p
     WHERE g.level = 'GRID' AND g.valid_to IS NULL ORDER BY g.code LIMIT ?`,
    [n * 3],
  );
  const found: Target[] = [];
  const taken = new Set<string>();
  for (const g of rows as { id: string; code: string; lng: number; lat: number }[]) {
    if (found.length >= n) break;
    const [primary] = await responsibleWorkers(db, g.id);
    if (!primary || taken.has(primary.worker_id)) continue;
    const w = await db('grid_worker').where({ id: primary.worker_id }).first('account');
    if (!w?.account) continue;
    taken.add(primary.worker_id);
    found.push({ account: w.account, gridCode: g.code, lng: g.lng, lat: g.lat });
  }
  return found;
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('set DATABASE_URL to the PostgreSQL database to run against');
  const jwt = loadConfig({ JWT_SECRET: SECRET, LOG_LEVEL: 'silent' }).jwt;
  const serverEnv = { DATABASE_URL: databaseUrl, NODE_ENV: 'production', JWT_SECRET: SECRET, PII_KEY: BENCH_PII_KEY, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0' };
  const servers: RunningServer[] = [await startServer(serverEnv), await startServer(serverEnv)];
  const db = knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 4 } });
  const clients: Client[] = [];
  try {
    const picked = await targets(db, WORKERS);
    console.log(`${picked.length} workers (asked ${WORKERS}) subscribing over graphql-ws to 2 instances …`);
    const sent = new Map<string, number>();
    const failed: string[] = [];
    const latencies: number[] = [];
    const received = new Set<string>();
    /** Cursors of assignment notices that arrived without their incident (it could not be read: an error instead). */
    const bare: string[] = [];
    let lastArrival = Date.now();
    // In batches: thousands of sockets opened at once overflow the servers' accept queues (connections reset).
    const subscribeWorker = async (t: Target, i: number): Promise<void> => {
      const client = createClient({
        url: servers[i % 2].url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${await signToken(jwt, { subject: t.account, role: 'GRID_WORKER', grid: t.gridCode })}` },
        lazy: false,
        retryAttempts: 5,
      });
      clients.push(client);
      await new Promise<void>((resolve, reject) => {
        client.subscribe<{ myAssignments: { cursor: string; kind: string; at: string; incident: { id: string } | null } }>(
          { query: 'subscription { myAssignments { cursor kind at incident { id } } }' },
          {
            next: ({ data }) => {
              const n = data?.myAssignments;
              if (n?.kind !== 'ASSIGN') return;
              lastArrival = Date.now();
              if (!n.incident) return void bare.push(n.cursor);
              if (received.has(n.incident.id)) return;
              received.add(n.incident.id);
              latencies.push(Date.now() - Date.parse(n.at));
            },
            error: reject,
            complete: () => undefined,
          },
        );
        client.on('connected', () => resolve());
      });
    };
    for (let i = 0; i < picked.length; i += CONNECT_BATCH) await Promise.all(picked.slice(i, i + CONNECT_BATCH).map((t, j) => subscribeWorker(t, i + j)));
    await new Promise((r) => setTimeout(r, 500)); // subscribe messages reach the servers
    console.log(`reporting ${INCIDENTS} incidents at ${RATE}/s, each to the instance its worker is not connected to …`);
    const cpu = cpuMeter(db, servers);
    const started = Date.now();
    const reports: Promise<void>[] = [];
    for (let k = 0; k < INCIDENTS; k++) {
      const due = started + (k * 1000) / RATE;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const i = k % picked.length;
      const t = picked[i];
      // A report the server refuses (a pool exhausted on a saturated machine) is counted, not thrown: the run goes on.
      reports.push(
        report(servers[(i + 1) % 2].url, await signToken(jwt, { subject: `bench-reporter-${t.gridCode}`, role: 'GRID_WORKER', grid: t.gridCode }), t, k).then(
          (id) => void sent.set(id, k),
          (err: unknown) => void failed.push(err instanceof Error ? err.message : String(err)),
        ),
      );
    }
    await Promise.all(reports);
    lastArrival = Math.max(lastArrival, Date.now());
    while (Date.now() - lastArrival < SETTLE_MS && [...sent.keys()].some((id) => !received.has(id))) await new Promise((r) => setTimeout(r, 100));
    const used = await cpu.stop();
    const settled = ((Date.now() - started) / 1000).toFixed(0);
    const { rows: bareRows } = await db.raw(`SELECT DISTINCT incident_id::text AS id FROM incident_outbox WHERE id = ANY(?::bigint[])`, [bare]);
    const withoutIncident = new Set((bareRows as { id: string }[]).map((r) => toGlobalId('Incident', r.id)).filter((id) => sent.has(id) && !received.has(id)));
    const missing = [...sent.keys()].filter((id) => !received.has(id) && !withoutIncident.has(id));
    // Lost: the report committed (its assignment is in the outbox) and nothing about it reached the worker's socket.
    const { rows: committed } = await db.raw(`SELECT count(DISTINCT incident_id)::int AS n FROM incident_outbox WHERE kind = 'ASSIGN' AND incident_id = ANY(?::uuid[])`, [missing.map((id) => fromGlobalId(id)?.id ?? id)]);
    const lost = missing.length;
    // A report answered with an error may still have committed (the answer failed after the commit): its assignment arrives all the same.
    const deliveredRefused = [...received].filter((id) => !sent.has(id)).length;
    const sorted = latencies.sort((x, y) => x - y);
    console.log(
      `delivered ${received.size - deliveredRefused}/${sent.size} across instances (settled ${settled} s after the first report); latency p50 ${percentile(sorted, 50)} ms, ` +
        `p99 ${percentile(sorted, 99)} ms, max ${sorted[sorted.length - 1]} ms; lost ${lost} (${committed[0].n} of them with a committed assignment); ` +
        `${withoutIncident.size} arrived with an error instead of the incident`,
    );
    console.log(
      `CPU a report (reported, routed, delivered): API instances ${((used.api * 1000) / sent.size).toFixed(1)} ms, ` +
        `PostgreSQL ${((used.postgres * 1000) / sent.size).toFixed(1)} ms (the backends of this database); ` +
        `${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} at the end`,
    );
    if (failed.length) console.log(`${failed.length} reports refused by the server (${deliveredRefused} of them committed nonetheless: their assignment arrived), e.g. ${failed[0].slice(0, 300)}`);
    console.log(`target p99 ≤ 1000 ms and 0 lost: ${percentile(sorted, 99) <= 1000 && lost === 0 && withoutIncident.size === 0 && failed.length === 0 ? 'met' : 'NOT met'}`);
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    await db.destroy();
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/**
 * The CPU the two API processes and this database's PostgreSQL backends spend from now until `stop()`: on a machine
 * where the instances, PostgreSQL and this load generator share the cores, CPU a report compares runs that wall
 * times alone cannot.
 */
function cpuMeter(db: knexFactory.Knex, servers: readonly RunningServer[]) {
  const api0 = servers.map((s) => processCpuSeconds(s.pid));
  const postgres = postgresCpuTracker();
  const backends = new Set<string>();
  const sample = () => {
    postgres.sample();
    db.raw(`SELECT pid::text FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
      .then(({ rows }: { rows: { pid: string }[] }) => rows.forEach((r) => backends.add(r.pid)))
      .catch(() => undefined);
  };
  sample();
  const timer = setInterval(sample, 250);
  return {
    async stop(): Promise<{ api: number; postgres: number }> {
      clearInterval(timer);
      const api = servers.reduce((sum, s, i) => sum + processCpuSeconds(s.pid) - api0[i], 0);
      return { api, postgres: postgres.total(backends) };
    },
  };
}

async function report(url: string, bearer: string, t: Target, k: number): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({
      query: 'mutation($input: ReportIncidentInput!) { reportIncident(input: $input) { __typename ... on ReportIncidentSuccess { incident { id } } } }',
      variables: { input: { category: 'OTHER', title: `bench:dispatch ${k}`, channel: 'GRID_WORKER_APP', location: { lng: t.lng, lat: t.lat } } },
    }),
  });
  const body = (await res.json()) as { data?: { reportIncident?: { __typename: string; incident?: { id: string } } }; errors?: unknown };
  const id = body.data?.reportIncident?.incident?.id;
  if (!id) throw new Error(`report ${k} failed: ${JSON.stringify(body).slice(0, 300)}`);
  return id;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
