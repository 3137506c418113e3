import { describe, expect, it, vi } from 'vitest';
import type { Transport } from '../../shared/createLivetrailClient.ts';
import type { SessionListMessage } from '../../shared/streamMessages.ts';
import type { Collected } from '../support/collectSubscription.ts';
import { useServerAndClient } from '../support/useServerAndClient.ts';

describe.each<Transport>(['sse', 'ws'])('sessions.onChange over %s', (transport) => {
  const t = useServerAndClient(transport);
  let sub: Collected<SessionListMessage> | undefined;

  it('sends a snapshot, then each created or changed session', async () => {
    const first = await t.client.api.sessions.create.mutate({ title: 'first', agent: 'bot' });
    sub = t.collect<SessionListMessage>((h) => t.client.api.sessions.onChange.subscribe({}, h));
    await vi.waitFor(() => expect(sub!.data[0]).toMatchObject({ kind: 'snapshot', complete: true }));
    expect(sub.data[0]!.kind === 'snapshot' && sub.data[0]!.sessions.map((s) => s.id)).toEqual([first.id]);

    const second = await t.client.api.sessions.create.mutate({ title: 'second' });
    await t.client.api.sessions.sendMessage.mutate({ sessionId: first.id, text: 'hello' });
    await vi.waitFor(() => {
      const upserts = sub!.data.flatMap((m) => (m.kind === 'upsert' ? [m.session] : []));
      expect(upserts.some((s) => s.id === second.id && s.agent === 'agent')).toBe(true);
      expect(upserts.some((s) => s.id === first.id && s.lastSeq === 1)).toBe(true);
    });
    // Ids are activity timestamps, so a resume can ask for what changed since.
    expect(sub.ids.filter(Boolean).every((id) => !Number.isNaN(Date.parse(id!)))).toBe(true);
  });

  it('on resume sends only sessions changed since the last id', async () => {
    const old = await t.app.store.createSession({ title: 'old', agent: 'a' });
    const recent = await t.app.store.createSession({ title: 'recent', agent: 'a' });
    const since = new Date(Date.now() + 60_000).toISOString();
    sub = t.collect<SessionListMessage>((h) =>
      t.client.api.sessions.onChange.subscribe({ lastEventId: since }, h),
    );
    await vi.waitFor(() =>
      expect(sub!.data[0]).toMatchObject({ kind: 'snapshot', complete: false, sessions: [] }),
    );
    sub.unsubscribe();
    sub = t.collect<SessionListMessage>((h) =>
      t.client.api.sessions.onChange.subscribe({ lastEventId: 'garbage' }, h),
    );
    await vi.waitFor(() => expect(sub!.data[0]).toMatchObject({ kind: 'snapshot', complete: true }));
    expect(sub.data[0]!.kind === 'snapshot' && sub.data[0]!.sessions.map((s) => s.id).sort()).toEqual(
      [old.id, recent.id].sort(),
    );
  });

  it('leaves no listener behind after unsubscribe', async () => {
    sub = t.collect<SessionListMessage>((h) => t.client.api.sessions.onChange.subscribe({}, h));
    await vi.waitFor(() => expect(sub!.data).toHaveLength(1));
    expect(t.app.hub.listenerCount()).toBe(3);
    sub.unsubscribe();
    await vi.waitFor(() => expect(t.app.hub.listenerCount()).toBe(0));
  });
});
