import type { Unsubscribable } from '@trpc/server/observable';

/** A subscription that starts once `ready` settles — unless it was unsubscribed before that. */
export function deferSubscription(ready: Promise<unknown>, start: () => Unsubscribable): Unsubscribable {
  let sub: Unsubscribable | undefined;
  let cancelled = false;
  void ready.then(() => {
    if (!cancelled) sub = start();
  });
  return {
    unsubscribe() {
      cancelled = true;
      sub?.unsubscribe();
    },
  };
}
