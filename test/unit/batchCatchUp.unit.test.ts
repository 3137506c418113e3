import { describe, expect, it } from 'vitest';
import {
  BATCH_MAX_CHARS,
  batchCatchUp,
  CATCH_UP_BATCH_MAX,
  FIRST_BATCH_MAX,
} from '../../server/hub/batchCatchUp.ts';
import type { TrackedFeedMessage } from '../../server/hub/followTabFeed.ts';
import type { Sink } from '../../server/hub/sink.ts';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import type { TabFeedMessage } from '../../shared/streamMessages.ts';

const SID = 's1';
const event = (seq: number): StoredEvent =>
  ({ seq, ts: '2030-01-01T00:00:00.000Z', type: 'thought', text: `t${seq}` }) as StoredEvent;
const tracked = (seq: number): TrackedFeedMessage => ({
  cursor: { seq, listMs: 5 },
  message: { kind: 'session', sessionId: SID, message: { kind: 'event', event: event(seq) } },
});
const head = (headSeq: number): TrackedFeedMessage => ({
  cursor: { seq: 0, listMs: 5 },
  message: { kind: 'session', sessionId: SID, message: { kind: 'head', headSeq } },
});
const list: TrackedFeedMessage = {
  cursor: { seq: 0, listMs: 9 },
  message: { kind: 'list', message: { kind: 'remove', sessionId: 'other' } },
};

/** A sink that records what it takes; `room` messages before it says it is full. */
function recordingSink(room = Number.POSITIVE_INFINITY) {
  const out: TrackedFeedMessage[] = [];
  let drains = 0;
  const sink: Sink<TrackedFeedMessage> = {
    push(m) {
      out.push(m);
      return out.length < room;
    },
    async drained() {
      drains++;
    },
  };
  return { sink, out, drains: () => drains };
}

const tick = () => new Promise((r) => setImmediate(r));
/** The seqs of the trail's events in a feed message, batched or not. */
const seqsOf = (m: TabFeedMessage): number[] =>
  m.kind === 'session_batch'
    ? m.messages.flatMap((x) => (x.kind === 'event' ? [x.event.seq] : []))
    : m.kind === 'session' && m.message.kind === 'event'
      ? [m.message.event.seq]
      : [];

