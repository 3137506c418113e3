import { describe, expect, it, vi } from 'vitest';
import { applyStreamMessages, emptyTrail, type TrailState } from '../../client/state/trailState.ts';
import { followSessionEvents, type SessionStreamItem } from '../../server/hub/followSessionEvents.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import { type AgentEvent, isCompacted, type StoredEvent } from '../../shared/agentEvent.ts';
import { messagePosition, type SessionStreamMessage } from '../../shared/streamMessages.ts';
import { manualHub } from '../support/manualHub.ts';
import { seededRandom } from '../support/startChaos.ts';

/**
 * A random trail: up to 3 messages streamed at once, their deltas interleaved with each other and
 * with tool calls, states and costs; half the trails complete, some with messages still open.
 */
function randomTrail(seed: number): AgentEvent[] {
  const r = seededRandom(seed);
  const out: AgentEvent[] = [];
  const open: string[] = [];
  let next = 0;
  const steps = 8 + Math.floor(r() * 40);
  for (let i = 0; i < steps; i++) {
    const x = r();
    if (x < 0.2 && open.length < 3) {
      const id = `m${next++}`;
      open.push(id);
      out.push({ type: 'message_start', messageId: id, role: r() < 0.6 ? 'assistant' : 'thought' });
    } else if (x < 0.6 && open.length > 0) {
      const id = open[Math.floor(r() * open.length)]!;
      out.push({ type: 'message_delta', messageId: id, text: `${id}:${i} ` });
    } else if (x < 0.72 && open.length > 0) {
      const id = open.splice(Math.floor(r() * open.length), 1)[0]!;
      out.push({ type: 'message_end', messageId: id });
    } else if (x < 0.84) {
      out.push({ type: 'tool_call', callId: `c${i}`, tool: 'bash', args: { i } });
    } else if (x < 0.92) {
      out.push({ type: 'state', agentState: 'thinking', llmCallsInFlight: 1, toolCallsInFlight: 0 });
    } else {
      out.push({ type: 'cost', usd: 0.001, inputTokens: 3, outputTokens: 2 });
    }
  }
  if (r() < 0.5) out.push({ type: 'complete', status: 'succeeded' });
  return out;
}

async function storedTrail(events: AgentEvent[]) {
  const store = createMemoryStore();
  const { id } = await store.createSession({ title: 't', agent: 'a' });
  const stored = await store.append(id, events);
  return { store, id, stored };
}

/** Follows a stored session from `lastEventId` until it ends or has caught up and parked. */
async function follow(
  store: ReturnType<typeof createMemoryStore>,
  sessionId: string,
  lastEventId?: string,
  pageSize = 7,
): Promise<SessionStreamMessage[]> {
  const got: SessionStreamMessage[] = [];
  const ac = new AbortController();
  const reads = vi.spyOn(store, 'readEvents');
  const done = followSessionEvents(
    { store, hub: manualHub().hub, sessionId, lastEventId, signal: ac.signal, pageSize },
    {
      push(m: SessionStreamItem) {
        if (m.kind === 'event' || m.kind === 'reset') got.push(m);
        return true;
      },
      drained: () => Promise.resolve(),
    },
  );
  let ended = false;
  void done.then(() => {
    ended = true;
  });
  // The memory store answers at once: a few turns of the loop find it ended, or caught up and parked.
  for (let i = 0; i < 30 && !ended; i++) await new Promise((r) => setImmediate(r));
  expect(reads).toHaveBeenCalled();
  ac.abort();
  await done;
  reads.mockRestore();
  return got;
}

const raw = (events: StoredEvent[]): SessionStreamMessage[] =>
  events.map((event) => ({ kind: 'event', event }));

/** What a person sees: the rows in order with each streamed message's current text, and the session. */
function view(trail: TrailState) {
  return {
    rows: trail.events.map((e) =>
      isCompacted(e) ? { message: e.messageId, at: e.startSeq, ...trail.messages.get(e.startSeq) } : e,
    ),
    session: trail.folded,
    messages: [...trail.messages.entries()].sort((a, b) => a[0] - b[0]),
  };
}

const fold = (messages: SessionStreamMessage[], from: TrailState = emptyTrail('x')) =>
  applyStreamMessages(from, messages);

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

