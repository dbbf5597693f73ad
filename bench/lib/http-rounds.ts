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

/** The medians over rounds of one operation. */
export interface RoundMedians {
  rps: number;
  p50: number;
  p99: number;
}

/**
 * Two operations against one server in alternating rounds (a warm-up of each first), each round printed; the
 * medians over rounds of each. Alternating spreads the machine's noise over both alike, so their ratio is fair.
 */
export async function alternatingRounds(
  server: { url: string; pid: number },
  operations: readonly [{ name: string; bodies: readonly string[] }, { name: string; bodies: readonly string[] }],
  o: { connections: number; duration: number; rounds: number; headers?: Record<string, string> },
): Promise<[RoundMedians, RoundMedians]> {
  const options = { connections: o.connections, duration: o.duration, headers: o.headers };
  console.log(`  ${o.connections} connections, ${o.duration} s per round, ${o.rounds} rounds each, alternating, one server`);
  for (const op of operations) await round('warm-up', server, rotatingRequest(op.bodies), { ...options, duration: 3 });
  const results: Round[] = [];
  for (let i = 0; i < o.rounds; i++) {
    for (const op of operations) {
      const r = await round(op.name, server, rotatingRequest(op.bodies), options);
      results.push(r);
      console.log(`  round ${i + 1} ${describeRound(r)}`);
    }
  }
  const medians = (name: string): RoundMedians => {
    const of = (key: 'rps' | 'p50' | 'p99') => {
      const xs = results.filter((r) => r.name === name).map((r) => r[key]).sort((a, b) => a - b);
      return xs.length % 2 ? xs[(xs.length - 1) / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2;
    };
    return { rps: of('rps'), p50: of('p50'), p99: of('p99') };
  };
  const out: [RoundMedians, RoundMedians] = [medians(operations[0].name), medians(operations[1].name)];
  console.log('  medians of rounds');
  operations.forEach((op, i) => {
    const m = out[i];
    console.log(`    ${op.name.padEnd(22)} ${m.rps.toFixed(0).padStart(7)} req/s  p50 ${m.p50.toFixed(2)} ms  p99 ${m.p99.toFixed(2)} ms`);
  });
  return out;
}
