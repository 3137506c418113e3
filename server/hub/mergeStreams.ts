/**
 * Interleaves several async generators, yielding each value as it arrives, until all are done.
 * When the merge ends early — the consumer returns, or one source throws — `stop` is called first, so
 * sources parked waiting for their next value wake up and finish, and then every source is returned.
 */
export async function* mergeStreams<T>(
  sources: AsyncGenerator<T>[],
  stop: () => void = () => {},
): AsyncGenerator<T> {
  const next = (i: number) => {
    const p = sources[i]!.next().then((result) => ({ i, result }));
    // Raced below, or dropped if the merge ends first: never an unhandled rejection either way.
    p.catch(() => {});
    return p;
  };
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
    stop();
    await Promise.allSettled(sources.map((s) => s.return(undefined)));
  }
}
