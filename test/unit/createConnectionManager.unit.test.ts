import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionState } from '../../shared/connection/connectionState.ts';
import {
  type AttemptHandlers,
  type ConnectionManagerOptions,
  createConnectionManager,
} from '../../shared/connection/createConnectionManager.ts';
import type { NetworkMonitor } from '../../shared/connection/networkMonitor.ts';

/** A manager whose attempts are driven by hand: each `open` records its handlers. */
function harness(extra: Partial<ConnectionManagerOptions> = {}) {
  const attempts: { handlers: AttemptHandlers; unsubscribed: boolean; at: number }[] = [];
  const states: ConnectionState[] = [];
  let online = true;
  const onlineListeners = new Set<(o: boolean) => void>();
  const network: NetworkMonitor = {
    online: () => online,
    subscribe: (l) => {
      onlineListeners.add(l);
      return () => onlineListeners.delete(l);
    },
  };
  const manager = createConnectionManager({
    url: 'http://127.0.0.1:9',
    mode: 'sse',
    random: () => 1,
    network,
    probe: async () => true,
    connectTimeoutMs: 5000,
    open(_api, handlers) {
      const attempt = { handlers, unsubscribed: false, at: Date.now() };
      attempts.push(attempt);
      return {
        unsubscribe: () => {
          attempt.unsubscribed = true;
        },
      };
    },
    onData: () => {},
    ...extra,
  });
  manager.subscribe((s) => states.push(s));
  const setOnline = (o: boolean) => {
    online = o;
    for (const l of onlineListeners) l(o);
  };
  return { manager, attempts, states, setOnline, last: () => attempts.at(-1)! };
}

const drop = (h: AttemptHandlers) =>
  h.onConnectionStateChange({ state: 'connecting', error: new Error('socket hang up') });

describe('createConnectionManager under fake timers', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('retries after the backoff delay and not a moment sooner', async () => {
    const { manager, attempts, last } = harness();
    last().handlers.onStarted();
    drop(last().handlers);
    await vi.advanceTimersByTimeAsync(0);
    expect(manager.state()).toMatchObject({ status: 'reconnecting', attempt: 1, retryAt: 500 });
    expect(attempts[0]!.unsubscribed).toBe(true);
    await vi.advanceTimersByTimeAsync(499);
    expect(attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toHaveLength(2);
    expect(manager.state().status).toBe('connecting');
    manager.close();
  });

  it('never loops tightly: a server that refuses every attempt gets a handful of tries a minute', async () => {
    const { manager, attempts, last } = harness();
    for (let t = 0; t < 60_000; t += 10) {
      const a = last();
      if (!a.unsubscribed)
        a.handlers.onConnectionStateChange({ state: 'connecting', error: new Error('refused') });
      await vi.advanceTimersByTimeAsync(10);
    }
    // Delays 0.5, 1, 2, 4, 8, 16, 25, 25 s … with jitter at its maximum.
    expect(attempts.length).toBeLessThanOrEqual(9);
    expect(attempts.length).toBeGreaterThanOrEqual(6);
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500);
    manager.close();
  });

  it('gives up on an attempt that does not open within the connect window', async () => {
    const { manager, attempts } = harness();
    await vi.advanceTimersByTimeAsync(5000);
    await vi.advanceTimersByTimeAsync(0);
    expect(manager.state()).toMatchObject({
      status: 'reconnecting',
      lastError: 'no connection within 5 s over SSE',
    });
    expect(attempts[0]!.unsubscribed).toBe(true);
    manager.close();
  });

  it('resets the attempt count once a connection has been stable', async () => {
    const { manager, last } = harness();
    for (let i = 0; i < 3; i++) {
      drop(last().handlers);
      await vi.advanceTimersByTimeAsync(0);
      const s = manager.state();
      await vi.advanceTimersByTimeAsync(s.status === 'reconnecting' ? s.retryAt - Date.now() : 0);
    }
    last().handlers.onStarted();
    expect(manager.state()).toMatchObject({ status: 'connected', attempt: 3 });
    await vi.advanceTimersByTimeAsync(5000);
    expect(manager.state().attempt).toBe(0);
    drop(last().handlers);
    await vi.advanceTimersByTimeAsync(0);
    expect(manager.state()).toMatchObject({ status: 'reconnecting', retryAt: Date.now() + 500 });
    manager.close();
  });

  it('ignores callbacks from an attempt it already replaced', async () => {
    const { manager, attempts, last } = harness();
    const first = last().handlers;
    first.onStarted();
    manager.restart();
    expect(attempts).toHaveLength(2);
    drop(first);
    first.onData({ stale: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(manager.state().status).toBe('connecting');
    manager.close();
  });

  it('waits while offline and reconnects the moment the network is back', async () => {
    const { manager, attempts, setOnline, last } = harness();
    last().handlers.onStarted();
    setOnline(false);
    expect(manager.state().status).toBe('offline');
    expect(attempts[0]!.unsubscribed).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(attempts).toHaveLength(1);
    setOnline(true);
    expect(attempts).toHaveLength(2);
    expect(manager.state()).toMatchObject({ status: 'connecting', attempt: 0 });
    manager.close();
  });

  it('stops for good on a fatal error and reconnects only when asked', async () => {
    const { manager, attempts, last } = harness();
    last().handlers.onError({ message: 'who are you', data: { code: 'UNAUTHORIZED' } });
    expect(manager.state()).toMatchObject({ status: 'failed', error: 'UNAUTHORIZED: who are you' });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(attempts).toHaveLength(1);
    manager.retryNow();
    expect(attempts).toHaveLength(2);
    manager.close();
  });
});
