import type { Operation, OperationLink, TRPCClientError } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';

/**
 * Runs `op` down the link chain and, each time it fails, asks `waitMs(error, retriesSoFar)` how long
 * to wait before sending it again — or `undefined` to pass the error on. Unsubscribing cancels the
 * pending retry and the try in flight.
 */
export function retryOperation<TRouter extends AnyRouter>(
  next: Parameters<OperationLink<TRouter>>[0]['next'],
  op: Operation,
  waitMs: (error: TRPCClientError<TRouter>, retries: number) => number | undefined,
): ReturnType<OperationLink<TRouter>> {
  return observable((observer) => {
    let retries = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let sub: { unsubscribe(): void } | undefined;
    function attempt(): void {
      sub = next(op).subscribe({
        next: (value) => observer.next(value),
        error(err) {
          const wait = waitMs(err, retries);
          if (wait === undefined) {
            observer.error(err);
            return;
          }
          retries++;
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
