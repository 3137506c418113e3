import { setTimeout as sleep } from 'node:timers/promises';
import { errorKey } from './requestOnce.ts';

/**
 * Runs `step` back to back until `signal` aborts. A failed step is reported by its error code (unless it
 * failed because of the abort) and followed by a short pause, so a refused connection is not a tight loop.
 */
export async function repeatUntilAborted(
  signal: AbortSignal,
  step: () => Promise<void>,
  onError: (key: string) => void,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await step();
    } catch (err) {
      if (signal.aborted) return;
      onError(errorKey(err));
      await sleep(50, undefined, { signal }).catch(() => {});
    }
  }
}
