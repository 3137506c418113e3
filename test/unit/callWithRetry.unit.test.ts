import { TRPCClientError } from '@trpc/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callWithRetry } from '../../server/demo/callWithRetry.ts';
import { settle } from '../support/settle.ts';

/** The client error a server answer with this HTTP status (and data) becomes. */
function serverError(httpStatus: number, extra: Record<string, unknown> = {}) {
  return TRPCClientError.from({
    error: { message: `failed with ${httpStatus}`, code: -32600, data: { httpStatus, ...extra } },
  });
}

/** A call that fails with `failures` in turn, then resolves `done`. */
function flaky(failures: unknown[]) {
  return vi.fn(async () => {
    if (failures.length > 0) throw failures.shift();
    return 'done';
  });
}

describe('callWithRetry', () => {
  let log: ReturnType<typeof vi.fn<(line: string) => void>>;
  let ac: AbortController;
  beforeEach(() => {
    vi.useFakeTimers();
    log = vi.fn<(line: string) => void>();
    ac = new AbortController();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('returns what the call resolves without waiting or logging', async () => {
    const call = flaky([]);
    await expect(callWithRetry(call, { signal: ac.signal, log })).resolves.toBe('done');
    expect(call).toHaveBeenCalledOnce();
    expect(log).not.toHaveBeenCalled();
  });

  it('hands every attempt of one call the same idempotency key, and another call a new one', async () => {
    const call = flaky([new TypeError('fetch failed'), serverError(503)]);
    const result = settle(callWithRetry(call, { signal: ac.signal, log }));
    await vi.runAllTimersAsync();
    await vi.waitFor(() => expect(result.done).toBe(true));
    const keys = call.mock.calls.map((c) => (c as unknown as [string])[0]);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const next = flaky([]);
    await callWithRetry(next, { signal: ac.signal, log });
    expect((next.mock.calls[0] as unknown as [string])[0]).not.toBe(keys[0]);
  });

  it('waits exactly retryAfterMs after a 429, not 1 ms less, then retries', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const call = flaky([serverError(429, { retryAfterMs: 5000 })]);
    const result = settle(callWithRetry(call, { signal: ac.signal, log }));
    await vi.advanceTimersByTimeAsync(4999);
    expect(call).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(result.done).toBe(true));
    expect(result.value).toBe('done');
    expect(call).toHaveBeenCalledTimes(2);
    expect(log).toHaveBeenCalledExactlyOnceWith('rate limited (failed with 429); retrying in 5.0 s');
  });

  it("waits a 429's retryAfterMs even past maxDelayMs, at any jitter", async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const call = flaky([serverError(429, { retryAfterMs: 45_000 })]);
    const result = settle(callWithRetry(call, { signal: ac.signal, log, maxDelayMs: 30_000 }));
    await vi.advanceTimersByTimeAsync(44_999);
    expect(call).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(result.value).toBe('done'));
  });

  it('waits at least the 1 s backoff when a 429 asks for less', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const call = flaky([serverError(429, { retryAfterMs: 10 })]);
    settle(callWithRetry(call, { signal: ac.signal, log }));
    await vi.advanceTimersByTimeAsync(999);
    expect(call).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(1);
    expect(call).toHaveBeenCalledTimes(2);
  });

  it('waits 1 s after a 429 that names no wait', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const call = flaky([serverError(429)]);
    settle(callWithRetry(call, { signal: ac.signal, log }));
    await vi.advanceTimersByTimeAsync(999);
    expect(call).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(1);
    expect(call).toHaveBeenCalledTimes(2);
    expect(log).toHaveBeenCalledExactlyOnceWith('rate limited (failed with 429); retrying in 1.0 s');
  });

  it.each([400, 401, 403, 404, 409, 413, 428, 430, 499])('rethrows a %d at once', async (status) => {
    const err = serverError(status);
    const call = flaky([err]);
    const result = settle(callWithRetry(call, { signal: ac.signal, log }));
    await vi.advanceTimersByTimeAsync(0);
    expect(result).toEqual({ error: err, done: true });
    expect(call).toHaveBeenCalledOnce();
    expect(log).not.toHaveBeenCalled();
  });

  it.each([500, 502, 503, 599])('retries a %d', async (status) => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const call = flaky([serverError(status), serverError(status)]);
    const result = settle(callWithRetry(call, { signal: ac.signal, log }));
    await vi.advanceTimersByTimeAsync(2000);
    await vi.waitFor(() => expect(result.value).toBe('done'));
    expect(call).toHaveBeenCalledTimes(3);
    expect(log).toHaveBeenCalledWith(`server unavailable (failed with ${status}); retrying in 1.0 s`);
  });

  it('retries when the server never answered, naming the socket error', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3000'), { code: 'ECONNREFUSED' });
    const call = flaky([
      TRPCClientError.from(new TypeError('fetch failed', { cause: refused })),
      new Error('socket hang up'),
    ]);
    const result = settle(callWithRetry(call, { signal: ac.signal, log }));
    await vi.advanceTimersByTimeAsync(2000);
    await vi.waitFor(() => expect(result.value).toBe('done'));
    expect(log.mock.calls.map(([line]) => line)).toEqual([
      'server unavailable (ECONNREFUSED); retrying in 1.0 s',
      'server unavailable (socket hang up); retrying in 1.0 s',
    ]);
  });

  it('backs off with growing waits, never longer than maxDelayMs', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const call = flaky(Array.from({ length: 5 }, () => serverError(503)));
    const result = settle(callWithRetry(call, { signal: ac.signal, log, maxDelayMs: 3000 }));
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.waitFor(() => expect(result.value).toBe('done'));
    // Caps 1, 2, 3, 3, 3 s: waits of 1 s + half the rest.
    expect(log.mock.calls.map(([line]) => line.replace(/.*retrying in /, ''))).toEqual([
      '1.0 s',
      '1.5 s',
      '2.0 s',
      '2.0 s',
      '2.0 s',
    ]);
  });

  it('stops when aborted during the wait, rejecting with the reason', async () => {
    const call = flaky([serverError(503), serverError(503)]);
    const result = settle(callWithRetry(call, { signal: ac.signal, log }));
    await vi.advanceTimersByTimeAsync(500);
    const reason = new Error('stopping');
    ac.abort(reason);
    await vi.waitFor(() => expect(result.done).toBe(true));
    expect(result.error).toBe(reason);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(call).toHaveBeenCalledOnce();
  });

  it('does not retry a call that fails after the abort', async () => {
    const err = serverError(503);
    const call = vi.fn(async () => {
      ac.abort(new Error('stopping'));
      throw err;
    });
    await expect(callWithRetry(call, { signal: ac.signal, log })).rejects.toBe(err);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(call).toHaveBeenCalledOnce();
    expect(log).not.toHaveBeenCalled();
  });
});
