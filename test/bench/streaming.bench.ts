/**
 * Prints what token streaming (message_start / message_delta / message_end) costs, against a real
 * server process (sqlite store, temp data dir) and headless Chromium serving the built SPA:
 *
 * (a) LIVE: 20 sessions, each streaming assistant messages at 30 deltas/s — one `message_delta` per
 *     `events.append` (plain HTTP POST, own keep-alive connection per session), every ~33 ms per
 *     session, a message ending and the next starting every 150 deltas — for 15 s, run four times
 *     on fresh sessions: a warm-up (not measured); a baseline with no viewers; 2 headless Node
 *     subscribers per session (`live.onFeed`, what a tab subscribes to, alternately SSE and WS);
 *     and Chromium pages (2 per session in session order, one on the SPA's default SSE, one with
 *     ?transport=ws, each in its own context). Per delta × page: stored (the event's server `ts`) →
 *     in the page's DOM (MutationObserver) → painted (the task after that frame's rendering step),
 *     p50/p95/p99/max; per delta × Node subscriber: stored → received. CPU (% of one core) over each
 *     streaming window: the server (/proc/<pid>/stat utime+stime; /metrics' process_cpu_seconds_total
 *     as a cross-check), Chromium (its process tree), this process, and the rest of the machine.
 *     Chromium runs at nice 19 so the server and producers keep their schedule; the default page
 *     count is one per core below 16 cores (40 = 2 per session above): here a page painting 30
 *     deltas/s takes 30–50 % of a core, and more pages than cores starve the producers.
 * (b) BACKFILL: a stored session of 50 finished messages × 500 deltas of 8 characters. A late
 *     joiner's frames and bytes until the last message arrived, compacted (the default) and raw
 *     (`?compact=0` / `compact: false`), over plain SSE (fetch) and tRPC SSE (`events.onEvents`,
 *     Node client), with request → first byte and first byte → last message ("caught up") times,
 *     median of 3; and in Chromium, navigation → the 50th message's row showing its whole text.
 *
 * Numbers only, never pass/fail. Needs `npm run build` (it serves dist/client, or the build in
 * STREAMING_BENCH_STATIC_DIR). Run: `npm run bench:streaming` (about 3 min). Knobs:
 * STREAMING_BENCH_SECONDS (15), STREAMING_BENCH_SESSIONS (20), STREAMING_BENCH_VIEWERS (pages),
 * STREAMING_BENCH_HEADLESS (Node subscribers, 2 per session), STREAMING_BENCH_PAGES_PER_CONTEXT (1),
 * STREAMING_BENCH_BROWSER_NICE (19).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createLivetrailClient } from '../../shared/createLivetrailClient.ts';
import { nodeTransports } from '../../shared/nodeTransports.ts';
import { launchBrowser } from '../support/launchBrowser.ts';
import { REPO_ROOT } from '../support/repoRoot.ts';
import { startServerProcess } from '../support/startServerProcess.ts';
import { formatTable } from './append/formatTable.ts';
import { machineLine } from './append/machineLine.ts';
import { openFeedSubscribers } from './streaming/feedSubscribers.ts';
import { createSessions, readStoredTs, streamSessions } from './streaming/liveStreams.ts';
import { findChild, reniceTree, startCpuWindow } from './streaming/processCpu.ts';
import { runBackfill } from './streaming/runBackfill.ts';
import { cpuRow, latencyRows, liveLatencies, receiptLatencies, storedDeltas } from './streaming/summarize.ts';
import { collectViewers, openViewers } from './streaming/viewers.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SECONDS = env('STREAMING_BENCH_SECONDS', 15);
const WARMUP_SECONDS = Math.min(5, SECONDS);
const SESSIONS = env('STREAMING_BENCH_SESSIONS', 20);
const CORES = availableParallelism();
const VIEWERS = env('STREAMING_BENCH_VIEWERS', CORES >= 16 ? SESSIONS * 2 : Math.min(SESSIONS * 2, CORES));
const HEADLESS = env('STREAMING_BENCH_HEADLESS', SESSIONS * 2);
// One page per context: only a context's front tab gets animation frames (see openViewers).
const PAGES_PER_CONTEXT = env('STREAMING_BENCH_PAGES_PER_CONTEXT', 1);
const PER_SECOND = 30;
const MESSAGE_DELTAS = 150;
const BACKFILL_MESSAGES = 50;
const BACKFILL_DELTAS = 500;
const JOIN_RUNS = 3;
// Chromium runs at this nice value, so the server and the producers keep their schedule on a small
// machine (the pages then get the CPU left over); 0 to compete equally.
const BROWSER_NICE = env('STREAMING_BENCH_BROWSER_NICE', 19);
const STATIC_DIR = process.env.STREAMING_BENCH_STATIC_DIR;

if (!existsSync(join(STATIC_DIR ?? join(REPO_ROOT, 'dist/client'), 'index.html'))) {
  throw new Error('dist/client is not built: run `npm run build` first');
}

const server = await startServerProcess({
  env: {
    // 600 appends/s and a 25 100-event seed must not run into the per-token append limit (200/s).
    LIVETRAIL_APPEND_RATE: '1000000',
    LIVETRAIL_APPEND_BURST: '10000000',
    ...(STATIC_DIR ? { LIVETRAIL_STATIC_DIR: STATIC_DIR } : {}),
  },
});
const plan = { url: server.url, perSecond: PER_SECOND, seconds: SECONDS, messageDeltas: MESSAGE_DELTAS };
const browser = await launchBrowser();
const producer = createLivetrailClient({ url: server.url, ...nodeTransports });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
try {
  const browserPid = findChild(process.pid, /chrom/i);
  if (browserPid !== undefined) reniceTree(browserPid, BROWSER_NICE);
  /** Streams into fresh sessions (made by `before`, which may open viewers) inside a CPU window. */
  const measured = async (label: string, before: (ids: string[]) => Promise<unknown> = async () => {}) => {
    const ids = await createSessions(server.url, SESSIONS, label);
    await before(ids);
    const cpu = await startCpuWindow(server.url, server.pid, browserPid);
    const times = await streamSessions({ ...plan, sessionIds: ids });
    const window = await cpu();
    await readStoredTs(server.url, times);
    return { times, window };
  };

  // A fresh server is slower (JIT, caches): the first run would inflate the baseline.
  await streamSessions({
    ...plan,
    seconds: WARMUP_SECONDS,
    sessionIds: await createSessions(server.url, SESSIONS, 'warm-up'),
  });
  // The browser is up, without pages.
  const base = await measured('baseline');

  let feed: ReturnType<typeof openFeedSubscribers> | undefined;
  const headless = await measured('headless', async (ids) => {
    feed = openFeedSubscribers(server.url, ids, HEADLESS);
    await pause(3000);
  });
  await pause(1000);
  feed!.close();

  let opened: Awaited<ReturnType<typeof openViewers>> | undefined;
  let openS = 0;
  const live = await measured('live', async (ids) => {
    const t0 = performance.now();
    opened = await openViewers(browser, {
      url: server.url,
      sessionIds: ids,
      count: VIEWERS,
      pagesPerContext: PAGES_PER_CONTEXT,
    });
    openS = (performance.now() - t0) / 1000;
    // Renderers fork from Chromium's zygote, which inherited the nice value; this catches any other.
    if (browserPid !== undefined) reniceTree(browserPid, BROWSER_NICE);
    await pause(3000);
  });
  // The last deltas' frames.
  await pause(2000);
  const { viewers, contexts } = opened!;
  const results = await collectViewers(viewers);
  for (const c of contexts) await c.close();

  const total = Math.round(PER_SECOND * SECONDS);
  const failed = [base, headless, live].reduce((n, r) => n + r.times.reduce((m, t) => m + t.failed, 0), 0);
  const transports = new Map<string, number>();
  for (const v of viewers) transports.set(v.transport, (transports.get(v.transport) ?? 0) + 1);
  console.log(
    `token streaming (sqlite store, ${STATIC_DIR ?? 'dist/client'}, chromium 1280×800 at nice ${BROWSER_NICE}); ${machineLine()}`,
  );
  console.log(
    `\n(a) LIVE: ${SESSIONS} sessions × ${PER_SECOND} deltas/s × ${SECONDS} s (${total} deltas each, one per append, ` +
      `a message per ${MESSAGE_DELTAS}); ${failed} appends failed`,
  );
  console.log(
    `${viewers.length} Chromium pages (${[...transports].map(([t, k]) => `${k} ${t}`).join(', ')}) in ${contexts.length} contexts, ` +
      `opened in ${openS.toFixed(1)} s; ${results.filter((r) => r.probe.everHidden).length} ever hidden` +
      (viewers.length < SESSIONS * 2
        ? `. NOT the ${SESSIONS * 2} of 2 per session: on ${CORES} cores that many pages cannot keep up ` +
          `(STREAMING_BENCH_VIEWERS=${SESSIONS * 2} to try); ${HEADLESS} headless subscribers stand in for them on the server`
        : ''),
  );
  const head = ['samples', 'missing', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'];
  console.log(
    formatTable(
      [`pages: every delta × every page`, ...head],
      latencyRows(liveLatencies(live.times, results)),
    ),
  );
  console.log(
    formatTable(
      [`Node live.onFeed: every delta × subscriber`, ...head],
      latencyRows(receiptLatencies(headless.times, feed!.receipts)),
    ),
  );
  console.log(
    `\nCPU over each ${SECONDS} s streaming window (% of one core; machine: % of all ${CORES} cores)`,
  );
  console.log(
    formatTable(
      [
        'run',
        'viewers',
        'deltas',
        'deltas/s',
        'server',
        'server (/metrics)',
        'server ms/delta',
        'chromium',
        'bench',
        'others',
        'machine',
      ],
      [
        cpuRow('baseline (no viewers)', 0, base.times, base.window),
        cpuRow('Node subscribers', HEADLESS, headless.times, headless.window),
        cpuRow('Chromium pages', viewers.length, live.times, live.window),
      ],
    ),
  );
  const perDelta = (r: typeof base) => (r.window.serverPct * r.window.wallS) / storedDeltas(r.times);
  for (const [name, r] of [
    ['Node subscribers', headless],
    ['Chromium pages', live],
  ] as const) {
    console.log(
      `server CPU, ${name} / baseline: ${(r.window.serverPct / base.window.serverPct).toFixed(2)}× of a core, ` +
        `${(perDelta(r) / perDelta(base)).toFixed(2)}× per delta stored`,
    );
  }
  console.log(
    `chromium: ${((live.window.browserPct ?? 0) / Math.max(1, viewers.length)).toFixed(0)} % of a core per page`,
  );

  console.log(
    `\n${await runBackfill({ url: server.url, producer, browser, messages: BACKFILL_MESSAGES, deltas: BACKFILL_DELTAS, runs: JOIN_RUNS })}`,
  );
} finally {
  producer.close();
  await browser.close();
  await server.dispose();
}
