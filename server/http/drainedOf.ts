import { once } from 'node:events';
import type { ServerResponse } from 'node:http';

/** Resolves when `res` can take more (at once if it can), or when `signal` aborts. */
export async function drainedOf(res: ServerResponse, signal: AbortSignal): Promise<void> {
  if (!res.writableNeedDrain || signal.aborted) return;
  await once(res, 'drain', { signal }).catch(() => {});
}
