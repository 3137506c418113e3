import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStallWatch } from '../../server/http/createStallWatch.ts';

/** A response whose socket wants to drain while `writableNeedDrain` is true. */
class FakeResponse extends EventEmitter {
  writableNeedDrain = false;
  destroy = vi.fn(() => {
    this.emit('close');
  });
  asResponse(): ServerResponse {
    return this as unknown as ServerResponse;
  }
}

describe('createStallWatch', () => {
  let watch: ReturnType<typeof createStallWatch> | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    watch?.close();
    watch = undefined;
    vi.useRealTimers();
  });

  it('destroys a response stalled for maxStallMs, not one stalled 1 ms less', () => {
    watch = createStallWatch({ maxStallMs: 1000, sweepMs: 1 });
    const res = new FakeResponse();
    watch.watch(res.asResponse());
    res.writableNeedDrain = true;
    // The first sweep (at 1 ms) sees the stall begin.
    vi.advanceTimersByTime(1000);
    expect(res.destroy).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(res.destroy).toHaveBeenCalledOnce();
  });

  it('sweeps every quarter of maxStallMs by default', () => {
    watch = createStallWatch({ maxStallMs: 1000 });
    const res = new FakeResponse();
    watch.watch(res.asResponse());
    res.writableNeedDrain = true;
    // Seen stalled at 250 ms; cut at the sweep 1000 ms later.
    vi.advanceTimersByTime(1249);
    expect(res.destroy).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(res.destroy).toHaveBeenCalledOnce();
  });

  it('destroys a stalled response only once', () => {
    watch = createStallWatch({ maxStallMs: 1000, sweepMs: 100 });
    const res = new FakeResponse();
    res.destroy.mockImplementation(() => undefined);
    watch.watch(res.asResponse());
    res.writableNeedDrain = true;
    vi.advanceTimersByTime(10_000);
    expect(res.destroy).toHaveBeenCalledOnce();
  });

  it('leaves alone a response that keeps up', () => {
    watch = createStallWatch({ maxStallMs: 1000, sweepMs: 100 });
    const res = new FakeResponse();
    watch.watch(res.asResponse());
    vi.advanceTimersByTime(60_000);
    expect(res.destroy).not.toHaveBeenCalled();
  });

  it('restarts the clock when a stalled response drains', () => {
    watch = createStallWatch({ maxStallMs: 1000, sweepMs: 1 });
    const res = new FakeResponse();
    watch.watch(res.asResponse());
    res.writableNeedDrain = true;
    vi.advanceTimersByTime(900);
    // It drains and at once wants to drain again: a reader that is slow, not stuck.
    res.emit('drain');
    vi.advanceTimersByTime(1000);
    expect(res.destroy).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(res.destroy).toHaveBeenCalledOnce();
  });

  it('restarts the clock when a sweep finds the response no longer needing to drain', () => {
    watch = createStallWatch({ maxStallMs: 1000, sweepMs: 100 });
    const res = new FakeResponse();
    watch.watch(res.asResponse());
    res.writableNeedDrain = true;
    vi.advanceTimersByTime(900);
    res.writableNeedDrain = false;
    vi.advanceTimersByTime(100);
    res.writableNeedDrain = true;
    // Seen stalled again at 1100 ms: cut at 2100 ms.
    vi.advanceTimersByTime(1099);
    expect(res.destroy).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(res.destroy).toHaveBeenCalledOnce();
  });

  it('forgets a response once it closes', () => {
    watch = createStallWatch({ maxStallMs: 1000, sweepMs: 100 });
    const res = new FakeResponse();
    watch.watch(res.asResponse());
    res.writableNeedDrain = true;
    vi.advanceTimersByTime(500);
    res.emit('close');
    vi.advanceTimersByTime(60_000);
    expect(res.destroy).not.toHaveBeenCalled();
  });

  it('cuts only the stalled one of several responses', () => {
    watch = createStallWatch({ maxStallMs: 1000, sweepMs: 100 });
    const stuck = new FakeResponse();
    const fine = new FakeResponse();
    watch.watch(stuck.asResponse());
    watch.watch(fine.asResponse());
    stuck.writableNeedDrain = true;
    vi.advanceTimersByTime(5000);
    expect(stuck.destroy).toHaveBeenCalledOnce();
    expect(fine.destroy).not.toHaveBeenCalled();
  });

  it('stops sweeping once closed', () => {
    watch = createStallWatch({ maxStallMs: 1000, sweepMs: 100 });
    const res = new FakeResponse();
    watch.watch(res.asResponse());
    res.writableNeedDrain = true;
    expect(vi.getTimerCount()).toBe(1);
    watch.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(res.destroy).not.toHaveBeenCalled();
  });
});
