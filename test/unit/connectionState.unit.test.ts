import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  type ConnectionEffect,
  type ConnectionEvent,
  type ConnectionPolicy,
  type ConnectionState,
  type ConnectionStatus,
  DEFAULT_POLICY,
  initialConnectionState,
  isLive,
  nextConnectionState,
  stepConnection,
} from '../../shared/connection/connectionState.ts';

const run = (events: ConnectionEvent[], start: ConnectionState = initialConnectionState()) =>
  events.reduce((s, e) => nextConnectionState(s, e), start);
const err = (now = 0, random = 0.5): ConnectionEvent => ({ type: 'error', error: 'boom', now, random });

describe('backoffDelay', () => {
  it('stays between the floor and a cap that doubles per attempt', () => {
    for (let attempt = 0; attempt < 30; attempt++) {
      const ceiling = Math.min(DEFAULT_POLICY.capMs, DEFAULT_POLICY.floorMs * 2 ** attempt);
      expect(backoffDelay(attempt, 0)).toBe(DEFAULT_POLICY.floorMs);
      expect(backoffDelay(attempt, 1)).toBe(ceiling);
      const mid = backoffDelay(attempt, 0.5);
      expect(mid).toBeGreaterThanOrEqual(DEFAULT_POLICY.floorMs);
      expect(mid).toBeLessThanOrEqual(ceiling);
    }
    expect(backoffDelay(50, 1)).toBe(DEFAULT_POLICY.capMs);
  });
});

