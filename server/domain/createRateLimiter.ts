/** Options of a token-bucket rate limiter. */
export interface RateLimiterOptions {
  /** Units refilled per second. */
  ratePerSec: number;
  /** Bucket size: what may be spent at once after a quiet spell. */
  burst: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /** Buckets kept at most; full (idle) ones are dropped first. @default 100000 */
  maxKeys?: number;
}

/** The outcome of `take`: allowed, or how long until it would be. */
export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * One token bucket per key (a token's label, or a client IP). `take(key, n)` spends n units if the
 * bucket holds them; nothing is spent on refusal, so a refused caller that waits `retryAfterMs`
 * gets through. A request asking for more than the burst is charged the whole burst.
 */
export function createRateLimiter(opts: RateLimiterOptions) {
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 100_000;
  const buckets = new Map<string, { units: number; at: number }>();

  function level(key: string, t: number): { units: number; at: number } {
    const b = buckets.get(key);
    if (!b) return { units: opts.burst, at: t };
    return { units: Math.min(opts.burst, b.units + ((t - b.at) / 1000) * opts.ratePerSec), at: t };
  }

  function evictFull(t: number): void {
    for (const [k] of buckets) {
      if (buckets.size < maxKeys) return;
      if (level(k, t).units >= opts.burst) buckets.delete(k);
    }
    // Still full of busy keys: forget the oldest rather than grow without bound.
    if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!);
  }

  return {
    /** Units `key` could spend right now, without spending any. */
    available(key: string): number {
      return level(key, now()).units;
    },
    take(key: string, n: number): TakeResult {
      const t = now();
      const cost = Math.min(n, opts.burst);
      const b = level(key, t);
      // The tolerance absorbs float rounding, so waiting exactly `retryAfterMs` always suffices.
      if (b.units + 1e-9 < cost) {
        return { ok: false, retryAfterMs: Math.ceil(((cost - b.units) / opts.ratePerSec) * 1000 - 1e-6) };
      }
      if (!buckets.has(key) && buckets.size >= maxKeys) evictFull(t);
      buckets.set(key, { units: b.units - cost, at: t });
      return { ok: true };
    },
  };
}

/** A rate limiter as made by `createRateLimiter`. */
export type RateLimiter = ReturnType<typeof createRateLimiter>;
