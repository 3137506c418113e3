import { LivetrailError } from '../../shared/livetrailError.ts';

/**
 * Group commit: writes that arrive while one is being made durable wait and go down together in the
 * next write. Each write's `commit` (make it visible, tell watchers) runs only once its group is
 * durable, in the order the writes were queued.
 */
export interface GroupCommit<R> {
  /** Queues `record`; resolves after it is durable and `commit` has run; rejects with its group. */
  enqueue(record: R, commit: () => void): Promise<void>;
  /** Resolves once nothing is queued or being written. */
  idle(): Promise<void>;
}

interface Pending<R> {
  record: R;
  commit: () => void;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * `write` makes a group durable or throws (and then none of it counts). On a failure every queued
 * write fails too — they were planned on top of the failed group's state — and `onFailure` gets the
 * cause first, so the store can drop that state.
 */
export function createGroupCommit<R>(
  write: (records: R[]) => Promise<void>,
  onFailure: (cause: unknown) => void = () => {},
): GroupCommit<R> {
  let pending: Pending<R>[] = [];
  /** Set and cleared synchronously, so a write queued the moment a flush ends starts the next. */
  let flushing: Promise<void> | undefined;

  async function flush(): Promise<void> {
    while (pending.length > 0) {
      const group = pending;
      pending = [];
      try {
        await write(group.map((p) => p.record));
      } catch (cause) {
        const failed = [...group, ...pending];
        pending = [];
        onFailure(cause);
        const err =
          cause instanceof LivetrailError
            ? cause
            : new LivetrailError('UNAVAILABLE', 'storage unavailable: write failed', { cause });
        for (const p of failed) p.reject(err);
        break;
      }
      for (const p of group) {
        p.commit();
        p.resolve();
      }
    }
    // In the same synchronous step as the last look at `pending`: a write queued by a resolved
    // caller's continuation starts a new flush.
    flushing = undefined;
  }

  return {
    enqueue(record, commit) {
      return new Promise((resolve, reject) => {
        pending.push({ record, commit, resolve, reject });
        flushing ??= flush();
      });
    },
    async idle() {
      while (flushing) await flushing;
    },
  };
}

/**
 * Runs writes one at a time per slot (an idempotency key): a retry under the same key waits for the
 * first try to finish, then sees what it stored.
 */
export function createSlots(): <T>(slot: string, write: () => Promise<T>) => Promise<T> {
  const inFlight = new Map<string, Promise<unknown>>();
  return async function once<T>(slot: string, write: () => Promise<T>): Promise<T> {
    for (let wait = inFlight.get(slot); wait; wait = inFlight.get(slot)) await wait.catch(() => {});
    const run = write();
    inFlight.set(slot, run);
    try {
      return await run;
    } finally {
      if (inFlight.get(slot) === run) inFlight.delete(slot);
    }
  };
}
