import { performance } from 'node:perf_hooks';
import { openSqliteStore } from '../../../server/store/openSqliteStore.ts';
import { type LatencyStats, latencyStats } from '../append/latencyStats.ts';

/** What the SQLite store's calls cost on the calling (main) thread, on a freshly opened store. */
export interface ReadCosts {
  /** openSqliteStore: lock, quick_check, migrate, writer thread start. */
  openMs: number;
  /** readEvents pages of `pageSize` through the whole session (nothing cached yet: all from disk). */
  page: LatencyStats | null;
  /** getSession of a session not yet cached. */
  getSessionMs: number;
  /** listSessions({ limit: 101 }): a sessions.list page. */
  listPageMs: number;
  /** listSessions(): every session (what the live session list reads). */
  listAllMs: number;
  close: number;
}

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * Opens the store on `dir` in this process (no server may hold it) and times, synchronously as the
 * server's event loop would run them, reading `sessionId` page by page the way a backfill does
 * (pages of 500), a cold getSession and the two session lists; then closes it.
 */
export async function measureReads(dir: string, sessionId: string, pageSize = 500): Promise<ReadCosts> {
  const t0 = performance.now();
  const store = await openSqliteStore({ dir, log: quiet });
  const openMs = performance.now() - t0;
  const timed = async <T>(f: () => Promise<T>) => {
    const t = performance.now();
    const value = await f();
    return { ms: performance.now() - t, value };
  };
  const getSessionMs = (await timed(() => store.getSession(sessionId))).ms;
  const pages: number[] = [];
  for (let after = 0; ; ) {
    const { ms, value } = await timed(() => store.readEvents(sessionId, { after, limit: pageSize }));
    pages.push(ms);
    if (value.length < pageSize) break;
    after = value.at(-1)!.seq;
  }
  const listPageMs = (await timed(() => store.listSessions({ limit: 101 }))).ms;
  const listAllMs = (await timed(() => store.listSessions())).ms;
  const t1 = performance.now();
  await store.close();
  return {
    openMs,
    page: latencyStats(pages),
    getSessionMs,
    listPageMs,
    listAllMs,
    close: performance.now() - t1,
  };
}
