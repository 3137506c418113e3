import { describe, expect, it, vi } from 'vitest';
import { acquireSseSlot, claimSseSlotEarly } from '../../client/state/acquireSseSlot.ts';

type Callback = (lock: Lock | null) => unknown;

/** An in-memory LockManager shared by "tabs": exclusive locks, FIFO queues, ifAvailable, abort. */
function fakeLocks() {
  const held = new Set<string>();
  const queues = new Map<string, Array<() => void>>();
  function grant(name: string, cb: Callback): Promise<unknown> {
    held.add(name);
    return Promise.resolve()
      .then(() => cb({ name, mode: 'exclusive' } as Lock))
      .finally(() => {
        held.delete(name);
        queues.get(name)?.shift()?.();
      });
  }
  const locks = {
    request(name: string, options: LockOptions, cb: Callback): Promise<unknown> {
      const queue = queues.get(name) ?? [];
      queues.set(name, queue);
      const busy = held.has(name) || queue.length > 0;
      if (options.ifAvailable) return busy ? Promise.resolve().then(() => cb(null)) : grant(name, cb);
      if (!busy) return grant(name, cb);
      return new Promise((resolve, reject) => {
        const entry = () => resolve(grant(name, cb));
        queue.push(entry);
        options.signal?.addEventListener('abort', () => {
          const i = queue.indexOf(entry);
          if (i >= 0) queue.splice(i, 1);
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
    },
  } as unknown as LockManager;
  return { locks, held };
}

describe('acquireSseSlot', () => {
  it('gives two tabs a slot and the third one when a slot comes free', async () => {
    const { locks, held } = fakeLocks();
    const tabs = [0, 1, 2].map(() => {
      const onGranted = vi.fn();
      return { onGranted, slot: acquireSseSlot({ locks, onGranted }) };
    });
    expect(await Promise.all(tabs.map((t) => t.slot.ready))).toEqual([true, true, false]);
    expect(held.size).toBe(2);
    tabs[0]!.slot.release();
    await vi.waitFor(() => expect(tabs[2]!.onGranted).toHaveBeenCalledTimes(1));
    expect(held.size).toBe(2);
    tabs[1]!.slot.release();
    tabs[2]!.slot.release();
    await vi.waitFor(() => expect(held.size).toBe(0));
    expect(tabs[0]!.onGranted).not.toHaveBeenCalled();
  });

  it('stops waiting once released', async () => {
    const { locks, held } = fakeLocks();
    const a = acquireSseSlot({ locks, onGranted: () => {} });
    const b = acquireSseSlot({ locks, onGranted: () => {} });
    const onGranted = vi.fn();
    const c = acquireSseSlot({ locks, onGranted });
    expect(await c.ready).toBe(false);
    await Promise.all([a.ready, b.ready]);
    c.release();
    a.release();
    b.release();
    await vi.waitFor(() => expect(held.size).toBe(0));
    expect(onGranted).not.toHaveBeenCalled();
  });

  it('lets every tab try SSE where there are no Web Locks', async () => {
    expect(await acquireSseSlot({ locks: null, onGranted: () => {} }).ready).toBe(true);
  });

  it('an early claim (as the page loads) is taken over by the next default acquire, with its onGranted', async () => {
    const { locks, held } = fakeLocks();
    // Two other tabs hold both slots, so this one's claim queues.
    const others = [0, 1].map(() => acquireSseSlot({ locks, onGranted: () => {} }));
    await Promise.all(others.map((o) => o.ready));
    vi.stubGlobal('navigator', { locks });
    try {
      claimSseSlotEarly();
      claimSseSlotEarly(); // once
      const onGranted = vi.fn();
      const slot = acquireSseSlot({ onGranted });
      expect(await slot.ready).toBe(false);
      others[0]!.release();
      await vi.waitFor(() => expect(onGranted).toHaveBeenCalledTimes(1));
      expect(held.size).toBe(2);
      // Taken over once: the next acquire asks the browser again.
      const next = acquireSseSlot({ onGranted: () => {} });
      expect(next).not.toBe(slot);
      slot.release();
      next.release();
      others[1]!.release();
      await vi.waitFor(() => expect(held.size).toBe(0));
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('an early claim granted before the app takes it over is held: ready says so', async () => {
    const { locks, held } = fakeLocks();
    const others = [0, 1].map(() => acquireSseSlot({ locks, onGranted: () => {} }));
    await Promise.all(others.map((o) => o.ready));
    vi.stubGlobal('navigator', { locks });
    try {
      claimSseSlotEarly();
      await new Promise((r) => setTimeout(r, 0)); // its ifAvailable tries said no: it queues
      others[0]!.release();
      await new Promise((r) => setTimeout(r, 20)); // the released slot goes to the queued claim
      expect(held.size).toBe(2);
      const onGranted = vi.fn();
      const slot = acquireSseSlot({ onGranted });
      expect(await slot.ready).toBe(true);
      slot.release();
      others[1]!.release();
      await vi.waitFor(() => expect(held.size).toBe(0));
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
