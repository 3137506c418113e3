import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ConnectionState, DEFAULT_POLICY } from '../../shared/connection/connectionState.ts';
import {
  type AttemptHandlers,
  type ConnectionManager,
  type ConnectionManagerOptions,
  createConnectionManager,
} from '../../shared/connection/createConnectionManager.ts';
import type { NetworkMonitor } from '../../shared/connection/networkMonitor.ts';
import { FakeWebSocket } from '../support/fakeWebSocket.ts';

/**
 * A manager whose attempts are driven by hand: each `open` records its handlers and the transport
 * the manager was on. With `openSync`, an attempt reports itself open from inside `open`.
 */
function harness(extra: Partial<ConnectionManagerOptions> = {}, { openSync = false } = {}) {
  const attempts: {
    handlers: AttemptHandlers;
    unsubscribed: boolean;
    at: number;
    transport: 'sse' | 'ws';
  }[] = [];
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
  let made: ConnectionManager | undefined;
  const manager = createConnectionManager({
    url: 'http://127.0.0.1:9',
    mode: 'sse',
    random: () => 1,
    network,
    probe: async () => true,
    connectTimeoutMs: 5000,
    WebSocket: FakeWebSocket,
    open(_api, handlers) {
      const transport = made?.state().transport ?? ((extra.mode ?? 'sse') === 'ws' ? 'ws' : 'sse');
      const attempt = { handlers, unsubscribed: false, at: Date.now(), transport };
      attempts.push(attempt);
      if (openSync) handlers.onStarted();
      return {
        unsubscribe: () => {
          attempt.unsubscribed = true;
        },
      };
    },
    onData: () => {},
    ...extra,
  });
  made = manager;
  manager.subscribe((s) => states.push(s));
  const setOnline = (o: boolean) => {
    online = o;
    for (const l of onlineListeners) l(o);
  };
  return {
    manager,
    attempts,
    states,
    setOnline,
    last: () => attempts.at(-1)!,
    listening: () => onlineListeners.size,
  };
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

const fail = (h: AttemptHandlers, message = 'refused') =>
  h.onConnectionStateChange({ state: 'connecting', error: new Error(message) });

/** Fails the current attempt (refused) and waits out the retry, until the next attempt opens. */
async function failAndRetry(manager: ConnectionManager, attempt: { handlers: AttemptHandlers }) {
  fail(attempt.handlers);
  await vi.waitFor(() => expect(manager.state().status).toBe('reconnecting'));
  const s = manager.state();
  await vi.advanceTimersByTimeAsync(s.status === 'reconnecting' ? s.retryAt - Date.now() : 0);
}

describe('the shell performs what the machine decides', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  describe('restart', () => {
    it('from connected ends the attempt and opens a fresh one on the same transport', async () => {
      const { manager, attempts, states, last } = harness({ mode: 'ws' });
      last().handlers.onStarted();
      states.length = 0;
      manager.restart();
      expect(attempts).toHaveLength(2);
      expect(attempts[0]!.unsubscribed).toBe(true);
      expect(attempts[1]).toMatchObject({ transport: 'ws', unsubscribed: false });
      expect(states).toEqual([
        {
          status: 'connecting',
          transport: 'ws',
          mode: 'ws',
          attempt: 0,
          sseFailures: 0,
          lastError: undefined,
        },
      ]);
      expect(manager.state()).not.toHaveProperty('since');
      manager.close();
    });

    it('gives the new attempt its own connect window', async () => {
      const { manager, last } = harness();
      await vi.advanceTimersByTimeAsync(4000);
      manager.restart();
      await vi.advanceTimersByTimeAsync(4999);
      expect(manager.state().status).toBe('connecting');
      await vi.advanceTimersByTimeAsync(1);
      expect(manager.state()).toMatchObject({
        status: 'reconnecting',
        lastError: 'no connection within 5 s over SSE',
      });
      expect(last().unsubscribed).toBe(true);
      manager.close();
    });

    it('while reconnecting opens at once and cancels the pending retry', async () => {
      const { manager, attempts, last } = harness();
      drop(last().handlers);
      await vi.advanceTimersByTimeAsync(0);
      expect(manager.state().status).toBe('reconnecting');
      manager.restart();
      expect(attempts).toHaveLength(2);
      last().handlers.onStarted();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(attempts).toHaveLength(2);
      expect(manager.state().status).toBe('connected');
      manager.close();
    });

    it('after a fatal error opens again', () => {
      const { manager, attempts, last } = harness();
      last().handlers.onError({ message: 'no', data: { code: 'FORBIDDEN' } });
      expect(manager.state().status).toBe('failed');
      manager.restart();
      expect(attempts).toHaveLength(2);
      expect(manager.state()).toMatchObject({ status: 'connecting', lastError: 'FORBIDDEN: no' });
      manager.close();
    });

    it('does nothing while offline or once closed', async () => {
      const { manager, attempts, states, setOnline } = harness();
      setOnline(false);
      const told = states.length;
      manager.restart();
      expect(attempts).toHaveLength(1);
      expect(states).toHaveLength(told);
      manager.close();
      manager.restart();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(attempts).toHaveLength(1);
      expect(manager.state().status).toBe('idle');
    });
  });

  describe('network', () => {
    it('leaves a healthy stream alone on a spurious online', async () => {
      const { manager, attempts, states, setOnline, last } = harness();
      last().handlers.onStarted();
      const before = manager.state();
      const told = states.length;
      setOnline(true);
      await vi.advanceTimersByTimeAsync(0);
      expect(attempts).toHaveLength(1);
      expect(attempts[0]!.unsubscribed).toBe(false);
      expect(manager.state()).toBe(before);
      expect(states).toHaveLength(told);
      manager.close();
    });

    it('going offline while reconnecting cancels the retry until the network is back', async () => {
      const { manager, attempts, setOnline, last } = harness();
      drop(last().handlers);
      await vi.advanceTimersByTimeAsync(0);
      setOnline(false);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(attempts).toHaveLength(1);
      expect(manager.state().status).toBe('offline');
      setOnline(true);
      expect(attempts).toHaveLength(2);
      manager.close();
    });

    it('starts offline when the network is down, and connects when it is back', () => {
      let online = false;
      const listeners = new Set<(o: boolean) => void>();
      const { manager, attempts } = harness({
        network: {
          online: () => online,
          subscribe: (l) => {
            listeners.add(l);
            return () => listeners.delete(l);
          },
        },
      });
      expect(manager.state().status).toBe('offline');
      expect(attempts[0]!.unsubscribed).toBe(true);
      online = true;
      for (const l of listeners) l(true);
      expect(attempts).toHaveLength(2);
      expect(manager.state().status).toBe('connecting');
      manager.close();
      expect(listeners.size).toBe(0);
    });
  });

  describe('timers', () => {
    it('does not fail an attempt that opened within the connect window', async () => {
      const { manager, attempts, last } = harness();
      await vi.advanceTimersByTimeAsync(4999);
      last().handlers.onStarted();
      await vi.advanceTimersByTimeAsync(20_000);
      expect(manager.state().status).toBe('connected');
      expect(attempts).toHaveLength(1);
      manager.close();
    });

    it('waits six seconds for an attempt by default, and names the transport', async () => {
      const { manager } = harness({ mode: 'ws', connectTimeoutMs: undefined });
      await vi.advanceTimersByTimeAsync(5999);
      expect(manager.state().status).toBe('connecting');
      await vi.advanceTimersByTimeAsync(1);
      expect(manager.state()).toMatchObject({
        status: 'reconnecting',
        lastError: 'no connection within 6 s over WebSocket',
      });
      manager.close();
    });

    it('resets the attempt count only once the connection has stayed up for stableAfterMs', async () => {
      const { manager, last } = harness({ policy: { stableAfterMs: 1000 } });
      drop(last().handlers);
      await vi.advanceTimersByTimeAsync(500);
      last().handlers.onStarted();
      expect(manager.state().attempt).toBe(1);
      await vi.advanceTimersByTimeAsync(999);
      expect(manager.state().attempt).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(manager.state().attempt).toBe(0);
      manager.close();
    });

    it('takes backoff limits from the policy it is given', async () => {
      const { manager, attempts, last } = harness({ policy: { floorMs: 100 } });
      drop(last().handlers);
      await vi.advanceTimersByTimeAsync(0);
      expect(manager.state()).toMatchObject({ status: 'reconnecting', retryAt: 100 });
      await vi.advanceTimersByTimeAsync(100);
      expect(attempts).toHaveLength(2);
      manager.close();
    });

    it('reads the time from its clock', async () => {
      const { manager, last } = harness({ now: () => 1_000_000 });
      last().handlers.onStarted();
      expect(manager.state()).toMatchObject({ status: 'connected', since: 1_000_000 });
      manager.close();
    });

    it('falls back to WebSocket after two SSE failures, and tries SSE again two minutes later', async () => {
      const { manager, attempts, last } = harness({ mode: 'auto' });
      for (let i = 0; i < 2; i++) await failAndRetry(manager, last());
      expect(attempts.map((a) => a.transport)).toEqual(['sse', 'sse', 'ws']);
      last().handlers.onStarted();
      await vi.advanceTimersByTimeAsync(DEFAULT_POLICY.sseRetryAfterMs - 1);
      expect(attempts).toHaveLength(3);
      await vi.advanceTimersByTimeAsync(1);
      expect(attempts.map((a) => a.transport)).toEqual(['sse', 'sse', 'ws', 'sse']);
      expect(attempts[2]!.unsubscribed).toBe(true);
      manager.close();
    });

    it('stays on SSE when the server itself does not answer', async () => {
      const { manager, attempts, last } = harness({ mode: 'auto', probe: async () => false });
      for (let i = 0; i < 3; i++) await failAndRetry(manager, last());
      expect(attempts.map((a) => a.transport)).toEqual(['sse', 'sse', 'sse', 'sse']);
      manager.close();
    });

    it('does not probe for SSE on a WebSocket the mode forced', async () => {
      const { manager, attempts, last } = harness({ mode: 'ws' });
      last().handlers.onStarted();
      await vi.advanceTimersByTimeAsync(DEFAULT_POLICY.sseRetryAfterMs * 2);
      expect(attempts).toHaveLength(1);
      manager.close();
    });
  });

  describe('server shutdown', () => {
    it('retries within half a second when a WebSocket is told the server is restarting', async () => {
      const { manager, attempts, last } = harness({ mode: 'ws' });
      last().handlers.onStarted();
      await vi.advanceTimersByTimeAsync(20_000);
      last().handlers.onConnectionStateChange({ state: 'connecting', error: null });
      expect(manager.state()).toMatchObject({
        status: 'reconnecting',
        retryAt: 20_000 + 500,
        lastError: 'server is restarting',
      });
      expect(attempts[0]!.unsubscribed).toBe(true);
      await vi.advanceTimersByTimeAsync(499);
      expect(attempts).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(attempts).toHaveLength(2);
      manager.close();
    });

    it('treats a WebSocket that lost its stream with an error as a failure', () => {
      const { manager, last } = harness({ mode: 'ws' });
      last().handlers.onStarted();
      drop(last().handlers);
      expect(manager.state()).toMatchObject({
        status: 'reconnecting',
        lastError: 'socket hang up',
        retryAt: 500,
      });
      manager.close();
    });
  });

  describe('attempt callbacks', () => {
    it('tells listeners each new state once, even when an attempt opens inside open()', async () => {
      const { manager, states } = harness({}, { openSync: true });
      expect(manager.state().status).toBe('connected');
      states.length = 0;
      manager.restart();
      expect(states.map((s) => s.status)).toEqual(['connected']);
      await vi.advanceTimersByTimeAsync(20_000);
      expect(manager.state().status).toBe('connected');
      manager.close();
    });

    it('ignores a second open report from the same attempt', async () => {
      const { manager, states, last } = harness();
      last().handlers.onStarted();
      const told = states.length;
      last().handlers.onStarted();
      last().handlers.onConnectionStateChange({ state: 'pending', error: null });
      expect(states).toHaveLength(told);
      manager.close();
    });

    it('says connected when the link reports the stream pending', () => {
      const { manager, last } = harness();
      last().handlers.onConnectionStateChange({ state: 'pending', error: null });
      expect(manager.state().status).toBe('connected');
      manager.close();
    });

    it('fails at once when the first connection is refused, not after the connect window', async () => {
      const { manager, last } = harness();
      last().handlers.onConnectionStateChange({ state: 'connecting', error: null });
      await vi.advanceTimersByTimeAsync(0);
      expect(manager.state().status).toBe('connecting');
      fail(last().handlers, 'ECONNREFUSED');
      await vi.waitFor(() =>
        expect(manager.state()).toMatchObject({ status: 'reconnecting', lastError: 'ECONNREFUSED' }),
      );
      manager.close();
    });

    it('fails only once per attempt, whatever else it reports', async () => {
      let probes = 0;
      let answer: (up: boolean) => void = () => {};
      const { manager, last } = harness({
        probe: () => {
          probes++;
          return new Promise((r) => (answer = r));
        },
      });
      fail(last().handlers, 'first');
      last().handlers.onError(new Error('second'));
      await vi.advanceTimersByTimeAsync(5000);
      expect(probes).toBe(1);
      answer(true);
      await vi.waitFor(() =>
        expect(manager.state()).toMatchObject({ status: 'reconnecting', lastError: 'first', attempt: 1 }),
      );
      manager.close();
    });

    it('drops a server probe that answers after the attempt was replaced', async () => {
      let answer: (up: boolean) => void = () => {};
      const { manager, attempts, last } = harness({ probe: () => new Promise((r) => (answer = r)) });
      fail(last().handlers);
      manager.restart();
      answer(true);
      await vi.advanceTimersByTimeAsync(0);
      expect(manager.state().status).toBe('connecting');
      expect(attempts).toHaveLength(2);
      manager.close();
    });

    it('passes data from the current attempt only', () => {
      const data: unknown[] = [];
      const { manager, last } = harness({ onData: (v) => data.push(v) });
      const first = last().handlers;
      first.onData(1);
      manager.restart();
      first.onData(2);
      last().handlers.onData(3);
      expect(data).toEqual([1, 3]);
      manager.close();
    });

    it('goes idle when the server ends the stream and the owner wants to know', () => {
      let ended = 0;
      const { manager, attempts, last } = harness({ onComplete: () => ended++ });
      last().handlers.onComplete();
      expect(ended).toBe(0);
      expect(manager.state().status).toBe('connecting');
      last().handlers.onStarted();
      last().handlers.onComplete();
      expect(ended).toBe(1);
      expect(manager.state().status).toBe('idle');
      expect(attempts[0]!.unsubscribed).toBe(true);
      manager.close();
    });

    it('reopens a stream the server ended when no one asked to know', async () => {
      const { manager, last } = harness();
      last().handlers.onStarted();
      last().handlers.onComplete();
      await vi.waitFor(() =>
        expect(manager.state()).toMatchObject({ status: 'reconnecting', lastError: 'stream ended' }),
      );
      manager.close();
    });

    it('ignores completion of an attempt it replaced', () => {
      let ended = 0;
      const { manager, last } = harness({ onComplete: () => ended++ });
      const first = last().handlers;
      first.onStarted();
      manager.restart();
      first.onComplete();
      expect(ended).toBe(0);
      expect(manager.state().status).toBe('connecting');
      manager.close();
    });

    it('stops only on the codes it was told are fatal', async () => {
      const { manager, last } = harness({ fatalCodes: ['CONFLICT'] });
      last().handlers.onError({ message: 'nope', data: { code: 'UNAUTHORIZED' } });
      await vi.waitFor(() => expect(manager.state().status).toBe('reconnecting'));
      await vi.advanceTimersByTimeAsync(500);
      last().handlers.onError({ message: 'taken', data: { code: 'CONFLICT' } });
      expect(manager.state()).toMatchObject({ status: 'failed', error: 'CONFLICT: taken' });
      manager.close();
    });

    it.each(['UNAUTHORIZED', 'FORBIDDEN', 'BAD_REQUEST', 'NOT_FOUND'])('stops on %s by default', (code) => {
      const { manager, last } = harness();
      last().handlers.onError({ message: 'x', data: { code } });
      expect(manager.state()).toMatchObject({ status: 'failed', error: `${code}: x` });
      manager.close();
    });

    it.each([
      [new Error('broken pipe'), 'broken pipe'],
      [Object.assign(new Error(''), { name: 'AbortError' }), 'AbortError'],
      [{ message: 'from an object' }, 'from an object'],
      [{ message: '' }, '[object Object]'],
      [undefined, 'connection lost'],
      [null, 'connection lost'],
      ['plain text', 'plain text'],
      [{ message: 42 }, '[object Object]'],
      [{ data: { code: 'INTERNAL_SERVER_ERROR' }, message: 'oops' }, 'oops'],
    ])('describes the error %o as %s', async (error, text) => {
      const { manager, last } = harness();
      last().handlers.onError(error);
      await vi.waitFor(() =>
        expect(manager.state()).toMatchObject({ status: 'reconnecting', lastError: text }),
      );
      manager.close();
    });

    it('fails an attempt whose open() throws', async () => {
      const { manager } = harness({
        open() {
          throw new Error('cannot subscribe');
        },
      });
      await vi.waitFor(() =>
        expect(manager.state()).toMatchObject({ status: 'reconnecting', lastError: 'cannot subscribe' }),
      );
      manager.close();
    });
  });

  describe('callbacks from a replaced attempt', () => {
    it('cannot open the attempt that replaced it', () => {
      const { manager, last } = harness();
      const first = last().handlers;
      manager.restart();
      first.onStarted();
      first.onConnectionStateChange({ state: 'pending', error: null });
      expect(manager.state().status).toBe('connecting');
      manager.close();
    });

    it('cannot fail it for good', () => {
      const { manager, last } = harness();
      const first = last().handlers;
      manager.restart();
      first.onError({ message: 'who are you', data: { code: 'UNAUTHORIZED' } });
      expect(manager.state().status).toBe('connecting');
      manager.close();
    });

    it('cannot announce a server shutdown for it', () => {
      const { manager, last } = harness({ mode: 'ws' });
      const first = last().handlers;
      first.onStarted();
      manager.restart();
      last().handlers.onStarted();
      first.onConnectionStateChange({ state: 'connecting', error: null });
      expect(manager.state().status).toBe('connected');
      manager.close();
    });
  });

  describe('what the link reports', () => {
    it('ignores the link going idle, before and after the stream opened', async () => {
      for (const mode of ['sse', 'ws'] as const) {
        const { manager, states, last } = harness({ mode });
        last().handlers.onConnectionStateChange({ state: 'idle', error: new Error('before') });
        await vi.advanceTimersByTimeAsync(0);
        expect(manager.state().status).toBe('connecting');
        last().handlers.onStarted();
        const told = states.length;
        last().handlers.onConnectionStateChange({ state: 'idle', error: null });
        last().handlers.onConnectionStateChange({ state: 'idle', error: new Error('after') });
        await vi.advanceTimersByTimeAsync(0);
        expect(manager.state().status).toBe('connected');
        expect(states).toHaveLength(told);
        manager.close();
      }
    });

    it('takes an SSE stream lost without an error as a failure, not a shutdown notice', async () => {
      const { manager, last } = harness();
      last().handlers.onStarted();
      last().handlers.onConnectionStateChange({ state: 'connecting', error: null });
      await vi.waitFor(() =>
        expect(manager.state()).toMatchObject({ status: 'reconnecting', lastError: 'connection lost' }),
      );
      manager.close();
    });

    it('lets the connect window pass quietly when open() threw and the server probe never answers', async () => {
      const { manager } = harness({
        open() {
          throw new Error('cannot subscribe');
        },
        probe: () => new Promise<boolean>(() => {}),
      });
      await vi.advanceTimersByTimeAsync(10_000);
      expect(manager.state().status).toBe('connecting');
      manager.close();
    });
  });

  describe('timers left running', () => {
    it('keeps only the retry once a connection with every timer running drops', async () => {
      const { manager, last } = harness({ mode: 'auto' });
      for (let i = 0; i < 2; i++) {
        fail(last().handlers);
        await vi.waitFor(() => expect(manager.state().status).toBe('reconnecting'));
        expect(vi.getTimerCount()).toBe(1);
        const s = manager.state();
        await vi.advanceTimersByTimeAsync(s.status === 'reconnecting' ? s.retryAt - Date.now() : 0);
      }
      expect(manager.state()).toMatchObject({ status: 'connecting', transport: 'ws' });
      expect(vi.getTimerCount()).toBe(1);
      last().handlers.onStarted();
      // The stable timer and the SSE probe.
      expect(vi.getTimerCount()).toBe(2);
      drop(last().handlers);
      expect(vi.getTimerCount()).toBe(1);
      manager.close();
      expect(vi.getTimerCount()).toBe(0);
    });

    it('leaves no timer behind when closed live on WebSocket', async () => {
      const { manager, last } = harness({ mode: 'auto', probe: async () => true });
      for (let i = 0; i < 2; i++) await failAndRetry(manager, last());
      last().handlers.onStarted();
      expect(manager.state()).toMatchObject({ status: 'connected', transport: 'ws' });
      expect(vi.getTimerCount()).toBe(2);
      manager.close();
      expect(vi.getTimerCount()).toBe(0);
    });

    it('leaves no timer behind once offline, whatever was running', async () => {
      const { manager, setOnline, last } = harness();
      drop(last().handlers);
      await vi.advanceTimersByTimeAsync(0);
      expect(vi.getTimerCount()).toBe(1);
      setOnline(false);
      expect(vi.getTimerCount()).toBe(0);
      setOnline(true);
      last().handlers.onStarted();
      setOnline(false);
      expect(vi.getTimerCount()).toBe(0);
      manager.close();
    });

    it('cancels the retry it no longer needs when restarted', async () => {
      const { manager, last } = harness();
      drop(last().handlers);
      await vi.advanceTimersByTimeAsync(0);
      manager.restart();
      // Only the new attempt's connect window.
      expect(vi.getTimerCount()).toBe(1);
      manager.close();
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('the default server probe', () => {
    const twoSseFailures = async (status: number | Error) => {
      const fetch = vi.fn(async () => {
        if (status instanceof Error) throw status;
        return new Response(null, { status });
      });
      vi.stubGlobal('fetch', fetch);
      const { manager, attempts, last } = harness({
        mode: 'auto',
        probe: undefined,
        url: 'http://127.0.0.1:9//',
      });
      for (let i = 0; i < 2; i++) await failAndRetry(manager, last());
      manager.close();
      return { fetch, transports: attempts.map((a) => a.transport) };
    };

    it('asks /healthz without caching, and counts the failure when the server answers', async () => {
      const { fetch, transports } = await twoSseFailures(200);
      expect(fetch).toHaveBeenCalledWith(
        'http://127.0.0.1:9/healthz',
        expect.objectContaining({ cache: 'no-store', signal: expect.any(AbortSignal) }),
      );
      expect(transports).toEqual(['sse', 'sse', 'ws']);
    });

    it.each([404, 499, 503])('takes HTTP %i as the server being up', async (status) => {
      expect((await twoSseFailures(status)).transports).toEqual(['sse', 'sse', 'ws']);
    });

    it.each([500, 502, 504])('takes HTTP %i as the server being down', async (status) => {
      expect((await twoSseFailures(status)).transports).toEqual(['sse', 'sse', 'sse']);
    });

    it('takes no answer as the server being down', async () => {
      expect((await twoSseFailures(new TypeError('fetch failed'))).transports).toEqual(['sse', 'sse', 'sse']);
    });
  });

  describe('the rest of its surface', () => {
    it('passes progress and resets on to the machine', () => {
      const { manager, last } = harness();
      last().handlers.onStarted();
      manager.reportProgress(12);
      expect(manager.state()).toMatchObject({ status: 'catching_up', behind: 12 });
      manager.reportReset('ahead_of_head');
      expect(manager.state()).toMatchObject({ status: 'reset', reason: 'ahead_of_head' });
      manager.close();
    });

    it('moves to the transport a new mode asks for', () => {
      const { manager, attempts, last } = harness();
      last().handlers.onStarted();
      manager.setMode('ws');
      expect(attempts.map((a) => a.transport)).toEqual(['sse', 'ws']);
      expect(attempts[0]!.unsubscribed).toBe(true);
      manager.close();
    });

    it('starts on SSE in auto mode by default', () => {
      const { manager, last } = harness({ mode: undefined });
      expect(manager.state()).toMatchObject({ status: 'connecting', mode: 'auto', transport: 'sse' });
      expect(last().transport).toBe('sse');
      manager.close();
    });

    it('gives the same HTTP client every time', () => {
      const { manager } = harness();
      const api = manager.api();
      expect(Boolean(api)).toBe(true);
      expect(manager.api() === api).toBe(true);
      manager.close();
    });

    it('stops notifying an unsubscribed listener', () => {
      const { manager, last } = harness();
      const seen: string[] = [];
      const off = manager.subscribe((s) => seen.push(s.status));
      last().handlers.onStarted();
      off();
      manager.reportProgress(3);
      expect(seen).toEqual(['connected']);
      manager.close();
    });

    it('on close ends the attempt, the pending retry, the network listener and the listeners', async () => {
      const { manager, attempts, states, setOnline, listening, last } = harness();
      drop(last().handlers);
      await vi.advanceTimersByTimeAsync(0);
      expect(manager.state().status).toBe('reconnecting');
      const told = states.length;
      manager.close();
      expect(manager.state().status).toBe('idle');
      expect(listening()).toBe(0);
      await vi.advanceTimersByTimeAsync(60_000);
      setOnline(false);
      setOnline(true);
      expect(attempts).toHaveLength(1);
      expect(states).toHaveLength(told + 1);
    });

    it('on close ends a live attempt and its timers', async () => {
      const { manager, attempts, last } = harness({ mode: 'auto' });
      last().handlers.onStarted();
      manager.close();
      expect(attempts[0]!.unsubscribed).toBe(true);
      await vi.advanceTimersByTimeAsync(DEFAULT_POLICY.sseRetryAfterMs * 2);
      expect(attempts).toHaveLength(1);
      expect(manager.state()).toMatchObject({ status: 'idle', attempt: 0 });
    });
  });
});
