import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import type { ConnectionState } from '../../shared/connection/connectionState.ts';
import type { ConnectionManager } from '../../shared/connection/createConnectionManager.ts';
import { type FollowSessionOptions, followSession } from '../../shared/connection/followSession.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import { type ChaosProxy, createChaosProxy } from '../support/createChaosProxy.ts';
import { startTestServer, type TestServer } from '../support/startTestServer.ts';

const thoughts = (n: number): AgentEvent[] =>
  Array.from({ length: n }, (_, i) => ({ type: 'thought', text: String(i) }));
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('connection manager through a faulty proxy', () => {
  let app: TestServer;
  let proxy: ChaosProxy;
  let manager: ConnectionManager | undefined;
  let sessionId: string;

  beforeEach(async () => {
    // Clients come through a proxy on another port: its Host must be accepted.
    app = await startTestServer({ config: { allowedHosts: ['127.0.0.1'] } });
    proxy = await createChaosProxy((app.server.address() as { port: number }).port);
    sessionId = (await app.store.createSession({ title: 't', agent: 'a' })).id;
  });
  afterEach(async () => {
    manager?.close();
    await proxy.close();
    await app.stop();
  });

  function follow(extra: Partial<FollowSessionOptions> = {}) {
    const seqs: number[] = [];
    const states: ConnectionState[] = [];
    manager = followSession({
      url: proxy.url,
      sessionId,
      ...nodeTransports,
      connectTimeoutMs: 1000,
      policy: { floorMs: 50, capMs: 300, sseRetryAfterMs: 60_000 },
      onEvent: (e) => seqs.push(e.seq),
      onState: (s) => states.push(s),
      ...extra,
    });
    return { seqs, states, manager };
  }

  it('uses SSE when it works', async () => {
    await app.store.append(sessionId, thoughts(3));
    const f = follow();
    await vi.waitFor(() => expect(f.seqs).toEqual([1, 2, 3]));
    expect(f.manager.state()).toMatchObject({ status: 'connected', transport: 'sse' });
  });

  it('falls back to WebSocket when SSE is refused, and misses nothing', async () => {
    proxy.settings.failSse = true;
    await app.store.append(sessionId, thoughts(5));
    const f = follow();
    await vi.waitFor(
      () => expect(f.manager.state()).toMatchObject({ status: 'connected', transport: 'ws' }),
      { timeout: 8000 },
    );
    await app.store.append(sessionId, thoughts(5));
    await vi.waitFor(() => expect(f.seqs).toEqual(range(10)));
    expect(f.states.some((s) => s.status === 'reconnecting' && s.transport === 'sse')).toBe(true);
  });

  it('falls back to WebSocket when SSE connects but no bytes arrive (a buffering proxy)', async () => {
    proxy.settings.stallSse = true;
    await app.store.append(sessionId, thoughts(2));
    const f = follow();
    await vi.waitFor(
      () => expect(f.manager.state()).toMatchObject({ status: 'connected', transport: 'ws' }),
      { timeout: 8000 },
    );
    await vi.waitFor(() => expect(f.seqs).toEqual([1, 2]));
    const failure = f.states.find((s) => s.status === 'reconnecting');
    expect(failure?.lastError).toMatch(/no connection within 1 s over SSE/);
  });

  it('moves back to SSE once it works again', async () => {
    proxy.settings.failSse = true;
    const f = follow({ policy: { floorMs: 50, capMs: 300, sseRetryAfterMs: 1500 } });
    await vi.waitFor(() => expect(f.manager.state().transport).toBe('ws'), { timeout: 8000 });
    proxy.settings.failSse = false;
    await app.store.append(sessionId, thoughts(1));
    await vi.waitFor(
      () => expect(f.manager.state()).toMatchObject({ status: 'connected', transport: 'sse' }),
      { timeout: 8000 },
    );
    await app.store.append(sessionId, thoughts(1));
    await vi.waitFor(() => expect(f.seqs).toEqual([1, 2]));
  });

  it('keeps a forced transport and retries it with backoff', async () => {
    proxy.settings.failSse = true;
    const f = follow({ mode: 'sse' });
    await vi.waitFor(
      () => expect(f.states.filter((s) => s.status === 'reconnecting').length).toBeGreaterThanOrEqual(3),
      {
        timeout: 8000,
      },
    );
    expect(f.states.every((s) => s.transport === 'sse')).toBe(true);
    proxy.settings.failSse = false;
    await app.store.append(sessionId, thoughts(1));
    await vi.waitFor(() => expect(f.seqs).toEqual([1]), { timeout: 8000 });
  });

  it.each(['auto', 'ws'] as const)(
    'resumes without gap or duplicate when connections are cut again and again (%s)',
    async (mode) => {
      const f = follow({ mode });
      let appended = 0;
      for (let round = 0; round < 8; round++) {
        await app.store.append(sessionId, thoughts(25));
        appended += 25;
        if (round % 2 === 0) proxy.cutAll();
        await new Promise((r) => setTimeout(r, 30));
      }
      await vi.waitFor(() => expect(f.seqs).toEqual(range(appended)), { timeout: 10_000 });
    },
  );

  it('says reconnecting with the last error while the server is unreachable, then connected', async () => {
    const f = follow();
    await vi.waitFor(() => expect(f.manager.state().status).toBe('connected'));
    proxy.settings.refuse = true;
    proxy.cutAll();
    await vi.waitFor(() => expect(f.manager.state()).toMatchObject({ status: 'reconnecting' }));
    expect(f.manager.state().lastError).toBeTruthy();
    proxy.settings.refuse = false;
    await app.store.append(sessionId, thoughts(1));
    await vi.waitFor(() => expect(f.manager.state().status).toBe('connected'), { timeout: 8000 });
    await vi.waitFor(() => expect(f.seqs).toEqual([1]));
  });

  it('stops and reports the end when the session completes', async () => {
    const ended = vi.fn();
    const f = follow({ onEnd: ended });
    await app.store.append(sessionId, [...thoughts(1), { type: 'complete', status: 'succeeded' }]);
    await vi.waitFor(() => expect(ended).toHaveBeenCalledOnce());
    expect(f.seqs).toEqual([1, 2]);
    expect(f.manager.state().status).toBe('idle');
    await vi.waitFor(() => expect(app.hub.listenerCount()).toBe(0));
  });

  it('fails for good on an unknown session and says why', async () => {
    sessionId = 'nosuchsession';
    const f = follow();
    await vi.waitFor(() => expect(f.manager.state()).toMatchObject({ status: 'failed' }));
    expect(f.manager.state().lastError).toMatch(/NOT_FOUND/);
  });
});
