import type { Unsubscribable } from '@trpc/server/observable';

/** What a subscription delivered, observed from outside. */
export interface Collected<T> {
  data: T[];
  ids: (string | undefined)[];
  errors: unknown[];
  completed: boolean;
  unsubscribe(): void;
}

interface Handlers {
  onData(value: unknown): void;
  onError(err: unknown): void;
  onComplete(): void;
}

/** Subscribes with `start` and records every delivery; tracked envelopes are unwrapped. */
export function collectSubscription<T>(start: (handlers: Handlers) => Unsubscribable): Collected<T> {
  const out: Collected<T> = { data: [], ids: [], errors: [], completed: false, unsubscribe: () => {} };
  const sub = start({
    onData(value) {
      const tracked = value as { id?: string; data?: T };
      if (tracked && typeof tracked === 'object' && 'id' in tracked && 'data' in tracked) {
        out.ids.push(tracked.id);
        out.data.push(tracked.data as T);
      } else {
        out.ids.push(undefined);
        out.data.push(value as T);
      }
    },
    onError(err) {
      out.errors.push(err);
    },
    onComplete() {
      out.completed = true;
    },
  });
  out.unsubscribe = () => sub.unsubscribe();
  return out;
}
