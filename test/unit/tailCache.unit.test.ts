import { describe, expect, it } from 'vitest';
import { createTailCache } from '../../server/store/tailCache.ts';
import type { StoredEvent } from '../../shared/agentEvent.ts';

const ev = (sessionId: string, seq: number): StoredEvent => ({
  type: 'thought',
  text: `${seq}`,
  sessionId,
  seq,
  ts: new Date(0).toISOString(),
});
const batch = (id: string, from: number, to: number) => {
  const events = Array.from({ length: to - from + 1 }, (_, i) => ev(id, from + i));
  return [events, events.map(() => 10)] as const;
};
const seqs = (events: StoredEvent[] | undefined) => events?.map((e) => e.seq);

describe('createTailCache', () => {
  it('serves a read only when it holds every event after the position', () => {
    const cache = createTailCache({ maxBytes: 1_000, maxEventsPerSession: 5 });
    cache.add('a', ...batch('a', 1, 3));
    expect(seqs(cache.read('a', 0, 10))).toEqual([1, 2, 3]);
    expect(seqs(cache.read('a', 1, 1))).toEqual([2]);
    expect(seqs(cache.read('a', 3, 10))).toEqual([]);
    cache.add('a', ...batch('a', 4, 7));
    // Only the newest 5 are kept: a read from before them goes to disk.
    expect(seqs(cache.read('a', 2, 10))).toEqual([3, 4, 5, 6, 7]);
    expect(cache.read('a', 1, 10)).toBeUndefined();
    // Trimmed events give their bytes back.
    expect(cache.bytes()).toBe(50);
    cache.drop('nobody');
    expect(cache.bytes()).toBe(50);
    expect(cache.read('b', 0, 10)).toBeUndefined();
  });

  it('evicts the least recently written session first when over its byte budget', () => {
    const cache = createTailCache({ maxBytes: 50, maxEventsPerSession: 100 });
    cache.add('old', ...batch('old', 1, 2));
    cache.add('mid', ...batch('mid', 1, 2));
    cache.add('old', ...batch('old', 3, 3));
    cache.add('new', ...batch('new', 1, 2));
    expect(cache.read('mid', 0, 10)).toBeUndefined();
    expect(seqs(cache.read('old', 0, 10))).toEqual([1, 2, 3]);
    expect(seqs(cache.read('new', 0, 10))).toEqual([1, 2]);
    expect(cache.bytes()).toBe(50);
  });

  it('starts a new tail after an eviction, and keeps nothing for a batch bigger than the budget', () => {
    const cache = createTailCache({ maxBytes: 30, maxEventsPerSession: 100 });
    cache.add('a', ...batch('a', 1, 2));
    cache.drop('a');
    cache.add('a', ...batch('a', 3, 3));
    expect(cache.read('a', 1, 10)).toBeUndefined();
    expect(seqs(cache.read('a', 2, 10))).toEqual([3]);
    cache.add('a', ...batch('a', 4, 10));
    expect(cache.read('a', 2, 10)).toBeUndefined();
    expect(cache.bytes()).toBe(0);
  });
});