describe('streamed messages: live followers and late joiners see the same trail', () => {
  it.each(SEEDS)(
    'seed %i: a late joiner’s compacted backfill folds to exactly the live view',
    async (seed) => {
      const { store, id, stored } = await storedTrail(randomTrail(seed));
      const live = fold(raw(stored));
      const late = await follow(store, id);
      expect(view(fold(late))).toEqual(view(live));
      // No text twice: the compacted frames carry each delta's text once.
      const sentChars = late.reduce((n, m) => {
        if (m.kind !== 'event') return n;
        const e = m.event;
        return n + (isCompacted(e) || e.type === 'message_delta' ? e.text.length : 0);
      }, 0);
      const storedChars = stored.reduce((n, e) => n + (e.type === 'message_delta' ? e.text.length : 0), 0);
      expect(sentChars).toBe(storedChars);
      // Nothing of a finished message is sent raw: no start, delta or end survives compaction.
      expect(late.some((m) => m.kind === 'event' && m.event.type.startsWith('message_'))).toBe(false);
    },
  );

  it.each(SEEDS)('seed %i: resuming from any tracked id yields exactly the remainder', async (seed) => {
    const { store, id } = await storedTrail(randomTrail(seed));
    const all = await follow(store, id);
    for (let k = 0; k < all.length - 1; k++) {
      const resumed = await follow(store, id, messagePosition(all[k] as { event: StoredEvent }));
      expect(resumed, `after frame ${k} (${messagePosition(all[k] as { event: StoredEvent })})`).toEqual(
        all.slice(k + 1),
      );
    }
  });

  it.each(SEEDS)(
    'seed %i: a viewer that was live up to any seq and resumes compacted ends with the live view',
    async (seed) => {
      const { store, id, stored } = await storedTrail(randomTrail(seed));
      const live = fold(raw(stored));
      for (let cut = 1; cut < stored.length; cut++) {
        const before = fold(raw(stored.slice(0, cut)));
        const rest = await follow(store, id, String(cut));
        expect(view(fold(rest, before)), `cut at ${cut}`).toEqual(view(live));
      }
    },
  );

  it('a message still open when the backfill catches up comes with its text so far, then live deltas', async () => {
    const { store, id, stored } = await storedTrail([
      { type: 'message_start', messageId: 'm', role: 'assistant' },
      { type: 'message_delta', messageId: 'm', text: 'Hel' },
      { type: 'tool_call', callId: 'c', tool: 't', args: null },
      { type: 'message_delta', messageId: 'm', text: 'lo' },
    ]);
    const hub = manualHub();
    const got: SessionStreamMessage[] = [];
    const ac = new AbortController();
    const reads = vi.spyOn(store, 'readEvents');
    const done = followSessionEvents(
      { store, hub: hub.hub, sessionId: id, signal: ac.signal },
      {
        push(m) {
          if (m.kind === 'event') got.push(m);
          return true;
        },
        drained: () => Promise.resolve(),
      },
    );
    await vi.waitFor(() => expect(reads).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 0));
    expect(got.map((m) => [m.kind === 'event' && m.event.type, messagePosition(m as never)])).toEqual([
      ['tool_call', '3~1'],
      ['assistant_message', '4'],
    ]);
    expect(got[1]).toMatchObject({ event: { text: 'Hello', open: true, startSeq: 1, seq: 4 } });
    const more = await store.append(id, [
      { type: 'message_delta', messageId: 'm', text: '!' },
      { type: 'message_end', messageId: 'm' },
    ]);
    hub.deliver(more);
    // Live from here: the deltas as stored, positioned by seq.
    expect(got.slice(2).map((m) => m.kind === 'event' && [m.event.type, m.cursor])).toEqual([
      ['message_delta', undefined],
      ['message_end', undefined],
    ]);
    expect(view(fold(got))).toEqual(view(fold(raw([...stored, ...more]))));
    ac.abort();
    await done;
  });

  it('complete cuts off open messages: a late joiner gets them marked incomplete, just before complete', async () => {
    const { store, id } = await storedTrail([
      { type: 'message_start', messageId: 'a', role: 'thought' },
      { type: 'message_delta', messageId: 'a', text: 'half a th' },
      { type: 'complete', status: 'failed' },
    ]);
    const late = await follow(store, id);
    expect(late).toEqual([
      {
        kind: 'event',
        event: expect.objectContaining({ type: 'thought', text: 'half a th', incomplete: true, seq: 2 }),
      },
      { kind: 'event', event: expect.objectContaining({ type: 'complete', seq: 3 }) },
    ]);
    const trail = fold(late);
    expect(trail.messages.get(1)).toEqual({
      role: 'thought',
      text: 'half a th',
      open: false,
      incomplete: true,
    });
  });

  it('compact: false sends every delta as stored, and refuses a compacted position', async () => {
    const { store, id, stored } = await storedTrail([
      { type: 'message_start', messageId: 'a', role: 'assistant' },
      { type: 'tool_call', callId: 'c', tool: 't', args: null },
      { type: 'message_delta', messageId: 'a', text: 'x' },
      { type: 'message_end', messageId: 'a' },
    ]);
    const got: SessionStreamItem[] = [];
    const push = (m: SessionStreamItem) => {
      got.push(m);
      return true;
    };
    const follower = (lastEventId?: string) =>
      followSessionEvents(
        {
          store,
          hub: manualHub().hub,
          sessionId: id,
          lastEventId,
          compact: false,
          signal: AbortSignal.timeout(50),
        },
        { push, drained: () => Promise.resolve() },
      );
    await follower();
    expect(got.map((m) => m.kind === 'event' && m.event)).toEqual(stored);
    got.length = 0;
    await follower('2~1');
    expect(got[0]).toMatchObject({ kind: 'reset', reason: 'malformed_last_event_id' });
  });

  it('a malformed compacted position (withheld after the position, or garbage) is a reset', async () => {
    const { store, id } = await storedTrail([{ type: 'thought', text: 'x' }]);
    for (const bad of ['1~2', '1~0', '1~', '~1', '1~1~1']) {
      const got = await follow(store, id, bad);
      expect(got[0], bad).toMatchObject({ kind: 'reset', reason: 'malformed_last_event_id' });
    }
  });
});
