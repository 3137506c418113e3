import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createLivetrailClient,
  type LivetrailClient,
  type Transport,
} from '../../shared/createLivetrailClient.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import type { SessionListMessage } from '../../shared/streamMessages.ts';
import { type Collected, collectSubscription } from '../support/collectSubscription.ts';
import { startTestServer } from '../support/startTestServer.ts';

describe.each<Transport>(['sse', 'ws'])('sessions.onChange over %s', (transport) => {
  let app: Awaited<ReturnType<typeof startTestServer>>;
  let client: LivetrailClient;
  let sub: Collected<SessionListMessage> | undefined;
  beforeEach(async () => {
    app = await startTestServer();
    client = createLivetrailClient({ url: app.url, transport, ...nodeTransports, retryDelayMs: () => 50 });
  });
  afterEach(async () => {
    sub?.unsubscribe();
    client.close();
    await app.stop();
  });

  it('sends a snapshot, then each created or changed session', async () => {
    const first = await client.api.sessions.create.mutate({ title: 'first', agent: 'bot' });
    sub = collectSubscription<SessionListMessage>((h) => client.api.sessions.onChange.subscribe({}, h));
    await vi.waitFor(() => expect(sub!.data[0]).toMatchObject({ kind: 'snapshot', complete: true }));
    expect(sub.data[0]!.kind === 'snapshot' && sub.data[0]!.sessions.map((s) => s.id)).toEqual([first.id]);

    const second = await client.api.sessions.create.mutate({ title: 'second' });
    await client.api.sessions.sendMessage.mutate({ sessionId: first.id, text: 'hello' });
    await vi.waitFor(() => {
      const upserts = sub!.data.flatMap((m) => (m.kind === 'upsert' ? [m.session] : []));
      expect(upserts.some((s) => s.id === second.id && s.agent === 'agent')).toBe(true);
      expect(upserts.some((s) => s.id === first.id && s.lastSeq === 1)).toBe(true);
    });
    // Ids are activity timestamps, so a resume can ask for what changed since.
    expect(sub.ids.filter(Boolean).every((id) => !Number.isNaN(Date.parse(id!)))).toBe(true);
  });

  it('on resume sends only sessions changed since the last id', async () => {
    const old = await app.store.createSession({ title: 'old', agent: 'a' });
    const recent = await app.store.createSession({ title: 'recent', agent: 'a' });
    const since = new Date(Date.now() + 60_000).toISOString();
    sub = collectSubscription<SessionListMessage>((h) =>
      client.api.sessions.onChange.subscribe({ lastEventId: since }, h),
    );
    await vi.waitFor(() =>
      expect(sub!.data[0]).toMatchObject({ kind: 'snapshot', complete: false, sessions: [] }),
    );
    sub.unsubscribe();
    sub = collectSubscription<SessionListMessage>((h) =>
      client.api.sessions.onChange.subscribe({ lastEventId: 'garbage' }, h),
    );
    await vi.waitFor(() => expect(sub!.data[0]).toMatchObject({ kind: 'snapshot', complete: true }));
    expect(sub.data[0]!.kind === 'snapshot' && sub.data[0]!.sessions.map((s) => s.id).sort()).toEqual(
      [old.id, recent.id].sort(),
    );
  });

  it('leaves no listener behind after unsubscribe', async () => {
    sub = collectSubscription<SessionListMessage>((h) => client.api.sessions.onChange.subscribe({}, h));
    await vi.waitFor(() => expect(sub!.data).toHaveLength(1));
    expect(app.hub.listenerCount()).toBe(2);
    sub.unsubscribe();
    await vi.waitFor(() => expect(app.hub.listenerCount()).toBe(0));
  });
});
