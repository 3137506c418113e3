import { describe, expect, it } from 'vitest';
import { mergeStreams } from '../../server/hub/mergeStreams.ts';

/** A source that yields its values, then waits until `signal` aborts. */
async function* parked<T>(values: T[], signal: AbortSignal): AsyncGenerator<T> {
  yield* values;
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

async function* failing(after: number[], error: Error): AsyncGenerator<number> {
  yield* after;
  await new Promise((r) => setTimeout(r, 5));
  throw error;
}

describe('mergeStreams', () => {
  it('interleaves values from every source', async () => {
    const ac = new AbortController();
    const seen: number[] = [];
    const merged = mergeStreams([parked([1, 2], ac.signal), parked([3], ac.signal)], () => ac.abort());
    for await (const v of merged) {
      seen.push(v);
      if (seen.length === 3) break;
    }
    expect(seen.sort()).toEqual([1, 2, 3]);
    expect(ac.signal.aborted).toBe(true);
  });

  it('surfaces a failing source at once, even while another is parked', async () => {
    const ac = new AbortController();
    const merged = mergeStreams([parked([1], ac.signal), failing([2], new Error('storage down'))], () =>
      ac.abort(),
    );
    const seen: number[] = [];
    const outcome = (async () => {
      for await (const v of merged) seen.push(v);
    })();
    await expect(outcome).rejects.toThrow('storage down');
    expect(seen.sort()).toEqual([1, 2]);
  });
});
