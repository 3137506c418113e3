import type { BenchStore } from './benchStores.ts';
import {
  type AppendMode,
  emptyTally,
  type ModeTally,
  runAppends,
  type SentBatch,
} from './measureStoreAppends.ts';

/** How much each store is asked to do. */
export interface ModePlan {
  /** Batches per mode in all, split over `rounds`. */
  count: number;
  rounds: number;
  batchSize: number;
  concurrency: number;
  /** Unkeyed and keyed batches appended first and not counted (JIT, connections, first index pages). */
  warmup: number;
}

export const MODES: readonly AppendMode[] = ['unkeyed', 'keyed', 'keyed retry'];

/**
 * Measures `append` vs `appendOnce` (fresh key per batch) vs `appendOnce` again under a key already
 * used, side by side on one store: each mode gets its own session (so each grows alike), and the
 * rounds alternate which of unkeyed/keyed goes first, so drift (GC, a busy neighbour, a growing
 * collection) lands on both. Each round's keyed retries resend that round's keyed batches.
 */
export async function compareModes(
  bench: BenchStore,
  plan: ModePlan,
): Promise<Record<AppendMode, ModeTally>> {
  const { store } = bench;
  const session = async (title: string) => (await store.createSession({ title, agent: 'bench' })).id;
  const warm = await session('warmup');
  const unkeyedId = await session('unkeyed');
  const keyedId = await session('keyed');
  const base = { store, batchSize: plan.batchSize, concurrency: plan.concurrency };
  const counted = async (tally: ModeTally, run: () => Promise<void>) => {
    bench.commandCounter?.();
    await run();
    tally.commands += bench.commandCounter?.() ?? 0;
  };
  for (const mode of ['unkeyed', 'keyed'] as const) {
    await runAppends({ ...base, sessionId: warm, mode, count: plan.warmup, tally: emptyTally() });
  }
  const tallies: Record<AppendMode, ModeTally> = {
    unkeyed: emptyTally(),
    keyed: emptyTally(),
    'keyed retry': emptyTally(),
  };
  for (let round = 0; round < plan.rounds; round++) {
    const count = Math.floor(plan.count / plan.rounds) + (round < plan.count % plan.rounds ? 1 : 0);
    const sent: SentBatch[] = [];
    const unkeyed = () =>
      counted(tallies.unkeyed, () =>
        runAppends({ ...base, sessionId: unkeyedId, mode: 'unkeyed', count, tally: tallies.unkeyed }),
      );
    const keyed = () =>
      counted(tallies.keyed, () =>
        runAppends({ ...base, sessionId: keyedId, mode: 'keyed', count, tally: tallies.keyed, sent }),
      );
    if (round % 2 === 0) {
      await unkeyed();
      await keyed();
    } else {
      await keyed();
      await unkeyed();
    }
    const retry = tallies['keyed retry'];
    await counted(retry, () =>
      runAppends({
        ...base,
        sessionId: keyedId,
        mode: 'keyed retry',
        count: sent.length,
        tally: retry,
        retries: sent,
      }),
    );
  }
  return tallies;
}
