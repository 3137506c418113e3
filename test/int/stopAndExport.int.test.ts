import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXPORT_PAGE_EVENTS } from '../../server/http/serveSessionExport.ts';
import type { AgentEvent, InterruptEvent, StoredEvent } from '../../shared/agentEvent.ts';
import type { ConnectionManager } from '../../shared/connection/createConnectionManager.ts';
import { followSession } from '../../shared/connection/followSession.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import { bearer, callProcedure, TEST_TOKEN_ENTRIES, TEST_TOKENS } from '../support/authFixture.ts';
import { startTestServer, type TestServer } from '../support/startTestServer.ts';

const managers: ConnectionManager[] = [];
afterEach(() => {
  for (const m of managers.splice(0)) m.close();
});

/** Follows `sessionId`, recording every event type and every interrupt handed to onInterrupt. */
function follow(app: TestServer, sessionId: string, mode: 'sse' | 'ws') {
  const seen: string[] = [];
  const interrupts: InterruptEvent[] = [];
  const m = followSession({
    url: app.url,
    sessionId,
    mode,
    ...nodeTransports,
    onEvent: (e) => seen.push(`${e.seq}:${e.type}`),
    onInterrupt: (e) => {
      // onEvent has already had it: an agent's own log is in order when it reacts.
      seen.push(`onInterrupt:${e.seq}`);
      interrupts.push(e);
    },
  });
  managers.push(m);
  return { seen, interrupts, m };
}

describe('stopping a session', () => {
  let app: TestServer;
  beforeAll(async () => {
    app = await startTestServer();
  });
  afterAll(async () => {
    await app.stop();
  });

  it.each(['sse', 'ws'] as const)(
    'tells a follower over %s at once, exactly once, through onInterrupt',
    async (mode) => {
      const s = await app.store.createSession({ title: 'stop me', agent: 'a' });
      await app.store.append(s.id, [{ type: 'thought', text: 'working' }]);
      const f = follow(app, s.id, mode);
      await vi.waitFor(() => expect(f.seen).toEqual(['1:thought']));
      const out = await callProcedure(app.url, 'mutation', 'sessions.interrupt', {
        sessionId: s.id,
        reason: 'enough',
      });
      expect(out.status).toBe(200);
      await vi.waitFor(() => expect(f.interrupts).toHaveLength(1));
      expect(f.interrupts[0]).toMatchObject({ type: 'interrupt', reason: 'enough', seq: 2, sessionId: s.id });
      await app.store.append(s.id, [{ type: 'complete', status: 'cancelled' }]);
      await vi.waitFor(() => expect(f.seen.at(-1)).toBe('3:complete'));
      expect(f.seen).toEqual(['1:thought', '2:interrupt', 'onInterrupt:2', '3:complete']);
    },
  );

  it('hands onInterrupt an interrupt stored before following began', async () => {
    const s = await app.store.createSession({ title: 'stopped while away', agent: 'a' });
    await callProcedure(app.url, 'mutation', 'sessions.interrupt', { sessionId: s.id });
    const f = follow(app, s.id, 'sse');
    await vi.waitFor(() => expect(f.interrupts.map((e) => e.seq)).toEqual([1]));
    expect(f.interrupts[0]).not.toHaveProperty('reason');
  });

  it('over HTTP: CONFLICT 409 naming the problem on a finished session, 400 naming the field', async () => {
    const s = await app.store.createSession({ title: 'done', agent: 'a' });
    await app.store.append(s.id, [{ type: 'complete', status: 'failed' }]);
    const done = await callProcedure(app.url, 'mutation', 'sessions.interrupt', { sessionId: s.id });
    expect(done).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect(done.message).toBe(`session ${s.id} has already ended (failed); there is nothing to stop`);
    const bad = await callProcedure(app.url, 'mutation', 'sessions.interrupt', {
      sessionId: s.id,
      reason: 7,
    });
    expect(bad).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(bad.message).toMatch(/^reason: /);
  });
});

