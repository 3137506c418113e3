import { describe, expect, it } from 'vitest';
import {
  applyFeedMessages,
  feedBehind,
  feedCursor,
  feedPhase,
  followInFeed,
  initialTabFeedState,
} from '../../client/state/tabFeedState.ts';
import type { AgentEvent, StoredEvent } from '../../shared/agentEvent.ts';
import { initialSession } from '../../shared/reduceSession.ts';
import type { Session } from '../../shared/session.ts';
import type { TabFeedMessage } from '../../shared/streamMessages.ts';

function ev(sessionId: string, seq: number, event: AgentEvent = { type: 'thought', text: `t${seq}` }) {
  const stored = { ...event, sessionId, seq, ts: '2026-01-01T00:00:00.000Z' } as StoredEvent;
  return { kind: 'session', sessionId, message: { kind: 'event', event: stored } } as TabFeedMessage;
}

function session(id: string, lastActivityAt: string): Session {
  return { ...initialSession({ id, title: id, agent: 'a', createdAt: lastActivityAt }), lastActivityAt };
}

const head = (sessionId: string, headSeq: number): TabFeedMessage => ({
  kind: 'session',
  sessionId,
  message: { kind: 'head', headSeq },
});

describe('applyFeedMessages', () => {
  it('merges the list and applies the followed trail once per seq', () => {
    const { state } = applyFeedMessages(initialTabFeedState('s1'), [
      {
        kind: 'list',
        message: { kind: 'snapshot', sessions: [session('s1', '2026-01-01T00:00:05Z')], complete: true },
      },
      head('s1', 3),
      ev('s1', 1),
      ev('s1', 2),
      ev('s1', 2),
      ev('s1', 1),
    ]);
    expect(state.listLoaded).toBe(true);
    expect(state.sessions.map((s) => s.id)).toEqual(['s1']);
    expect(state.trail.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(state.headSeq).toBe(3);
    expect(feedBehind(state)).toBe(1);
  });

  it('applies a session_batch exactly as its messages one by one, and ignores one for another session', () => {
    const inner = (sessionId: string, seq: number) => {
      const m = ev(sessionId, seq);
      return m.kind === 'session' && m.message.kind === 'event' ? m.message : undefined!;
    };
    const batch = (sessionId: string, seqs: number[]): TabFeedMessage => ({
      kind: 'session_batch',
      sessionId,
      messages: seqs.map((seq) => inner(sessionId, seq)),
    });
    const one = applyFeedMessages(initialTabFeedState('s1'), [
      head('s1', 5),
      ...[1, 2, 3].map((seq) => ev('s1', seq)),
      ev('s1', 4),
      ev('s1', 5),
    ]).state;
    const batched = applyFeedMessages(initialTabFeedState('s1'), [
      head('s1', 5),
      batch('s1', [1, 2, 3]),
      batch('s2', [4]),
      batch('s1', [4, 5]),
    ]).state;
    expect(batched.trail).toEqual(one.trail);
    expect(feedBehind(batched)).toBe(0);
  });

  it('ignores trail messages of a session it no longer follows, and keeps the parts that did not change', () => {
    const before = followInFeed(applyFeedMessages(initialTabFeedState('s1'), [ev('s1', 1)]).state, 's2');
    const { state } = applyFeedMessages(before, [ev('s1', 2), head('s1', 9)]);
    expect(state.trail).toBe(before.trail);
    expect(state.sessions).toBe(before.sessions);
    expect(state.trail.events).toEqual([]);
    expect(state.headSeq).toBeUndefined();
  });

  it('drops the trail on reset and says why', () => {
    const before = applyFeedMessages(initialTabFeedState('s1'), [ev('s1', 1), ev('s1', 2)]).state;
    const applied = applyFeedMessages(before, [
      { kind: 'session', sessionId: 's1', message: { kind: 'reset', reason: 'ahead_of_head', headSeq: 1 } },
      ev('s1', 1),
    ]);
    expect(applied.reset).toBe('ahead_of_head');
    expect(applied.state.trail.wasReset).toBe(true);
    expect(applied.state.trail.events.map((e) => e.seq)).toEqual([1]);
  });

  it('marks a session the server does not know as missing', () => {
    const { state } = applyFeedMessages(initialTabFeedState('nope'), [
      { kind: 'session_missing', sessionId: 'nope' },
    ]);
    expect(state.missing).toBe(true);
    expect(feedPhase(state)).toBe('not_found');
  });

  it('marks the followed session deleted when it goes missing after its head was announced', () => {
    const live = applyFeedMessages(initialTabFeedState('s1'), [head('s1', 1), ev('s1', 1)]).state;
    expect(feedPhase(live)).toBe('live');
    const { state } = applyFeedMessages(live, [{ kind: 'session_missing', sessionId: 's1' }]);
    expect(feedPhase(state)).toBe('deleted');
    // Following another session starts over.
    expect(feedPhase(followInFeed(state, 's2'))).toBe('loading');
  });

  it('marks the followed session deleted when the list removes it, and drops it from the list', () => {
    const listed = applyFeedMessages(initialTabFeedState('s1'), [
      {
        kind: 'list',
        message: {
          kind: 'snapshot',
          sessions: [session('s1', '2026-01-01T00:00:05Z'), session('s2', '2026-01-01T00:00:04Z')],
          complete: true,
        },
      },
    ]).state;
    const other = applyFeedMessages(listed, [{ kind: 'list', message: { kind: 'remove', sessionId: 's2' } }]);
    expect(feedPhase(other.state)).toBe('loading');
    expect(other.state.sessions.map((s) => s.id)).toEqual(['s1']);
    const { state } = applyFeedMessages(other.state, [
      { kind: 'list', message: { kind: 'remove', sessionId: 's1' } },
    ]);
    expect(feedPhase(state)).toBe('deleted');
    expect(state.sessions).toEqual([]);
  });
});

describe('feedCursor', () => {
  it('is the last applied seq and the latest listed activity', () => {
    const { state } = applyFeedMessages(initialTabFeedState('s1'), [
      {
        kind: 'list',
        message: {
          kind: 'snapshot',
          sessions: [session('s1', '2026-01-01T00:00:05Z'), session('s2', '2026-01-01T00:00:09Z')],
          complete: true,
        },
      },
      ev('s1', 1),
      ev('s1', 2),
    ]);
    expect(feedCursor(state)).toEqual({ seq: 2, listMs: Date.parse('2026-01-01T00:00:09Z') });
  });

  it('starts a newly followed session from seq 0 while the list keeps its place', () => {
    const { state } = applyFeedMessages(initialTabFeedState('s1'), [
      { kind: 'list', message: { kind: 'upsert', session: session('s1', '2026-01-01T00:00:05Z') } },
      ev('s1', 1),
    ]);
    expect(feedCursor(followInFeed(state, 's2'))).toEqual({
      seq: 0,
      listMs: Date.parse('2026-01-01T00:00:05Z'),
    });
    expect(feedCursor(initialTabFeedState(null))).toEqual({ seq: 0, listMs: undefined });
  });
});
