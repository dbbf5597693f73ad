import { rateLimited } from '../errors';
import { msg } from '../i18n';

/**
 * A cap on the expensive work running at once (coverage, `intersects` filters, exports, imports): each holds a
 * database connection for a long time, and a handful of them must not take the pool from everyone else. Past
 * the cap, in all or for one client, the request is refused at once with 429 and Retry-After rather than
 * queued behind the others; only work already under way (an export's next page) waits for a slot.
 */
/** `history`: answers as of a past instant; `search`: lists no index narrows (a wide `near`, a bare text search). */
export type ExpensiveKind = 'coverage' | 'intersects' | 'export' | 'import' | 'history' | 'search';

export class ConcurrencyGate {
  private running = 0;
  private readonly perClient = new Map<string, number>();

  constructor(
    readonly maxTotal: number,
    readonly maxPerClient: number,
  ) {}

  /**
   * A request's share of the gate: whatever expensive work one request asks for (four coverages on one page,
   * tiling and overlaps of the same grid) runs one at a time under a single slot, so a request is never
   * refused by its own earlier work, and never holds more than one connection for it.
   */
  session(client: string): <T>(kind: ExpensiveKind, work: () => Promise<T>) => Promise<T> {
    let queue: Promise<unknown> = Promise.resolve();
    let pending = 0;
    let release: (() => void) | null = null;
    return <T>(kind: ExpensiveKind, work: () => Promise<T>): Promise<T> => {
      if (pending === 0) release = this.acquire(kind, client); // throws 429 when the gate is full
      pending += 1;
      const run = queue.then(work, work);
      queue = run.then(
        () => undefined,
        () => undefined,
      );
      return run.finally(() => {
        pending -= 1;
        if (pending === 0) {
          release?.();
          release = null;
        }
      });
    };
  }

  async run<T>(kind: ExpensiveKind, client: string, work: () => Promise<T>): Promise<T> {
    const release = this.acquire(kind, client);
    try {
      return await work();
    } finally {
      release();
    }
  }

  /**
   * Like `run`, but waits up to `waitMs` for a slot instead of refusing at once: for work already promised
   * to a client (the next page of an export whose first page went out).
   */
  async runWhenFree<T>(kind: ExpensiveKind, client: string, work: () => Promise<T>, waitMs: number): Promise<T> {
    const until = Date.now() + waitMs;
    for (;;) {
      try {
        return await this.run(kind, client, work);
      } catch (err) {
        const left = until - Date.now();
        if (!isRefusal(err) || left <= 0) throw err;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, left);
          function done() {
            clearTimeout(timer);
            resolve();
          }
          this.waiters.push(done);
        });
      }
    }
  }

  private readonly waiters: (() => void)[] = [];

  private acquire(kind: ExpensiveKind, client: string): () => void {
    const mine = this.perClient.get(client) ?? 0;
    if (mine >= this.maxPerClient) {
      throw rateLimited(msg('limit.expensiveMine', { mine, kind }), 2);
    }
    if (this.running >= this.maxTotal) {
      throw rateLimited(msg('limit.expensiveAll', { running: this.running, kind }), 2);
    }
    this.running += 1;
    this.perClient.set(client, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running -= 1;
      const left = (this.perClient.get(client) ?? 1) - 1;
      if (left > 0) this.perClient.set(client, left);
      else this.perClient.delete(client);
      // Whoever waits tries again (one of them gets the slot; the others wait on).
      for (const wake of this.waiters.splice(0)) wake();
    };
  }
}

function isRefusal(err: unknown): boolean {
  return err instanceof Error && (err as { extensions?: { code?: unknown } }).extensions?.code === 'RATE_LIMITED';
}
