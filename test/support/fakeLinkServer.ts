import type { Operation, TRPCClientError, TRPCLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';

/**
 * A terminating tRPC link standing in for the server: it fails with `failures` in turn, then
 * answers `'ok'`; `calls` records every operation it received.
 */
export function fakeLinkServer<TRouter extends AnyRouter>(failures: unknown[]) {
  const calls: Operation[] = [];
  const link: TRPCLink<TRouter> =
    () =>
    ({ op }) =>
      observable((observer) => {
        calls.push(op);
        const failure = failures.shift();
        if (failure) observer.error(failure as TRPCClientError<TRouter>);
        else {
          observer.next({ result: { type: 'data', data: 'ok' } });
          observer.complete();
        }
        return () => {};
      });
  return { link, calls };
}