describe('nextConnectionState', () => {
  it('connects over SSE first and says connected once open', () => {
    const s = run([{ type: 'start' }, { type: 'opened', now: 10 }]);
    expect(s).toMatchObject({ status: 'connected', transport: 'sse', since: 10, attempt: 0 });
  });

  it('schedules a jittered retry after an error and counts attempts', () => {
    const s = run([{ type: 'start' }, { type: 'opened', now: 0 }, err(1000, 1)]);
    expect(s).toMatchObject({ status: 'reconnecting', attempt: 1, lastError: 'boom', retryAt: 1000 + 500 });
    const again = run([{ type: 'retry_due' }, err(5000, 1)], s);
    expect(again).toMatchObject({ status: 'reconnecting', attempt: 2, retryAt: 5000 + 1000 });
  });

  it('never retries sooner than the floor, however many errors arrive', () => {
    let s = run([{ type: 'start' }]);
    for (let i = 0; i < 100; i++) {
      s = run([err(i * 1000, 0)], s);
      expect(s.status === 'reconnecting' && s.retryAt - i * 1000).toBeGreaterThanOrEqual(
        DEFAULT_POLICY.floorMs,
      );
      s = run([{ type: 'retry_due' }], s);
    }
  });

  it('resets the attempt counter after a stable connection', () => {
    const s = run([
      { type: 'start' },
      err(),
      { type: 'retry_due' },
      err(),
      { type: 'retry_due' },
      { type: 'opened', now: 0 },
    ]);
    expect(s.attempt).toBe(2);
    expect(run([{ type: 'stable' }], s).attempt).toBe(0);
  });

  it('falls back to WebSocket after repeated SSE failures in auto mode', () => {
    const s = run([{ type: 'start' }, err(), { type: 'retry_due' }, err()]);
    expect(s).toMatchObject({ status: 'reconnecting', transport: 'ws' });
    expect(run([{ type: 'retry_due' }, { type: 'opened', now: 1 }], s)).toMatchObject({
      status: 'connected',
      transport: 'ws',
    });
  });

  it('keeps a forced transport whatever fails', () => {
    let s = run([{ type: 'start' }], initialConnectionState('sse'));
    for (let i = 0; i < 10; i++) s = run([err(), { type: 'retry_due' }], s);
    expect(s.transport).toBe('sse');
    const ws = run([{ type: 'start' }, err(), { type: 'retry_due' }, err()], initialConnectionState('ws'));
    expect(ws.transport).toBe('ws');
    expect(
      run([{ type: 'opened', now: 0 }, { type: 'probe_sse' }], run([{ type: 'retry_due' }], ws)).transport,
    ).toBe('ws');
  });

  it('tries SSE again later and returns to WebSocket if SSE fails once more', () => {
    const onWs = run([
      { type: 'start' },
      err(),
      { type: 'retry_due' },
      err(),
      { type: 'retry_due' },
      { type: 'opened', now: 0 },
    ]);
    const probing = run([{ type: 'probe_sse' }], onWs);
    expect(probing).toMatchObject({ status: 'connecting', transport: 'sse' });
    expect(run([{ type: 'opened', now: 5 }], probing)).toMatchObject({
      status: 'connected',
      transport: 'sse',
      sseFailures: 0,
    });
    expect(run([err()], probing)).toMatchObject({ status: 'reconnecting', transport: 'ws' });
  });

  it('goes offline, waits, and reconnects at once when back online', () => {
    const s = run([{ type: 'start' }, { type: 'opened', now: 0 }, { type: 'offline' }]);
    expect(s.status).toBe('offline');
    expect(run([err()], s).status).toBe('offline');
    expect(run([{ type: 'online' }], s)).toMatchObject({ status: 'connecting', attempt: 0 });
  });

  it('reconnects promptly, with a little jitter, when the server announces shutdown', () => {
    const s = run([
      { type: 'start' },
      { type: 'opened', now: 0 },
      { type: 'server_shutdown', now: 100, random: 1 },
    ]);
    expect(s).toMatchObject({ status: 'reconnecting', retryAt: 100 + DEFAULT_POLICY.floorMs });
  });

  it('reports catching up with the events behind, then connected', () => {
    const s = run([{ type: 'start' }, { type: 'opened', now: 0 }, { type: 'progress', behind: 1200 }]);
    expect(s).toMatchObject({ status: 'catching_up', behind: 1200 });
    expect(run([{ type: 'progress', behind: 0 }], s).status).toBe('connected');
  });

  it('says reset when the server could not resume, and never while no data can flow', () => {
    const live = run([
      { type: 'start' },
      { type: 'opened', now: 0 },
      { type: 'reset', reason: 'ahead_of_head' },
    ]);
    expect(live).toMatchObject({ status: 'reset', reason: 'ahead_of_head' });
    expect(run([{ type: 'start' }, { type: 'reset', reason: 'x' }]).status).toBe('connecting');
    expect(run([{ type: 'start' }, { type: 'progress', behind: 0 }]).status).toBe('connecting');
  });

  it('stays failed after a fatal error until retried by hand', () => {
    const s = run([{ type: 'start' }, { type: 'fatal', error: 'UNAUTHORIZED' }]);
    expect(run([err(), { type: 'retry_due' }, { type: 'online' }], s)).toMatchObject({
      status: 'failed',
      error: 'UNAUTHORIZED',
    });
    expect(run([{ type: 'retry_now' }], s).status).toBe('connecting');
  });

  it('retries at once on retry_now', () => {
    expect(run([{ type: 'start' }, err(0, 1), { type: 'retry_now' }]).status).toBe('connecting');
  });

  it('moves to the transport a new mode asks for, and keeps waiting out a failure', () => {
    const onSse = run([{ type: 'start' }, { type: 'opened', now: 0 }]);
    expect(run([{ type: 'set_mode', mode: 'ws' }], onSse)).toMatchObject({
      status: 'connecting',
      transport: 'ws',
      mode: 'ws',
    });
    const waiting = run([err(0, 1)], onSse);
    expect(run([{ type: 'set_mode', mode: 'ws' }], waiting)).toMatchObject({
      status: 'reconnecting',
      transport: 'ws',
    });
    const onWs = run([{ type: 'start' }, { type: 'opened', now: 0 }], initialConnectionState('ws'));
    expect(run([{ type: 'set_mode', mode: 'auto' }], onWs)).toMatchObject({
      status: 'connecting',
      transport: 'sse',
      mode: 'auto',
    });
    expect(run([{ type: 'set_mode', mode: 'sse' }], onSse)).toMatchObject({
      status: 'connected',
      mode: 'sse',
    });
  });

  it('takes the transport of a new mode even while offline, so the next attempt uses it', () => {
    const offline = run([{ type: 'start' }, { type: 'offline' }]);
    const s = run([{ type: 'set_mode', mode: 'ws' }], offline);
    expect(s).toMatchObject({ status: 'offline', transport: 'ws', mode: 'ws' });
    expect(run([{ type: 'online' }], s)).toMatchObject({ status: 'connecting', transport: 'ws' });
  });

  it('does not count SSE failures toward fallback while the server itself is down', () => {
    const down = (): ConnectionEvent => ({
      type: 'error',
      error: 'refused',
      now: 0,
      random: 0,
      serverReachable: false,
    });
    const s = run([{ type: 'start' }, down(), { type: 'retry_due' }, down(), { type: 'retry_due' }, down()]);
    expect(s).toMatchObject({ status: 'reconnecting', transport: 'sse', sseFailures: 0, attempt: 3 });
  });
});

