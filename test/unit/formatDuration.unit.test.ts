import { describe, expect, it } from 'vitest';
import { durationBetween, formatDuration, formatElapsed } from '../../client/state/formatDuration.ts';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [7.9, '7 ms'],
    [999, '999 ms'],
    [1000, '1.0 s'],
    [1234, '1.2 s'],
    [9999, '9.9 s'],
    [10_000, '10 s'],
    [59_999, '59 s'],
    [60_000, '1 min'],
    [125_000, '2 min 5 s'],
    [3_600_000, '1 h'],
    [3_900_000, '1 h 5 min'],
    [86_400_000, '1 d'],
    [2 * 86_400_000 + 3 * 3_600_000 + 59_000, '2 d 3 h'],
    [-5, '0 ms'],
    [Number.NaN, '0 ms'],
  ])('%d ms is "%s"', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatElapsed', () => {
  it.each([
    [0, '0 s'],
    [999, '0 s'],
    [12_400, '12 s'],
    [185_000, '3 min 5 s'],
    [3_900_000, '1 h 5 min'],
    [-1000, '0 s'],
  ])('%d ms is "%s"', (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });
});

describe('durationBetween', () => {
  it('is the difference of two ISO timestamps, never negative, undefined if one is missing or bad', () => {
    expect(durationBetween('2026-01-01T10:00:00.000Z', '2026-01-01T10:00:01.250Z')).toBe(1250);
    expect(durationBetween('2026-01-01T10:00:02.000Z', '2026-01-01T10:00:01.000Z')).toBe(0);
    expect(durationBetween(undefined, '2026-01-01T10:00:01.000Z')).toBeUndefined();
    expect(durationBetween('yesterday-ish', '2026-01-01T10:00:01.000Z')).toBeUndefined();
  });
});
