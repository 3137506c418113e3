import {
  describeError,
  isRetryableError,
  networkErrorCode,
  newIdempotencyKey,
  retryAfterMs,
} from '@livetrail/client';
import { sleep } from './sleep.ts';

/** Options of `callWithRetry`. */
export interface RetryOptions {
  /** Stops retrying (rejects with the signal's reason) once aborted. */
  signal: AbortSignal;
  /** Where the one line per failed attempt goes. */
  log: (line: string) => void;
  /** Longest wait between attempts. @default 30_000 */
  maxDelayMs?: number;
}

/**
 * Whether a failure is worth another try (the server never answered, answered 5xx, or asked us to
 * slow down with 429), and for 429 how long it asked us to wait.
 */
function transient(err: unknown): { retry: boolean; waitMs: number } {
  const wait = retryAfterMs(err);
  if (wait !== undefined) return { retry: true, waitMs: wait };
  return { retry: isRetryableError(err), waitMs: 0 };
}

/**
 * Runs `call` until it succeeds, waiting with full-jitter backoff (1 s up to `maxDelayMs`) while the
 * server is down or overloaded, and at least as long as a 429's `retryAfterMs`. Caller mistakes
 * (other 4xx) are rethrown at once. Every attempt gets the same idempotency key: pass it to the
 * write, and a write whose response was lost is stored once however often it is retried.
 */
export async function callWithRetry<T>(
  call: (idempotencyKey: string) => Promise<T>,
  opts: RetryOptions,
): Promise<T> {
  const maxDelayMs = opts.maxDelayMs ?? 30_000;
  const key = newIdempotencyKey();
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(key);
    } catch (err) {
      const verdict = transient(err);
      if (opts.signal.aborted || !verdict.retry) throw err;
      const cap = Math.min(maxDelayMs, 1000 * 2 ** attempt);
      const delay = Math.max(verdict.waitMs, 1000 + Math.random() * Math.max(0, cap - 1000));
      // `ECONNREFUSED` says more than "could not reach the server".
      const reason = networkErrorCode(err) ?? describeError(err);
      const what = verdict.waitMs > 0 ? 'rate limited' : 'server unavailable';
      opts.log(`${what} (${reason}); retrying in ${(delay / 1000).toFixed(1)} s`);
      await sleep(delay, opts.signal);
    }
  }
}
