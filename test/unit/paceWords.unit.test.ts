import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PACE_CPS, paceWords, wordChunks } from '../../server/demo/paceWords.ts';
import { settle } from '../support/settle.ts';

/** 60 characters in 12 words. */
const TEXT = 'Running the login spec again to see whether it flakes again.';

/** Reads `source` to the end, noting when each chunk arrived. */
async function collect(source: AsyncIterable<string>) {
  const chunks: { text: string; at: number }[] = [];
  for await (const text of source) chunks.push({ text, at: Date.now() });
  return chunks;
}

describe('wordChunks', () => {
  it('splits into words, each with the whitespace before it, that join back to the text', () => {
    expect(wordChunks('  Hello, big\n world!  ')).toEqual(['  Hello,', ' big', '\n world!', '  ']);
    expect(wordChunks('')).toEqual([]);
    for (const text of [TEXT, ' a', 'a ', '\t\n', 'x']) expect(wordChunks(text).join('')).toBe(text);
  });
});

describe('paceWords', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('yields the words of the text, one at a time', async () => {
    const out = settle(collect(paceWords(TEXT, 1)));
    await vi.runAllTimersAsync();
    expect(out.value?.map((c) => c.text)).toEqual(wordChunks(TEXT));
    expect(out.value).toHaveLength(11);
  });

  it.each([
    [0, 1, 2000],
    [1, 1, 1000],
    [0, 10, 200],
    [0.5, 4, 60_000 / 45 / 4],
  ])('with Math.random() = %s at speed %s takes %s ms for 60 characters', async (random, speed, ms) => {
    expect(TEXT).toHaveLength(60);
    vi.spyOn(Math, 'random').mockReturnValue(random);
    const out = settle(collect(paceWords(TEXT, speed)));
    // Timers count whole milliseconds: each of the 11 waits may come up to 1 ms short.
    await vi.advanceTimersByTimeAsync(ms - 12);
    expect(out.done).toBe(false);
    await vi.advanceTimersByTimeAsync(12);
    expect(out.done).toBe(true);
    // Each word waits as long as its own characters take.
    const first = out.value![0]!;
    expect(Math.abs(first.at - (first.text.length * ms) / 60)).toBeLessThan(1);
  });

  it('reads at 30 to 60 characters per second at speed 1', () => {
    expect(PACE_CPS).toEqual({ min: 30, max: 60 });
  });

  it('rejects with the abort reason as soon as the signal aborts', async () => {
    const ac = new AbortController();
    const out = settle(collect(paceWords(TEXT, 1, ac.signal)));
    await vi.advanceTimersByTimeAsync(500);
    const reason = new Error('stopped');
    ac.abort(reason);
    await vi.advanceTimersByTimeAsync(0);
    expect(out.error).toBe(reason);
  });
});
