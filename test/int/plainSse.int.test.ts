import { EventSource } from 'eventsource';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import { dropConnections, startTestServer, type TestServer } from '../support/startTestServer.ts';

const thought = (n: number): AgentEvent => ({ type: 'thought', text: `t${n}` });

/** Reads a finite SSE response to the end and splits it into frames. */
async function readFrames(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  const frames = text
    .split('\n\n')
    .filter((f) => f.trim() !== '' && !f.startsWith(':') && !f.startsWith('retry:'))
    .map((f) =>
      Object.fromEntries(f.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)])),
    );
  return { res, frames };
}

describe('plain SSE at /api/sessions/:id/events/stream', () => {
  let app: TestServer;
  const sources: EventSource[] = [];
  beforeEach(async () => {
    app = await startTestServer();
  });
  afterEach(async () => {
    for (const s of sources.splice(0)) s.close();
    await app.stop();
  });

  async function sessionWith(events: AgentEvent[]) {
    const s = await app.store.createSession({ title: 'x', agent: 'a' });
    if (events.length) await app.store.append(s.id, events);
    return s.id;
  }

  it('sends id, event type and JSON data per event and ends after complete', async () => {
    const id = await sessionWith([thought(1), { type: 'complete', status: 'succeeded' }]);
    const { res, frames } = await readFrames(`${app.url}/api/sessions/${id}/events/stream`);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(frames.map((f) => [f.id, f.event])).toEqual([
      ['1', 'thought'],
      ['2', 'complete'],
    ]);
    expect(JSON.parse(frames[0]!.data!)).toMatchObject({
      type: 'thought',
      text: 't1',
      seq: 1,
      sessionId: id,
    });
  });

  it('starts after ?from=N', async () => {
    const id = await sessionWith([
      thought(1),
      thought(2),
      thought(3),
      { type: 'complete', status: 'failed' },
    ]);
    const { frames } = await readFrames(`${app.url}/api/sessions/${id}/events/stream?from=2`);
    expect(frames.map((f) => f.id)).toEqual(['3', '4']);
  });

  it('lets Last-Event-ID win over from', async () => {
    const id = await sessionWith([
      thought(1),
      thought(2),
      thought(3),
      { type: 'complete', status: 'failed' },
    ]);
    const { frames } = await readFrames(`${app.url}/api/sessions/${id}/events/stream?from=0`, {
      'last-event-id': '3',
    });
    expect(frames.map((f) => f.id)).toEqual(['4']);
  });

  it('answers 204 to a reconnect that has nothing left of a finished session', async () => {
    const id = await sessionWith([thought(1), { type: 'complete', status: 'succeeded' }]);
    const res = await fetch(`${app.url}/api/sessions/${id}/events/stream`, {
      headers: { 'last-event-id': '2' },
    });
    expect(res.status).toBe(204);
  });

  it('sends a reset frame for a Last-Event-ID beyond the head, then the trail', async () => {
    const id = await sessionWith([thought(1), { type: 'complete', status: 'succeeded' }]);
    const { frames } = await readFrames(`${app.url}/api/sessions/${id}/events/stream`, {
      'last-event-id': '50',
    });
    expect(frames[0]!.event).toBe('reset');
    expect(JSON.parse(frames[0]!.data!)).toMatchObject({ reason: 'ahead_of_head', headSeq: 2 });
    expect(frames.slice(1).map((f) => f.id)).toEqual(['1', '2']);
  });

  it('answers 404 with a JSON error for an unknown session and 400 for bad input', async () => {
    const missing = await fetch(`${app.url}/api/sessions/unknownsession/events/stream`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'sessionId: no session unknownsession' },
    });
    const id = await sessionWith([]);
    for (const from of ['-1', 'abc', '1.5']) {
      const bad = await fetch(`${app.url}/api/sessions/${id}/events/stream?from=${from}`);
      expect(bad.status, from).toBe(400);
      expect((await bad.json()).error.message).toMatch(/^from:/);
    }
    const badId = await fetch(`${app.url}/api/sessions/a%20b/events/stream`);
    expect(badId.status).toBe(400);
  });

  it('streams live events to an EventSource and resumes with Last-Event-ID after a drop', async () => {
    const id = await sessionWith([thought(1)]);
    const seen: number[] = [];
    const es = new EventSource(`${app.url}/api/sessions/${id}/events/stream`);
    sources.push(es);
    es.addEventListener('thought', (e) => seen.push(Number(e.lastEventId)));
    await vi.waitFor(() => expect(seen).toEqual([1]));
    dropConnections(app);
    await app.store.append(id, [thought(2), thought(3)]);
    await vi.waitFor(() => expect(seen).toEqual([1, 2, 3]), { timeout: 8000 });
    await app.store.append(id, [thought(4)]);
    await vi.waitFor(() => expect(seen).toEqual([1, 2, 3, 4]));
    es.close();
    await vi.waitFor(() => expect(app.hub.listenerCount()).toBe(0));
  });
});
