import { describe, expect, it } from 'vitest';
import { applyStreamMessages, emptyTrail } from '../../client/state/trailState.ts';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import type { SessionStreamMessage } from '../../shared/streamMessages.ts';
import { unwrapTracked } from '../../shared/unwrapTracked.ts';

function ev(seq: number, event: AgentEvent): SessionStreamMessage {
  const stored = { ...event, sessionId: 's1', seq, ts: `2026-01-01T00:00:0${seq}.000Z` } as StoredEvent;
  return { kind: 'event', event: stored };
}

describe('applyStreamMessages', () => {
  it('folds events into the session and ignores ones it already applied', () => {
    const messages = [
      ev(1, { type: 'cost', usd: 0.5, inputTokens: 10, outputTokens: 1 }),
      ev(2, { type: 'assistant_message', text: 'hi' }),
      ev(2, { type: 'assistant_message', text: 'hi' }),
      ev(1, { type: 'cost', usd: 0.5, inputTokens: 10, outputTokens: 1 }),
    ];
    const start = emptyTrail('s1');
    const trail = applyStreamMessages(start, messages);
    expect(trail.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(trail.folded.totals.costUsd).toBe(0.5);
    expect(trail.folded.lastSeq).toBe(2);
    expect(start.events).toEqual([]);
    expect(applyStreamMessages(trail, messages)).toBe(trail);
  });

  it('drops everything on reset and refolds the trail that follows', () => {
    const before = applyStreamMessages(emptyTrail('s1'), [
      ev(1, { type: 'cost', usd: 1, inputTokens: 1, outputTokens: 1 }),
    ]);
    const reset = applyStreamMessages(before, [{ kind: 'reset', reason: 'ahead_of_head', headSeq: 1 }]);
    expect(reset.events).toEqual([]);
    expect(reset.wasReset).toBe(true);
    expect(reset.folded.totals.costUsd).toBe(0);
    const again = applyStreamMessages(reset, [
      ev(1, { type: 'cost', usd: 1, inputTokens: 1, outputTokens: 1 }),
    ]);
    expect(again.events).toHaveLength(1);
    expect(again.folded.totals.costUsd).toBe(1);
    expect(again.wasReset).toBe(true);
  });

  it('applies a reset in the middle of a batch', () => {
    const trail = applyStreamMessages(emptyTrail('s1'), [
      ev(1, { type: 'user_message', text: 'a' }),
      ev(2, { type: 'user_message', text: 'b' }),
      { kind: 'reset', reason: 'malformed_last_event_id', headSeq: 2 },
      ev(1, { type: 'user_message', text: 'a' }),
    ]);
    expect(trail.events.map((e) => e.seq)).toEqual([1]);
    expect(trail.wasReset).toBe(true);
  });
});

describe('unwrapTracked', () => {
  it('unwraps tracked envelopes and passes bare messages through', () => {
    const message = { kind: 'reset', reason: 'ahead_of_head', headSeq: 3 };
    expect(unwrapTracked({ id: '3', data: message })).toBe(message);
    expect(unwrapTracked({ data: message })).toBe(message);
    expect(unwrapTracked(message)).toBe(message);
  });
});
