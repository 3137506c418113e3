import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTally } from './createTally.ts';

const EVERY_MS = 200;

/** What the /healthz probe saw. */
export interface HealthResult {
  maxMs: number;
  probes: number;
  /** Non-200 answers and errors, e.g. `503×2`; `none` if every probe passed. */
  failures: string;
}

/**
 * Probes `GET /healthz` one request at a time every 200 ms until stopped; a probe still waiting when
 * stopped counts with the time it has waited, so a server that stops answering shows as slow.
 */
export function probeHealth(url: string, token: string): { stop(): Promise<HealthResult> } {
  const abort = new AbortController();
  const failures = createTally();
  let maxMs = 0;
  let probes = 0;
  let pendingSince: number | undefined;
  const loop = (async () => {
    while (!abort.signal.aborted) {
      pendingSince = performance.now();
      try {
        const res = await fetch(`${url}/healthz`, {
          headers: { authorization: `Bearer ${token}` },
          signal: abort.signal,
        });
        await res.arrayBuffer();
        if (res.status !== 200) failures.add(res.status);
      } catch (err) {
        if (abort.signal.aborted) break;
        failures.add(`error:${(err as Error).name}`);
      }
      maxMs = Math.max(maxMs, performance.now() - pendingSince);
      pendingSince = undefined;
      probes++;
      await sleep(EVERY_MS, undefined, { signal: abort.signal }).catch(() => {});
    }
  })();
  return {
    async stop() {
      if (pendingSince !== undefined) maxMs = Math.max(maxMs, performance.now() - pendingSince);
      abort.abort();
      await loop;
      return { maxMs, probes, failures: failures.format() };
    },
  };
}

/** Resolves how long the server took to answer `/healthz` within `fastMs` again (bounded by `limitMs`). */
export async function waitUntilHealthy(url: string, token: string, fastMs: number, limitMs: number) {
  const t0 = performance.now();
  while (performance.now() - t0 < limitMs) {
    const t = performance.now();
    try {
      const res = await fetch(`${url}/healthz`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(Math.ceil(Math.max(100, limitMs - (t - t0)))),
      });
      await res.arrayBuffer();
      if (res.ok && performance.now() - t < fastMs) return { healthy: true, ms: performance.now() - t0 };
    } catch {
      // Not healthy yet; the loop is bounded by limitMs.
    }
    await sleep(100);
  }
  return { healthy: false, ms: performance.now() - t0 };
}
