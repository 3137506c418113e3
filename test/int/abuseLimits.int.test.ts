import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { type AbuseLimits, defaultConfig } from '../../server/config.ts';
import { createLivetrailServer, type LivetrailServer } from '../../server/http/createLivetrailServer.ts';
import type { EventStore } from '../../server/store/eventStore.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import { createLivetrailClient } from '../../shared/createLivetrailClient.ts';
import { LivetrailError } from '../../shared/livetrailError.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import { bearer, callProcedure, TEST_TOKEN_ENTRIES, TEST_TOKENS } from '../support/authFixture.ts';

interface Started extends LivetrailServer {
  store: EventStore;
  logLines: Record<string, unknown>[];
  port: number;
}

const started: Started[] = [];
const sockets: (Socket | WebSocket)[] = [];

/** A server with some limits lowered so each can be reached in a test, and a log we can read. */
async function start(
  opts: {
    limits?: Partial<AbuseLimits>;
    store?: EventStore;
    auth?: boolean;
    staticDir?: string;
    trustProxyHops?: number;
  } = {},
): Promise<Started> {
  const store = opts.store ?? createMemoryStore();
  const base = defaultConfig({ port: 0, store: 'memory' });
  const config = defaultConfig({
    port: 0,
    store: 'memory',
    ...(opts.auth && { auth: 'on', tokens: TEST_TOKEN_ENTRIES }),
    ...(opts.staticDir && { staticDir: opts.staticDir }),
    trustProxyHops: opts.trustProxyHops ?? 0,
    limits: { ...base.limits, ...opts.limits },
  });
  const logLines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) logLines.push(JSON.parse(line));
      done();
    },
  });
  const app = await createLivetrailServer({
    config,
    store,
    log: pino({ level: 'debug', base: undefined }, sink),
  });
  const s = { ...app, store, logLines, port: Number(new URL(app.url).port) };
  started.push(s);
  return s;
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s instanceof WebSocket ? s.terminate() : s.destroy();
  for (const app of started.splice(0)) {
    await app.close();
    await app.store.close();
  }
});

/** A raw TCP connection to the server, optionally from another loopback address. */
function rawSocket(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(socket));
    socket.once('error', reject);
    sockets.push(socket);
  });
}

/** Resolves with everything the server sent once it closes the connection. */
function untilClosed(socket: Socket): Promise<string> {
  let text = '';
  socket.on('data', (d) => {
    text += d.toString();
  });
  return new Promise((resolve) => socket.once('close', () => resolve(text)));
}

