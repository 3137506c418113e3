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