const at = (s: ConnectionState, status: ConnectionStatus) => {
  expect(s.status).toBe(status);
  return s;
};
const start: ConnectionEvent = { type: 'start' };
const opened = (now = 10): ConnectionEvent => ({ type: 'opened', now });
const fatal: ConnectionEvent = { type: 'fatal', error: 'UNAUTHORIZED: who are you' };

/**
 * One state of each status, reached the way the shell reaches it (auto mode, on SSE). Built inside
 * each test, never at import: a mutant that breaks the machine must fail tests, not the file's load.
 */
const every = (status: ConnectionStatus): ConnectionState => {
  const paths: Record<ConnectionStatus, ConnectionEvent[]> = {
    idle: [],
    connecting: [start],
    connected: [start, opened()],
    catching_up: [start, opened(), { type: 'progress', behind: 7 }],
    reset: [start, opened(), { type: 'reset', reason: 'ahead_of_head' }],
    reconnecting: [start, opened(), err(100, 1)],
    offline: [start, opened(), { type: 'offline' }],
    failed: [start, fatal],
  };
  return at(run(paths[status]), status);
};
const statuses: ConnectionStatus[] = [
  'idle',
  'connecting',
  'connected',
  'catching_up',
  'reset',
  'reconnecting',
  'offline',
  'failed',
];
const live: ConnectionStatus[] = ['connected', 'catching_up', 'reset'];

/** The same states on WebSocket in auto mode (after falling back). */
const onWs = (status: ConnectionStatus): ConnectionState => {
  const fellBack = run([start, err(), { type: 'retry_due' }, err(), { type: 'retry_due' }]);
  expect(fellBack).toMatchObject({ status: 'connecting', transport: 'ws', mode: 'auto' });
  const paths: Partial<Record<ConnectionStatus, ConnectionEvent[]>> = {
    connecting: [],
    connected: [opened()],
    catching_up: [opened(), { type: 'progress', behind: 3 }],
    reset: [opened(), { type: 'reset', reason: 'r' }],
    reconnecting: [opened(), err()],
  };
  return at(run(paths[status]!, fellBack), status);
};

const step = (s: ConnectionState, e: ConnectionEvent, policy?: ConnectionPolicy) =>
  stepConnection(s, e, policy);
const reopen = (transport: 'sse' | 'ws'): ConnectionEffect[] => [
  { type: 'teardown' },
  { type: 'start_watchdog' },
  { type: 'open', transport },
];
const cancelRetry: ConnectionEffect = { type: 'cancel_retry' };
const teardown: ConnectionEffect = { type: 'teardown' };

/** Every event once, for "refuses everything but …" tables. */
const events: ConnectionEvent[] = [
  start,
  opened(),
  { type: 'progress', behind: 0 },
  { type: 'progress', behind: 5 },
  { type: 'reset', reason: 'x' },
  { type: 'stable' },
  err(),
  { type: 'server_shutdown', now: 0, random: 0.5 },
  fatal,
  { type: 'retry_due' },
  { type: 'retry_now' },
  { type: 'offline' },
  { type: 'online' },
  { type: 'probe_sse' },
  { type: 'restart' },
  { type: 'set_mode', mode: 'ws' },
  { type: 'stop' },
];

