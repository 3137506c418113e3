import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { ConnectionManager } from '../../shared/connection/createConnectionManager.ts';
import { followSession } from '../../shared/connection/followSession.ts';
import { createLivetrailClient, type Transport } from '../../shared/createLivetrailClient.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import { hasPermission, type Permission, type Role } from '../../shared/roles.ts';
import {
  bearer,
  callProcedure,
  firstSseFrame,
  TEST_TOKEN_ENTRIES,
  TEST_TOKENS,
} from '../support/authFixture.ts';
import { startTestServer, type TestServer } from '../support/startTestServer.ts';

type App = TestServer;

const WRONG = 'not-a-configured-token-01';

/** Every way in, with the permission it needs. Inputs are built fresh so each call can succeed. */
interface Entry {
  name: string;
  kind: 'query' | 'mutation' | 'subscription' | 'plain-sse';
  permission: Permission;
  input(app: App): Promise<unknown>;
}

async function newSessionWithEvent(app: App): Promise<string> {
  const s = await app.store.createSession({ title: 'matrix', agent: 'a' });
  await app.store.append(s.id, [{ type: 'thought', text: 'first' }]);
  return s.id;
}

const ENTRIES: Entry[] = [
  { name: 'sessions.create', kind: 'mutation', permission: 'produce', input: async () => ({ title: 'new' }) },
  { name: 'sessions.list', kind: 'query', permission: 'read', input: async () => undefined },
  {
    name: 'sessions.get',
    kind: 'query',
    permission: 'read',
    input: async (app) => ({ sessionId: await newSessionWithEvent(app) }),
  },
  {
    name: 'sessions.sendMessage',
    kind: 'mutation',
    permission: 'act',
    input: async (app) => ({ sessionId: await newSessionWithEvent(app), text: 'hello agent' }),
  },
  {
    name: 'sessions.interrupt',
    kind: 'mutation',
    permission: 'act',
    input: async (app) => ({ sessionId: await newSessionWithEvent(app), reason: 'stop' }),
  },
  {
    name: 'sessions.complete',
    kind: 'mutation',
    permission: 'produce',
    input: async (app) => ({ sessionId: await newSessionWithEvent(app), status: 'succeeded' }),
  },
  {
    name: 'sessions.delete',
    kind: 'mutation',
    permission: 'manage',
    input: async (app) => ({ sessionId: await newSessionWithEvent(app) }),
  },
  {
    name: 'events.append',
    kind: 'mutation',
    permission: 'produce',
    input: async (app) => ({
      sessionId: await newSessionWithEvent(app),
      events: [{ type: 'assistant_message', text: 'hi' }],
    }),
  },
  {
    name: 'events.list',
    kind: 'query',
    permission: 'read',
    input: async (app) => ({ sessionId: await newSessionWithEvent(app) }),
  },
  {
    name: 'events.onEvents',
    kind: 'subscription',
    permission: 'read',
    input: async (app) => ({ sessionId: await newSessionWithEvent(app) }),
  },
  { name: 'sessions.onChange', kind: 'subscription', permission: 'read', input: async () => ({}) },
  { name: 'live.onFeed', kind: 'subscription', permission: 'read', input: async () => ({}) },
  {
    name: 'plain SSE route',
    kind: 'plain-sse',
    permission: 'read',
    input: async (app) => ({ sessionId: await newSessionWithEvent(app) }),
  },
];

const CALLERS: { who: string; token?: string; role?: Role }[] = [
  { who: 'no token' },
  { who: 'a wrong token', token: WRONG },
  ...(['admin', 'agent', 'viewer'] as const).map((role) => ({ who: role, token: TEST_TOKENS[role], role })),
];

const MATRIX = ENTRIES.flatMap((entry) => CALLERS.map((caller) => ({ entry, caller })));

/** What a caller may expect: 401 without a valid token, 403 without the role, else success. */
function expected(
  caller: (typeof CALLERS)[number],
  permission: Permission,
): 'ok' | 'UNAUTHORIZED' | 'FORBIDDEN' {
  if (!caller.role) return 'UNAUTHORIZED';
  return hasPermission(caller.role, permission) ? 'ok' : 'FORBIDDEN';
}

