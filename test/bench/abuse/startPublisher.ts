import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const EVERY_MS = 50;

/** A publisher started by `startPublisher`. */
export interface Publisher {
  /** Resolves once the last append of the schedule has been sent (not answered). */
  scheduled: Promise<void>;
  /** Aborts appends still in flight and resolves when every one has settled. */
  stop(): Promise<void>;
}

/**
 * Appends one `assistant_message` to the follow session every 50 ms for `seconds`, each carrying a
 * unique text. Appends are not awaited before the next is sent: a slow server must not slow the
 * schedule, or the latency under attack would be measured on fewer, politer events.
 */
export function startPublisher(opts: {
  url: string;
  token: string;
  sessionId: string;
  tag: string;
  seconds: number;
  onSent: (text: string, at: number) => void;
  onFailed: (reason: string) => void;
}): Publisher {
  const abort = new AbortController();
  const inFlight: Promise<void>[] = [];
  const headers = { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' };
  const append = async (text: string) => {
    try {
      const res = await fetch(`${opts.url}/trpc/events.append`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ sessionId: opts.sessionId, events: [{ type: 'assistant_message', text }] }),
        signal: abort.signal,
      });
      await res.arrayBuffer();
      if (!res.ok) opts.onFailed(String(res.status));
    } catch (err) {
      // An append cut off by stop() is the phase's lost event, not a refusal.
      if (!abort.signal.aborted) opts.onFailed(`error:${(err as Error).name}`);
    }
  };
  const scheduled = (async () => {
    const t0 = performance.now();
    const count = Math.round((opts.seconds * 1000) / EVERY_MS);
    for (let i = 0; i < count && !abort.signal.aborted; i++) {
      const wait = t0 + i * EVERY_MS - performance.now();
      if (wait > 0) await sleep(wait);
      const text = `${opts.tag}#${i}`;
      opts.onSent(text, performance.now());
      inFlight.push(append(text));
    }
  })();
  return {
    scheduled,
    async stop() {
      abort.abort();
      await scheduled;
      await Promise.allSettled(inFlight);
    },
  };
}
