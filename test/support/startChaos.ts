import type { ChaosProxy } from './createChaosProxy.ts';

/** A small seeded PRNG (mulberry32), so a failing chaos run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a chaos run did, for the test's report. */
export interface ChaosLog {
  cuts: number;
  stalls: number;
  refusals: number;
  delays: number;
}

/**
 * Every `everyMs`, does one random thing to the proxy's traffic: cut a share of connections, stall
 * every connection's bytes for a while, refuse new connections for a while, or add latency for a
 * while. Returns a stop function that restores normal service and reports what happened.
 */
export function startChaos(proxy: ChaosProxy, opts: { seed: number; everyMs?: number }): () => ChaosLog {
  const random = seededRandom(opts.seed);
  const log: ChaosLog = { cuts: 0, stalls: 0, refusals: 0, delays: 0 };
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const tick = setInterval(() => {
    const r = random();
    if (r < 0.35) {
      log.cuts += proxy.cutSome(0.4, random);
    } else if (r < 0.55) {
      log.stalls++;
      proxy.stallAll(100 + random() * 600);
    } else if (r < 0.75) {
      log.refusals++;
      proxy.settings.refuse = true;
      later(100 + random() * 500, () => {
        proxy.settings.refuse = false;
      });
    } else if (r < 0.9) {
      log.delays++;
      proxy.settings.delayMs = Math.round(5 + random() * 40);
      later(200 + random() * 800, () => {
        proxy.settings.delayMs = 0;
      });
    }
  }, opts.everyMs ?? 150);
  return () => {
    clearInterval(tick);
    for (const t of timers) clearTimeout(t);
    proxy.settings.refuse = false;
    proxy.settings.delayMs = 0;
    return log;
  };
}
