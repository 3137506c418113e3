import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { EventStore } from '../../../server/store/eventStore.ts';
import { type LatencyStats, latencyStats } from '../append/latencyStats.ts';
import { seedEvent } from './seedText.ts';

/** What the event loop of a process appending at a steady rate went through. */
export interface LoopDelayResult {
  batches: number;
  /** Batches acknowledged per second (of wall time). */
  batchesPerSec: number;
  /** The loop's delay (monitorEventLoopDelay, 1 ms resolution), ms. */
  loop: { p50: number; p99: number; max: number; mean: number };
  /** Event-loop utilization over the counted seconds: the share of time the loop was busy (0–1). */
  busy: number;
  /** Each append's latency, ms: summarized, and as measured (to pool rounds). */
  append: LatencyStats | null;
  latencies: number[];
  /** Appends that failed (should be none). */
  failed: number;
}

/** Sessions the appends go round robin over. */
const SESSIONS = 10;
/** How often the pacer looks at what is due, ms. */
const TICK_MS = 5;

/**
 * In this process: appends `batchEvents`-event batches to `store` (null: nothing, the baseline of the
 * loop and the timers) at `ratePerSec` batches a second for `seconds`, each fired without waiting for
 * the one before (a server's appends don't wait for each other), while monitorEventLoopDelay samples
 * the loop (and eventLoopUtilization: sub-millisecond blocking, below the histogram's resolution,
 * still shows as busy time). A warm-up second goes first and is not counted.
 */
export async function measureLoopDelay(
  store: EventStore | null,
  opts: { ratePerSec: number; batchEvents: number; seconds: number },
): Promise<LoopDelayResult> {
  const ids: string[] = [];
  if (store)
    for (let i = 0; i < SESSIONS; i++)
      ids.push((await store.createSession({ title: `loop-${i}`, agent: 'bench' })).id);
  const latencies: number[] = [];
  let failed = 0;
  let n = 0;
  const inFlight = new Set<Promise<void>>();
  const fire = (counted: boolean) => {
    if (!store) return;
    const i = n++;
    const sessionId = ids[i % SESSIONS]!;
    const events = Array.from({ length: opts.batchEvents }, (_, j) =>
      seedEvent('loop', i * opts.batchEvents + j),
    );
    const t = performance.now();
    const p: Promise<void> = store.append(sessionId, events).then(
      () => {
        if (counted) latencies.push(performance.now() - t);
      },
      () => {
        if (counted) failed++;
      },
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  const run = async (seconds: number, counted: boolean) => {
    let sent = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = performance.now() - t0;
        const due = Math.min(opts.ratePerSec * seconds, Math.floor((elapsed * opts.ratePerSec) / 1000));
        for (; sent < due; sent++) fire(counted);
        if (elapsed >= seconds * 1000) {
          clearInterval(timer);
          resolve();
        }
      }, TICK_MS);
    });
    await Promise.all(inFlight);
    return { sent, ms: performance.now() - t0 };
  };
  await run(1, false);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const elu = performance.eventLoopUtilization();
  const { sent, ms } = await run(opts.seconds, true);
  const busy = performance.eventLoopUtilization(elu).utilization;
  histogram.disable();
  const toMs = (ns: number) => ns / 1e6;
  return {
    batches: sent,
    batchesPerSec: (1000 * (store ? latencies.length : sent)) / ms,
    loop: {
      p50: toMs(histogram.percentile(50)),
      p99: toMs(histogram.percentile(99)),
      max: toMs(histogram.max),
      mean: toMs(histogram.mean),
    },
    busy,
    append: latencyStats(latencies),
    latencies,
    failed,
  };
}
