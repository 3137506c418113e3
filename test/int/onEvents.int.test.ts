import { describe, expect, it, vi } from 'vitest';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import type { Transport } from '../../shared/createLivetrailClient.ts';
import type { SessionStreamMessage } from '../../shared/streamMessages.ts';
import type { Collected } from '../support/collectSubscription.ts';
import { dropConnections } from '../support/startTestServer.ts';
import { useServerAndClient } from '../support/useServerAndClient.ts';

const thought = (n: number): AgentEvent => ({ type: 'thought', text: `t${n}` });
const seqsOf = (c: Collected<SessionStreamMessage>) =>
  c.data.flatMap((m) => (m.kind === 'event' ? [m.event.seq] : []));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each<Transport>(['sse', 'ws'])('events.onEvents over %s', (transport) => {
  const t = useServerAndClient(transport);

  function subscribe(input: { sessionId: string; lastEventId?: string }) {
    const c = t.collect<SessionStreamMessage>((h) => t.client.api.events.onEvents.subscribe(input, h));
    return c;
  }

  it('sends stored events first, then live ones, each once and in order, with seq ids', async () => {
    const s = await t.client.api.sessions.create.mutate({ title: 'x' });
    await t.client.api.events.append.mutate({
      sessionId: s.id,
      events: [thought(1), thought(2), thought(3)],
    });
    const c = subscribe({ sessionId: s.id });
    await vi.waitFor(() => expect(seqsOf(c)).toEqual([1, 2, 3]));
    await t.client.api.events.append.mutate({ sessionId: s.id, events: [thought(4)] });
    await t.client.api.events.append.mutate({ sessionId: s.id, events: [thought(5), thought(6)] });
    await vi.waitFor(() => expect(seqsOf(c)).toEqual(range(1, 6)));
    expect(c.ids).toEqual(range(1, 6).map(String));
    expect(c.errors).toEqual([]);
  });

  it('misses nothing appended while the backfill is being read', async () => {
    const s = await t.client.api.sessions.create.mutate({ title: 'x' });
    await t.client.api.events.append.mutate({ sessionId: s.id, events: range(1, 900).map(thought) });
    const c = subscribe({ sessionId: s.id });
    const writes = range(901, 960).map((n) =>
      t.client.api.events.append.mutate({ sessionId: s.id, events: [thought(n)] }),
    );
    await Promise.all(writes);
    await vi.waitFor(() => expect(seqsOf(c)).toEqual(range(1, 960)));
  });

  it('resumes after the last id when the connection drops, with no gap and no duplicate', async () => {
    const s = await t.client.api.sessions.create.mutate({ title: 'x' });
    await t.client.api.events.append.mutate({ sessionId: s.id, events: [thought(1), thought(2)] });
    const c = subscribe({ sessionId: s.id });
    await vi.waitFor(() => expect(seqsOf(c)).toEqual([1, 2]));
    for (let round = 0; round < 3; round++) {
      dropConnections(t.app);
      await t.app.store.append(s.id, [thought(0), thought(0)]);
    }
    await vi.waitFor(() => expect(seqsOf(c)).toEqual(range(1, 8)), { timeout: 10_000 });
    expect(c.errors).toEqual([]);
  });

  it('ends the stream after complete, and a late joiner gets the whole trail', async () => {
    const s = await t.client.api.sessions.create.mutate({ title: 'x' });
    await t.client.api.events.append.mutate({ sessionId: s.id, events: [thought(1)] });
    const live = subscribe({ sessionId: s.id });
    await vi.waitFor(() => expect(seqsOf(live)).toEqual([1]));
    await t.client.api.sessions.complete.mutate({ sessionId: s.id, status: 'succeeded', summary: 'done' });
    await vi.waitFor(() => expect(live.completed).toBe(true));
    expect(live.data.at(-1)).toMatchObject({ kind: 'event', event: { type: 'complete', summary: 'done' } });

    const late = subscribe({ sessionId: s.id });
    await vi.waitFor(() => expect(late.completed).toBe(true));
    expect(seqsOf(late)).toEqual([1, 2]);
  });

  it('resumes exactly after a given lastEventId', async () => {
    const s = await t.client.api.sessions.create.mutate({ title: 'x' });
    await t.client.api.events.append.mutate({ sessionId: s.id, events: range(1, 5).map(thought) });
    const c = subscribe({ sessionId: s.id, lastEventId: '3' });
    await vi.waitFor(() => expect(seqsOf(c)).toEqual([4, 5]));
  });

  it.each([
    ['beyond the head', '99', 'ahead_of_head'],
    ['malformed', 'abc', 'malformed_last_event_id'],
  ])('sends a reset and then the whole trail when lastEventId is %s', async (_, lastEventId, reason) => {
    const s = await t.client.api.sessions.create.mutate({ title: 'x' });
    await t.client.api.events.append.mutate({ sessionId: s.id, events: [thought(1), thought(2)] });
    const c = subscribe({ sessionId: s.id, lastEventId });
    await vi.waitFor(() => expect(seqsOf(c)).toEqual([1, 2]));
    expect(c.data[0]).toEqual({ kind: 'reset', reason, headSeq: 2 });
  });

  it('reports NOT_FOUND for an unknown session and BAD_REQUEST for a malformed id', async () => {
    const missing = subscribe({ sessionId: 'nosuchsession' });
    const malformed = subscribe({ sessionId: 'not/valid' });
    await vi.waitFor(() => {
      expect(missing.errors).toHaveLength(1);
      expect(malformed.errors).toHaveLength(1);
    });
    expect(missing.errors[0]).toMatchObject({ data: { code: 'NOT_FOUND' } });
    expect(malformed.errors[0]).toMatchObject({ data: { code: 'BAD_REQUEST' } });
  });

  it('leaves no listener behind after unsubscribe', async () => {
    const s = await t.client.api.sessions.create.mutate({ title: 'x' });
    const a = subscribe({ sessionId: s.id });
    const b = subscribe({ sessionId: s.id });
    await t.client.api.events.append.mutate({ sessionId: s.id, events: [thought(1)] });
    await vi.waitFor(() => {
      expect(seqsOf(a)).toEqual([1]);
      expect(seqsOf(b)).toEqual([1]);
    });
    // Each subscriber listens for its events, for resyncs and for the session's deletion.
    expect(t.app.hub.listenerCount()).toBe(6);
    a.unsubscribe();
    b.unsubscribe();
    await vi.waitFor(() => expect(t.app.hub.listenerCount()).toBe(0));
  });
});
