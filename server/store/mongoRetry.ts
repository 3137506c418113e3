import { MongoServerSelectionError } from 'mongodb';
import { LivetrailError } from '../../shared/livetrailError.ts';
import type { Logger } from '../logger.ts';
import { isNoWritablePrimary } from './mongoErrors.ts';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Full jitter: a random pause up to `baseMs·2^attempt`, at most `capMs`. */
export const jitter = (attempt: number, baseMs: number, capMs: number) =>
  Math.random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20));

/**
 * Runs `op`, retrying with jittered backoff (100 ms doubling to 2 s) while no writable primary is
 * reachable, for up to `windowMs` — long enough to ride out an election. A write refused outright
 * (server selection failed, or a member said it is not primary) stored nothing and is always safe
 * to send again; one whose outcome was lost (a network error) only when `unknownIsSafe`, i.e. when
 * `op` itself recognises an earlier attempt that landed.
 */
export async function retryThroughElections<T>(
  op: () => Promise<T>,
  opts: { unknownIsSafe: boolean; windowMs: number; log: Logger },
): Promise<T> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (err instanceof LivetrailError || !isNoWritablePrimary(err)) throw err;
      const refused =
        err instanceof MongoServerSelectionError || typeof (err as { code?: unknown }).code === 'number';
      if ((!refused && !opts.unknownIsSafe) || Date.now() - started >= opts.windowMs) throw err;
      opts.log.warn({ err: (err as Error).message, attempt }, 'no writable primary; retrying');
      await sleep(jitter(attempt, 100, 2_000));
    }
  }
}