/** What each state must refuse: the same state back (identity: the shell tells no one) and no effects. */
const refused: [ConnectionStatus, ConnectionEvent['type'][]][] = [
  [
    'idle',
    [
      'opened',
      'progress',
      'reset',
      'stable',
      'error',
      'server_shutdown',
      'retry_due',
      'retry_now',
      'offline',
      'online',
      'probe_sse',
      'restart',
    ],
  ],
  ['connecting', ['start', 'progress', 'reset', 'stable', 'retry_due', 'retry_now', 'online', 'probe_sse']],
  ['connected', ['start', 'opened', 'retry_due', 'retry_now', 'online', 'probe_sse']],
  ['catching_up', ['start', 'opened', 'retry_due', 'retry_now', 'online', 'probe_sse']],
  ['reset', ['start', 'opened', 'retry_due', 'retry_now', 'online', 'probe_sse']],
  ['reconnecting', ['start', 'opened', 'progress', 'reset', 'stable', 'online', 'probe_sse']],
  [
    'offline',
    [
      'start',
      'opened',
      'progress',
      'reset',
      'stable',
      'error',
      'server_shutdown',
      'retry_due',
      'retry_now',
      'offline',
      'probe_sse',
      'restart',
    ],
  ],
  ['failed', events.map((e) => e.type).filter((t) => t !== 'stop' && t !== 'retry_now' && t !== 'restart')],
];

