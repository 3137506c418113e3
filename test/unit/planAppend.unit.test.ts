import { describe, expect, it } from 'vitest';
import { planAppend } from '../../server/domain/planAppend.ts';
import type { AgentEvent } from '../../shared/agentEvent.ts';
import { LIMITS } from '../../shared/limits.ts';
import { LivetrailError } from '../../shared/livetrailError.ts';
import { initialSession } from '../../shared/reduceSession.ts';
import type { Session } from '../../shared/session.ts';

const NOW = '2026-03-01T12:00:00.000Z';
const fresh = (): Session =>
  initialSession({ id: 's1', title: 't', agent: 'a', createdAt: '2026-01-01T00:00:00.000Z' });
const msg = (text: string): AgentEvent => ({ type: 'assistant_message', text });
const thoughts = (n: number): AgentEvent[] =>
  Array.from({ length: n }, (_, i) => ({ type: 'thought', text: `${i}` }));

/** A thought whose JSON is exactly `bytes` long in UTF-8 (the text is ASCII, one byte a char). */
function thoughtOfBytes(bytes: number): AgentEvent {
  const overhead = JSON.stringify({ type: 'thought', text: '' }).length;
  return { type: 'thought', text: 'x'.repeat(bytes - overhead) };
}

function refusal(run: () => unknown): LivetrailError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(LivetrailError);
    return err as LivetrailError;
  }
  throw new Error('expected planAppend to throw');
}