describe('access control', () => {
  let app: App;
  beforeAll(async () => {
    app = await startTestServer({ config: { auth: 'on', tokens: TEST_TOKEN_ENTRIES } });
  });
  afterAll(async () => {
    await app.stop();
  });

  describe('every procedure and the plain SSE route, for every caller', () => {
    it.each(MATRIX.map((m) => [m.entry.name, m.caller.who, m] as const))(
      '%s with %s',
      async (_name, _who, { entry, caller }) => {
        const want = expected(caller, entry.permission);
        const input = (await entry.input(app)) as { sessionId?: string } | undefined;
        const before = input?.sessionId ? (await app.store.getSession(input.sessionId))!.lastSeq : 0;
        const headers = bearer(caller.token);
        if (entry.kind === 'query' || entry.kind === 'mutation') {
          const out = await callProcedure(app.url, entry.kind, entry.name, input, headers);
          if (want === 'ok') expect(out.status, JSON.stringify(out.body)).toBe(200);
          else {
            expect(out.status).toBe(want === 'UNAUTHORIZED' ? 401 : 403);
            expect(out.code).toBe(want);
          }
        } else if (entry.kind === 'subscription') {
          const url = `${app.url}/trpc/${entry.name}?input=${encodeURIComponent(JSON.stringify(input))}`;
          const frame = await firstSseFrame(url, headers);
          if (want === 'ok') expect(frame.kind, frame.text).toBe('data');
          else expect(frame).toMatchObject({ kind: 'error', code: want });
        } else {
          const url = `${app.url}/api/sessions/${input!.sessionId}/events/stream?from=0`;
          const frame = await firstSseFrame(url, headers);
          if (want === 'ok') expect(frame.text).toContain('event: thought');
          else {
            expect(frame.status).toBe(401);
            expect(JSON.parse(frame.text)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
          }
        }
        // A refused write stored nothing.
        if (want !== 'ok' && input?.sessionId) {
          expect((await app.store.getSession(input.sessionId))!.lastSeq).toBe(before);
        }
      },
    );
  });

  it('names the missing role in a FORBIDDEN answer', async () => {
    const out = await callProcedure(
      app.url,
      'mutation',
      'events.append',
      { sessionId: await newSessionWithEvent(app), events: [{ type: 'thought', text: 'x' }] },
      bearer(TEST_TOKENS.viewer),
    );
    expect(out.message).toBe("this needs agent or admin; the token's role is viewer");
  });

  it('never reads a token from the query string of an API request', async () => {
    const list = await fetch(`${app.url}/trpc/sessions.list?token=${TEST_TOKENS.admin}`);
    expect(list.status).toBe(401);
    const id = await newSessionWithEvent(app);
    const sse = await fetch(`${app.url}/api/sessions/${id}/events/stream?token=${TEST_TOKENS.admin}`);
    expect(sse.status).toBe(401);
  });

  it('keeps /healthz and /readyz open', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  });

  describe('browser sign-in', () => {
    it('turns the sign-in url into an HttpOnly SameSite=Strict cookie and strips the token', async () => {
      const res = await fetch(`${app.url}/sessions/abc?token=${TEST_TOKENS.viewer}&transport=ws`, {
        redirect: 'manual',
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/sessions/abc?transport=ws');
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toMatch(
        new RegExp(
          `^livetrail_token=${TEST_TOKENS.viewer}; Path=/; HttpOnly; SameSite=Strict; Max-Age=\\d+$`,
        ),
      );
      const pair = cookie.split(';')[0]!;
      const who = await fetch(`${app.url}/api/auth`, { headers: { cookie: pair } });
      expect(await who.json()).toEqual({ auth: 'on', role: 'viewer' });
      const list = await callProcedure(app.url, 'query', 'sessions.list', undefined, { cookie: pair });
      expect(list.status).toBe(200);
    });

    it('sends a wrong sign-in link back without a cookie and says it failed', async () => {
      const res = await fetch(`${app.url}/?token=${WRONG}`, { redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/?signin=failed');
      expect(res.headers.get('set-cookie')).toBeNull();
    });

    it('marks the cookie Secure behind a trusted TLS proxy', async () => {
      const proxied = await startTestServer({
        config: { auth: 'on', tokens: TEST_TOKEN_ENTRIES, trustProxyHops: 1 },
      });
      try {
        const res = await fetch(`${proxied.url}/?token=${TEST_TOKENS.admin}`, {
          redirect: 'manual',
          headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
        });
        expect(res.headers.get('set-cookie')).toMatch(/; Secure$/);
      } finally {
        await proxied.stop();
      }
    });

    it('signs in with a pasted token, refuses a wrong one, and signs out', async () => {
      const post = (body: string, headers: Record<string, string> = {}) =>
        fetch(`${app.url}/api/signin`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        });
      const ok = await post(JSON.stringify({ token: TEST_TOKENS.admin }));
      expect(ok.status).toBe(204);
      expect(ok.headers.get('set-cookie')).toContain(`livetrail_token=${TEST_TOKENS.admin};`);
      const wrong = await post(JSON.stringify({ token: WRONG }));
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('set-cookie')).toBeNull();
      expect((await post('{"token":')).status).toBe(400);
      expect((await post(JSON.stringify({ token: 'x'.repeat(5000) }))).status).toBe(413);
      const out = await fetch(`${app.url}/api/signout`, { method: 'POST' });
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/^livetrail_token=; .*Max-Age=0/);
      expect(await (await fetch(`${app.url}/api/auth`)).json()).toEqual({ auth: 'on', role: null });
    });

    it('refuses a sign-in posted from a foreign page', async () => {
      const res = await fetch(`${app.url}/api/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
        body: JSON.stringify({ token: TEST_TOKENS.admin }),
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('set-cookie')).toBeNull();
    });

    it('slows down guessing: the eleventh quick sign-in attempt is 429', async () => {
      const guarded = await startTestServer({ config: { auth: 'on', tokens: TEST_TOKEN_ENTRIES } });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 11; i++) {
          const res = await fetch(`${guarded.url}/api/signin`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ token: `${WRONG}${i}` }),
          });
          statuses.push(res.status);
          if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        }
        expect(statuses).toEqual([...Array(10).fill(401), 429]);
      } finally {
        await guarded.stop();
      }
    });
  });

  describe.each<Transport>(['sse', 'ws'])('the typed client over %s', (transport) => {
    const managers: ConnectionManager[] = [];
    afterEach(() => {
      for (const m of managers.splice(0)) m.close();
    });

    it('carries its token on every call and subscription', async () => {
      const agent = createLivetrailClient({
        url: app.url,
        transport,
        token: TEST_TOKENS.agent,
        ...nodeTransports,
      });
      try {
        const s = await agent.api.sessions.create.mutate({ title: `typed ${transport}` });
        await agent.api.events.append.mutate({ sessionId: s.id, events: [{ type: 'thought', text: 'a' }] });
        const seen: number[] = [];
        const sub = agent.api.events.onEvents.subscribe(
          { sessionId: s.id },
          {
            onData: (m) => {
              if ('data' in m && m.data.kind === 'event') seen.push(m.data.event.seq);
            },
          },
        );
        await vi.waitFor(() => expect(seen).toEqual([1]));
        await agent.api.events.append.mutate({ sessionId: s.id, events: [{ type: 'thought', text: 'b' }] });
        await vi.waitFor(() => expect(seen).toEqual([1, 2]));
        sub.unsubscribe();
      } finally {
        agent.close();
      }
    });

    it('fails for good, saying why, without a token', async () => {
      const id = await newSessionWithEvent(app);
      const m = followSession({
        url: app.url,
        sessionId: id,
        mode: transport,
        onEvent: () => {},
        ...nodeTransports,
      });
      managers.push(m);
      await vi.waitFor(() => expect(m.state().status).toBe('failed'));
      expect(m.state()).toMatchObject({ status: 'failed', error: expect.stringMatching(/^UNAUTHORIZED: /) });
    });

    it('follows a session with a viewer token', async () => {
      const id = await newSessionWithEvent(app);
      const seqs: number[] = [];
      const m = followSession({
        url: app.url,
        sessionId: id,
        mode: transport,
        token: TEST_TOKENS.viewer,
        onEvent: (e) => seqs.push(e.seq),
        ...nodeTransports,
      });
      managers.push(m);
      await vi.waitFor(() => expect(seqs).toEqual([1]));
      expect(m.state().status).toBe('connected');
    });
  });
});

/** Opens a raw WebSocket to `/ws` and reports how the handshake went. */
function upgrade(
  url: string,
  headers: Record<string, string>,
): Promise<{ opened: true; ws: WebSocket } | { opened: false; status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { headers });
    ws.once('open', () => resolve({ opened: true, ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
}

/** Sends one tRPC subscription over a raw socket and returns the first answer to it. */
function firstWsAnswer(ws: WebSocket, path: string, input: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { id?: number; result?: { type?: string } };
      if (msg.id === 1 && msg.result?.type !== 'started') resolve(msg as Record<string, unknown>);
    });
    ws.send(JSON.stringify({ id: 1, method: 'subscription', params: { path, input } }));
  });
}

describe('origin and host checks', () => {
  let app: App;
  let host: string;
  const sockets: WebSocket[] = [];
  beforeAll(async () => {
    // Auth off: the loopback default, where the Origin and Host checks are all that stand guard.
    app = await startTestServer({ config: { allowedOrigins: ['https://trusted.example'] } });
    host = new URL(app.url).host;
  });
  afterEach(() => {
    for (const ws of sockets.splice(0)) ws.terminate();
  });
  afterAll(async () => {
    await app.stop();
  });

  it.each([
    ['another site', 'http://evil.example'],
    ['another local port', 'http://127.0.0.1:1'],
    ['an opaque origin', 'null'],
  ])('refuses a websocket upgrade from %s with 403, never 101', async (_what, origin) => {
    const out = await upgrade(app.url, { origin });
    expect(out).toEqual({ opened: false, status: 403 });
  });

  it('accepts a websocket upgrade from its own origin, from a listed origin, and with no origin', async () => {
    const ways: Record<string, string>[] = [
      { origin: `http://${host}` },
      { origin: 'https://trusted.example' },
      {},
    ];
    for (const headers of ways) {
      const out = await upgrade(app.url, headers);
      expect(out.opened).toBe(true);
      if (out.opened) sockets.push(out.ws);
    }
  });

  it('refuses state-changing requests that carry a foreign browser origin', async () => {
    const before = (await app.store.listSessions()).length;
    const out = await callProcedure(
      app.url,
      'mutation',
      'sessions.create',
      { title: 'csrf' },
      {
        origin: 'http://evil.example',
      },
    );
    expect(out.status).toBe(403);
    expect(out.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(await app.store.listSessions()).toHaveLength(before);
    const own = await callProcedure(
      app.url,
      'mutation',
      'sessions.create',
      { title: 'ok' },
      {
        origin: `http://${host}`,
      },
    );
    expect(own.status).toBe(200);
  });

  it('answers a rebinding Host with 421 everywhere but health', async () => {
    const { port } = new URL(app.url);
    for (const path of ['/', '/trpc/sessions.list', '/api/auth', '/assets/x.js']) {
      const res = await rawGet(Number(port), path, `attacker.example:${port}`);
      expect(res, path).toMatch(/^HTTP\/1\.1 421 /);
    }
    expect(await rawGet(Number(port), '/healthz', 'attacker.example')).toMatch(/^HTTP\/1\.1 200 /);
    const ws = await upgrade(app.url, { host: `attacker.example:${port}` });
    expect(ws).toEqual({ opened: false, status: 421 });
  });

  it('needs a token over a websocket when auth is on, sent as a connection param or cookie', async () => {
    const authed = await startTestServer({ config: { auth: 'on', tokens: TEST_TOKEN_ENTRIES } });
    try {
      const s = await authed.store.createSession({ title: 'ws auth', agent: 'a' });
      const bare = await upgrade(authed.url, {});
      expect(bare.opened).toBe(true);
      if (!bare.opened) return;
      sockets.push(bare.ws);
      const refused = await firstWsAnswer(bare.ws, 'events.onEvents', { sessionId: s.id });
      expect(refused).toMatchObject({ error: { data: { code: 'UNAUTHORIZED' } } });

      const withCookie = await upgrade(authed.url, { cookie: `livetrail_token=${TEST_TOKENS.viewer}` });
      expect(withCookie.opened).toBe(true);
      if (!withCookie.opened) return;
      sockets.push(withCookie.ws);
      await authed.store.append(s.id, [{ type: 'thought', text: 'x' }]);
      const served = await firstWsAnswer(withCookie.ws, 'events.onEvents', { sessionId: s.id });
      expect(served).toMatchObject({ result: { type: 'data', id: '1' } });
    } finally {
      await authed.stop();
    }
  });
});

/** A GET with an exact Host header, over a raw socket (fetch would not let us set Host). */
async function rawGet(port: number, path: string, hostHeader: string): Promise<string> {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nhost: ${hostHeader}\r\nconnection: close\r\n\r\n`),
    );
    let text = '';
    socket.on('data', (d) => {
      text += d.toString();
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}
