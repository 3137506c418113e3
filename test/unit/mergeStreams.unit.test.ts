import { describe, expect, it, vi } from 'vitest';
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

async function* finite<T>(values: T[]): AsyncGenerator<T> {
  yield* values;
}

describe('mergeStreams', () => {
  it('ends when every source is done, with each value once, and calls stop', async () => {
    const stop = vi.fn();
    const seen: number[] = [];
    for await (const v of mergeStreams([finite([1, 2, 3]), finite([]), finite([4])], stop)) seen.push(v);
    expect(seen.sort()).toEqual([1, 2, 3, 4]);
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('works without a stop function', async () => {
    const seen: number[] = [];
    for await (const v of mergeStreams([finite([1]), finite([2])])) seen.push(v);
    expect(seen.sort()).toEqual([1, 2]);
  });

  it('yields each value as it arrives, not source by source', async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    async function* late(): AsyncGenerator<string> {
      await gate;
      yield 'late';
    }
    const merged = mergeStreams([late(), finite(['early'])]);
    expect((await merged.next()).value).toBe('early');
    release();
    expect((await merged.next()).value).toBe('late');
    expect((await merged.next()).done).toBe(true);
  });

  it('returns every source when the consumer stops early, after calling stop', async () => {
    const ac = new AbortController();
    const order: string[] = [];
    async function* tracked(name: string, values: number[]): AsyncGenerator<number> {
      try {
        yield* values;
        await new Promise<void>((resolve) => ac.signal.addEventListener('abort', () => resolve()));
      } finally {
        order.push(`${name} returned`);
      }
    }
    const merged = mergeStreams([tracked('a', [1]), tracked('b', [2, 3])], () => {
      order.push('stop');
      ac.abort();
    });
    for await (const v of merged) if (v > 0) break;
    expect(order[0]).toBe('stop');
    expect(order.slice(1).sort()).toEqual(['a returned', 'b returned']);
  });

  it('leaves no unhandled rejection when a source fails after the merge ended', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      async function* failsNext(): AsyncGenerator<number> {
        yield 1;
        await new Promise((r) => setImmediate(r));
        throw new Error('late failure');
      }
      for await (const v of mergeStreams([failsNext()])) if (v === 1) break;
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

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
