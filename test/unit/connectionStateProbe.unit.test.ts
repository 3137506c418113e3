import { describe, expect, it } from 'vitest';
import {
  type ConnectionEffect,
  type ConnectionEvent,
  type ConnectionState,
  type ConnectionStatus,
  DEFAULT_POLICY,
  initialConnectionState,
  nextConnectionState,
  stepConnection,
} from '../../shared/connection/connectionState.ts';

const run = (events: ConnectionEvent[], from: ConnectionState = initialConnectionState()) =>
  events.reduce((s, e) => nextConnectionState(s, e), from);
const start: ConnectionEvent = { type: 'start' };
const opened: ConnectionEvent = { type: 'opened', now: 10 };
const err = (serverReachable?: boolean, now = 1000): ConnectionEvent => ({
  type: 'error',
  error: 'server unreachable',
  now,
  random: 1,
  serverReachable,
});
const down = err(false);
const ready: ConnectionEvent = { type: 'server_ready' };
const unready = (error?: string): ConnectionEvent => ({ type: 'server_unready', error });
const startProbe: ConnectionEffect = { type: 'start_reachability_probe' };
const stopProbe: ConnectionEffect = { type: 'stop_reachability_probe' };
const cancelRetry: ConnectionEffect = { type: 'cancel_retry' };
const teardown: ConnectionEffect = { type: 'teardown' };
const reopen = (transport: 'sse' | 'ws'): ConnectionEffect[] => [
  teardown,
  { type: 'start_watchdog' },
  { type: 'open', transport },
];

/** Reconnecting because the server did not answer: the probe runs. */
const waiting = () => {
  const s = run([start, opened, down]);
  expect(s).toMatchObject({ status: 'reconnecting', waitingForServer: true });
  return s;
};
/** Reconnecting after a failure of a server that answered: backoff only. */
const backingOff = () => {
  const s = run([start, opened, err(true)]);
  expect(s.status).toBe('reconnecting');
  expect(s).not.toHaveProperty('waitingForServer');
  return s;
};

/** One state of every status (plus the two kinds of reconnecting). */
const every: Record<ConnectionStatus | 'waiting', () => ConnectionState> = {
  idle: () => initialConnectionState(),
  connecting: () => run([start]),
  connected: () => run([start, opened]),
  catching_up: () => run([start, opened, { type: 'progress', behind: 3 }]),
  reset: () => run([start, opened, { type: 'reset', reason: 'r' }]),
  reconnecting: backingOff,
  waiting,
  offline: () => run([start, { type: 'offline' }]),
  failed: () => run([start, { type: 'fatal', error: 'UNAUTHORIZED: no' }]),
};