describe('stepConnection', () => {
  describe.each(refused)('while %s', (status, types) => {
    it.each(events.filter((e) => types.includes(e.type)).map((e) => [e.type, e] as const))(
      'refuses %s: same state, no effects',
      (_type, e) => {
        const s = every(status);
        const next = step(s, e);
        expect(next.state).toBe(s);
        expect(next.effects).toEqual([]);
      },
    );
  });

  it('matches nextConnectionState, which is only its state', () => {
    for (const s of statuses.map(every))
      for (const e of events) expect(nextConnectionState(s, e)).toEqual(step(s, e).state);
  });

  it('opens the first attempt on start, on the transport the mode says', () => {
    expect(step(every('idle'), start)).toEqual({
      state: { status: 'connecting', transport: 'sse', mode: 'auto', attempt: 0, sseFailures: 0 },
      effects: reopen('sse'),
    });
    expect(step(initialConnectionState('ws'), start)).toEqual({
      state: { status: 'connecting', transport: 'ws', mode: 'ws', attempt: 0, sseFailures: 0 },
      effects: reopen('ws'),
    });
  });

  it('starts the stable timer once open, and the SSE probe only on WebSocket in auto mode', () => {
    expect(step(every('connecting'), opened(42))).toEqual({
      state: { status: 'connected', since: 42, transport: 'sse', mode: 'auto', attempt: 0, sseFailures: 0 },
      effects: [{ type: 'stop_watchdog' }, { type: 'start_stable_timer' }],
    });
    expect(step(onWs('connecting'), opened()).effects).toEqual([
      { type: 'stop_watchdog' },
      { type: 'start_stable_timer' },
      { type: 'start_probe_timer' },
    ]);
    const forcedWs = run([start], initialConnectionState('ws'));
    expect(step(forcedWs, opened()).effects).toEqual([
      { type: 'stop_watchdog' },
      { type: 'start_stable_timer' },
    ]);
    const forcedSse = run([start], initialConnectionState('sse'));
    expect(step(forcedSse, opened()).effects).toEqual([
      { type: 'stop_watchdog' },
      { type: 'start_stable_timer' },
    ]);
  });

  it('forgets the last error once open, and clears SSE failures only when SSE itself opened', () => {
    const afterError = run([start, err(), { type: 'retry_due' }]);
    expect(afterError).toMatchObject({ status: 'connecting', lastError: 'boom', sseFailures: 1 });
    expect(step(afterError, opened()).state).toMatchObject({ lastError: undefined, sseFailures: 0 });
    const wsWithSseFailure: ConnectionState = {
      status: 'connecting',
      transport: 'ws',
      mode: 'auto',
      attempt: 1,
      sseFailures: 1,
      lastError: 'boom',
    };
    expect(step(wsWithSseFailure, opened()).state).toMatchObject({ sseFailures: 1, lastError: undefined });
  });

  describe('online', () => {
    it('reconnects at once from offline, with a fresh attempt count', () => {
      const offline = run(
        [start, err(), { type: 'retry_due' }, err(), { type: 'offline' }],
        initialConnectionState('sse'),
      );
      expect(offline).toMatchObject({ status: 'offline', attempt: 2, lastError: 'boom' });
      expect(step(offline, { type: 'online' })).toEqual({
        state: {
          status: 'connecting',
          transport: 'sse',
          mode: 'sse',
          attempt: 0,
          sseFailures: 2,
          lastError: 'boom',
        },
        effects: reopen('sse'),
      });
    });

    it.each(['connecting', 'connected', 'catching_up', 'reset', 'reconnecting'] as const)(
      'is a no-op while %s: a spurious online does not tear down the stream',
      (status) => {
        const s = every(status);
        expect(step(s, { type: 'online' })).toEqual({ state: s, effects: [] });
      },
    );
  });

  describe('offline', () => {
    it.each(['connecting', ...live] as const)(
      'ends the stream while %s and keeps transport and attempts',
      (status) => {
        const s = every(status);
        expect(step(s, { type: 'offline' })).toEqual({
          state: {
            status: 'offline',
            transport: s.transport,
            mode: s.mode,
            attempt: s.attempt,
            sseFailures: s.sseFailures,
            lastError: s.lastError,
          },
          effects: [teardown],
        });
      },
    );

    it('cancels a pending retry', () => {
      expect(step(every('reconnecting'), { type: 'offline' })).toMatchObject({
        state: { status: 'offline', attempt: 1, lastError: 'boom' },
        effects: [cancelRetry, teardown],
      });
    });

    it('stays offline on an error or a shutdown notice, with nothing scheduled', () => {
      for (const e of [err(5, 1), { type: 'server_shutdown', now: 5, random: 1 } as const]) {
        expect(step(every('offline'), e)).toEqual({ state: every('offline'), effects: [] });
      }
    });
  });

  describe('error', () => {
    it.each(['connecting', ...live] as const)(
      'while %s tears down and schedules the retry at the backoff',
      (status) => {
        const s = every(status);
        const next = step(s, err(1000, 1));
        const retryAt = 1000 + backoffDelay(s.attempt, 1);
        expect(next).toEqual({
          state: {
            status: 'reconnecting',
            retryAt,
            transport: s.transport,
            mode: 'auto',
            attempt: s.attempt + 1,
            sseFailures: s.sseFailures + 1,
            lastError: 'boom',
          },
          effects: [teardown, { type: 'schedule_retry', at: retryAt }],
        });
      },
    );

    it('while reconnecting replaces the scheduled retry, counting the failure', () => {
      expect(step(every('reconnecting'), err(2000, 1))).toEqual({
        state: {
          status: 'reconnecting',
          retryAt: 3000,
          transport: 'ws',
          mode: 'auto',
          attempt: 2,
          sseFailures: 0,
          lastError: 'boom',
        },
        effects: [teardown, { type: 'schedule_retry', at: 3000 }],
      });
    });

    it('uses the policy it is given for the delay', () => {
      const policy = { ...DEFAULT_POLICY, floorMs: 100, capMs: 150 };
      expect(step(every('connected'), err(0, 1), policy).state).toMatchObject({ retryAt: 100 });
      expect(step(run([err(0, 1)], every('connected')), err(0, 1), policy).state).toMatchObject({
        retryAt: 150,
      });
    });

    it('falls back to WebSocket at exactly the configured SSE failures, not one before', () => {
      const policy = { ...DEFAULT_POLICY, sseFailuresBeforeFallback: 3 };
      let s = every('connecting');
      for (let failures = 1; failures < 3; failures++) {
        s = nextConnectionState(s, err(), policy);
        expect(s).toMatchObject({ transport: 'sse', sseFailures: failures });
        s = nextConnectionState(s, { type: 'retry_due' }, policy);
      }
      s = nextConnectionState(s, err(), policy);
      expect(s).toMatchObject({ status: 'reconnecting', transport: 'ws', sseFailures: 0 });
      expect(step(s, { type: 'retry_due' }, policy).effects).toEqual([cancelRetry, ...reopen('ws')]);
    });

    it('counts an SSE failure when the server answered, or when nobody asked', () => {
      const reachable: ConnectionEvent = {
        type: 'error',
        error: 'x',
        now: 0,
        random: 0,
        serverReachable: true,
      };
      expect(step(every('connecting'), reachable).state).toMatchObject({ sseFailures: 1 });
      expect(step(every('connecting'), err()).state).toMatchObject({ sseFailures: 1 });
    });

    it('never counts WebSocket failures against SSE, and stays on WebSocket', () => {
      const s = onWs('connected');
      expect(step(s, err()).state).toMatchObject({ status: 'reconnecting', transport: 'ws', sseFailures: 0 });
      // Even with SSE failures on record (at the fallback threshold), a WebSocket failure leaves them be.
      const tally: ConnectionState = { ...s, sseFailures: DEFAULT_POLICY.sseFailuresBeforeFallback };
      expect(step(tally, err()).state).toMatchObject({ transport: 'ws', sseFailures: 2 });
    });

    it('never falls back from a forced SSE', () => {
      const s = run([start, err(), { type: 'retry_due' }], initialConnectionState('sse'));
      expect(step(s, err()).state).toMatchObject({ transport: 'sse', sseFailures: 2 });
    });
  });

  describe('server_shutdown', () => {
    const shutdown = (now: number, random: number): ConnectionEvent => ({
      type: 'server_shutdown',
      now,
      random,
    });

    it('retries within the floor, jittered, however many attempts failed before', () => {
      let s = every('connected');
      for (let i = 0; i < 12; i++) s = run([err(), { type: 'retry_due' }], s);
      s = run([opened()], s);
      expect(s.attempt).toBe(12);
      expect(step(s, shutdown(1000, 1))).toMatchObject({
        state: {
          status: 'reconnecting',
          retryAt: 1000 + DEFAULT_POLICY.floorMs,
          lastError: 'server is restarting',
        },
        effects: [teardown, { type: 'schedule_retry', at: 1000 + DEFAULT_POLICY.floorMs }],
      });
      expect(step(s, shutdown(1000, 0)).state).toMatchObject({ retryAt: 1000 });
      expect(step(s, shutdown(1000, 0.5)).state).toMatchObject({ retryAt: 1250 });
      expect(step(s, shutdown(1000, 1), { ...DEFAULT_POLICY, floorMs: 200 }).state).toMatchObject({
        retryAt: 1200,
        attempt: 13,
      });
    });
  });

  describe('fatal', () => {
    it.each(statuses.filter((s) => s !== 'failed' && s !== 'reconnecting'))(
      'from %s fails for good and ends the stream',
      (status) => {
        const s = every(status);
        expect(step(s, fatal)).toEqual({
          state: {
            status: 'failed',
            error: 'UNAUTHORIZED: who are you',
            lastError: 'UNAUTHORIZED: who are you',
            transport: s.transport,
            mode: s.mode,
            attempt: s.attempt,
            sseFailures: s.sseFailures,
          },
          effects: [teardown],
        });
      },
    );

    it('from reconnecting also cancels the pending retry', () => {
      expect(step(every('reconnecting'), fatal)).toMatchObject({
        state: { status: 'failed', error: 'UNAUTHORIZED: who are you' },
        effects: [cancelRetry, teardown],
      });
    });

    it('keeps the first fatal error once failed', () => {
      const failed = every('failed');
      expect(step(failed, { type: 'fatal', error: 'other' }).state).toBe(failed);
    });
  });

  describe('retry_now and retry_due', () => {
    it('retry_now reconnects at once from reconnecting, cancelling the timer', () => {
      expect(step(every('reconnecting'), { type: 'retry_now' })).toEqual({
        state: {
          status: 'connecting',
          transport: 'sse',
          mode: 'auto',
          attempt: 1,
          sseFailures: 1,
          lastError: 'boom',
        },
        effects: [cancelRetry, ...reopen('sse')],
      });
    });

    it('retry_now reconnects from failed, without the failure', () => {
      expect(step(every('failed'), { type: 'retry_now' })).toEqual({
        state: {
          status: 'connecting',
          transport: 'sse',
          mode: 'auto',
          attempt: 0,
          sseFailures: 0,
          lastError: 'UNAUTHORIZED: who are you',
        },
        effects: reopen('sse'),
      });
    });

    it('retry_due opens the next attempt on the transport chosen at the failure', () => {
      expect(step(onWs('reconnecting'), { type: 'retry_due' })).toMatchObject({
        state: { status: 'connecting', transport: 'ws' },
        effects: [cancelRetry, ...reopen('ws')],
      });
    });
  });

  describe('restart', () => {
    it('from connected opens a fresh attempt on the same transport, without stale fields', () => {
      expect(step(every('connected'), { type: 'restart' })).toEqual({
        state: {
          status: 'connecting',
          transport: 'sse',
          mode: 'auto',
          attempt: 0,
          sseFailures: 0,
          lastError: undefined,
        },
        effects: reopen('sse'),
      });
      const next = step(onWs('connected'), { type: 'restart' });
      expect(next.state).not.toHaveProperty('since');
      expect(next).toMatchObject({ state: { status: 'connecting', transport: 'ws' }, effects: reopen('ws') });
    });

    it.each(['catching_up', 'reset'] as const)('from %s drops what only that state knew', (status) => {
      const next = step(every(status), { type: 'restart' });
      expect(next.state).toEqual({
        status: 'connecting',
        transport: 'sse',
        mode: 'auto',
        attempt: 0,
        sseFailures: 0,
        lastError: undefined,
      });
      expect(next.effects).toEqual(reopen('sse'));
    });

    it('from connecting replaces the attempt and keeps the last error it is still explaining', () => {
      const retrying = run([err(), { type: 'retry_due' }], every('connecting'));
      expect(step(retrying, { type: 'restart' })).toEqual({
        state: { ...retrying },
        effects: reopen('sse'),
      });
      expect(step(retrying, { type: 'restart' }).state).not.toBe(retrying);
    });

    it('from reconnecting cancels the retry and opens now', () => {
      expect(step(every('reconnecting'), { type: 'restart' })).toMatchObject({
        state: { status: 'connecting', attempt: 1, lastError: 'boom' },
        effects: [cancelRetry, ...reopen('sse')],
      });
      expect(step(every('reconnecting'), { type: 'restart' }).state).not.toHaveProperty('retryAt');
    });

    it('from failed opens again (what to follow changed)', () => {
      const next = step(every('failed'), { type: 'restart' });
      expect(next.state).toMatchObject({ status: 'connecting', lastError: 'UNAUTHORIZED: who are you' });
      expect(next.state).not.toHaveProperty('error');
      expect(next.effects).toEqual(reopen('sse'));
    });
  });

  describe('stop', () => {
    it.each(statuses)('from %s goes idle and ends whatever runs', (status) => {
      const s = every(status);
      const next = step(s, { type: 'stop' });
      expect(next.state).toEqual({
        status: 'idle',
        transport: s.transport,
        mode: s.mode,
        attempt: s.attempt,
        sseFailures: s.sseFailures,
        lastError: s.lastError,
      });
      expect(next.effects).toEqual(status === 'reconnecting' ? [cancelRetry, teardown] : [teardown]);
    });
  });

  describe('set_mode', () => {
    const setMode = (mode: 'auto' | 'sse' | 'ws'): ConnectionEvent => ({ type: 'set_mode', mode });

    it.each(statuses.filter((s) => s !== 'failed'))('to the same mode is a no-op while %s', (status) => {
      const s = every(status);
      expect(step(s, setMode('auto'))).toEqual({ state: s, effects: [] });
    });

    it.each(['connecting', ...live] as const)('while %s moves the stream to the new transport', (status) => {
      expect(step(every(status), setMode('ws'))).toEqual({
        state: {
          status: 'connecting',
          transport: 'ws',
          mode: 'ws',
          attempt: 0,
          sseFailures: 0,
          lastError: undefined,
        },
        effects: reopen('ws'),
      });
    });

    it('from WebSocket to auto moves to SSE', () => {
      const ws = run([start, opened()], initialConnectionState('ws'));
      expect(step(ws, setMode('auto'))).toMatchObject({
        state: { status: 'connecting', transport: 'sse', mode: 'auto' },
        effects: reopen('sse'),
      });
    });

    it('keeps a stream already on the chosen transport, and forgets SSE failures', () => {
      const s = run([err(), { type: 'retry_due' }, opened(7)], every('connecting'));
      const withFailure: ConnectionState = { ...s, sseFailures: 1 };
      expect(step(withFailure, setMode('sse'))).toEqual({
        state: { ...withFailure, mode: 'sse', sseFailures: 0 },
        effects: [],
      });
      const fallback = onWs('connected');
      expect(step(fallback, setMode('ws'))).toEqual({ state: { ...fallback, mode: 'ws' }, effects: [] });
    });

    it('while reconnecting keeps waiting, with the retry time it had', () => {
      expect(step(every('reconnecting'), setMode('ws'))).toEqual({
        state: { ...every('reconnecting'), mode: 'ws', transport: 'ws', sseFailures: 0 },
        effects: [],
      });
    });

    it.each(['idle', 'offline'] as const)(
      'while %s only records the choice for the next attempt',
      (status) => {
        const s = every(status);
        expect(step(s, setMode('ws'))).toEqual({
          state: { ...s, mode: 'ws', transport: 'ws', sseFailures: 0 },
          effects: [],
        });
      },
    );
  });

  describe('probe_sse', () => {
    it.each(live)('from WebSocket while %s tries SSE, one failure from falling back again', (status) => {
      const s = onWs(status);
      expect(step(s, { type: 'probe_sse' })).toEqual({
        state: {
          status: 'connecting',
          transport: 'sse',
          mode: 'auto',
          attempt: s.attempt,
          sseFailures: DEFAULT_POLICY.sseFailuresBeforeFallback - 1,
          lastError: undefined,
        },
        effects: reopen('sse'),
      });
    });

    it('takes the failures to leave from the policy', () => {
      const policy = { ...DEFAULT_POLICY, sseFailuresBeforeFallback: 4 };
      expect(step(onWs('connected'), { type: 'probe_sse' }, policy).state).toMatchObject({ sseFailures: 3 });
    });

    it('is refused without a live WebSocket stream in auto mode', () => {
      for (const s of [
        onWs('connecting'),
        onWs('reconnecting'),
        run([start, opened()], initialConnectionState('ws')),
      ]) {
        expect(step(s, { type: 'probe_sse' })).toEqual({ state: s, effects: [] });
      }
    });
  });

  describe('progress, reset and stable', () => {
    it.each(live)('while %s: behind > 0 is catching up, 0 is connected', (status) => {
      const s = every(status);
      expect(step(s, { type: 'progress', behind: 1 })).toEqual({
        state: {
          status: 'catching_up',
          behind: 1,
          transport: 'sse',
          mode: 'auto',
          attempt: 0,
          sseFailures: 0,
          lastError: undefined,
        },
        effects: [],
      });
      const caughtUp = step(s, { type: 'progress', behind: 0 });
      expect(caughtUp.state.status).toBe('connected');
      expect(caughtUp.effects).toEqual([]);
    });

    it('leaves a connected state alone when still caught up', () => {
      expect(step(every('connected'), { type: 'progress', behind: 0 })).toEqual({
        state: every('connected'),
        effects: [],
      });
    });

    it.each(live)('while %s: reset says so with its reason', (status) => {
      expect(step(every(status), { type: 'reset', reason: 'gone' })).toMatchObject({
        state: { status: 'reset', reason: 'gone' },
        effects: [],
      });
    });

    it.each(live)('while %s: stable clears the attempt count and nothing else', (status) => {
      const s = { ...every(status), attempt: 4 };
      expect(step(s, { type: 'stable' })).toEqual({ state: { ...s, attempt: 0 }, effects: [] });
    });
  });
});

