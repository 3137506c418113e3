import type { ServerResponse } from 'node:http';

/**
 * Cuts readers that stop reading: a response whose socket has wanted to drain for longer than
 * `maxStallMs` is destroyed (an SSE client then resumes from its last id). This covers every
 * response — tRPC's SSE, the plain SSE route, large JSON answers — without touching their code.
 */
export function createStallWatch(opts: {
  maxStallMs: number;
  sweepMs?: number;
  /** Called with each response cut. */
  onCut?: (res: ServerResponse) => void;
}) {
  const watched = new Map<ServerResponse, number | undefined>();
  const sweepMs = opts.sweepMs ?? Math.max(250, Math.min(5_000, Math.floor(opts.maxStallMs / 4)));
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [res, since] of watched) {
      if (!res.writableNeedDrain) watched.set(res, undefined);
      else if (since === undefined) watched.set(res, now);
      else if (now - since >= opts.maxStallMs) {
        watched.delete(res);
        res.destroy();
        opts.onCut?.(res);
      }
    }
  }, sweepMs);
  timer.unref();
  return {
    watch(res: ServerResponse): void {
      watched.set(res, undefined);
      res.once('close', () => watched.delete(res));
      res.on('drain', () => {
        if (watched.has(res)) watched.set(res, undefined);
      });
    },
    close(): void {
      clearInterval(timer);
      watched.clear();
    },
  };
}
