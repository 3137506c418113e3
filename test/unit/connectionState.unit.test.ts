import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  type ConnectionEvent,
  type ConnectionState,
  DEFAULT_POLICY,
  initialConnectionState,
  nextConnectionState,
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