describe('isLive and initialConnectionState', () => {
  it('says live only where data can flow', () => {
    expect(statuses.filter((s) => isLive(every(s)))).toEqual(live);
  });

  it('starts idle on the transport the mode names, SSE for auto', () => {
    expect(initialConnectionState()).toEqual({
      status: 'idle',
      transport: 'sse',
      mode: 'auto',
      attempt: 0,
      sseFailures: 0,
    });
    expect(initialConnectionState('sse')).toMatchObject({ transport: 'sse', mode: 'sse' });
    expect(initialConnectionState('ws')).toMatchObject({ transport: 'ws', mode: 'ws' });
  });
});

describe('backoffDelay limits', () => {
  it('caps the exponent, so a long outage with no cap still gives a finite delay', () => {
    const policy = { ...DEFAULT_POLICY, capMs: Number.POSITIVE_INFINITY };
    expect(backoffDelay(16, 1, policy)).toBe(DEFAULT_POLICY.floorMs * 2 ** 16);
    expect(backoffDelay(17, 1, policy)).toBe(DEFAULT_POLICY.floorMs * 2 ** 16);
    expect(backoffDelay(2000, 0.5, policy)).toBeLessThan(Number.POSITIVE_INFINITY);
  });

  it('reaches the cap exactly and not before', () => {
    const policy = { ...DEFAULT_POLICY, floorMs: 100, capMs: 800 };
    expect(backoffDelay(2, 1, policy)).toBe(400);
    expect(backoffDelay(3, 1, policy)).toBe(800);
    expect(backoffDelay(4, 1, policy)).toBe(800);
    expect(backoffDelay(0, 1, policy)).toBe(100);
  });
});
