import { performance } from 'node:perf_hooks';
import { type AgentEvent, newIdempotencyKey } from '@livetrail/client';
import type { EventStore } from '../../../server/store/eventStore.ts';

/** How a batch is appended: `append`, `appendOnce` with a fresh key, or `appendOnce` again with a used key. */
export type AppendMode = 'unkeyed' | 'keyed' | 'keyed retry';

/** What one mode measured, summed over its rounds. */
export interface ModeTally {
  appends: number;
  /** Wall time the appends took, ms (with `concurrency` in flight). */
  elapsedMs: number;
  latencies: number[];
  /** Keyed retries answered `duplicate: false`, or keyed first tries answered `duplicate: true`. */
  wrongDuplicateFlag: number;
  /** Store commands the wire test server received for these appends (Mongo only). */
  commands: number;
}

/** A keyed batch already stored once, to be sent again. */
export interface SentBatch {
  key: string;
  events: AgentEvent[];
}

const batchOf = (mode: string, n: number, size: number): AgentEvent[] =>
  Array.from({ length: size }, (_, i) => ({ type: 'thought', text: `${mode} ${n}.${i}` }));

/**
 * Appends `count` batches of `batchSize` events to `sessionId` in `mode`, `concurrency` in flight,
 * into `tally`. Keyed first tries push what they sent onto `sent`; a keyed retry takes its batch
 * from `retries` (same key, same events) and so expects `duplicate: true`.
 */
export async function runAppends(opts: {
  store: EventStore;
  sessionId: string;
  mode: AppendMode;
  count: number;
  batchSize: number;
  concurrency: number;
  tally: ModeTally;
  sent?: SentBatch[];
  retries?: SentBatch[];
}): Promise<void> {
  const { store, sessionId, mode, tally } = opts;
  let next = 0;
  const one = async (n: number) => {
    if (mode === 'unkeyed') {
      await store.append(sessionId, batchOf(mode, n, opts.batchSize));
      return;
    }
    if (mode === 'keyed') {
      const batch = { key: newIdempotencyKey(), events: batchOf(mode, n, opts.batchSize) };
      const { duplicate } = await store.appendOnce(sessionId, batch.events, batch.key);
      if (duplicate) tally.wrongDuplicateFlag++;
      opts.sent?.push(batch);
      return;
    }
    const batch = opts.retries?.[n];
    if (!batch) throw new Error('keyed retry: no stored batch left to retry');
    const { duplicate } = await store.appendOnce(sessionId, batch.events, batch.key);
    if (!duplicate) tally.wrongDuplicateFlag++;
  };
  const worker = async () => {
    while (next < opts.count) {
      const n = next++;
      const t = performance.now();
      await one(n);
      tally.latencies.push(performance.now() - t);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  tally.elapsedMs += performance.now() - t0;
  tally.appends += opts.count;
}

export const emptyTally = (): ModeTally => ({
  appends: 0,
  elapsedMs: 0,
  latencies: [],
  wrongDuplicateFlag: 0,
  commands: 0,
});
