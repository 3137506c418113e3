import { describe, expect, it } from 'vitest';
import { TRANSPORT_TIMING, transportTimingProblems } from '../../shared/transportTiming.ts';

describe('transport timing', () => {
  it('keeps every rule that binds the timings', () => {
    expect(transportTimingProblems(TRANSPORT_TIMING)).toEqual([]);
  });

  it.each([
    [{ sseInactivityMs: 5_000 }, 'ssePingMs must be below sseInactivityMs'],
    [{ connectWindowMs: 5_000 }, 'connectWindowMs must exceed ssePingMs'],
    [{ wsPongWaitMs: 10_000 }, 'wsPongWaitMs must be below wsPingMs'],
  ])('names the rule a timing breaks at its boundary: %o', (change, problem) => {
    expect(transportTimingProblems({ ...TRANSPORT_TIMING, ...change })).toEqual([problem]);
  });
});