/** Reads the export of `sessionId`. */
async function exportOf(app: TestServer, sessionId: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}/api/sessions/${sessionId}/export.ndjson`, { headers });
  return { res, text: await res.text() };
}

describe('exporting a session', () => {
  let app: TestServer;
  beforeAll(async () => {
    app = await startTestServer();
  });
  afterAll(async () => {
    await app.stop();
  });

  it('streams every stored event as one JSON line each, in seq order, across pages, as stored', async () => {
    const s = await app.store.createSession({ title: 'long', agent: 'a' });
    // More than two pages, streamed deltas included: the export is the raw trail, never compacted.
    const batch = (n: number): AgentEvent[] =>
      Array.from({ length: 1000 }, (_, i) => ({ type: 'thought', text: `t${n}-${i} “quoted” \u202e` }));
    await app.store.append(s.id, [{ type: 'message_start', messageId: 'm', role: 'assistant' }]);
    await app.store.append(s.id, [{ type: 'message_delta', messageId: 'm', text: 'Hel' }]);
    await app.store.append(s.id, [{ type: 'message_end', messageId: 'm' }]);
    for (const n of [1, 2]) await app.store.append(s.id, batch(n));
    await app.store.append(s.id, [{ type: 'tool_call', callId: 'c', tool: 'bash', args: { a: [1, null] } }]);
    const stored: StoredEvent[] = [];
    for (let after = 0; ; ) {
      const page = await app.store.readEvents(s.id, { after, limit: 1000 });
      if (page.length === 0) break;
      stored.push(...page);
      after = page.at(-1)!.seq;
    }
    expect(stored.length).toBeGreaterThan(2 * EXPORT_PAGE_EVENTS);

    const { res, text } = await exportOf(app, s.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="livetrail-${s.id}.ndjson"`);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(stored);
    expect(lines).toEqual(stored.map((e) => JSON.stringify(e)));
  });

  it('answers an empty file for a session without events', async () => {
    const s = await app.store.createSession({ title: 'empty', agent: 'a' });
    const { res, text } = await exportOf(app, s.id);
    expect(res.status).toBe(200);
    expect(text).toBe('');
  });

  it('is 404 for an unknown session, 400 for a bad id, 405 for another method', async () => {
    const unknown = await exportOf(app, 'nosuchsession');
    expect(unknown.res.status).toBe(404);
    expect(JSON.parse(unknown.text)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    for (const id of ['bad%20id', '%E0%A4%A', 'x'.repeat(65)]) {
      const bad = await exportOf(app, id);
      expect(bad.res.status, id).toBe(400);
      expect(JSON.parse(bad.text).error.message, id).toMatch(/^sessionId: /);
    }
    const post = await fetch(`${app.url}/api/sessions/abc/export.ndjson`, { method: 'POST' });
    expect(post.status).toBe(405);
    await post.body?.cancel();
  });
});

describe('exporting with access control', () => {
  let app: TestServer;
  beforeAll(async () => {
    app = await startTestServer({ config: { auth: 'on', tokens: TEST_TOKEN_ENTRIES } });
  });
  afterAll(async () => {
    await app.stop();
  });

  it('needs a valid token of any role that may read, like events.list', async () => {
    const s = await app.store.createSession({ title: 'private', agent: 'a' });
    await app.store.append(s.id, [{ type: 'thought', text: 'secret' }]);
    for (const token of [undefined, 'not-a-configured-token-01']) {
      const { res, text } = await exportOf(app, s.id, bearer(token));
      expect(res.status).toBe(401);
      expect(text).not.toContain('secret');
    }
    for (const role of ['viewer', 'agent', 'admin'] as const) {
      const { res, text } = await exportOf(app, s.id, bearer(TEST_TOKENS[role]));
      expect(res.status, role).toBe(200);
      expect(JSON.parse(text)).toMatchObject({ type: 'thought', text: 'secret', seq: 1 });
    }
  });
});
