/** A "wake me when something happens or the signal aborts" for loops that wait on callbacks. */
export interface Wakeup {
  /** Wakes everyone waiting now. Not remembered: a later `wait` waits for the next `notify`. */
  notify(): void;
  /** Resolves on the next `notify`, or when `signal` aborts (at once if it already has). */
  wait(signal?: AbortSignal): Promise<void>;
}

/** Creates a wake-up; each `wait` removes its abort listener when it resolves, so none pile up. */
export function createWakeup(): Wakeup {
  const waiters = new Set<() => void>();
  return {
    notify() {
      for (const wake of waiters) wake();
    },
    wait(signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const wake = () => {
          waiters.delete(wake);
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        waiters.add(wake);
        signal?.addEventListener('abort', wake);
      });
    },
  };
}
