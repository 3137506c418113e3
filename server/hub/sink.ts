import { createWakeup } from './createWakeup.ts';

/**
 * Where a follower writes one subscriber's messages. A transport's sink writes straight to the
 * socket; `followerToGenerator` turns a follower into an async generator for everything else.
 */
export interface Sink<T> {
  /** Takes one message; false when the subscriber is full — the follower then waits for `drained`. */
  push(message: T): boolean;
  /** Resolves when the subscriber can take more, or when `signal` aborts. */
  drained(signal: AbortSignal): Promise<void>;
}

/** A follower: writes one subscriber's stream into `sink` until it ends (resolves) or fails. */
export type Follow<T> = (sink: Sink<T>, signal: AbortSignal) => Promise<void>;

/**
 * A follower as an async generator: one message is handed over at a time (the follower holds back
 * the rest exactly as it would for a full socket), and returning the generator stops the follower.
 */
export async function* followerToGenerator<T>(follow: Follow<T>, signal?: AbortSignal): AsyncGenerator<T> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort);
  if (signal?.aborted) stop.abort();
  const queue: T[] = [];
  const taken = createWakeup();
  const arrived = createWakeup();
  let ended = false;
  let failure: { error: unknown } | undefined;
  const sink: Sink<T> = {
    push(message) {
      queue.push(message);
      arrived.notify();
      return false;
    },
    async drained(waitSignal) {
      while (queue.length > 0 && !waitSignal.aborted) await taken.wait(waitSignal);
    },
  };
  const running = follow(sink, stop.signal).then(
    () => {
      ended = true;
      arrived.notify();
    },
    (error: unknown) => {
      failure = { error };
      arrived.notify();
    },
  );
  try {
    for (;;) {
      const next = queue.shift();
      if (next !== undefined) {
        taken.notify();
        yield next;
        continue;
      }
      if (failure) throw failure.error;
      if (ended) return;
      // After an abort the follower finishes what it has in hand, then ends.
      await arrived.wait();
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stop.abort();
    await running;
  }
}

/** An async iterable as a follower (for streams that have no follower of their own). */
export function iterableToFollower<T>(iterable: (signal: AbortSignal) => AsyncIterable<T>): Follow<T> {
  return async (sink, signal) => {
    for await (const message of iterable(signal)) {
      if (!sink.push(message)) await sink.drained(signal);
      if (signal.aborted) return;
    }
  };
}