describe('waiting for the server', () => {
  it.each(['connecting', 'connected', 'catching_up', 'reset'] as const)(
    'an error while %s with the server down starts the probe beside the backoff retry',
    (status) => {
      const s = every[status]();
      const next = stepConnection(s, down);
      expect(next.state).toMatchObject({
        status: 'reconnecting',
        waitingForServer: true,
        attempt: s.attempt + 1,
        lastError: 'server unreachable',
        // A down server is not an SSE problem.
        sseFailures: s.sseFailures,
      });
      const retryAt = (next.state as { retryAt: number }).retryAt;
      expect(next.effects).toEqual([teardown, { type: 'schedule_retry', at: retryAt }, startProbe]);
    },
  );

  it.each([true, undefined])('an error with the server reachable (%s) only backs off', (reachable) => {
    const next = stepConnection(every.connected(), err(reachable));
    expect(next.state).not.toHaveProperty('waitingForServer');
    expect(next.effects).toEqual([teardown, { type: 'schedule_retry', at: 1500 }]);
  });

  it('a second failure while waiting keeps the probe running, once', () => {
    const next = stepConnection(waiting(), err(false, 5000));
    expect(next.state).toMatchObject({ status: 'reconnecting', waitingForServer: true, attempt: 2 });
    expect(next.effects).toEqual([teardown, { type: 'schedule_retry', at: 6000 }]);
  });

  it('a failure while waiting of a server that answers stops the probe', () => {
    for (const e of [err(true), err(undefined), { type: 'server_shutdown', now: 0, random: 0 } as const]) {
      const next = stepConnection(waiting(), e);
      expect(next.state.status).toBe('reconnecting');
      expect(next.state).not.toHaveProperty('waitingForServer');
      expect(next.effects.at(-1)).toEqual(stopProbe);
      expect(next.effects.filter((x) => x.type === 'stop_reachability_probe')).toHaveLength(1);
    }
  });

  it('server_ready reconnects at once, before the retry, keeping the attempt count and the error', () => {
    const s = waiting();
    expect(stepConnection(s, ready)).toEqual({
      state: {
        status: 'connecting',
        transport: 'sse',
        mode: 'auto',
        attempt: 1,
        sseFailures: 0,
        lastError: 'server unreachable',
      },
      effects: [cancelRetry, stopProbe, ...reopen('sse')],
    });
  });

  it('server_ready on WebSocket reopens WebSocket', () => {
    const s = run(
      [err(undefined), unready('server unreachable')],
      run([start, opened], initialConnectionState('ws')),
    );
    expect(s).toMatchObject({ status: 'reconnecting', waitingForServer: true, transport: 'ws' });
    expect(stepConnection(s, ready).effects).toEqual([cancelRetry, stopProbe, ...reopen('ws')]);
  });

  it.each([
    'idle',
    'connecting',
    'connected',
    'catching_up',
    'reset',
    'reconnecting',
    'offline',
    'failed',
  ] as const)(
    'server_ready while %s (not waiting for the server) is refused: same state, no effects',
    (status) => {
      const s = every[status]();
      const next = stepConnection(s, ready);
      expect(next.state).toBe(s);
      expect(next.effects).toEqual([]);
    },
  );

  it('server_unready while backing off starts waiting, with better words for the error when given', () => {
    const s = backingOff();
    expect(stepConnection(s, unready('server not ready'))).toEqual({
      state: { ...s, waitingForServer: true, lastError: 'server not ready' },
      effects: [startProbe],
    });
    expect(stepConnection(s, unready()).state).toEqual({ ...s, waitingForServer: true });
  });

  it.each([
    'idle',
    'connecting',
    'connected',
    'catching_up',
    'reset',
    'waiting',
    'offline',
    'failed',
  ] as const)('server_unready while %s is refused: same state, no effects', (status) => {
    const s = every[status]();
    const next = stepConnection(s, unready('server unreachable'));
    expect(next.state).toBe(s);
    expect(next.effects).toEqual([]);
  });

  it.each([
    ['retry_due', { type: 'retry_due' }, [cancelRetry, stopProbe, ...reopen('sse')]],
    ['retry_now', { type: 'retry_now' }, [cancelRetry, stopProbe, ...reopen('sse')]],
    ['restart', { type: 'restart' }, [cancelRetry, stopProbe, ...reopen('sse')]],
    ['offline', { type: 'offline' }, [cancelRetry, stopProbe, teardown]],
    ['stop', { type: 'stop' }, [cancelRetry, stopProbe, teardown]],
    ['fatal', { type: 'fatal', error: 'x' }, [cancelRetry, stopProbe, teardown]],
  ] as [string, ConnectionEvent, ConnectionEffect[]][])(
    'leaving the wait by %s stops the probe with the retry',
    (_name, e, effects) => {
      const next = stepConnection(waiting(), e);
      expect(next.effects).toEqual(effects);
      expect(next.state).not.toHaveProperty('waitingForServer');
    },
  );

  it('a new mode while waiting keeps waiting, with nothing to do', () => {
    const s = waiting();
    expect(stepConnection(s, { type: 'set_mode', mode: 'ws' })).toEqual({
      state: { ...s, mode: 'ws', transport: 'ws', sseFailures: 0 },
      effects: [],
    });
  });

  it('never waits for the server when the policy turns probing off', () => {
    const off = { ...DEFAULT_POLICY, reachabilityProbeMs: 0 };
    const next = stepConnection(every.connected(), down, off);
    expect(next.state).not.toHaveProperty('waitingForServer');
    expect(next.effects).toEqual([teardown, { type: 'schedule_retry', at: 1500 }]);
    const s = backingOff();
    expect(stepConnection(s, unready('server unreachable'), off)).toEqual({ state: s, effects: [] });
  });
});
