import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSocketGate } from '../../server/http/createSocketGate.ts';

function fakeSocket(bufferedAmount: number) {
  return { bufferedAmount, readyState: 1 as const, terminate: vi.fn() };
}

describe('createSocketGate', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('lets a message through at once while the socket keeps up', async () => {
    const ws = fakeSocket(10);
    await createSocketGate(ws, { highWaterBytes: 100 })();
    expect(ws.terminate).not.toHaveBeenCalled();
  });

  it('waits while too much is queued and goes on once it drains', async () => {
    const ws = fakeSocket(1000);
    let passed = false;
    const wait = createSocketGate(ws, { highWaterBytes: 100, maxStallMs: 10_000 })().then(() => {
      passed = true;
    });
    await vi.advanceTimersByTimeAsync(500);
    expect(passed).toBe(false);
    ws.bufferedAmount = 50;
    await vi.advanceTimersByTimeAsync(50);
    await wait;
    expect(passed).toBe(true);
    expect(ws.terminate).not.toHaveBeenCalled();
  });

  it('disconnects a reader that stays stuck past the limit', async () => {
    const ws = fakeSocket(1000);
    const wait = createSocketGate(ws, { highWaterBytes: 100, maxStallMs: 2000 })();
    await vi.advanceTimersByTimeAsync(2100);
    await wait;
    expect(ws.terminate).toHaveBeenCalledOnce();
  });

  it('stops waiting when the subscription is aborted', async () => {
    const ws = fakeSocket(1000);
    const ac = new AbortController();
    const wait = createSocketGate(ws, { highWaterBytes: 100 })(ac.signal);
    ac.abort();
    await vi.advanceTimersByTimeAsync(50);
    await wait;
    expect(ws.terminate).not.toHaveBeenCalled();
  });
});
