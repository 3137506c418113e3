import { TRPCClientError, type TRPCLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { retryOperation } from './retryOperation.ts';

/** Longest wait one 429 can impose on a call before it is given up. */
const MAX_WAIT_MS = 30_000;

/** How long a 429 asked us to wait (1 s when it did not say), or undefined for any other error. */
export function retryAfterMs(err: unknown): number | undefined {
  if (!(err instanceof TRPCClientError)) return undefined;
  const data = err.data as { httpStatus?: number; retryAfterMs?: number } | null | undefined;
  if (data?.httpStatus !== 429) return undefined;
  return data.retryAfterMs ?? 1000;
}

/** `retryAfterMs`, kept between 100 ms and the longest wait one call may be held for. */
export function rateLimitWaitMs(err: unknown): number | undefined {
  const wait = retryAfterMs(err);
  return wait === undefined ? undefined : Math.min(MAX_WAIT_MS, Math.max(100, wait));
}

/**
 * Retries a query or mutation the server refused with 429 (too many events), after the wait it
 * asked for, up to `maxRetries` times. Safe for appends: a refused call stored nothing.
 */
export function rateLimitRetryLink<TRouter extends AnyRouter>(opts: {
  maxRetries: number;
}): TRPCLink<TRouter> {
  return () =>
    ({ op, next }) =>
      retryOperation(next, op, (err, retries) => {
        const wait = rateLimitWaitMs(err);
        return op.type === 'subscription' || retries >= opts.maxRetries ? undefined : wait;
      });
}
