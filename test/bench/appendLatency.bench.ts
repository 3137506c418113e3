/**
 * Prints appends/s and append→delivery latency (p50/p99) through the memory store and through the
 * Mongo store on the MongoDB wire-protocol test server, in one run. A producer appends one event per
 * `events.append` over HTTP with N in flight; a subscriber follows over SSE and notes when each
 * event arrives. Run: `npm run bench:append [-- --events 2000 --concurrency 8]`.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { EventStore } from '../../server/store/eventStore.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import { createLivetrailClient } from '../../shared/createLivetrailClient.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import type { SessionStreamMessage } from '../../shared/streamMessages.ts';
import { startMongoWireServer } from '../support/mongoWire/createMongoWireServer.ts';
import { freshDbName, openMongoStore } from '../support/openMongoFixture.ts';
import { startTestServer } from '../support/startTestServer.ts';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const EVENTS = flag('events', 2000);
const CONCURRENCY = flag('concurrency', 8);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(name: string, store: EventStore) {
  const app = await startTestServer({ store });
  const client = createLivetrailClient({ url: app.url, ...nodeTransports });
  try {
    const session = await client.api.sessions.create.mutate({ title: 'bench' });
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let received = 0;
    let resolveAll!: () => void;
    const allReceived = new Promise<void>((r) => {
      resolveAll = r;
    });
    const started = new Promise<void>((resolve) => {
      const sub = client.api.events.onEvents.subscribe(
        { sessionId: session.id },
        {
          onStarted: () => resolve(),
          onData(value) {
            const m = ((value as { data?: unknown }).data ?? value) as SessionStreamMessage;
            if (m.kind !== 'event' || m.event.type !== 'thought') return;
            const t = sentAt.get(m.event.text);
            if (t !== undefined) latencies.push(performance.now() - t);
            if (++received === EVENTS) {
              sub.unsubscribe();
              resolveAll();
            }
          },
        },
      );
    });
    await started;
    let next = 0;
    const t0 = performance.now();
    const worker = async () => {
      while (next < EVENTS) {
        const text = `e${next++}`;
        sentAt.set(text, performance.now());
        await client.api.events.append.mutate({ sessionId: session.id, events: [{ type: 'thought', text }] });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const appendSeconds = (performance.now() - t0) / 1000;
    await allReceived;
    latencies.sort((a, b) => a - b);
    return {
      store: name,
      'appends/s': Math.round(EVENTS / appendSeconds),
      'p50 ms': percentile(latencies, 50).toFixed(1),
      'p99 ms': percentile(latencies, 99).toFixed(1),
      'max ms': latencies.at(-1)!.toFixed(1),
    };
  } finally {
    client.close();
    await app.stop();
  }
}

const wire = await startMongoWireServer();
const rows = [];
rows.push(await measure('memory', createMemoryStore()));
rows.push(await measure('mongo (wire test server)', await openMongoStore(wire.uri, freshDbName())));
await wire.stop();
console.log(
  `append→delivery over SSE: ${EVENTS} single-event appends, ${CONCURRENCY} in flight; ` +
    `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}`,
);
console.table(rows);
