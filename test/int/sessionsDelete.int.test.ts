import { describe, expect, it, vi } from 'vitest';
import { mergeSessionList } from '../../client/state/mergeSessionList.ts';
import type { Transport } from '../../shared/createLivetrailClient.ts';
import type {
  SessionListMessage,
  SessionStreamMessage,
  TabFeedMessage,
} from '../../shared/streamMessages.ts';
import { dropConnections } from '../support/startTestServer.ts';
import { useServerAndClient } from '../support/useServerAndClient.ts';

const thought = (text: string) => ({ type: 'thought' as const, text });

describe.each<Transport>(['sse', 'ws'])('sessions.delete, followed over %s', (transport) => {
  const t = useServerAndClient(transport);

  async function sessionWithEvent(title = 'x') {
    const s = await t.client.api.sessions.create.mutate({ title });
    await t.client.api.events.append.mutate({ sessionId: s.id, events: [thought('1')] });
    return s;
  }

  it('answers deleted, then NOT_FOUND for the session and for a second delete', async () => {
    const s = await sessionWithEvent();
    await expect(t.client.api.sessions.delete.mutate({ sessionId: s.id })).resolves.toEqual({
      deleted: true,
    });
    await expect(t.client.api.sessions.get.query({ sessionId: s.id })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    await expect(t.client.api.sessions.delete.mutate({ sessionId: s.id })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
  });

  it('ends an onEvents subscriber with NOT_FOUND, as for an unknown session', async () => {
    const s = await sessionWithEvent();
    const c = t.collect<SessionStreamMessage>((h) =>
      t.client.api.events.onEvents.subscribe({ sessionId: s.id }, h),
    );
    await vi.waitFor(() => expect(c.data).toHaveLength(1));
    await t.client.api.sessions.delete.mutate({ sessionId: s.id });
    await vi.waitFor(() => expect(c.errors).toHaveLength(1));
    expect(c.errors[0]).toMatchObject({
      data: { code: 'NOT_FOUND' },
      message: `sessionId: no session ${s.id}`,
    });
    await vi.waitFor(() => expect(t.app.hub.listenerCount()).toBe(0));
  });

  it('sends the list a remove', async () => {
    const gone = await sessionWithEvent('gone');
    const kept = await sessionWithEvent('kept');
    const c = t.collect<SessionListMessage>((h) => t.client.api.sessions.onChange.subscribe({}, h));
    await vi.waitFor(() => expect(c.data[0]).toMatchObject({ kind: 'snapshot', complete: true }));
    await t.client.api.sessions.delete.mutate({ sessionId: gone.id });
    await vi.waitFor(() => expect(c.data).toContainEqual({ kind: 'remove', sessionId: gone.id }));
    expect(mergeSessionList([], c.data).map((s) => s.id)).toEqual([kept.id]);
    expect(c.errors).toEqual([]);
  });

  it('drops from a reconnecting list a session deleted while it was away', async () => {
    const gone = await sessionWithEvent('gone');
    const kept = await sessionWithEvent('kept');
    const c = t.collect<SessionListMessage>((h) => t.client.api.sessions.onChange.subscribe({}, h));
    await vi.waitFor(() => expect(c.data).toHaveLength(1));
    dropConnections(t.app);
    await t.app.store.deleteSession(gone.id);
    // The resumed snapshot is partial (only what changed lately) but names every session there is.
    await vi.waitFor(() => expect(c.data).toHaveLength(2), { timeout: 8000 });
    expect(c.data[1]).toMatchObject({ kind: 'snapshot', complete: false, ids: [kept.id] });
    expect(c.data.some((m) => m.kind === 'remove')).toBe(false);
    expect(mergeSessionList([], c.data).map((s) => s.id)).toEqual([kept.id]);
  });

  it('tells the tab feed the open session is missing and removes it from its list, which stays live', async () => {
    const s = await sessionWithEvent();
    const c = t.collect<TabFeedMessage>((h) => t.client.api.live.onFeed.subscribe({ sessionId: s.id }, h));
    await vi.waitFor(() =>
      expect(c.data.some((m) => m.kind === 'session' && m.message.kind === 'event')).toBe(true),
    );
    await t.client.api.sessions.delete.mutate({ sessionId: s.id });
    await vi.waitFor(() => {
      expect(c.data).toContainEqual({ kind: 'session_missing', sessionId: s.id });
      expect(c.data).toContainEqual({ kind: 'list', message: { kind: 'remove', sessionId: s.id } });
    });
    const later = await t.client.api.sessions.create.mutate({ title: 'later' });
    await vi.waitFor(() =>
      expect(
        c.data.some(
          (m) => m.kind === 'list' && m.message.kind === 'upsert' && m.message.session.id === later.id,
        ),
      ).toBe(true),
    );
    expect(c.errors).toEqual([]);
  });
});

describe('sessions.delete and the plain SSE route', () => {
  const t = useServerAndClient('sse');

  it('ends the stream with a NOT_FOUND error frame; the reconnect gets 404', async () => {
    const s = await t.client.api.sessions.create.mutate({ title: 'x' });
    await t.client.api.events.append.mutate({ sessionId: s.id, events: [thought('1')] });
    const url = `${t.app.url}/api/sessions/${s.id}/events/stream`;
    const reading = fetch(url).then((res) => res.text());
    await vi.waitFor(() => expect(t.app.hub.listenerCount()).toBe(3));
    await t.client.api.sessions.delete.mutate({ sessionId: s.id });
    const frames = (await reading).split('\n\n').filter((f) => f.startsWith('id:') || f.startsWith('event:'));
    expect(frames[0]).toMatch(/^id: 1\nevent: thought\n/);
    expect(frames.at(-1)).toBe(
      `event: error\ndata: ${JSON.stringify({ code: 'NOT_FOUND', message: `sessionId: no session ${s.id}` })}`,
    );
    const again = await fetch(url, { headers: { 'last-event-id': '1' } });
    expect(again.status).toBe(404);
    await vi.waitFor(() => expect(t.app.hub.listenerCount()).toBe(0));
  });
});
