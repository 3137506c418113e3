import { describe, expect, it, vi } from 'vitest';
import { followSessionEvents, type SessionStreamItem } from '../../server/hub/followSessionEvents.ts';
import type { Sink } from '../../server/hub/sink.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import { manualHub } from '../support/manualHub.ts';

const thoughts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ type: 'thought' as const, text: `${i}` }));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A sink that records seqs and is full whenever the test says so. */
function recordingSink() {
  const seqs: number[] = [];
  let full = false;
  let release: () => void = () => {};
  const sink: Sink<SessionStreamItem> = {
    push(m) {
      if (m.kind === 'event') seqs.push(m.event.seq);
      return !full;
    },
    drained: () =>
      full
        ? new Promise<void>((r) => {
            release = r;
          })
        : Promise.resolve(),
  };
  return {
    sink,
    seqs,
    fill: () => {
      full = true;
    },
    drain: () => {
      full = false;
      release();
    },
    /** Lets a waiting follower go on, but the sink is full again at its next push. */
    drainOnce: () => release(),
  };
}

async function setup(stored = 0) {
  const store = createMemoryStore();
  const { id } = await store.createSession({ title: 't', agent: 'a' });
  if (stored > 0) await store.append(id, thoughts(stored));
  const hub = manualHub();
  const reads = vi.spyOn(store, 'readEvents');
  const out = recordingSink();
  const ac = new AbortController();
  const done = followSessionEvents(
    { store, hub: hub.hub, sessionId: id, signal: ac.signal, maxHeld: 5 },
    out.sink,
  );
  // Caught up once the backfill read came back short and the follower parked.
  await vi.waitFor(() => expect(reads).toHaveBeenCalled());
  await new Promise((r) => setTimeout(r, 0));
  return { store, id, ...hub, ...out, reads, ac, done };
}

describe('followSessionEvents', () => {
  it('once caught up, writes a live event into the sink inside the hub callback', async () => {
    const t = await setup(2);
    expect(t.seqs).toEqual([1, 2]);
    const batch = await t.store.append(t.id, thoughts(2));
    t.deliver(batch);
    // Synchronously: no promise, no generator step between the hub and the subscriber's socket.
    expect(t.seqs).toEqual([1, 2, 3, 4]);
    expect(t.reads).toHaveBeenCalledTimes(1);
    t.ac.abort();
    await t.done;
    expect(t.hub.listenerCount()).toBe(0);
  });

  it('holds live events while the sink is full and sends them in order once it drains', async () => {
    const t = await setup();
    t.fill();
    t.deliver(await t.store.append(t.id, thoughts(1)));
    // The first push found the sink full; the next ones wait in memory.
    t.deliver(await t.store.append(t.id, thoughts(2)));
    expect(t.seqs).toEqual([1]);
    t.drain();
    await vi.waitFor(() => expect(t.seqs).toEqual([1, 2, 3]));
    expect(t.reads).toHaveBeenCalledTimes(1);
    // Live again: delivered from the callback.
    t.deliver(await t.store.append(t.id, thoughts(1)));
    expect(t.seqs).toEqual([1, 2, 3, 4]);
    t.ac.abort();
    await t.done;
  });

  it('drops what it holds for a full sink past maxHeld and catches up from the store', async () => {
    const t = await setup();
    t.fill();
    for (const e of await t.store.append(t.id, thoughts(8))) t.deliver([e]);
    expect(t.seqs).toEqual([1]);
    t.drain();
    await vi.waitFor(() => expect(t.seqs).toEqual(range(1, 8)));
    expect(t.reads).toHaveBeenCalledTimes(2);
    t.ac.abort();
    await t.done;
  });

  it('catches up from the store, without a new event, when it overflows while waiting to drain held ones', async () => {
    const t = await setup();
    t.fill();
    t.deliver(await t.store.append(t.id, thoughts(1)));
    for (const e of await t.store.append(t.id, thoughts(2))) t.deliver([e]);
    // The loop takes 2 from memory, finds the sink full again and waits there…
    t.drainOnce();
    await vi.waitFor(() => expect(t.seqs).toEqual([1, 2]));
    // …while enough live events arrive to drop what it holds.
    for (const e of await t.store.append(t.id, thoughts(6))) t.deliver([e]);
    t.drain();
    // Nothing more comes live: 3..9 must come from the store.
    await vi.waitFor(() => expect(t.seqs).toEqual(range(1, 9)));
    t.ac.abort();
    await t.done;
  });

  it('leaves live mode for a hole and fills it from the store', async () => {
    const t = await setup();
    const [, second] = await t.store.append(t.id, thoughts(2));
    t.deliver([second!]);
    await vi.waitFor(() => expect(t.seqs).toEqual([1, 2]));
    expect(t.reads).toHaveBeenCalledTimes(2);
    t.ac.abort();
    await t.done;
  });

  it('ends after a complete delivered live', async () => {
    const t = await setup(1);
    t.deliver(await t.store.append(t.id, [{ type: 'complete', status: 'succeeded' }]));
    await t.done;
    expect(t.seqs).toEqual([1, 2]);
    expect(t.hub.listenerCount()).toBe(0);
  });
});
