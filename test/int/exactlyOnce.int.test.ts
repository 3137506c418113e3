import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLivetrailClient, type LivetrailClient } from '../../shared/createLivetrailClient.ts';
import { startTestServer, type TestServer } from '../support/startTestServer.ts';

/**
 * An HTTP proxy that, while `loseReplies` > 0, lets a mutation reach the server, waits for the
 * server's answer and then cuts the client's connection instead of relaying it: the write happened,
 * the caller cannot know. Everything else is relayed as is.
 */
async function replyLosingProxy(target: number) {
  const state = { loseReplies: 0, forwarded: 0 };
  const server: Server = createServer((req, res) => {
    const upstream = request(
      {
        host: '127.0.0.1',
        port: target,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: `127.0.0.1:${target}` },
      },
      (answer) => {
        state.forwarded++;
        if (req.method === 'POST' && state.loseReplies > 0) {
          state.loseReplies--;
          answer.resume();
          answer.on('end', () => res.socket?.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    state,
    url,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { result?: { data: unknown }; error?: { message: string } },
  };
}

describe('exactly-once writes over HTTP', () => {
  let app: TestServer;
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await app?.stop();
  });

  it('stores an append retried under the same Idempotency-Key header once, and says so', async () => {
    app = await startTestServer();
    const s = await app.store.createSession({ title: 'x', agent: 'a' });
    const input = {
      sessionId: s.id,
      events: [{ type: 'tool_call', callId: 'deploy-1', tool: 'deploy', args: {} }],
    };
    const first = await post(app.url, 'events.append', input, { 'idempotency-key': 'deploy-1-batch' });
    const again = await post(app.url, 'events.append', input, { 'idempotency-key': 'deploy-1-batch' });
    expect(first.body.result?.data).toEqual({ seqs: [1], duplicate: false });
    expect(again.body.result?.data).toEqual({ seqs: [1], duplicate: true });
    const changed = await post(
      app.url,
      'events.append',
      { ...input, events: [{ type: 'thought', text: 'other' }] },
      {
        'idempotency-key': 'deploy-1-batch',
      },
    );
    expect(changed.status).toBe(409);
    expect(changed.body.error?.message).toMatch(/^idempotencyKey: /);
    expect((await app.store.getSession(s.id))!.totals.toolCalls).toBe(1);
  });

  it('refuses a malformed Idempotency-Key header, or one that disagrees with the input, as 400', async () => {
    app = await startTestServer();
    const s = await app.store.createSession({ title: 'x', agent: 'a' });
    const input = { sessionId: s.id, text: 'hi' };
    const bad = await post(app.url, 'sessions.sendMessage', input, { 'idempotency-key': 'not a key!' });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/^Idempotency-Key header: must be 1–128/);
    const disagree = await post(
      app.url,
      'sessions.sendMessage',
      { ...input, idempotencyKey: 'a' },
      {
        'idempotency-key': 'b',
      },
    );
    expect(disagree.status).toBe(400);
    expect(disagree.body.error?.message).toMatch(/^idempotencyKey: differs from the Idempotency-Key header/);
    expect((await app.store.getSession(s.id))!.lastSeq).toBe(0);
  });

  it('makes the typed client retry a write whose reply was lost, storing it once', async () => {
    app = await startTestServer();
    const proxy = await replyLosingProxy(Number(new URL(app.url).port));
    cleanups.push(proxy.close);
    const client: LivetrailClient = createLivetrailClient({
      url: proxy.url,
      writeRetry: { delayMs: () => 10 },
    });
    cleanups.push(() => client.close());
    proxy.state.loseReplies = 1;
    const session = await client.api.sessions.create.mutate({ title: 'deploy' });
    proxy.state.loseReplies = 2;
    const appended = await client.api.events.append.mutate({
      sessionId: session.id,
      events: [
        { type: 'tool_call', callId: 'deploy-1', tool: 'deploy', args: {} },
        { type: 'cost', usd: 0.25, inputTokens: 10, outputTokens: 5 },
      ],
    });
    proxy.state.loseReplies = 1;
    await client.api.sessions.complete.mutate({ sessionId: session.id, status: 'succeeded' });
    expect(appended).toEqual({ seqs: [1, 2], duplicate: true });
    expect((await app.store.listSessions()).map((s) => s.id)).toEqual([session.id]);
    const stored = await app.store.readEvents(session.id, { after: 0, limit: 10 });
    expect(stored.map((e) => e.type)).toEqual(['tool_call', 'cost', 'complete']);
    expect((await app.store.getSession(session.id))!.totals).toMatchObject({ costUsd: 0.25, toolCalls: 1 });
  });
});
