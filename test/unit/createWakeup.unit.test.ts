import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { createWakeup } from '../../server/hub/createWakeup.ts';

/** Whether a promise has settled yet, observed without awaiting it. */
function watch(p: Promise<void>) {
  const state = { settled: false };
  void p.then(() => {
    state.settled = true;
  });
  return state;
}

const aborts = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

describe('createWakeup', () => {
  it('resolves a wait on the next notify', async () => {
    const wakeup = createWakeup();
    const waiting = watch(wakeup.wait());
    await Promise.resolve();
    expect(waiting.settled).toBe(false);
    wakeup.notify();
    await vi.waitFor(() => expect(waiting.settled).toBe(true));
  });

  it('wakes every waiter', async () => {
    const wakeup = createWakeup();
    const a = wakeup.wait();
    const b = wakeup.wait();
    wakeup.notify();
    await expect(Promise.all([a, b])).resolves.toEqual([undefined, undefined]);
  });

  it('does not remember a notify that came before the wait', async () => {
    const wakeup = createWakeup();
    wakeup.notify();
    const waiting = watch(wakeup.wait());
    await new Promise((r) => setImmediate(r));
    expect(waiting.settled).toBe(false);
    wakeup.notify();
    await vi.waitFor(() => expect(waiting.settled).toBe(true));
  });

  it('resolves at once when the signal has already aborted, adding no listener', async () => {
    const ac = new AbortController();
    ac.abort();
    await createWakeup().wait(ac.signal);
    expect(aborts(ac.signal)).toBe(0);
  });

  it('resolves when the signal aborts during the wait, and removes its listener', async () => {
    const ac = new AbortController();
    const waiting = createWakeup().wait(ac.signal);
    expect(aborts(ac.signal)).toBe(1);
    ac.abort();
    await waiting;
    expect(aborts(ac.signal)).toBe(0);
  });

  it('leaves no abort listener behind after waits ended by notify', async () => {
    const ac = new AbortController();
    const wakeup = createWakeup();
    for (let i = 0; i < 20; i++) {
      const waiting = wakeup.wait(ac.signal);
      wakeup.notify();
      await waiting;
    }
    expect(aborts(ac.signal)).toBe(0);
  });

  it('ends only the wait whose signal aborted', async () => {
    const wakeup = createWakeup();
    const ac = new AbortController();
    const aborted = watch(wakeup.wait(ac.signal));
    const other = watch(wakeup.wait());
    ac.abort();
    await vi.waitFor(() => expect(aborted.settled).toBe(true));
    expect(other.settled).toBe(false);
    wakeup.notify();
    await vi.waitFor(() => expect(other.settled).toBe(true));
  });
});