describe('batchCatchUp', () => {
  it('sends what one synchronous run pushed as one batch, tracked by the cursor after its last message', async () => {
    const { sink, out } = recordingSink();
    const b = batchCatchUp(sink, new AbortController().signal);
    expect(b.push(head(10))).toBe(true);
    for (let seq = 1; seq <= 10; seq++) expect(b.push(tracked(seq))).toBe(true);
    expect(out).toHaveLength(1); // only the head so far: the events wait for the end of the run
    await tick();
    expect(out).toHaveLength(2);
    const batch = out[1]!;
    expect(batch.message.kind).toBe('session_batch');
    expect(seqsOf(batch.message)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(batch.cursor).toEqual({ seq: 10, listMs: 5 });
    expect(batch.message).toMatchObject({ sessionId: SID });
  });

  it('caps the first batch at FIRST_BATCH_MAX and the others at CATCH_UP_BATCH_MAX, in order', async () => {
    const { sink, out } = recordingSink();
    const b = batchCatchUp(sink, new AbortController().signal);
    const total = FIRST_BATCH_MAX + 2 * CATCH_UP_BATCH_MAX + 7;
    b.push(head(total));
    for (let seq = 1; seq <= total; seq++) b.push(tracked(seq));
    await tick();
    const sizes = out.slice(1).map((t) => seqsOf(t.message).length);
    expect(sizes).toEqual([FIRST_BATCH_MAX, CATCH_UP_BATCH_MAX, CATCH_UP_BATCH_MAX, 7]);
    expect(out.slice(1).flatMap((t) => seqsOf(t.message))).toEqual(
      Array.from({ length: total }, (_, i) => i + 1),
    );
    for (const t of out.slice(1)) expect(t.cursor.seq).toBe(seqsOf(t.message).at(-1));
  });

  it('sends a batch once its events pass BATCH_MAX_CHARS of JSON, whatever their count', async () => {
    const { sink, out } = recordingSink();
    const b = batchCatchUp(sink, new AbortController().signal);
    const big = (seq: number): TrackedFeedMessage => {
      const t = tracked(seq);
      if (t.message.kind === 'session' && t.message.message.kind === 'event') {
        (t.message.message.event as { text: string }).text = 'x'.repeat(BATCH_MAX_CHARS / 4);
      }
      return t;
    };
    b.push(head(100));
    b.push(tracked(1)); // the first batch: one small event
    await tick();
    for (let seq = 2; seq <= 11; seq++) b.push(big(seq));
    await tick();
    const sizes = out.slice(1).map((t) => seqsOf(t.message).length);
    // Four events of a quarter of the cap each pass it: 1, then 4 + 4 + the 2 left.
    expect(sizes).toEqual([1, 4, 4, 2]);
    expect(out.slice(1).flatMap((t) => seqsOf(t.message))).toEqual(
      Array.from({ length: 11 }, (_, i) => i + 1),
    );
  });

  it('sends a batch as soon as its JSON reaches exactly BATCH_MAX_CHARS', async () => {
    const { sink, out } = recordingSink();
    const b = batchCatchUp(sink, new AbortController().signal);
    /** An event whose JSON is exactly `chars` long. */
    const sized = (seq: number, chars: number): TrackedFeedMessage => {
      const t = tracked(seq);
      if (t.message.kind === 'session' && t.message.message.kind === 'event') {
        const event = t.message.message.event as { text: string };
        event.text = '';
        event.text = 'x'.repeat(chars - JSON.stringify(event).length);
        expect(JSON.stringify(event)).toHaveLength(chars);
      }
      return t;
    };
    b.push(head(100));
    b.push(tracked(1));
    await tick();
    b.push(sized(2, BATCH_MAX_CHARS / 2));
    b.push(sized(3, BATCH_MAX_CHARS / 2)); // reaches the cap: sent now
    b.push(tracked(4));
    await tick();
    expect(out.slice(1).map((t) => seqsOf(t.message))).toEqual([[1], [2, 3], [4]]);
  });

  it('passes live events (past the head), list messages and a lone event through as they are, after what is held', async () => {
    const { sink, out } = recordingSink();
    const b = batchCatchUp(sink, new AbortController().signal);
    b.push(head(3));
    b.push(tracked(1));
    b.push(tracked(2));
    b.push(list);
    const lone = tracked(3);
    b.push(lone);
    await tick();
    const live = tracked(4);
    b.push(live);
    expect(out.map((t) => t.message.kind)).toEqual([
      'session',
      'session_batch',
      'list',
      'session',
      'session',
    ]);
    expect(seqsOf(out[1]!.message)).toEqual([1, 2]);
    // A batch of one goes out as the message itself (the shared object every subscriber writes).
    expect(out[3]).toBe(lone);
    expect(out[4]).toBe(live);
  });

  it('a reset announces a new head: the replayed trail is batched again', async () => {
    const { sink, out } = recordingSink();
    const b = batchCatchUp(sink, new AbortController().signal);
    b.push(head(0));
    b.push(tracked(1)); // live: the trail was empty
    b.push({
      cursor: { seq: 0, listMs: 5 },
      message: {
        kind: 'session',
        sessionId: SID,
        message: { kind: 'reset', reason: 'malformed_last_event_id', headSeq: 2 },
      },
    });
    b.push(tracked(1));
    b.push(tracked(2));
    await tick();
    expect(out.map((t) => t.message.kind)).toEqual(['session', 'session', 'session', 'session_batch']);
  });

  it('says full once the sink is full, holds what comes next until drained, then sends it together', async () => {
    const { sink, out, drains } = recordingSink(2);
    const b = batchCatchUp(sink, new AbortController().signal);
    b.push(head(100));
    b.push(tracked(1));
    await tick(); // the batch of one fills the sink
    expect(out).toHaveLength(2);
    expect(b.push(tracked(2))).toBe(false);
    await tick();
    await tick();
    // Not sent as a batch of one while the follower has not even waited yet.
    expect(out).toHaveLength(2);
    const waited = b.drained(new AbortController().signal);
    expect(b.push(tracked(3))).toBe(true);
    await waited;
    expect(drains()).toBe(1);
    await tick();
    expect(out).toHaveLength(3);
    expect(seqsOf(out[2]!.message)).toEqual([2, 3]);
  });

  it('after drained, sends what was held even when nothing more is pushed', async () => {
    const { sink, out } = recordingSink(2);
    const b = batchCatchUp(sink, new AbortController().signal);
    b.push(head(100));
    b.push(tracked(1));
    await tick();
    expect(b.push(tracked(2))).toBe(false);
    await b.drained(new AbortController().signal);
    await tick();
    expect(out.map((t) => seqsOf(t.message))).toEqual([[], [1], [2]]);
  });

  it('tells the follower of a full sink through pass-through messages too', async () => {
    // A sink whose answers the test sets: push #n answers answers[n].
    const scripted = (answers: boolean[]) => {
      const out: TrackedFeedMessage[] = [];
      const sink: Sink<TrackedFeedMessage> = {
        push: (m) => answers[out.push(m) - 1] ?? true,
        drained: async () => {},
      };
      return { sink, out };
    };
    // The list message itself fills the sink.
    const a = scripted([true, false]);
    const ab = batchCatchUp(a.sink, new AbortController().signal);
    ab.push(head(5));
    expect(ab.push(list)).toBe(false);
    // The held batch, sent ahead of the list message, fills it: the follower is told, once.
    const b = scripted([true, false, true, true]);
    const bb = batchCatchUp(b.sink, new AbortController().signal);
    bb.push(head(5));
    bb.push(tracked(1));
    bb.push(tracked(2));
    expect(bb.push(list)).toBe(false);
    expect(b.out.map((t) => t.message.kind)).toEqual(['session', 'session_batch', 'list']);
    expect(bb.push({ ...list })).toBe(true);
  });

  it('passes session_missing (which has no inner message) straight through', () => {
    const { sink, out } = recordingSink();
    const b = batchCatchUp(sink, new AbortController().signal);
    const missing: TrackedFeedMessage = {
      cursor: { seq: 0, listMs: 5 },
      message: { kind: 'session_missing', sessionId: SID },
    };
    expect(b.push(missing)).toBe(true);
    expect(out).toEqual([missing]);
  });

  it('sends nothing held once closed or aborted', async () => {
    const stop = new AbortController();
    const a = recordingSink();
    const closed = batchCatchUp(a.sink, new AbortController().signal);
    closed.push(head(9));
    closed.push(tracked(1));
    closed.close();
    const b = recordingSink();
    const aborted = batchCatchUp(b.sink, stop.signal);
    aborted.push(head(9));
    aborted.push(tracked(1));
    stop.abort();
    await tick();
    expect(a.out).toHaveLength(1);
    expect(b.out).toHaveLength(1);
  });
});
