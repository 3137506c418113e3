import { afterEach, describe, expect, it } from 'vitest';
import { CATCH_UP_BATCH_MAX } from '../../server/hub/batchCatchUp.ts';
import { createHub, type Hub } from '../../server/hub/createHub.ts';
import { streamTabFeed, type TrackedFeedMessage } from '../../server/hub/streamTabFeed.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import {
  formatFeedCursor,
  messagePosition,
  type SessionStreamMessage,
  type TabFeedMessage,
} from '../../shared/streamMessages.ts';

let hubs: Hub[] = [];
afterEach(() => {
  for (const hub of hubs) hub.close();
  hubs = [];
});

/** A trail of thoughts and tool calls with two streamed messages, one across page boundaries. */
function trail(n: number): AgentEvent[] {
  const events: AgentEvent[] = [];
  for (let i = 0; events.length < n; i++) {
    if (i === 100) events.push({ type: 'message_start', messageId: 'a', role: 'assistant' });
    if (i > 100 && i < 700 && i % 50 === 0)
      events.push({ type: 'message_delta', messageId: 'a', text: `${i} ` });
    if (i === 700) events.push({ type: 'message_end', messageId: 'a' });
    if (i === 900) events.push({ type: 'message_start', messageId: 'b', role: 'thought' });
    if (i > 900 && i < 1000 && i % 7 === 0)
      events.push({ type: 'message_delta', messageId: 'b', text: `${i} ` });
    if (i === 1000) events.push({ type: 'message_end', messageId: 'b' });
    events.push(
      i % 3 === 0
        ? { type: 'thought', text: `t${i}` }
        : { type: 'tool_call', callId: `c${i}`, tool: 't', args: i },
    );
  }
  return events;
}

async function setup(n: number) {
  const store = createMemoryStore();
  const hub = createHub(store);
  hubs.push(hub);
  const s = await store.createSession({ title: 's', agent: 'a' });
  const events = trail(n);
  for (let i = 0; i < events.length; i += 400) await store.append(s.id, events.slice(i, i + 400));
  return { store, hub, sessionId: s.id, headSeq: events.length };
}

/** The trail messages a feed message carries, batched or not. */
const trailOf = (m: TabFeedMessage): SessionStreamMessage[] =>
  m.kind === 'session_batch'
    ? m.messages
    : m.kind === 'session' && m.message.kind !== 'head'
      ? [m.message]
      : [];

/** Reads a feed until it has delivered the event at `lastSeq`, leaving it open. */
async function readUntil(feed: AsyncGenerator<TrackedFeedMessage>, lastSeq: number) {
  const out: TrackedFeedMessage[] = [];
  // next(), not for-await: breaking out of that would end the feed.
  for (let r = await feed.next(); !r.done; r = await feed.next()) {
    out.push(r.value);
    if (trailOf(r.value.message).some((t) => t.kind === 'event' && t.event.seq >= lastSeq)) break;
  }
  return out;
}

/** A trail message as the viewer sees it: its position and what it holds. */
const view = (t: SessionStreamMessage) =>
  t.kind === 'event' ? `${messagePosition(t)} ${JSON.stringify(t.event)}` : t.kind;

describe('streamTabFeed with batch', () => {
  it('carries the same trail as without, in a few batches, and resumes from every batch exactly', async () => {
    const { store, hub, sessionId, headSeq } = await setup(1500);
    const plain = await readUntil(streamTabFeed({ store, hub, sessionId }), headSeq);
    const batched = await readUntil(streamTabFeed({ store, hub, sessionId, batch: true }), headSeq);
    const expected = plain.flatMap((m) => trailOf(m.message)).map(view);
    expect(batched.flatMap((m) => trailOf(m.message)).map(view)).toEqual(expected);
    expect(batched.filter((m) => m.message.kind === 'session_batch').length).toBeGreaterThan(3);
    expect(batched.length).toBeLessThan(plain.length / (CATCH_UP_BATCH_MAX / 4));

    // A batch is tracked by the position after its last message: resuming there gives exactly the rest.
    let delivered = 0;
    for (const m of batched) {
      delivered += trailOf(m.message).length;
      if (trailOf(m.message).length === 0) continue;
      if (delivered === expected.length) break; // the last one: nothing follows
      const rest = await readUntil(
        streamTabFeed({ store, hub, sessionId, batch: true, lastEventId: formatFeedCursor(m.cursor) }),
        headSeq,
      );
      expect(rest.flatMap((r) => trailOf(r.message)).map(view)).toEqual(expected.slice(delivered));
    }
  });

  it('sends live events one message each, as without batch', async () => {
    const { store, hub, sessionId, headSeq } = await setup(300);
    const feed = streamTabFeed({ store, hub, sessionId, batch: true });
    await readUntil(feed, headSeq);
    await store.append(sessionId, [
      { type: 'thought', text: 'live 1' },
      { type: 'thought', text: 'live 2' },
    ]);
    const live = (await readUntil(feed, headSeq + 2)).filter((m) => m.message.kind !== 'list');
    await feed.return(undefined);
    expect(live.map((m) => m.message.kind)).toEqual(['session', 'session']);
    expect(live.map((m) => m.cursor.seq)).toEqual([headSeq + 1, headSeq + 2]);
  });
});
