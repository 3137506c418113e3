import type { EventStore } from '../store/eventStore.ts';
import type { Metrics } from './createMetrics.ts';

/** The same store, with every append's (keyed or not) duration and outcome recorded in `metrics`. */
export function timeAppends(store: EventStore, metrics: Pick<Metrics, 'observeAppend'>): EventStore {
  async function timed<T>(write: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await write();
      metrics.observeAppend((performance.now() - started) / 1000, true);
      return result;
    } catch (err) {
      metrics.observeAppend((performance.now() - started) / 1000, false);
      throw err;
    }
  }
  // Everything else is the store itself (through the prototype, so `this` keeps working).
  const wrapped: EventStore = Object.create(store);
  wrapped.append = (sessionId, events) => timed(() => store.append(sessionId, events));
  wrapped.appendOnce = (sessionId, events, key) => timed(() => store.appendOnce(sessionId, events, key));
  return wrapped;
}
