import { describe, expect, it, vi } from 'vitest';
import {
  followSessionEvents,
  type SessionStreamItem,
  type StreamSessionOptions,
} from '../../server/hub/followSessionEvents.ts';
import type { Sink } from '../../server/hub/sink.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import { manualHub } from '../support/manualHub.ts';

const thoughts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ type: 'thought' as const, text: `${i}` }));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** Lets every pending promise step of the follower run (it waits on nothing but promises). */
const tick = () => new Promise((r) => setTimeout(r, 0));

const streamed: AgentEvent[] = [
  { type: 'message_start', messageId: 'm1', role: 'assistant' },
  { type: 'message_delta', messageId: 'm1', text: 'Hel' },
  { type: 'message_delta', messageId: 'm1', text: 'lo' },
];

/** A live event the store does not hold (yet): what a feed delivers ahead of a slow write. */
function unstored(sessionId: string, seq: number, event: AgentEvent = { type: 'thought', text: `${seq}` }) {
  return { ...event, sessionId, seq, ts: new Date(0).toISOString() } as StoredEvent;
}

/**
 * A sink that records what it takes and is full whenever the test says so. `answers` scripts the
 * next pushes' replies; `drained` waits for `drain`/`drainOnce` or the signal, and counts its calls.
 */
function recordingSink() {
  const messages: SessionStreamItem[] = [];
  const seqs: number[] = [];
  const answers: boolean[] = [];
  let full = false;
  let drainedCalls = 0;
  let release: () => void = () => {};
  const sink: Sink<SessionStreamItem> = {
    push(m) {
      messages.push(m);
      if (m.kind === 'event') seqs.push(m.event.seq);
      return answers.shift() ?? !full;
    },
    drained: (signal) => {
      drainedCalls++;
      if (!full || signal.aborted) return Promise.resolve();
      return new Promise<void>((r) => {
        release = r;
        signal.addEventListener('abort', () => r(), { once: true });
      });
    },
  };
  return {
    sink,
    messages,
    seqs,
    answers,
    drainedCalls: () => drainedCalls,
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

/** Starts a follower of a new session holding `stored`, without waiting for anything. */
async function start(
  stored: number | AgentEvent[] = 0,
  opts: Partial<StreamSessionOptions> & { full?: boolean } = {},
) {
  const store = createMemoryStore();
  const { id } = await store.createSession({ title: 't', agent: 'a' });
  const events = typeof stored === 'number' ? thoughts(stored) : stored;
  if (events.length > 0) await store.append(id, events);
  const hub = manualHub();
  const reads = vi.spyOn(store, 'readEvents');
  const out = recordingSink();
  if (opts.full) out.fill();
  const ac = new AbortController();
  const done = followSessionEvents(
    { store, hub: hub.hub, sessionId: id, signal: ac.signal, maxHeld: 5, ...opts },
    out.sink,
  );
  return { store, id, ...hub, ...out, reads, ac, done };
}

/** A follower that has read the backfill and parked. */
async function setup(stored: number | AgentEvent[] = 0, opts: Partial<StreamSessionOptions> = {}) {
  const t = await start(stored, opts);
  // Caught up once the backfill read came back short and the follower parked.
  await vi.waitFor(() => expect(t.reads).toHaveBeenCalled());
  await tick();
  return t;
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

describe('followSessionEvents and the sink', () => {
  it('never waits for drained while the sink takes everything', async () => {
    const t = await setup(2, { lastEventId: '9', announceHead: true });
    t.deliver(await t.store.append(t.id, thoughts(1)));
    expect(t.messages.map((m) => (m.kind === 'event' ? m.event.seq : m.kind))).toEqual([
      'reset',
      'head',
      1,
      2,
      3,
    ]);
    expect(t.drainedCalls()).toBe(0);
    t.ac.abort();
    await t.done;
  });

  it('reads nothing after a reset the full sink could not take until it drains', async () => {
    const t = await start(2, { lastEventId: 'x', full: true });
    await vi.waitFor(() => expect(t.drainedCalls()).toBe(1));
    expect(t.messages).toEqual([{ kind: 'reset', reason: 'malformed_last_event_id', headSeq: 2 }]);
    expect(t.reads).not.toHaveBeenCalled();
    t.drain();
    await vi.waitFor(() => expect(t.seqs).toEqual([1, 2]));
    t.ac.abort();
    await t.done;
  });

  it('still waits for the sink after a refused reset when it then took the head', async () => {
    const t = await start(2, { lastEventId: '9', announceHead: true, full: true });
    t.answers.push(false, true);
    await vi.waitFor(() => expect(t.drainedCalls()).toBe(1));
    expect(t.messages.map((m) => m.kind)).toEqual(['reset', 'head']);
    expect(t.reads).not.toHaveBeenCalled();
    t.drain();
    await vi.waitFor(() => expect(t.seqs).toEqual([1, 2]));
    t.ac.abort();
    await t.done;
  });

  it('waits for the sink when it could not take the head', async () => {
    const t = await start(2, { announceHead: true, full: true });
    await vi.waitFor(() => expect(t.drainedCalls()).toBe(1));
    expect(t.messages).toEqual([{ kind: 'head', headSeq: 2 }]);
    expect(t.reads).not.toHaveBeenCalled();
    t.drain();
    await vi.waitFor(() => expect(t.seqs).toEqual([1, 2]));
    t.ac.abort();
    await t.done;
  });

  it('writes nothing more once the signal aborts while it waits for the sink', async () => {
    const t = await setup();
    t.fill();
    t.deliver(await t.store.append(t.id, thoughts(1)));
    await vi.waitFor(() => expect(t.drainedCalls()).toBe(1));
    for (const e of await t.store.append(t.id, thoughts(2))) t.deliver([e]);
    t.ac.abort();
    await t.done;
    expect(t.seqs).toEqual([1]);
    expect(t.hub.listenerCount()).toBe(0);
  });

  it('reads the store again for a duplicate only if it holds one: a repeat of what it wrote is dropped', async () => {
    const t = await setup();
    t.fill();
    const [e1] = await t.store.append(t.id, thoughts(1));
    // The feed repeats seq 1 in the batch that fills the sink.
    t.deliver([e1!, e1!]);
    expect(t.seqs).toEqual([1]);
    t.drain();
    await vi.waitFor(() => expect(t.drainedCalls()).toBe(1));
    await tick();
    // Nothing held: live again without looking in the store.
    t.deliver(await t.store.append(t.id, thoughts(1)));
    expect(t.seqs).toEqual([1, 2]);
    expect(t.reads).toHaveBeenCalledTimes(1);
    t.ac.abort();
    await t.done;
  });
});

describe('followSessionEvents live', () => {
  it('stays live across batches and skips a repeat of the last event inside the callback', async () => {
    const t = await setup(2);
    const [e2] = await t.store.readEvents(t.id, { after: 1, limit: 1 });
    const [e3, e4] = await t.store.append(t.id, thoughts(2));
    t.deliver([e2!, e3!]);
    t.deliver([e4!]);
    expect(t.seqs).toEqual([1, 2, 3, 4]);
    expect(t.reads).toHaveBeenCalledTimes(2); // the backfill and the read above
    t.ac.abort();
    await t.done;
  });

  it('fills a hole with the missing event when it comes live, then sends what it held', async () => {
    const t = await setup();
    // 2 arrives ahead of 1, and the store has neither yet: the follower looks once, then waits.
    t.deliver([unstored(t.id, 2)]);
    await vi.waitFor(() => expect(t.reads).toHaveBeenCalledTimes(2));
    await tick();
    expect(t.seqs).toEqual([]);
    t.deliver([unstored(t.id, 1)]);
    await vi.waitFor(() => expect(t.seqs).toEqual([1, 2]));
    // Live again: the next one goes straight through.
    t.deliver([unstored(t.id, 3)]);
    expect(t.seqs).toEqual([1, 2, 3]);
    t.ac.abort();
    await t.done;
  });

  it('after a resync, leaves live events to the re-read from the store', async () => {
    const t = await setup(1);
    t.resync();
    t.deliver(await t.store.append(t.id, thoughts(1)));
    // Not written inside the callback: the loop catches up from the store.
    expect(t.seqs).toEqual([1]);
    await vi.waitFor(() => expect(t.seqs).toEqual([1, 2]));
    expect(t.reads).toHaveBeenCalledTimes(2);
    t.ac.abort();
    await t.done;
  });

  it('writes nothing live after a complete, in the same batch or a later one', async () => {
    const t = await setup(1);
    const [done] = await t.store.append(t.id, [{ type: 'complete', status: 'succeeded' }]);
    // A buggy feed sends something after the end.
    t.deliver([done!, unstored(t.id, 3)]);
    t.deliver([unstored(t.id, 3)]);
    await t.done;
    expect(t.seqs).toEqual([1, 2]);
    expect(t.hub.listenerCount()).toBe(0);
  });

  it('sends none of what it holds after a complete it held', async () => {
    const t = await setup(1);
    // 3 (the end) and 4 arrive ahead of 2, which the store does not have yet.
    t.deliver([unstored(t.id, 3, { type: 'complete', status: 'failed' }), unstored(t.id, 4)]);
    await vi.waitFor(() => expect(t.reads).toHaveBeenCalledTimes(2));
    await tick();
    t.deliver([unstored(t.id, 2)]);
    await t.done;
    expect(t.seqs).toEqual([1, 2, 3]);
  });

  it('reads no further page after a complete in the backfill', async () => {
    const t = await start([...thoughts(1), { type: 'complete', status: 'succeeded' }], {
      pageSize: 2,
    });
    await t.done;
    expect(t.seqs).toEqual([1, 2]);
    expect(t.reads).toHaveBeenCalledTimes(1);
  });
});

describe('followSessionEvents compaction', () => {
  it('sends an open streamed message whole once caught up, then what follows as it comes', async () => {
    const t = await setup(streamed);
    expect(t.messages).toEqual([
      {
        kind: 'event',
        event: expect.objectContaining({ type: 'assistant_message', text: 'Hello', seq: 3, open: true }),
      },
    ]);
    expect(t.drainedCalls()).toBe(0);
    const live = await t.store.append(t.id, [
      { type: 'message_delta', messageId: 'm1', text: '!' },
      { type: 'message_start', messageId: 'm2', role: 'thought' },
    ]);
    t.deliver(live);
    expect(t.messages.slice(1)).toEqual(live.map((event) => ({ kind: 'event', event })));
    t.ac.abort();
    await t.done;
  });

  it('sends every delta as stored for a raw stream', async () => {
    const t = await setup(streamed, { compact: false });
    const live = await t.store.append(t.id, [{ type: 'message_end', messageId: 'm1' }]);
    t.deliver(live);
    expect(t.messages.map((m) => (m.kind === 'event' ? m.event.type : m.kind))).toEqual([
      'message_start',
      'message_delta',
      'message_delta',
      'message_end',
    ]);
    t.ac.abort();
    await t.done;
  });

  it('keeps an open message back while a hole is open, and sends it with the text that filled it', async () => {
    const store = createMemoryStore();
    const { id } = await store.createSession({ title: 't', agent: 'a' });
    await store.append(id, streamed.slice(0, 2));
    const session = (await store.getSession(id))!;
    const hub = manualHub();
    const reads = vi.spyOn(store, 'readEvents');
    const out = recordingSink();
    const ac = new AbortController();
    // Given the session, it subscribes at once: 4 arrives before the backfill reads 1 and 2.
    const done = followSessionEvents(
      { store, hub: hub.hub, sessionId: id, session, signal: ac.signal },
      out.sink,
    );
    hub.deliver([unstored(id, 4, { type: 'message_delta', messageId: 'm1', text: '!' })]);
    await vi.waitFor(() => expect(reads).toHaveBeenCalledTimes(2));
    await tick();
    expect(out.messages).toEqual([]);
    hub.deliver([unstored(id, 3, { type: 'message_delta', messageId: 'm1', text: 'lo' })]);
    await vi.waitFor(() => expect(out.messages).toHaveLength(1));
    expect(out.messages[0]).toEqual({
      kind: 'event',
      event: expect.objectContaining({ text: 'Hello!', seq: 4, open: true }),
    });
    ac.abort();
    await done;
    expect(out.messages).toHaveLength(1);
  });

  it('goes live only once the sink took the open message it flushed', async () => {
    const t = await start(streamed, { full: true });
    // The flush was refused: the follower waits for the sink before going live.
    await vi.waitFor(() => expect(t.drainedCalls()).toBe(1));
    expect(t.messages).toHaveLength(1);
    const [delta] = await t.store.append(t.id, [{ type: 'message_delta', messageId: 'm1', text: '!' }]);
    t.deliver([delta!]);
    expect(t.messages).toHaveLength(1);
    t.drain();
    await vi.waitFor(() => expect(t.messages).toHaveLength(2));
    await tick();
    // Live now: written inside the callback.
    const [next] = await t.store.append(t.id, [{ type: 'message_delta', messageId: 'm1', text: '?' }]);
    t.deliver([next!]);
    expect(t.messages.slice(1)).toEqual([delta, next].map((event) => ({ kind: 'event', event })));
    t.ac.abort();
    await t.done;
  });

  it('goes live after the sink drained from a refused flush, with nothing arriving meanwhile', async () => {
    const t = await start(streamed, { full: true });
    await vi.waitFor(() => expect(t.drainedCalls()).toBe(1));
    t.drain();
    await tick();
    const [delta] = await t.store.append(t.id, [{ type: 'message_delta', messageId: 'm1', text: '!' }]);
    t.deliver([delta!]);
    expect(t.messages.slice(1)).toEqual([{ kind: 'event', event: delta }]);
    t.ac.abort();
    await t.done;
  });
});

describe('followSessionEvents deleted', () => {
  it('fails with NOT_FOUND when the session is deleted while it waits, writing nothing live after', async () => {
    const t = await setup(1);
    const next = await t.store.append(t.id, thoughts(1));
    t.remove(t.id);
    t.deliver(next);
    await expect(t.done).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(t.seqs).toEqual([1]);
    expect(t.hub.listenerCount()).toBe(0);
  });

  it('stops mid-page when the session is deleted while it waits for the sink', async () => {
    const t = await start(4, { full: true });
    await vi.waitFor(() => expect(t.drainedCalls()).toBe(1));
    t.remove(t.id);
    t.drain();
    await expect(t.done).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(t.seqs).toEqual([1]);
  });

  it('sends none of what it holds when the session is deleted while it waits for the sink', async () => {
    const t = await setup();
    t.fill();
    t.deliver(await t.store.append(t.id, thoughts(1)));
    for (const e of await t.store.append(t.id, thoughts(2))) t.deliver([e]);
    // It takes 2 from memory, finds the sink full again and waits there.
    t.drainOnce();
    await vi.waitFor(() => expect(t.drainedCalls()).toBe(2));
    expect(t.seqs).toEqual([1, 2]);
    t.remove(t.id);
    t.drain();
    await expect(t.done).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(t.seqs).toEqual([1, 2]);
  });
});
