import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { bearer, TEST_TOKEN_ENTRIES, TEST_TOKENS } from '../support/authFixture.ts';
import { startTestServer, type TestServer } from '../support/startTestServer.ts';

/** A raw subscriber that keeps everything it received as text. */
interface RawSubscriber {
  received(): string;
  close(): void;
}

async function sseSubscriber(url: string, sessionId: string, headers = {}): Promise<RawSubscriber> {
  const abort = new AbortController();
  const input = encodeURIComponent(JSON.stringify({ sessionId }));
  const res = await fetch(`${url}/trpc/events.onEvents?input=${input}`, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  let text = '';
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      text += value;
    }
  })();
  await vi.waitFor(() => expect(text).toContain('event: connected'));
  return { received: () => text, close: () => abort.abort() };
}

async function wsSubscriber(url: string, sessionId: string): Promise<RawSubscriber> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
  let text = '';
  ws.on('message', (data) => {
    text += `${String(data)}\n`;
  });
  await new Promise((r) => ws.once('open', r));
  ws.send(
    JSON.stringify({
      id: 7,
      method: 'subscription',
      params: { path: 'events.onEvents', input: { sessionId } },
    }),
  );
  await vi.waitFor(() => expect(text).toContain('"started"'));
  return { received: () => text, close: () => ws.terminate() };
}

let app: TestServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await app?.stop();
  app = undefined;
});

describe('fan-out', () => {
  it('JSON-encodes each live event once, however many SSE and WebSocket subscribers get it', async () => {
    app = await startTestServer();
    const session = await app.store.createSession({ title: 'fan', agent: 'a' });
    const subscribers = [
      ...(await Promise.all(Array.from({ length: 8 }, () => sseSubscriber(app!.url, session.id)))),
      ...(await Promise.all(Array.from({ length: 8 }, () => wsSubscriber(app!.url, session.id)))),
    ];
    const marker = 'marker-5b1f';
    const stringify = vi.spyOn(JSON, 'stringify');
    await app.store.append(session.id, [{ type: 'assistant_message', text: marker }]);
    await vi.waitFor(() => {
      for (const s of subscribers) expect(s.received()).toContain(marker);
    });
    // Encodings of the stored event (the store's own size check encodes the input, without a seq).
    const encodings = stringify.mock.results.filter(
      (r) => typeof r.value === 'string' && r.value.includes(marker) && r.value.includes('"seq":1'),
    );
    expect(encodings).toHaveLength(1);
    // The WebSocket envelope still names each subscription (id 7) and the event's tracked id.
    const wsFrame = subscribers[8]!
      .received()
      .split('\n')
      .find((line) => line.includes(marker))!;
    expect(JSON.parse(wsFrame)).toMatchObject({
      id: 7,
      result: { type: 'data', id: '1', data: { id: '1', data: { kind: 'event', event: { seq: 1 } } } },
    });
    for (const s of subscribers) s.close();
  });

  it('writes each WebSocket subscription under its own id, and stops only the one asked to stop', async () => {
    app = await startTestServer();
    const a = await app.store.createSession({ title: 'a', agent: 'a' });
    const b = await app.store.createSession({ title: 'b', agent: 'a' });
    const ws = new WebSocket(`${app.url.replace('http', 'ws')}/ws`);
    const replies: {
      id: number;
      result?: { type: string; data?: { data: { event?: { text: string } } } };
    }[] = [];
    ws.on('message', (data) => replies.push(JSON.parse(String(data))));
    await new Promise((r) => ws.once('open', r));
    const subscribe = (id: number, sessionId: string) =>
      ws.send(
        JSON.stringify({
          id,
          method: 'subscription',
          params: { path: 'events.onEvents', input: { sessionId } },
        }),
      );
    subscribe(1, a.id);
    subscribe(2, b.id);
    await vi.waitFor(() => expect(replies.filter((r) => r.result?.type === 'started')).toHaveLength(2));
    await app.store.append(a.id, [{ type: 'thought', text: 'for a' }]);
    await app.store.append(b.id, [{ type: 'thought', text: 'for b' }]);
    const texts = (id: number) =>
      replies
        .filter((r) => r.id === id && r.result?.type === 'data')
        .map((r) => r.result!.data!.data.event!.text);
    await vi.waitFor(() => expect([texts(1), texts(2)]).toEqual([['for a'], ['for b']]));
    ws.send(JSON.stringify({ id: 1, method: 'subscription.stop' }));
    await vi.waitFor(() =>
      expect(replies.some((r) => r.id === 1 && r.result?.type === 'stopped')).toBe(true),
    );
    await app.store.append(a.id, [{ type: 'thought', text: 'a after stop' }]);
    await app.store.append(b.id, [{ type: 'thought', text: 'b again' }]);
    await vi.waitFor(() => expect(texts(2)).toEqual(['for b', 'b again']));
    expect(texts(1)).toEqual(['for a']);
    expect(app.hub.listenerCount()).toBeGreaterThan(0);
    ws.terminate();
    await vi.waitFor(() => expect(app!.hub.listenerCount()).toBe(0));
  });

  it.each([
    ['short', 20],
    ['16-bit length', 2_000],
    ['64-bit length', 90_000],
  ])('frames a %s WebSocket message the client reads intact', async (_, size) => {
    app = await startTestServer();
    const session = await app.store.createSession({ title: 'big', agent: 'a' });
    const sub = await wsSubscriber(app.url, session.id);
    const text = 'é'.repeat(size / 2);
    await app.store.append(session.id, [{ type: 'assistant_message', text }]);
    await vi.waitFor(() => expect(sub.received()).toContain('"seq":1'));
    const frame = sub
      .received()
      .split('\n')
      .find((line) => line.includes('"seq":1'))!;
    expect(JSON.parse(frame).result.data.data.event.text).toBe(text);
    sub.close();
  });

  it('serves /metrics to admins only, counting open streams and deliveries by transport', async () => {
    app = await startTestServer({ config: { auth: 'on', tokens: TEST_TOKEN_ENTRIES } });
    const scrape = (token?: string) => fetch(`${app!.url}/metrics`, { headers: bearer(token) });
    expect((await scrape()).status).toBe(401);
    expect((await scrape(TEST_TOKENS.viewer)).status).toBe(403);
    expect((await scrape(TEST_TOKENS.agent)).status).toBe(403);

    const session = await app.store.createSession({ title: 'm', agent: 'a' });
    const sub = await sseSubscriber(app.url, session.id, bearer(TEST_TOKENS.viewer));
    await app.store.append(session.id, [{ type: 'thought', text: 'one' }]);
    await vi.waitFor(() => expect(sub.received()).toContain('"one"'));
    const res = await scrape(TEST_TOKENS.admin);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = await res.text();
    expect(body).toMatch(/^livetrail_open_connections\{transport="sse"\} 1$/m);
    expect(body).toMatch(/^livetrail_open_subscriptions\{transport="sse"\} 1$/m);
    expect(body).toMatch(/^livetrail_deliveries_total\{transport="sse"\} 1$/m);
    expect(body).toMatch(/^livetrail_append_to_first_delivery_seconds_count 1$/m);
    expect(body).toMatch(/^livetrail_store_ok 1$/m);
    sub.close();
    await vi.waitFor(async () => {
      const after = await (await scrape(TEST_TOKENS.admin)).text();
      expect(after).toMatch(/^livetrail_open_connections\{transport="sse"\} 0$/m);
      expect(after).toMatch(/^livetrail_open_subscriptions\{transport="sse"\} 0$/m);
    });
  });
});
