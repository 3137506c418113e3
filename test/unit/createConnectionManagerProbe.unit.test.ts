import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionState } from '../../shared/connection/connectionState.ts';
import {
  type AttemptHandlers,
  type ConnectionManagerOptions,
  createConnectionManager,
} from '../../shared/connection/createConnectionManager.ts';
import type { HealthAnswer } from '../../shared/describeConnectionError.ts';
import { FakeWebSocket } from '../support/fakeWebSocket.ts';

/** A manager whose attempts are driven by hand, and whose server health the test sets. */
function harness(extra: Partial<ConnectionManagerOptions> = {}) {
  const attempts: { handlers: AttemptHandlers; at: number }[] = [];
  let answer: HealthAnswer = 'unreachable';
  const asked: number[] = [];
  const manager = createConnectionManager({
    url: 'http://127.0.0.1:9',
    mode: 'sse',
    random: () => 1,
    network: { online: () => true, subscribe: () => () => {} },
    health: async () => {
      asked.push(Date.now());
      return answer;
    },
    WebSocket: FakeWebSocket,
    open(_api, handlers) {
      attempts.push({ handlers, at: Date.now() });
      return { unsubscribe() {} };
    },
    onData: () => {},
    ...extra,
  });
  const states: ConnectionState[] = [];
  manager.subscribe((s) => states.push(s));
  return {
    manager,
    attempts,
    asked,
    states,
    last: () => attempts.at(-1)!.handlers,
    setHealth: (a: HealthAnswer) => {
      answer = a;
    },
  };
}

/** What a browser's EventSource error looks like by the time tRPC reports it. */
const eventSourceError = () => Object.assign(new Error('Unknown error'), { cause: { type: 'error' } });
const lose = (h: AttemptHandlers, error: unknown = eventSourceError()) =>
  h.onConnectionStateChange({ state: 'connecting', error });

describe('the connection manager while the server is down', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('probes every second and reconnects as soon as the server answers, long before the backoff', async () => {
    const { manager, attempts, asked, last, setHealth } = harness();
    last().onStarted();
    // A long outage first: the backoff has grown to its cap.
    for (let i = 0; i < 8; i++) {
      lose(last());
      await vi.advanceTimersByTimeAsync(0);
      const s = manager.state();
      if (s.status !== 'reconnecting') throw new Error(`not reconnecting: ${s.status}`);
      await vi.advanceTimersByTimeAsync(s.retryAt - Date.now());
    }
    lose(last());
    await vi.advanceTimersByTimeAsync(0);
    const waiting = manager.state();
    expect(waiting).toMatchObject({
      status: 'reconnecting',
      waitingForServer: true,
      lastError: 'server unreachable',
    });
    const retryIn = (waiting as { retryAt: number }).retryAt - Date.now();
    expect(retryIn).toBeGreaterThan(10_000);
    const before = attempts.length;
    const askedBefore = asked.length;
    await vi.advanceTimersByTimeAsync(3000);
    // Three questions in three seconds, no attempt: the server is still down.
    expect(asked.length - askedBefore).toBe(3);
    expect(attempts).toHaveLength(before);
    setHealth('ready');
    await vi.advanceTimersByTimeAsync(1000);
    expect(attempts).toHaveLength(before + 1);
    expect(manager.state().status).toBe('connecting');
    last().onStarted();
    expect(manager.state()).toMatchObject({ status: 'connected', lastError: undefined });
    // Nothing is left running but the stable timer (SSE forced: no SSE probe).
    expect(vi.getTimerCount()).toBe(1);
    manager.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not probe a server that answers but fails the stream: backoff only', async () => {
    const { manager, attempts, asked, last, setHealth } = harness();
    setHealth('ready');
    last().onStarted();
    lose(last());
    await vi.advanceTimersByTimeAsync(0);
    expect(manager.state()).toMatchObject({ status: 'reconnecting', retryAt: 500 });
    expect(manager.state()).not.toHaveProperty('waitingForServer');
    expect(asked).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(499);
    expect(attempts).toHaveLength(1);
    expect(asked).toHaveLength(1);
    manager.close();
  });

  it('keeps probing a server that answers 503 and reconnects once it answers 200', async () => {
    const { manager, attempts, last, setHealth } = harness({ policy: { floorMs: 60_000, capMs: 60_000 } });
    setHealth('not_ready');
    last().onStarted();
    lose(last());
    await vi.advanceTimersByTimeAsync(0);
    expect(manager.state()).toMatchObject({
      status: 'reconnecting',
      waitingForServer: true,
      lastError: 'server not ready',
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(attempts).toHaveLength(1);
    setHealth('ready');
    await vi.advanceTimersByTimeAsync(999);
    expect(attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toHaveLength(2);
    manager.close();
  });

  it('asks after a WebSocket failure and waits for the server when it is down', async () => {
    const { manager, attempts, last, setHealth } = harness({ mode: 'ws' });
    last().onStarted();
    lose(last(), new Error('WebSocket closed'));
    // Reported at once; the server is asked after.
    expect(manager.state()).toMatchObject({ status: 'reconnecting', lastError: 'connection lost' });
    await vi.advanceTimersByTimeAsync(0);
    expect(manager.state()).toMatchObject({ waitingForServer: true, lastError: 'server unreachable' });
    setHealth('ready');
    await vi.advanceTimersByTimeAsync(499);
    expect(attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toHaveLength(2);
    manager.close();
  });

  it('drops the answer about a WebSocket failure once another attempt runs', async () => {
    let answer: (a: HealthAnswer) => void = () => {};
    const { manager, last } = harness({
      mode: 'ws',
      health: () => new Promise((resolve) => (answer = resolve)),
    });
    last().onStarted();
    lose(last(), new Error('WebSocket closed'));
    manager.retryNow();
    answer('unreachable');
    await vi.advanceTimersByTimeAsync(0);
    expect(manager.state().status).toBe('connecting');
    manager.close();
  });

  it('never says Unknown error: a browser error event is a lost connection, or an unreachable server', async () => {
    const { manager, last, setHealth, states } = harness();
    setHealth('ready');
    last().onStarted();
    lose(last());
    await vi.advanceTimersByTimeAsync(0);
    expect(manager.state().lastError).toBe('connection lost');
    setHealth('unreachable');
    manager.retryNow();
    lose(last());
    await vi.advanceTimersByTimeAsync(0);
    expect(manager.state().lastError).toBe('server unreachable');
    expect(states.map((s) => s.lastError)).not.toContain('Unknown error');
    manager.close();
  });

  it('stops probing when retried by hand, and leaves no timer once closed', async () => {
    const { manager, asked, last } = harness();
    last().onStarted();
    lose(last());
    await vi.advanceTimersByTimeAsync(0);
    expect(manager.state()).toMatchObject({ waitingForServer: true });
    manager.retryNow();
    const n = asked.length;
    await vi.advanceTimersByTimeAsync(3000);
    // Only the connect window's failure (at 5 s) would ask again: nothing yet.
    expect(asked).toHaveLength(n);
    manager.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits out the backoff alone when the policy turns the probe off', async () => {
    const { manager, attempts, asked, last, setHealth } = harness({ policy: { reachabilityProbeMs: 0 } });
    last().onStarted();
    lose(last());
    await vi.advanceTimersByTimeAsync(0);
    expect(manager.state()).not.toHaveProperty('waitingForServer');
    setHealth('ready');
    await vi.advanceTimersByTimeAsync(499);
    expect(asked).toHaveLength(1);
    expect(attempts).toHaveLength(1);
    manager.close();
  });
});
