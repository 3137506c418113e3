/**
 * Interleaves several async generators, yielding each value as it arrives, until all are done.
 * Returning early (or throwing) returns every source, so their cleanup runs.
 */
export async function* mergeStreams<T>(...sources: AsyncGenerator<T>[]): AsyncGenerator<T> {
  const next = (i: number) => sources[i]!.next().then((result) => ({ i, result }));
  const pending = new Map(sources.map((_, i) => [i, next(i)]));
  try {
    while (pending.size > 0) {
      const { i, result } = await Promise.race(pending.values());
      if (result.done) {
        pending.delete(i);
        continue;
      }
      pending.set(i, next(i));
      yield result.value;
    }
  } finally {
    await Promise.allSettled(sources.map((s) => s.return(undefined)));
  }
}
