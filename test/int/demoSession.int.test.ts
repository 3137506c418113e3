import { describe, expect, it, vi } from 'vitest';
import type { DemoScenario } from '../../server/demo/demoScenarios.ts';
import { DEMO_SCENARIOS } from '../../server/demo/demoScenarios.ts';
import { playDemoSession } from '../../server/demo/playDemoSession.ts';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import { useServerAndClient } from '../support/useServerAndClient.ts';

/** One step, no failure, no question: the same trail on every run. */
const SCENARIO: DemoScenario = {
  title: 'Streamed demo',
  steps: [
    {
      thought: 'List the files first.',
      say: "I'll look at what is in the repository.",
      tool: 'bash',
      args: { command: 'ls' },
      output: 'README.md\nsrc',
    },
  ],
  done: 'Done: the repository has a README and a src folder.',
  summary: 'Listed the repository.',
  failedSummary: 'Could not list the repository.',
};

interface Streamed {
  role: string;
  text: string;
  deltas: number;
  ended: boolean;
}

/** The streamed messages of a trail in start order, rebuilt from their start, deltas and end. */
function streamedMessages(events: StoredEvent[]): Streamed[] {
  const byId = new Map<string, Streamed>();
  for (const e of events) {
    if (e.type === 'message_start')
      byId.set(e.messageId, { role: e.role, text: '', deltas: 0, ended: false });
    const m = 'messageId' in e ? byId.get(e.messageId) : undefined;
    if (e.type === 'message_delta' && m) Object.assign(m, { text: m.text + e.text, deltas: m.deltas + 1 });
    if (e.type === 'message_end' && m) m.ended = true;
  }
  return [...byId.values()];
}

