import { TRPCClientError } from '@trpc/client';
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
 * Whether the server never answered, answered 5xx, or asked us to slow down (429): worth another
 * try, unlike a 4xx verdict. For 429 also how long the server asked us to wait.
 */
function transient(err: unknown): { retry: boolean; waitMs: number } {
  if (!(err instanceof TRPCClientError)) return { retry: true, waitMs: 0 };
  const data = err.data as { httpStatus?: number; retryAfterMs?: number } | null | undefined;
  const status = data?.httpStatus;
  if (status === 429) return { retry: true, waitMs: data?.retryAfterMs ?? 1000 };
  return { retry: status === undefined || status >= 500, waitMs: 0 };
}

/** The most specific reason in an error's cause chain: `ECONNREFUSED` says more than "fetch failed". */
function describe(err: unknown): string {
  let reason = String((err as Error)?.message ?? err).split('\n')[0] ?? '';
  for (let e = err as { cause?: unknown; code?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) reason = e.code;
  }
  return reason;
}

/**
 * Runs `call` until it succeeds, waiting with full-jitter backoff (1 s up to `maxDelayMs`) while the
 * server is down or overloaded, and at least as long as a 429's `retryAfterMs`. Caller mistakes
 * (other 4xx) are rethrown at once. A mutation whose response was lost may be applied twice; for a
 * demo that is an acceptable price for never giving up.
 */
export async function callWithRetry<T>(call: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const maxDelayMs = opts.maxDelayMs ?? 30_000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const verdict = transient(err);
      if (opts.signal.aborted || !verdict.retry) throw err;
      const cap = Math.min(maxDelayMs, 1000 * 2 ** attempt);
      const delay = Math.max(verdict.waitMs, 1000 + Math.random() * Math.max(0, cap - 1000));
      const reason = describe(err);
      const what = verdict.waitMs > 0 ? 'rate limited' : 'server unavailable';
      opts.log(`${what} (${reason}); retrying in ${(delay / 1000).toFixed(1)} s`);
      await sleep(delay, opts.signal);
    }
  }
}
