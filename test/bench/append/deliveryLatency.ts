import { performance } from 'node:perf_hooks';
import { createLivetrailClient, type SessionStreamMessage } from '@livetrail/client';
import { defaultConfig } from '../../../server/config.ts';
import type { EventStore } from '../../../server/store/eventStore.ts';
import { startTestServer } from '../../support/startTestServer.ts';
import { type LatencyStats, latencyStats } from './latencyStats.ts';

/** Far past what the bench sends, so the per-IP append rate limit never paces it. */
const UNLIMITED = { appendRatePerSec: 1_000_000, appendBurst: 10_000_000 };

/** How long the subscriber may take to see every event after the last append answered. */
const DRAIN_MS = 10_000;

export interface DeliveryResult {
  appendsPerSec: number;
  /** append sent → event delivered over SSE. */
  latency: LatencyStats | null;
  delivered: number;
}

/**
 * append→delivery through the real HTTP server on `store`: a producer appends `events` single-event
 * batches with `events.append` (the typed client keys each one) with `concurrency` in flight; a
 * subscriber follows the session over SSE and notes when each event arrives. Closes `store`.
 */
export async function measureDelivery(
  store: EventStore,
  events: number,
  concurrency: number,
): Promise<DeliveryResult> {
  const limits = { ...defaultConfig().limits, ...UNLIMITED };
  const app = await startTestServer({ store, config: { limits } });
  const client = createLivetrailClient({ url: app.url });
  try {
    const session = await client.api.sessions.create.mutate({ title: 'bench' });
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let resolveAll!: () => void;
    const allReceived = new Promise<void>((r) => {
      resolveAll = r;
    });
    let sub: { unsubscribe(): void } | undefined;
    await new Promise<void>((resolve) => {
      sub = client.api.events.onEvents.subscribe(
        { sessionId: session.id },
        {
          onStarted: () => resolve(),
          onData(value) {
            const m = ((value as { data?: unknown }).data ?? value) as SessionStreamMessage;
            if (m.kind !== 'event' || m.event.type !== 'thought') return;
            const t = sentAt.get(m.event.text);
            if (t !== undefined) latencies.push(performance.now() - t);
            if (latencies.length === events) resolveAll();
          },
        },
      );
    });
    let next = 0;
    const t0 = performance.now();
    const worker = async () => {
      while (next < events) {
        const text = `e${next++}`;
        sentAt.set(text, performance.now());
        await client.api.events.append.mutate({ sessionId: session.id, events: [{ type: 'thought', text }] });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const appendSeconds = (performance.now() - t0) / 1000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([allReceived, new Promise((r) => (timer = setTimeout(r, DRAIN_MS)))]);
    clearTimeout(timer);
    sub?.unsubscribe();
    return {
      appendsPerSec: events / appendSeconds,
      latency: latencyStats(latencies),
      delivered: latencies.length,
    };
  } finally {
    client.close();
    await app.stop();
  }
}