describe('a demo session', () => {
  const t = useServerAndClient('sse');

  async function play(scenario: DemoScenario): Promise<StoredEvent[]> {
    const log: string[] = [];
    const signal = new AbortController().signal;
    await playDemoSession({
      api: t.client.api,
      agent: 'atlas',
      scenario,
      speed: 1000,
      signal,
      log: (l) => log.push(l),
      // A question waits at least 2 minutes for a person; nobody answers here.
      replyWaitMs: 50,
    });
    const [session] = (await t.client.api.sessions.list.query({})).sessions.filter(
      (s) => s.title === scenario.title,
    );
    return (await t.client.api.events.list.query({ sessionId: session!.id, limit: 1000 })).events;
  }

  it('streams its thoughts and replies as message_start, deltas and message_end', async () => {
    const events = await play(SCENARIO);
    expect(streamedMessages(events)).toEqual([
      { role: 'thought', text: 'List the files first.', deltas: expect.any(Number), ended: true },
      {
        role: 'assistant',
        text: "I'll look at what is in the repository.",
        deltas: expect.any(Number),
        ended: true,
      },
      { role: 'thought', text: 'Everything checks out; wrap up.', deltas: expect.any(Number), ended: true },
      { role: 'assistant', text: SCENARIO.done, deltas: expect.any(Number), ended: true },
    ]);
    const types = events.map((e) => e.type);
    expect(types).not.toContain('assistant_message');
    expect(types).not.toContain('thought');
    // A reply's cost follows its end; the session completes as scripted.
    const firstEnd = types.indexOf('message_end', types.indexOf('message_end') + 1);
    expect(types[firstEnd + 1]).toBe('cost');
    expect(events.at(-1)).toMatchObject({ type: 'complete', status: 'succeeded', summary: SCENARIO.summary });
  });

  it('stopped mid-message, cancels the session and leaves that message without its end', async () => {
    const ac = new AbortController();
    const reason = new Error('stopped');
    const scenario = { ...SCENARIO, title: 'Stopped demo' };
    // Speed 5: 150–300 characters a second, so a thought takes a while to stream.
    const played = playDemoSession({
      api: t.client.api,
      agent: 'atlas',
      scenario,
      speed: 5,
      signal: ac.signal,
      log() {},
    });
    const outcome = played.catch((err: unknown) => err);
    let sessionId: string | undefined;
    await vi.waitFor(
      async () => {
        sessionId ??= (await t.client.api.sessions.list.query({})).sessions.find(
          (s) => s.title === scenario.title,
        )?.id;
        const events = sessionId ? (await t.client.api.events.list.query({ sessionId })).events : [];
        expect(events.map((e) => e.type)).toContain('message_delta');
      },
      { timeout: 5000, interval: 20 },
    );
    ac.abort(reason);
    expect(await outcome).toBe(reason);
    const session = await t.client.api.sessions.get.query({ sessionId: sessionId! });
    expect(session.status).toBe('cancelled');
    const events = (await t.client.api.events.list.query({ sessionId: sessionId! })).events;
    expect(streamedMessages(events)).toEqual([
      { role: 'thought', text: expect.any(String), deltas: expect.any(Number), ended: false },
    ]);
    expect(SCENARIO.steps[0]!.thought.startsWith(streamedMessages(events)[0]!.text)).toBe(true);
  });

  it('stops mid-message when a person presses Stop and completes as cancelled, saying why', async () => {
    // A thought long enough (seconds at speed 5) to be mid-stream whenever the Stop lands.
    const long = 'Look at every file in the repository before deciding anything. '.repeat(30);
    const steps = [{ ...SCENARIO.steps[0]!, thought: long }];
    const scenario = { ...SCENARIO, steps, title: 'Interrupted demo' };
    const log: string[] = [];
    const played = playDemoSession({
      api: t.client.api,
      agent: 'atlas',
      scenario,
      speed: 5,
      signal: new AbortController().signal,
      log: (l) => log.push(l),
      sessionUrl: (id) => `http://example.test/sessions/${id}`,
    });
    let sessionId: string | undefined;
    await vi.waitFor(
      async () => {
        sessionId ??= (await t.client.api.sessions.list.query({})).sessions.find(
          (s) => s.title === scenario.title,
        )?.id;
        const events = sessionId ? (await t.client.api.events.list.query({ sessionId })).events : [];
        expect(events.map((e) => e.type)).toContain('message_delta');
      },
      { timeout: 5000, interval: 20 },
    );
    await t.client.api.sessions.interrupt.mutate({ sessionId: sessionId!, reason: 'wrong repo' });
    await played;
    const session = await t.client.api.sessions.get.query({ sessionId: sessionId! });
    expect(session).toMatchObject({ status: 'cancelled', summary: 'Stopped by a person: wrong repo' });
    const events = (await t.client.api.events.list.query({ sessionId: sessionId! })).events;
    const types = events.map((e) => e.type);
    // Nothing after the interrupt but what is already in flight: the stream is cut, no reply follows.
    expect(types.slice(types.indexOf('interrupt') + 1).filter((x) => x !== 'message_delta')).toEqual([
      'complete',
    ]);
    expect(streamedMessages(events)).toEqual([
      { role: 'thought', text: expect.any(String), deltas: expect.any(Number), ended: false },
    ]);
    expect(log).toEqual([
      `start  http://example.test/sessions/${sessionId}  “Interrupted demo”`,
      `end    http://example.test/sessions/${sessionId}  cancelled: stopped by a person`,
    ]);
  });

  it('leaves no message open in any scripted scenario', async () => {
    for (const scenario of DEMO_SCENARIOS) {
      const events = await play(scenario);
      const messages = streamedMessages(events);
      expect(messages.length).toBeGreaterThan(2);
      expect(messages.every((m) => m.ended && m.text.length > 0)).toBe(true);
      expect(messages.some((m) => m.text === scenario.done || m.text.includes(scenario.steps[0]!.say))).toBe(
        true,
      );
      expect(events.map((e) => e.type)).not.toContain('assistant_message');
    }
  });
});
