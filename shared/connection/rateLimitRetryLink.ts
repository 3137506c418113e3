import { TRPCClientError, type TRPCLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';

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
      observable((observer) => {
        let attempts = 0;
        let timer: ReturnType<typeof setTimeout> | undefined;
        let sub: { unsubscribe(): void } | undefined;
        function attempt(): void {
          sub = next(op).subscribe({
            next: (value) => observer.next(value),
            error(err) {
              const wait = rateLimitWaitMs(err);
              if (op.type === 'subscription' || wait === undefined || attempts >= opts.maxRetries) {
                observer.error(err);
                return;
              }
              attempts++;
              timer = setTimeout(attempt, wait);
            },
            complete: () => observer.complete(),
          });
        }
        attempt();
        return () => {
          clearTimeout(timer);
          sub?.unsubscribe();
        };
      });
}
