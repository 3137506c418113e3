import { EventSource } from 'eventsource';
import { describe, expect, it, vi } from 'vitest';
import { type AgentEvent, isCompacted, type StreamEvent } from '../../shared/agentEvent.ts';
import { followSession } from '../../shared/connection/followSession.ts';
import type { Transport } from '../../shared/createLivetrailClient.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import { dropConnections } from '../support/startTestServer.ts';
import { useServerAndClient } from '../support/useServerAndClient.ts';

/** A reply streamed with a tool call and a thought interleaved, then a thought left open. */
const TRAIL: AgentEvent[] = [
  { type: 'message_start', messageId: 'r1', role: 'assistant' },
  { type: 'message_delta', messageId: 'r1', text: 'Let me ' },
  { type: 'tool_call', callId: 'c1', tool: 'ls', args: {} },
  { type: 'message_start', messageId: 't1', role: 'thought' },
  { type: 'message_delta', messageId: 'r1', text: 'look.' },
  { type: 'message_end', messageId: 'r1' },
  { type: 'message_delta', messageId: 't1', text: 'hmm, ' },
];

const brief = (e: StreamEvent) =>
  isCompacted(e)
    ? `${e.type}:${e.messageId}:${e.text}${e.open ? ':open' : ''}${e.incomplete ? ':incomplete' : ''}`
    : e.type === 'message_delta'
      ? `delta:${e.text}`
      : e.type;

describe.each<Transport>(['sse', 'ws'])('streamed messages over %s', (transport) => {
  const t = useServerAndClient(transport);

  async function session(events: AgentEvent[]) {
    const s = await t.app.store.createSession({ title: 'x', agent: 'a' });
    await t.app.store.append(s.id, events);
    return s.id;
  }

  function follow(sessionId: string, compact?: boolean) {
    const got: StreamEvent[] = [];
    const m = followSession({
      url: t.app.url,
      mode: transport,
      ...nodeTransports,
      sessionId,
      ...(compact === undefined ? {} : { compact }),
      onEvent: (e) => got.push(e),
    });
    return { got, stop: () => m.close() };
  }

  it('a late joiner gets each finished message once, whole, then an open one and its live deltas', async () => {
    const id = await session(TRAIL);
    const f = follow(id);
    await vi.waitFor(() => expect(f.got).toHaveLength(3));
    expect(f.got.map(brief)).toEqual([
      'tool_call',
      'assistant_message:r1:Let me look.',
      'thought:t1:hmm, :open',
    ]);
    await t.client.api.events.append.mutate({
      sessionId: id,
      events: [
        { type: 'message_delta', messageId: 't1', text: 'done' },
        { type: 'complete', status: 'succeeded' },
      ],
    });
    await vi.waitFor(() => expect(f.got.map(brief).slice(3)).toEqual(['delta:done', 'complete']));
    f.stop();
  });

  it('compact: false gives the deltas as stored', async () => {
    const id = await session(TRAIL);
    const f = follow(id, false);
    await vi.waitFor(() => expect(f.got).toHaveLength(TRAIL.length));
    expect(f.got.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(f.got.some(isCompacted)).toBe(false);
    f.stop();
  });

  it('resumes after a dropped connection without sending any text twice', async () => {
    const id = await session([...TRAIL, { type: 'message_delta', messageId: 't1', text: 'and more' }]);
    const f = follow(id);
    await vi.waitFor(() => expect(f.got).toHaveLength(3));
    dropConnections(t.app);
    await t.client.api.events.append.mutate({
      sessionId: id,
      events: [
        { type: 'message_end', messageId: 't1' },
        { type: 'complete', status: 'succeeded' },
      ],
    });
    await vi.waitFor(() => expect(f.got.at(-1)?.type).toBe('complete'));
    expect(f.got.map(brief)).toEqual([
      'tool_call',
      'assistant_message:r1:Let me look.',
      'thought:t1:hmm, and more:open',
      'message_end',
      'complete',
    ]);
    f.stop();
  });
});

describe('streamed messages over plain SSE', () => {
  const t = useServerAndClient('sse');

  /** Reads SSE frames until `count` have come, with EventSource (which resumes with Last-Event-ID). */
  function frames(url: string, count: number, headers: Record<string, string> = {}) {
    const got: { id: string; type: string; data: Record<string, unknown> }[] = [];
    const types = [
      'assistant_message',
      'thought',
      'tool_call',
      'message_start',
      'message_delta',
      'message_end',
      'complete',
    ];
    const source = new EventSource(url, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...headers } }),
    });
    for (const type of types) {
      source.addEventListener(type, (e) => got.push({ id: e.lastEventId, type, data: JSON.parse(e.data) }));
    }
    return { got, source, done: vi.waitFor(() => expect(got.length).toBeGreaterThanOrEqual(count)) };
  }

  it('sends finished messages whole with positions as ids, and ?compact=0 sends the deltas', async () => {
    const s = await t.app.store.createSession({ title: 'x', agent: 'a' });
    await t.app.store.append(s.id, TRAIL);
    const url = `${t.app.url}/api/sessions/${s.id}/events/stream`;
    const compact = frames(url, 3);
    await compact.done;
    compact.source.close();
    expect(compact.got.map((f) => [f.id, f.type])).toEqual([
      ['3~1', 'tool_call'],
      ['6~4', 'assistant_message'],
      ['7', 'thought'],
    ]);
    expect(compact.got[1]!.data).toMatchObject({
      text: 'Let me look.',
      messageId: 'r1',
      startSeq: 1,
      seq: 6,
    });
    const raw = frames(`${url}?compact=0`, TRAIL.length);
    await raw.done;
    raw.source.close();
    expect(raw.got.map((f) => f.id)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    // Resuming from a withheld position yields the rest: the reply whole, then the open thought.
    const resumed = frames(url, 2, { 'last-event-id': '3~1' });
    await resumed.done;
    resumed.source.close();
    expect(resumed.got.map((f) => [f.id, f.type, f.data.text])).toEqual([
      ['6~4', 'assistant_message', 'Let me look.'],
      ['7', 'thought', 'hmm, '],
    ]);
  });

  it('refuses a compact flag that is not 0 or 1, naming it', async () => {
    const s = await t.app.store.createSession({ title: 'x', agent: 'a' });
    const res = await fetch(`${t.app.url}/api/sessions/${s.id}/events/stream?compact=yes`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('compact') },
    });
  });
});
