/**
 * Requests per client: a token bucket per key (the token's subject, the API key, or the client address),
 * refilled at `perMinute` and holding at most `burst`, so a client may send a burst and then its sustained
 * rate. Buckets of clients gone quiet are dropped, and the table is bounded, so a flood of addresses cannot
 * grow memory without end. `perMinute` 0 turns the limit off.
 */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

const MAX_CLIENTS = 100_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    readonly perMinute: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  take(key: string): RateDecision {
    if (this.perMinute <= 0) return { ok: true };
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.perMs);
      bucket.at = now;
      // Most recently used last, so the oldest are the first to go when the table is full.
      this.buckets.delete(key);
    } else {
      bucket = { tokens: this.burst, at: now };
      if (this.buckets.size >= MAX_CLIENTS) this.evict(now);
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }

  /** Drops full buckets (clients idle long enough to have refilled), else the least recently used tenth. */
  private evict(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.at) * this.perMs >= this.burst) this.buckets.delete(key);
    }
    if (this.buckets.size < MAX_CLIENTS) return;
    let n = Math.ceil(MAX_CLIENTS / 10);
    for (const key of this.buckets.keys()) {
      if (n-- <= 0) break;
      this.buckets.delete(key);
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}
