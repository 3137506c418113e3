import { describe, expect, it, vi } from 'vitest';
import {
  eventMessage,
  feedListMessage,
  feedSessionMessage,
  markAnnounced,
  upsertMessage,
} from '../../server/hub/sharedMessages.ts';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import type { Session } from '../../shared/session.ts';

const event = (seq: number): StoredEvent => ({
  type: 'thought',
  text: `${seq}`,
  sessionId: 's',
  seq,
  ts: new Date(0).toISOString(),
});

describe('sharedMessages', () => {
  it('hands every subscriber the same message object for the same event', () => {
    const e = event(1);
    const m = eventMessage(e);
    expect(m).toEqual({ kind: 'event', event: e });
    expect(eventMessage(e)).toBe(m);
    expect(eventMessage(event(1))).not.toBe(m);
  });

  it('shares upserts per session state, and feed wrappers per inner message and session', () => {
    const s = { id: 'a', lastSeq: 1 } as Session;
    const up = upsertMessage(s);
    expect(up).toEqual({ kind: 'upsert', session: s });
    expect(upsertMessage(s)).toBe(up);
    const list = feedListMessage(up);
    expect(list).toEqual({ kind: 'list', message: up });
    expect(feedListMessage(up)).toBe(list);
    const inner = eventMessage(event(2));
    const wrapped = feedSessionMessage('a', inner);
    expect(wrapped).toEqual({ kind: 'session', sessionId: 'a', message: inner });
    expect(feedSessionMessage('a', inner)).toBe(wrapped);
    // The same inner message under another session id is a different wrapper.
    const other = feedSessionMessage('b', inner);
    expect(other).toEqual({ kind: 'session', sessionId: 'b', message: inner });
    expect(other).not.toBe(wrapped);
  });

  it('reports the time to the first delivery of an announced event, once', () => {
    vi.useFakeTimers();
    try {
      const onFirst = vi.fn();
      const fresh = event(3);
      const seen = event(4);
      eventMessage(seen);
      markAnnounced([fresh, seen], onFirst);
      vi.advanceTimersByTime(40);
      eventMessage(fresh);
      eventMessage(fresh);
      eventMessage(seen);
      expect(onFirst).toHaveBeenCalledTimes(1);
      expect(onFirst.mock.calls[0]![0]).toBeGreaterThanOrEqual(40);
      expect(onFirst.mock.calls[0]![0]).toBeLessThan(1000);
    } finally {
      vi.useRealTimers();
    }
  });
});