describe('planAppend', () => {
  it('numbers events on from lastSeq and stamps them with the session id and time', () => {
    const session = { ...fresh(), lastSeq: 41 };
    const plan = planAppend(session, [msg('a'), { type: 'thought', text: 'b' }], NOW);
    expect(plan.events).toEqual([
      { type: 'assistant_message', text: 'a', sessionId: 's1', seq: 42, ts: NOW },
      { type: 'thought', text: 'b', sessionId: 's1', seq: 43, ts: NOW },
    ]);
    expect(plan.session).toMatchObject({ id: 's1', lastSeq: 43, lastActivityAt: NOW, status: 'running' });
  });

  it('starts a fresh session at seq 1', () => {
    expect(planAppend(fresh(), [msg('a')], NOW).events.map((e) => e.seq)).toEqual([1]);
  });

  it('folds every event of the batch into the session totals and state', () => {
    const plan = planAppend(
      fresh(),
      [
        { type: 'cost', usd: 0.25, inputTokens: 10, outputTokens: 3 },
        { type: 'tool_call', callId: 'c1', tool: 'bash', args: {} },
        { type: 'cost', usd: 0.5, inputTokens: 1, outputTokens: 2 },
        { type: 'state', agentState: 'waiting_for_user', llmCallsInFlight: 0, toolCallsInFlight: 0 },
      ],
      NOW,
    );
    expect(plan.session).toMatchObject({
      lastSeq: 4,
      status: 'waiting_for_user',
      agentState: 'waiting_for_user',
      totals: { costUsd: 0.75, inputTokens: 11, outputTokens: 5, llmCalls: 2, toolCalls: 1 },
    });
  });

  it('leaves the given session and events untouched', () => {
    const session = fresh();
    const before = structuredClone(session);
    const events = [msg('a'), { type: 'complete', status: 'succeeded' } as AgentEvent];
    const eventsBefore = structuredClone(events);
    planAppend(session, events, NOW);
    expect(session).toEqual(before);
    expect(events).toEqual(eventsBefore);
  });

  it('accepts a complete event as the last of a batch and ends the session', () => {
    const plan = planAppend(fresh(), [msg('a'), { type: 'complete', status: 'failed', summary: 'no' }], NOW);
    expect(plan.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(plan.session).toMatchObject({ status: 'failed', summary: 'no', lastSeq: 2 });
  });

  it('refuses an empty batch with BAD_REQUEST', () => {
    const err = refusal(() => planAppend(fresh(), [], NOW));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toBe('events: must contain at least one event');
  });

  it(`accepts exactly ${LIMITS.batchEvents} events in one batch`, () => {
    const plan = planAppend(fresh(), thoughts(LIMITS.batchEvents), NOW);
    expect(plan.events).toHaveLength(LIMITS.batchEvents);
    expect(plan.events.at(-1)!.seq).toBe(LIMITS.batchEvents);
  });

  it(`refuses ${LIMITS.batchEvents + 1} events with PAYLOAD_TOO_LARGE`, () => {
    const err = refusal(() => planAppend(fresh(), thoughts(LIMITS.batchEvents + 1), NOW));
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(err.message).toBe(`events: at most ${LIMITS.batchEvents} events per batch`);
  });

  it(`accepts an event of exactly ${LIMITS.eventBytes} bytes`, () => {
    const event = thoughtOfBytes(LIMITS.eventBytes);
    expect(Buffer.byteLength(JSON.stringify(event))).toBe(LIMITS.eventBytes);
    expect(planAppend(fresh(), [event], NOW).events).toHaveLength(1);
  });

  it('refuses an event one byte over the limit, naming it and its size', () => {
    const err = refusal(() => planAppend(fresh(), [msg('ok'), thoughtOfBytes(LIMITS.eventBytes + 1)], NOW));
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(err.message).toBe(
      `events.1: ${LIMITS.eventBytes + 1} bytes, more than the ${LIMITS.eventBytes}-byte limit for one event`,
    );
  });

  it(`accepts a batch of exactly ${LIMITS.batchBytes} bytes and refuses one more event`, () => {
    const full = Array.from({ length: LIMITS.batchBytes / LIMITS.eventBytes }, () =>
      thoughtOfBytes(LIMITS.eventBytes),
    );
    expect(planAppend(fresh(), full, NOW).events).toHaveLength(full.length);
    const err = refusal(() => planAppend(fresh(), [...full, msg('one more')], NOW));
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(err.message).toBe(
      `events: more than the ${LIMITS.batchBytes}-byte limit for one batch (reached at events.${full.length}); split it`,
    );
  });

  it('counts event size in UTF-8 bytes, not characters', () => {
    // 'é' is one UTF-16 unit but two UTF-8 bytes: under the limit in characters, over it in bytes.
    const chars = LIMITS.eventBytes / 2 + 1;
    const event: AgentEvent = { type: 'thought', text: 'é'.repeat(chars) };
    expect(JSON.stringify(event).length).toBeLessThan(LIMITS.eventBytes);
    expect(refusal(() => planAppend(fresh(), [event], NOW)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it.each(['succeeded', 'failed', 'cancelled'] as const)(
    'refuses any append to a %s session with CONFLICT',
    (status) => {
      const err = refusal(() => planAppend({ ...fresh(), status }, [msg('late')], NOW));
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toBe(`session s1 is already complete (${status})`);
    },
  );

  it('accepts appends to a session waiting for the user', () => {
    const plan = planAppend({ ...fresh(), status: 'waiting_for_user', lastSeq: 3 }, [msg('hi')], NOW);
    expect(plan.events.map((e) => e.seq)).toEqual([4]);
  });

  it('refuses an event after complete in the same batch, naming its index', () => {
    const err = refusal(() =>
      planAppend(fresh(), [msg('a'), { type: 'complete', status: 'succeeded' }, msg('b')], NOW),
    );
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe('events.2: nothing may follow a complete event');
  });
});

describe('planAppend: streamed messages', () => {
  const start = (messageId: string, role: 'assistant' | 'thought' = 'assistant'): AgentEvent => ({
    type: 'message_start',
    messageId,
    role,
  });
  const delta = (messageId: string, text: string): AgentEvent => ({ type: 'message_delta', messageId, text });
  const end = (messageId: string): AgentEvent => ({ type: 'message_end', messageId });

  it('tracks open messages in the session: start opens, deltas count characters, end closes', () => {
    const opened = planAppend(
      fresh(),
      [start('m1'), delta('m1', 'Hel'), start('t', 'thought'), delta('m1', 'lo')],
      NOW,
    );
    expect(opened.session.openMessages).toEqual([
      { messageId: 'm1', role: 'assistant', startSeq: 1, chars: 5 },
      { messageId: 't', role: 'thought', startSeq: 3, chars: 0 },
    ]);
    const closed = planAppend(opened.session, [end('m1'), end('t')], NOW);
    expect(closed.session.openMessages).toBeUndefined();
  });

  it('refuses a delta or end for a message never started, naming it, with CONFLICT', () => {
    for (const e of [delta('ghost', 'x'), end('ghost')]) {
      const err = refusal(() => planAppend(fresh(), [e], NOW));
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toBe('events.0: message ghost is not open (never started, or already ended)');
    }
  });

  it('refuses a delta or end after the message ended, and a second start while it is open', () => {
    const ended = planAppend(fresh(), [start('m'), end('m')], NOW).session;
    expect(refusal(() => planAppend(ended, [delta('m', 'late')], NOW)).code).toBe('CONFLICT');
    expect(refusal(() => planAppend(ended, [end('m')], NOW)).code).toBe('CONFLICT');
    const err = refusal(() => planAppend(fresh(), [msg('a'), start('m'), start('m')], NOW));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe('events.2: message m is already open');
  });

  it(`allows ${LIMITS.openMessages} messages open at once and refuses one more`, () => {
    const many = Array.from({ length: LIMITS.openMessages }, (_, i) => start(`m${i}`));
    const session = planAppend(fresh(), many, NOW).session;
    expect(session.openMessages).toHaveLength(LIMITS.openMessages);
    const err = refusal(() => planAppend(session, [start('one-more')], NOW));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toContain(`${LIMITS.openMessages} messages are open already`);
  });

  it(`holds a streamed message to ${LIMITS.textChars} characters in all, across batches`, () => {
    const half = 'x'.repeat(LIMITS.textChars / 2);
    const session = planAppend(fresh(), [start('m'), delta('m', half), delta('m', half)], NOW).session;
    expect(session.openMessages?.[0]?.chars).toBe(LIMITS.textChars);
    const err = refusal(() => planAppend(session, [delta('m', 'y')], NOW));
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(err.message).toContain(`message m would exceed ${LIMITS.textChars} characters`);
    // Refused whole: the session it was planned on is as it was.
    expect(session.openMessages?.[0]?.chars).toBe(LIMITS.textChars);
  });

  it('complete ends every open message; a refused batch stores nothing of it', () => {
    const open = planAppend(fresh(), [start('m'), delta('m', 'half')], NOW).session;
    const done = planAppend(open, [{ type: 'complete', status: 'failed' }], NOW).session;
    expect(done.openMessages).toBeUndefined();
    expect(() => planAppend(open, [delta('m', 'ok'), end('other')], NOW)).toThrow(LivetrailError);
    expect(open.openMessages).toEqual([{ messageId: 'm', role: 'assistant', startSeq: 1, chars: 4 }]);
  });
});
