import type { EventStore } from '../store/eventStore.ts';
import type { Metrics } from './createMetrics.ts';

/** The same store, with every append's duration and outcome recorded in `metrics`. */
export function timeAppends(store: EventStore, metrics: Pick<Metrics, 'observeAppend'>): EventStore {
  // Everything but `append` is the store itself (through the prototype, so `this` keeps working).
  const timed: EventStore = Object.create(store);
  timed.append = async function timedAppend(sessionId, events) {
    const started = performance.now();
    try {
      const stored = await store.append(sessionId, events);
      metrics.observeAppend((performance.now() - started) / 1000, true);
      return stored;
    } catch (err) {
      metrics.observeAppend((performance.now() - started) / 1000, false);
      throw err;
    }
  };
  return timed;
}
