import { describe, expect, it } from 'vitest';
import { type BatchLink, chainBreak } from '../../server/store/batchChain.ts';

/** A batch holding seqs first..last. */
const batch = (first: number, last: number): BatchLink => ({
  seq: first,
  lastSeq: last,
  events: Array.from({ length: last - first + 1 }, (_, i) => ({ seq: first + i })),
});

describe('chainBreak', () => {
  it('accepts a whole chain, including a first batch that starts before the read position', () => {
    expect(chainBreak([batch(1, 3), batch(4, 4), batch(5, 9)], 0)).toBeUndefined();
    expect(chainBreak([batch(1, 3), batch(4, 6)], 2)).toBeUndefined();
    expect(chainBreak([batch(3, 3)], 2)).toBeUndefined();
    expect(chainBreak([], 7)).toBeUndefined();
  });

  it('names a gap, at the start or between batches', () => {
    expect(chainBreak([batch(3, 4)], 0)).toBe('gap: seq 1–2 missing');
    expect(chainBreak([batch(1, 2), batch(5, 5)], 0)).toBe('gap: seq 3–4 missing');
  });

  it('names an overlap', () => {
    expect(chainBreak([batch(1, 3), batch(3, 4)], 0)).toBe('overlap: seq 3 stored again after 3');
    expect(chainBreak([batch(1, 2)], 2)).toBe('overlap: seq 1 stored again after 2');
  });

  it('names a batch whose events disagree with its range', () => {
    // Each differs from its range in one respect only.
    const missingMiddle = { seq: 1, lastSeq: 3, events: [{ seq: 1 }, { seq: 3 }] };
    const wrongStart = { seq: 1, lastSeq: 2, events: [{ seq: 0 }, { seq: 2 }] };
    const wrongEnd = { seq: 1, lastSeq: 2, events: [{ seq: 1 }, { seq: 3 }] };
    const empty = { seq: 1, lastSeq: 1, events: [] };
    for (const b of [missingMiddle, wrongStart, wrongEnd, empty]) {
      expect(chainBreak([b], 0)).toMatch(/^batch at seq 1 holds events/);
    }
  });
});
