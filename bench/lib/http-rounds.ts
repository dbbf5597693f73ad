import autocannon from 'autocannon';
import { postgresCpuSince, postgresCpuSnapshot, processCpuSeconds } from './cpu';

/** One autocannon round against a running server. */
export interface Round {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** CPU milliseconds per request spent in the API process and in PostgreSQL. */
  apiCpuMs: number;
  pgCpuMs: number;
}

/** POST /graphql with a body per request, taken in turn from `bodies`. */
export function rotatingRequest(bodies: readonly string[]): object {
  let next = 0;
  return { method: 'POST', path: '/graphql', setupRequest: (req: object) => ({ ...req, body: bodies[next++ % bodies.length] }) };
}

export async function round(
  name: string,
  server: { url: string; pid: number },
  request: object,
  options: { connections: number; duration: number; headers?: Record<string, string> },
): Promise<Round> {
  const api0 = processCpuSeconds(server.pid);
  const pg0 = postgresCpuSnapshot();
  const result = await autocannon({
    url: server.url,
    connections: options.connections,
    duration: options.duration,
    headers: { 'content-type': 'application/json', ...options.headers },
    requests: [request],
  });
  const total = Math.max(result.requests.total, 1);
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    apiCpuMs: ((processCpuSeconds(server.pid) - api0) * 1000) / total,
    pgCpuMs: (postgresCpuSince(pg0) * 1000) / total,
  };
}

export function describeRound(r: Round, label = r.name): string {
  return (
    `${label.padEnd(22)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms` +
    `  cpu/request: api ${r.apiCpuMs.toFixed(3)} ms, postgres ${r.pgCpuMs.toFixed(3)} ms` +
    (r.errors || r.non2xx ? `  errors ${r.errors} non-2xx ${r.non2xx}` : '')
  );
}
