import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLivetrailClient } from '../../shared/createLivetrailClient.ts';
import { LIMITS } from '../../shared/limits.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import type { Session } from '../../shared/session.ts';
import { collectSubscription } from '../support/collectSubscription.ts';
import { startTestServer, type TestServer } from '../support/startTestServer.ts';

let app: TestServer;
let open: Session;
let done: Session;

beforeAll(async () => {
  app = await startTestServer();
  open = await app.store.createSession({ title: 'open', agent: 'a' });
  await app.store.append(open.id, [{ type: 'thought', text: 'kept' }]);
  done = await app.store.createSession({ title: 'done', agent: 'a' });
  await app.store.append(done.id, [{ type: 'complete', status: 'succeeded' }]);
});
afterAll(async () => {
  await app.stop();
});

async function call(path: string, body: unknown, method = 'POST') {
  const url =
    method === 'GET'
      ? `${app.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(body))}`
      : `${app.url}/trpc/${path}`;
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: method === 'GET' ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await res.json()) as { error?: { message: string; data: { code: string; stack?: string } } };
  return { status: res.status, error: json.error };
}

const tooManyEvents = Array.from({ length: LIMITS.batchEvents + 1 }, () => ({ type: 'thought', text: 'x' }));
const bigEvent = {
  type: 'tool_result',
  callId: 'c',
  tool: 't',
  ok: true,
  output: 'x'.repeat(LIMITS.eventBytes),
};

describe('bad input', () => {
  it.each([
    ['sessions.create', {}, 400, 'BAD_REQUEST', /^title: /],
    ['sessions.create', { title: 'x'.repeat(201) }, 400, 'BAD_REQUEST', /^title: /],
    ['sessions.create', { title: 'ok', agent: 5 }, 400, 'BAD_REQUEST', /^agent: /],
    ['sessions.sendMessage', { sessionId: 'OPEN', text: '' }, 400, 'BAD_REQUEST', /^text: /],
    ['sessions.sendMessage', { sessionId: 'nosuchsession', text: 'hi' }, 404, 'NOT_FOUND', /sessionId/],
    ['sessions.sendMessage', { sessionId: 'DONE', text: 'hi' }, 409, 'CONFLICT', /already complete/],
    ['sessions.complete', { sessionId: 'OPEN', status: 'finished' }, 400, 'BAD_REQUEST', /^status: /],
    [
      'events.append',
      { sessionId: '../etc', events: [{ type: 'thought', text: 'x' }] },
      400,
      'BAD_REQUEST',
      /^sessionId: /,
    ],
    ['events.append', { sessionId: 'OPEN', events: [] }, 400, 'BAD_REQUEST', /^events: /],
    [
      'events.append',
      { sessionId: 'OPEN', events: [{ type: 'tool_result', tool: 'bash', ok: true, output: '' }] },
      400,
      'BAD_REQUEST',
      /^events\.0\.callId: /,
    ],
    [
      'events.append',
      { sessionId: 'OPEN', events: [{ type: 'nope' }] },
      400,
      'BAD_REQUEST',
      /^events\.0\.type: /,
    ],
    [
      'events.append',
      { sessionId: 'OPEN', events: tooManyEvents },
      413,
      'PAYLOAD_TOO_LARGE',
      /^events: at most 1000 events per batch \(got 1001\)$/,
    ],
    [
      'events.append',
      { sessionId: 'OPEN', events: [{ type: 'thought', text: 'a' }, bigEvent] },
      413,
      'PAYLOAD_TOO_LARGE',
      /^events\.1: /,
    ],
    [
      'events.append',
      {
        sessionId: 'OPEN',
        events: [
          { type: 'complete', status: 'failed' },
          { type: 'thought', text: 'after' },
        ],
      },
      409,
      'CONFLICT',
      /^events\.1: /,
    ],
    [
      'events.append',
      { sessionId: 'DONE', events: [{ type: 'thought', text: 'late' }] },
      409,
      'CONFLICT',
      /complete/,
    ],
    ['events.append', '{"sessionId":', 400, 'BAD_REQUEST', /./],
  ])('%s rejects %j with %i %s', async (path, rawInput, status, code, message) => {
    const input =
      typeof rawInput === 'string'
        ? rawInput
        : JSON.parse(
            JSON.stringify(rawInput).replace('"OPEN"', `"${open.id}"`).replace('"DONE"', `"${done.id}"`),
          );
    const r = await call(path, input);
    expect(r.status).toBe(status);
    expect(r.error!.data.code).toBe(code);
    expect(r.error!.message).toMatch(message);
    expect(r.error!.data.stack).toBeUndefined();
  });

  it.each([
    ['sessions.get', { sessionId: 'bad id' }, 400, 'BAD_REQUEST'],
    ['sessions.get', { sessionId: 'nosuchsession' }, 404, 'NOT_FOUND'],
    ['events.list', { sessionId: 'OPEN', limit: 0 }, 400, 'BAD_REQUEST'],
    ['events.list', { sessionId: 'OPEN', after: -1 }, 400, 'BAD_REQUEST'],
    ['events.list', { sessionId: 'nosuchsession' }, 404, 'NOT_FOUND'],
  ])('query %s rejects %j with %i', async (path, rawInput, status, code) => {
    const input = JSON.parse(JSON.stringify(rawInput).replace('"OPEN"', `"${open.id}"`));
    const r = await call(path, input, 'GET');
    expect(r.status).toBe(status);
    expect(r.error!.data.code).toBe(code);
  });

  it('rejects a body over 2 MiB with 413', async () => {
    const r = await call('events.append', {
      sessionId: open.id,
      events: [{ type: 'thought', text: 'x'.repeat(3 * 1024 * 1024) }],
    });
    expect(r.status).toBe(413);
    expect(r.error!.data.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('rejects a subscription with bad input over WebSocket with BAD_REQUEST and stays up', async () => {
    const client = createLivetrailClient({ url: app.url, transport: 'ws', ...nodeTransports });
    const c = collectSubscription((h) =>
      client.api.events.onEvents.subscribe({ sessionId: 'x', lastEventId: 7 as unknown as string }, h),
    );
    await vi.waitFor(() => expect(c.errors).toHaveLength(1));
    expect(c.errors[0]).toMatchObject({ data: { code: 'BAD_REQUEST' } });
    expect((await client.api.sessions.get.query({ sessionId: open.id })).id).toBe(open.id);
    client.close();
  });

  it.each([
    // Served by the SPA fallback: 200, or the "not built yet" 503 page before a build — never a crash or a 500.
    ['GET // HTTP/1.1', /^HTTP\/1\.1 (200|503) /],
    ['GET //x:99999 HTTP/1.1', /^HTTP\/1\.1 (200|503) /],
    ['GET /% HTTP/1.1', /^HTTP\/1\.1 400 /],
    ['GET /api/sessions/%E0%A4/events/stream HTTP/1.1', /^HTTP\/1\.1 400 /],
  ])('answers the raw request %s without a server error and stays up', async (requestLine, statusLine) => {
    const { port } = app.server.address() as { port: number };
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(`${requestLine}\r\nhost: 127.0.0.1:${port}\r\nconnection: close\r\n\r\n`),
      );
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(statusLine);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it('changed nothing that was stored', async () => {
    expect(await app.store.readEvents(open.id, { after: 0, limit: 10 })).toMatchObject([
      { seq: 1, text: 'kept' },
    ]);
    expect((await app.store.getSession(open.id))!.lastSeq).toBe(1);
    expect((await app.store.getSession(done.id))!.lastSeq).toBe(1);
    expect(await app.store.listSessions()).toHaveLength(2);
  });
});