function openWs(app: Started): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${app.port}/ws`);
    sockets.push(ws);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function subscribeMsg(id: number, sessionId: string): string {
  return JSON.stringify({
    id,
    method: 'subscription',
    params: { path: 'events.onEvents', input: { sessionId } },
  });
}

const deep = (n: number) => JSON.parse(`${'['.repeat(n)}${']'.repeat(n)}`) as unknown;

describe('abuse limits', () => {
  describe('batching', () => {
    it('serves a batch of exactly the limit and refuses one more call with a clear 400', async () => {
      const app = await start({ limits: { maxBatchCalls: 10 } });
      const batch = (n: number) =>
        fetch(`${app.url}/trpc/${Array(n).fill('sessions.list').join(',')}?batch=1`);
      const ok = await batch(10);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toHaveLength(10);
      const refused = await batch(11);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({
        error: {
          message: 'at most 10 calls in one batched request (LIVETRAIL_MAX_BATCH)',
          data: { code: 'BAD_REQUEST', httpStatus: 400 },
        },
      });
    });

    it('lets the typed client batch any number of calls by splitting them', async () => {
      const app = await start({ limits: { maxBatchCalls: 10 } });
      const client = createLivetrailClient({ url: app.url, ...nodeTransports });
      const lists = await Promise.all(Array.from({ length: 25 }, () => client.api.sessions.list.query()));
      expect(lists).toHaveLength(25);
      client.close();
    });
  });

  describe('payload shape, before any deep work', () => {
    it.each([
      [
        'a __proto__ key',
        '{"__proto__":{"x":1}}',
        /^events\.0\.args\.__proto__: key "__proto__" is not allowed$/,
      ],
      ['a NUL inside a key', '{"a\\u0000b":1}', /^events\.0\.args\.a\\u0000b: key contains a NUL character$/],
      ['a non-finite number', '{"n":1e999}', /^events\.0\.args\.n: number must be finite$/],
      [
        'nesting one past the limit',
        `${'['.repeat(65)}${']'.repeat(65)}`,
        /^events\.0\.args\.0\.0\.0\.…: nesting deeper than 64 levels$/,
      ],
    ])(
      'refuses %s in args with a 400 naming the field and rule, storing nothing',
      async (_what, args, message) => {
        const app = await start();
        const s = await app.store.createSession({ title: 'shape', agent: 'a' });
        const body = `{"sessionId":"${s.id}","events":[{"type":"tool_call","callId":"c","tool":"t","args":${args}}]}`;
        const res = await fetch(`${app.url}/trpc/events.append`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        expect(res.status).toBe(400);
        const json = (await res.json()) as { error: { message: string } };
        expect(json.error.message).toMatch(message);
        expect((await app.store.getSession(s.id))!.lastSeq).toBe(0);
      },
    );

    it('keeps args nested exactly 64 deep as sent', async () => {
      const app = await start();
      const s = await app.store.createSession({ title: 'shape', agent: 'a' });
      const out = await callProcedure(app.url, 'mutation', 'events.append', {
        sessionId: s.id,
        events: [{ type: 'tool_call', callId: 'c', tool: 't', args: deep(64) }],
      });
      expect(out.status).toBe(200);
      const [stored] = await app.store.readEvents(s.id, { after: 0, limit: 1 });
      expect(stored).toMatchObject({ args: deep(64) });
    });

    it('refuses 500 000 levels of nesting from its characters, before parsing, and stays healthy', async () => {
      const app = await start();
      const s = await app.store.createSession({ title: 'deep', agent: 'a' });
      const n = 500_000;
      const body = `{"sessionId":"${s.id}","events":[{"type":"tool_call","callId":"c","tool":"t","args":${'['.repeat(n)}${']'.repeat(n)}}]}`;
      const res = await fetch(`${app.url}/trpc/events.append`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        error: { message: 'input: JSON nested deeper than 72 levels' },
      });
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
      expect((await app.store.getSession(s.id))!.lastSeq).toBe(0);
    });

    it('refuses hostile nesting in a query string the same way', async () => {
      const app = await start();
      const input = `{"sessionId":${'['.repeat(100)}${']'.repeat(100)}}`;
      const res = await fetch(`${app.url}/trpc/sessions.get?input=${encodeURIComponent(input)}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        error: { message: 'input: JSON nested deeper than 72 levels' },
      });
    });

    it('answers a body over 2 MiB with 413', async () => {
      const app = await start();
      const res = await fetch(`${app.url}/trpc/sessions.create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'x'.repeat(2 * 1024 * 1024 + 1) }),
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: { data: { code: 'PAYLOAD_TOO_LARGE' } } });
    });
  });

  describe('append rate per token', () => {
    it('answers 429 with Retry-After past the burst, and lets the wait through', async () => {
      // Slow enough that a slow first request cannot refill a unit between the two calls.
      const app = await start({ auth: true, limits: { appendRatePerSec: 2, appendBurst: 5 } });
      const s = await app.store.createSession({ title: 'rate', agent: 'a' });
      const append = (n: number, token: string = TEST_TOKENS.agent) =>
        callProcedure(
          app.url,
          'mutation',
          'events.append',
          { sessionId: s.id, events: Array.from({ length: n }, () => ({ type: 'thought', text: 't' })) },
          bearer(token),
        );
      expect((await append(5)).status).toBe(200);
      const refused = await append(1);
      expect(refused.status).toBe(429);
      expect(refused.code).toBe('TOO_MANY_REQUESTS');
      expect(refused.message).toMatch(/^too many events: at most 2\/s \(burst 5\); retry in 1 s$/);
      const { retryAfterMs } = (refused.body as { error: { data: { retryAfterMs: number } } }).error.data;
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(500);
      // Another token has its own budget.
      expect((await append(1, TEST_TOKENS.admin)).status).toBe(200);
      await new Promise((r) => setTimeout(r, retryAfterMs));
      expect((await append(1)).status).toBe(200);
      expect((await app.store.getSession(s.id))!.lastSeq).toBe(7);
    });

    it('sets the Retry-After header in seconds', async () => {
      const app = await start({ auth: true, limits: { appendRatePerSec: 1, appendBurst: 2 } });
      const s = await app.store.createSession({ title: 'rate', agent: 'a' });
      const post = () =>
        fetch(`${app.url}/trpc/events.append`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(TEST_TOKENS.agent) },
          body: JSON.stringify({
            sessionId: s.id,
            events: [
              { type: 'thought', text: 't' },
              { type: 'thought', text: 't' },
            ],
          }),
        });
      expect((await post()).status).toBe(200);
      const refused = await post();
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
    });

    it('has the typed client wait out a 429 and succeed', async () => {
      const app = await start({ auth: true, limits: { appendRatePerSec: 50, appendBurst: 3 } });
      const client = createLivetrailClient({ url: app.url, token: TEST_TOKENS.agent, ...nodeTransports });
      const s = await client.api.sessions.create.mutate({ title: 'retry' });
      const thought = { type: 'thought', text: 't' } as const;
      await client.api.events.append.mutate({ sessionId: s.id, events: [thought, thought] });
      const out = await client.api.events.append.mutate({ sessionId: s.id, events: [thought, thought] });
      expect(out.seqs).toEqual([3, 4]);
      client.close();
    });
  });

  describe('connections', () => {
    it('refuses a client past its per-IP cap with 503 while its open streams and other clients carry on', async () => {
      const app = await start({ limits: { maxConnectionsPerIp: 2 } });
      const s = await app.store.createSession({ title: 'cap', agent: 'a' });
      const streams = [await rawSocket(app.port), await rawSocket(app.port)];
      const texts = streams.map(() => '');
      streams.forEach((sock, i) => {
        sock.on('data', (d) => {
          texts[i] += d.toString();
        });
        sock.write(`GET /api/sessions/${s.id}/events/stream HTTP/1.1\r\nhost: 127.0.0.1:${app.port}\r\n\r\n`);
      });
      await vi.waitFor(() => expect(texts.every((t) => t.includes('retry: 2000'))).toBe(true));
      const third = await fetch(`${app.url}/healthz`).catch((e: Error) => e);
      expect(third).toMatchObject({ status: 503 });
      expect(await (third as Response).json()).toMatchObject({ error: { code: 'UNAVAILABLE' } });
      // Another address is its own client.
      const other = await rawSocket(app.port, '127.0.0.2');
      const otherAnswer = untilClosed(other);
      other.write(`GET /healthz HTTP/1.1\r\nhost: 127.0.0.1:${app.port}\r\nconnection: close\r\n\r\n`);
      expect(await otherAnswer).toMatch(/^HTTP\/1\.1 200 /);
      await app.store.append(s.id, [{ type: 'thought', text: 'still live' }]);
      await vi.waitFor(() => expect(texts.every((t) => t.includes('still live'))).toBe(true));
    });

    it('counts clients by X-Forwarded-For when the proxy is trusted', async () => {
      const app = await start({ limits: { maxConnectionsPerIp: 1 }, trustProxyHops: 1 });
      const s = await app.store.createSession({ title: 'proxy', agent: 'a' });
      const held = await rawSocket(app.port);
      let heldText = '';
      held.on('data', (d) => {
        heldText += d.toString();
      });
      held.write(
        `GET /api/sessions/${s.id}/events/stream HTTP/1.1\r\nhost: 127.0.0.1:${app.port}\r\nx-forwarded-for: 198.51.100.1\r\n\r\n`,
      );
      await vi.waitFor(() => expect(heldText).toContain('retry: 2000'));
      const same = await fetch(`${app.url}/healthz`, { headers: { 'x-forwarded-for': '198.51.100.1' } });
      expect(same.status).toBe(503);
      const other = await fetch(`${app.url}/healthz`, { headers: { 'x-forwarded-for': '198.51.100.2' } });
      expect(other.status).toBe(200);
    });

    it('answers a connection past the global cap with 503 and closes it', async () => {
      const app = await start({ limits: { maxConnections: 2 } });
      await rawSocket(app.port);
      await rawSocket(app.port);
      const third = await rawSocket(app.port);
      expect(await untilClosed(third)).toMatch(
        /^HTTP\/1\.1 503 Service Unavailable\r\n[\s\S]*too many connections/,
      );
    });

    it('refuses a websocket past the per-IP cap', async () => {
      const app = await start({ limits: { maxConnectionsPerIp: 1 } });
      await openWs(app);
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${app.port}/ws`);
        sockets.push(ws);
        // Terminating a refused handshake later reports "closed before established": expected here.
        ws.on('error', () => {});
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => resolve(101));
      });
      expect(status).toBe(503);
    });
  });

  describe('slow clients', () => {
    it('closes a connection whose headers do not arrive within the headers timeout', async () => {
      const app = await start({ limits: { headersTimeoutMs: 1_000, bodyTimeoutMs: 5_000 } });
      const socket = await rawSocket(app.port);
      const answer = untilClosed(socket);
      socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: ');
      expect(await answer).toMatch(/^HTTP\/1\.1 408 /);
    });

    it('closes a request whose body trickles in past the body timeout', async () => {
      const app = await start({ limits: { headersTimeoutMs: 1_000, bodyTimeoutMs: 1_500 } });
      const socket = await rawSocket(app.port);
      const answer = untilClosed(socket);
      socket.write(
        `POST /trpc/sessions.create HTTP/1.1\r\nhost: 127.0.0.1:${app.port}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{`,
      );
      const drip = setInterval(() => socket.writable && socket.write(' '), 300);
      try {
        expect(await answer).toMatch(/^HTTP\/1\.1 408 /);
      } finally {
        clearInterval(drip);
      }
      expect(await app.store.listSessions()).toEqual([]);
    });

    it('keeps an SSE stream open past both timeouts', async () => {
      const app = await start({ limits: { headersTimeoutMs: 1_000, bodyTimeoutMs: 1_000 } });
      const s = await app.store.createSession({ title: 'long', agent: 'a' });
      const socket = await rawSocket(app.port);
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
      });
      socket.write(`GET /api/sessions/${s.id}/events/stream HTTP/1.1\r\nhost: 127.0.0.1:${app.port}\r\n\r\n`);
      await new Promise((r) => setTimeout(r, 2_500));
      await app.store.append(s.id, [{ type: 'thought', text: 'after the timeouts' }]);
      await vi.waitFor(() => expect(text).toContain('after the timeouts'));
    });

    it.each([
      ['the plain SSE route', (id: string) => `/api/sessions/${id}/events/stream`],
      [
        "tRPC's SSE",
        (id: string) =>
          `/trpc/events.onEvents?input=${encodeURIComponent(JSON.stringify({ sessionId: id }))}`,
      ],
    ])(
      'cuts a reader of %s whose socket has not drained for the stalled-reader time',
      async (_what, pathOf) => {
        const app = await start({ limits: { stalledReaderMs: 1_000 } });
        const s = await app.store.createSession({ title: 'stalled', agent: 'a' });
        const reader = await rawSocket(app.port);
        reader.write(
          `GET ${pathOf(s.id)} HTTP/1.1\r\nhost: 127.0.0.1:${app.port}\r\naccept: text/event-stream\r\n\r\n`,
        );
        reader.pause();
        await vi.waitFor(() => expect(app.hub.listenerCount()).toBeGreaterThan(0));
        const big = 'x'.repeat(90_000);
        // Enough to fill both kernel buffers on loopback, so the server's writes must wait.
        for (let i = 0; i < 40; i++) {
          await app.store.append(
            s.id,
            Array.from({ length: 10 }, () => ({ type: 'thought', text: big }) as const),
          );
        }
        await vi.waitFor(() => expect(app.hub.listenerCount()).toBe(0), { timeout: 10_000 });
      },
    );
  });

  describe('websockets', () => {
    it('serves 16 subscriptions on one socket, refuses the 17th with a typed error, and stays up', async () => {
      const app = await start({ limits: { maxWsSubscriptions: 16 } });
      const s = await app.store.createSession({ title: 'subs', agent: 'a' });
      const ws = await openWs(app);
      const answers = new Map<number, Record<string, unknown>[]>();
      ws.on('message', (raw) => {
        const msg = JSON.parse(String(raw)) as { id: number };
        answers.set(msg.id, [...(answers.get(msg.id) ?? []), msg]);
      });
      for (let id = 1; id <= 17; id++) ws.send(subscribeMsg(id, s.id));
      await vi.waitFor(() => expect(answers.get(17)?.some((m) => 'error' in m)).toBe(true));
      expect(answers.get(17)!.find((m) => 'error' in m)).toMatchObject({
        error: {
          message: 'at most 16 subscriptions at once on one WebSocket',
          data: { code: 'TOO_MANY_REQUESTS' },
        },
      });
      for (let id = 1; id <= 16; id++) expect(answers.get(id)?.some((m) => 'error' in m)).toBeFalsy();
      // Stopping one frees its slot.
      const listening = app.hub.listenerCount();
      ws.send(JSON.stringify({ id: 1, method: 'subscription.stop' }));
      await vi.waitFor(() => expect(app.hub.listenerCount()).toBeLessThan(listening));
      ws.send(subscribeMsg(18, s.id));
      await app.store.append(s.id, [{ type: 'thought', text: 'x' }]);
      await vi.waitFor(() =>
        expect(
          answers.get(18)?.some((m) => (m as { result?: { type?: string } }).result?.type === 'data'),
        ).toBe(true),
      );
      expect(answers.get(18)?.some((m) => 'error' in m)).toBeFalsy();
      expect(ws.readyState).toBe(WebSocket.OPEN);
    });

    it('closes a socket that floods messages with 1008', async () => {
      const app = await start();
      const s = await app.store.createSession({ title: 'flood', agent: 'a' });
      const ws = await openWs(app);
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      for (let id = 1; id <= 1000 && ws.readyState === WebSocket.OPEN; id++) ws.send(subscribeMsg(id, s.id));
      expect(await closed).toBe(1008);
      await vi.waitFor(() => expect(app.hub.listenerCount()).toBe(0));
    });

    it('closes a socket that sends hostile nesting with 1008', async () => {
      const app = await start();
      const ws = await openWs(app);
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      ws.send(`{"id":1,"method":"query","params":{"path":"sessions.list","input":${'['.repeat(100_000)}}}`);
      expect(await closed).toBe(1008);
    });
  });

  describe('what clients are told', () => {
    it.each([
      ['POST', '/api/sessions/x/events/stream', 'GET'],
      ['DELETE', '/sessions/abc', 'GET, HEAD'],
      ['GET', '/api/signin', 'POST'],
    ])('answers %s %s with 405 METHOD_NOT_ALLOWED and Allow: %s', async (method, path, allow) => {
      const app = await start();
      const res = await fetch(`${app.url}${path}`, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe(allow);
      expect(await res.json()).toEqual({
        error: { code: 'METHOD_NOT_ALLOWED', message: `use ${allow.split(',')[0]}` },
      });
    });

    it('hides internal errors behind a ref that names the log line with the details', async () => {
      const store = createMemoryStore();
      store.listSessions = async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:27017');
      };
      const app = await start({ store });
      const out = await callProcedure(app.url, 'query', 'sessions.list', undefined);
      expect(out.status).toBe(500);
      expect(out.message).toMatch(/^internal error \(ref [A-Za-z0-9_-]{8}\)$/);
      expect(JSON.stringify(out.body)).not.toContain('ECONNREFUSED');
      const ref = /ref ([A-Za-z0-9_-]+)/.exec(out.message!)![1];
      const line = app.logLines.find((l) => l.ref === ref);
      expect(JSON.stringify(line)).toContain('ECONNREFUSED 127.0.0.1:27017');
    });

    it('says storage is unavailable without the driver text', async () => {
      const store = createMemoryStore();
      store.listSessions = async () => {
        throw new LivetrailError(
          'UNAVAILABLE',
          'storage unavailable: MongoDB unreachable (getaddrinfo ENOTFOUND db.internal)',
        );
      };
      const app = await start({ store });
      const out = await callProcedure(app.url, 'query', 'sessions.list', undefined);
      expect(out.status).toBe(503);
      expect(out.message).toMatch(/^storage unavailable \(ref [A-Za-z0-9_-]{8}\)$/);
      const ref = /ref ([A-Za-z0-9_-]+)/.exec(out.message!)![1];
      expect(JSON.stringify(app.logLines.find((l) => l.ref === ref))).toContain('db.internal');
    });
  });

  describe('headers', () => {
    it('sends nosniff on every response, and the framing and referrer rules on html', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'livetrail-static-'));
      try {
        await mkdir(join(dir, 'assets'));
        await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
        await writeFile(join(dir, 'assets', 'app-1.js'), 'console.log(1)');
        const app = await start({ staticDir: dir });
        for (const path of [
          '/healthz',
          '/trpc/sessions.list',
          '/api/auth',
          '/api/nope',
          '/',
          '/assets/app-1.js',
        ]) {
          const res = await fetch(`${app.url}${path}`);
          expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
        }
        const html = await fetch(`${app.url}/sessions/abc`);
        expect(html.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
        expect(html.headers.get('x-frame-options')).toBe('DENY');
        expect(html.headers.get('referrer-policy')).toBe('no-referrer');
        expect(html.headers.get('cache-control')).toBe('no-cache');
        for (const missing of ['/assets/gone-2.js', '/assets/gone']) {
          const res = await fetch(`${app.url}${missing}`);
          expect(res.status, missing).toBe(404);
          expect(res.headers.get('cache-control')).toBeNull();
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
