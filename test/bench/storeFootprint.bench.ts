/**
 * What the SQLite store costs as history grows, in one run, printed as plain tables (numbers, never
 * pass/fail):
 *
 *   1. Seeding: each data directory is filled through the store API by a process of its own
 *      (seedMain.ts: 200-event batches, 4 in flight on different sessions, ~200-character
 *      thought/assistant_message texts, one `backfill` session of 10k events and the rest spread
 *      over 100 sessions), which then closes the store. SQLite grows one directory through the
 *      checkpoints (200k, then 1M); the legacy file store gets its own directory at 200k.
 *   2. Server footprint: a fresh server process per start on each directory (server/main.ts, or
 *      legacyFileServer.ts for the legacy file store): spawn → `serving on` time; VmRSS after it
 *      settles untouched, and again after a first visitor (one sessions.list page, one plain SSE
 *      backfill of the 10k-event session: the same touch at every size) plus a second; VmHWM (the peak). Medians over the starts; the
 *      empty data directory, measured the same way in the same run, is the baseline.
 *   3. The integrity check openSqliteStore runs at every start (`PRAGMA quick_check`), and
 *      `integrity_check` for scale, timed on a separate connection while no server runs, with the
 *      database's size. The OS page cache is warm (the seeding just wrote it). 3b: what the store's
 *      calls cost on the thread that makes them (better-sqlite3 reads are synchronous: on a server,
 *      the event loop), on a freshly opened store in this process.
 *   4. Backfill: a new subscriber to the 10k-event session, from opening the stream to its last
 *      event: plain SSE with a raw http GET, and tRPC SSE with the typed client; a fresh server per
 *      transport and directory, so run 1 starts with nothing cached in the process; then the median of
 *      the rest. SQLite and the legacy store at the same size are run in turn (ABAB), for a fair ratio.
 *   5. Event-loop delay in this process (monitorEventLoopDelay, 1 ms resolution) while appending
 *      5-event batches at a steady 200 a second, in rounds that take the stores in turn: no store
 *      (the timers alone), the memory store, SQLite with its writer thread (the default), SQLite
 *      with `writer: { mode: 'inline' }` (commits, fsync included, on the main thread), and the
 *      legacy file store; with the loop's utilization (busy share), which also shows blocks shorter
 *      than the histogram's resolution.
 *
 * Run: `npm run bench:store [-- --quick] [--checkpoints 200000,1000000] [--legacy 200000]
 * [--sessions 100] [--starts 3] [--backfill-runs 7] [--loop-seconds 12] [--loop-rounds 3]
 * [--loop-rate 200] [--loop-batch 5]`. About 3 minutes (seeding 1M takes ~20 s); `--quick`
 * (50k/200k, legacy 50k) ~1.5 min.
 */
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { EventStore } from '../../server/store/eventStore.ts';
import { JOURNAL_FILE } from '../../server/store/fileJournal.ts';
import { createMemoryStore } from '../../server/store/memoryStore.ts';
import { openSqliteStore } from '../../server/store/openSqliteStore.ts';
import { formatTable } from './append/formatTable.ts';
import { latencyStats, ms, rate } from './append/latencyStats.ts';
import { machineLine } from './append/machineLine.ts';
import { checkDatabase } from './store/checkDatabase.ts';
import { openLegacyFileStore } from './store/legacyFileStore.ts';
import { type BackfillRun, plainSseBackfill, trpcSseBackfill } from './store/measureBackfill.ts';
import { type Footprint, measureFootprint } from './store/measureFootprint.ts';
import { measureFsync } from './store/measureFsync.ts';
import { type LoopDelayResult, measureLoopDelay } from './store/measureLoopDelay.ts';
import { measureReads } from './store/measureReads.ts';
import { runSeed, type SeedReport } from './store/seedPlan.ts';
import { LEGACY_ENTRY, MAIN_ENTRY, type SpawnedServer, spawnServer } from './store/spawnServer.ts';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    checkpoints: { type: 'string' },
    legacy: { type: 'string' },
    sessions: { type: 'string', default: '100' },
    starts: { type: 'string' },
    'backfill-runs': { type: 'string' },
    'loop-seconds': { type: 'string' },
    'loop-rounds': { type: 'string' },
    'loop-rate': { type: 'string', default: '200' },
    'loop-batch': { type: 'string', default: '5' },
  },
});
const quick = flags.quick;
const positive = (name: string, text: string, max: number): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0 || n > max)
    throw new Error(`--${name} must be an integer from 1 to ${max}`);
  return n;
};
const BACKFILL_EVENTS = 10_000;
const checkpoints = (flags.checkpoints ?? (quick ? '50000,200000' : '200000,1000000'))
  .split(',')
  .map((s) => positive('checkpoints', s.trim(), 50_000_000))
  .sort((a, b) => a - b);
if (checkpoints[0]! <= BACKFILL_EVENTS) throw new Error(`--checkpoints must be above ${BACKFILL_EVENTS}`);
const legacyEvents = positive('legacy', flags.legacy ?? (quick ? '50000' : '200000'), 5_000_000);
if (legacyEvents <= BACKFILL_EVENTS) throw new Error(`--legacy must be above ${BACKFILL_EVENTS}`);
const sessions = positive('sessions', flags.sessions, 10_000);
const starts = positive('starts', flags.starts ?? (quick ? '2' : '3'), 20);
const backfillRuns = positive('backfill-runs', flags['backfill-runs'] ?? (quick ? '3' : '7'), 20);
const loopSeconds = positive('loop-seconds', flags['loop-seconds'] ?? (quick ? '4' : '12'), 600);
const loopRounds = positive('loop-rounds', flags['loop-rounds'] ?? (quick ? '2' : '3'), 20);
const loopRate = positive('loop-rate', flags['loop-rate'], 10_000);
const loopBatch = positive('loop-batch', flags['loop-batch'], 1000);
const SEED = { batch: 200, inFlight: 4, backfillEvents: BACKFILL_EVENTS, sessions };
const SETTLE_MS = 2_000;

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mib = (kib: number) => (kib / 1024).toFixed(1);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const count = (n: number) =>
  n >= 1_000_000 && n % 100_000 === 0
    ? `${n / 1_000_000}M`
    : n >= 1000 && n % 1000 === 0
      ? `${n / 1000}k`
      : String(n);
const fileSize = async (path: string) => (await stat(path).catch(() => ({ size: 0 }))).size;

type BackfillResults = { transport: string; runs: BackfillRun[] }[];

interface StartsResult {
  startMs: number[];
  footprints: Footprint[];
}

/** `starts` fresh server processes on `dir`, one after another, each measured and stopped. */
async function measureStarts(
  entry: string,
  dir: string,
  touch?: { sessionId: string; events: number },
): Promise<StartsResult> {
  const result: StartsResult = { startMs: [], footprints: [] };
  for (let i = 0; i < starts; i++) {
    const server = await spawnServer({ entry, dataDir: dir });
    try {
      result.startMs.push(server.startMs);
      result.footprints.push(await measureFootprint(server, SETTLE_MS, touch));
    } finally {
      await server.stop();
    }
  }
  return result;
}

/** A directory to backfill from, and the server that serves it. */
interface BackfillTarget {
  label: string;
  entry: string;
  dir: string;
  sessionId: string;
}

/**
 * Backfill runs per transport: for each transport a fresh server per target (run 1 finds nothing
 * cached in the process), then `backfillRuns` rounds that take the targets in turn, so a busy
 * moment of the machine lands on all of them alike. Answers the runs by target label.
 */
async function measureBackfills(targets: BackfillTarget[]) {
  const out = new Map<string, { transport: string; runs: BackfillRun[] }[]>(
    targets.map((t) => [t.label, []]),
  );
  for (const [transport, run] of [
    ['plain SSE (raw GET)', plainSseBackfill],
    ['tRPC SSE (typed client)', trpcSseBackfill],
  ] as const) {
    const servers: SpawnedServer[] = [];
    try {
      for (const t of targets) servers.push(await spawnServer({ entry: t.entry, dataDir: t.dir }));
      const runs = targets.map(() => [] as BackfillRun[]);
      for (let i = 0; i < backfillRuns; i++) {
        for (const [j, t] of targets.entries()) {
          runs[j]!.push(await run(servers[j]!.url, t.sessionId, BACKFILL_EVENTS));
        }
      }
      for (const [j, t] of targets.entries()) out.get(t.label)!.push({ transport, runs: runs[j]! });
    } finally {
      for (const server of servers) await server.stop();
    }
  }
  return out;
}

process.once('SIGINT', () => process.exit(130));
const started = performance.now();
console.log(`livetrail store bench: ${machineLine()}, ${new Date().toISOString()}`);
console.log(
  `sqlite checkpoints ${checkpoints.map(count).join(', ')} events, legacy file store ${count(legacyEvents)}; ` +
    `${sessions} sessions + one of ${count(BACKFILL_EVENTS)}; ${starts} server starts per directory, ` +
    `${backfillRuns} backfill runs per transport`,
);
const root = await mkdtemp(join(tmpdir(), 'livetrail-store-bench-'));
console.log(`data directories under ${root} (removed at the end)`);
const fsync = measureFsync(root);
console.log(
  `fdatasync of a 4 KiB append there: p50 ${ms(fsync?.p50)} ms, p99 ${ms(fsync?.p99)} ms, max ${ms(fsync?.max)} ms`,
);

const seedRows: string[][] = [];
const footRows: string[][] = [];
const checkRows: string[][] = [];
const readRows: string[][] = [];
const backfillRows: string[][] = [];
const loopRows: string[][] = [];
/** The touched RSS of each store's empty server, for the Δ column. */
const emptyTouched = new Map<string, number>();

function seedRow(label: string, r: SeedReport, bytes: number) {
  seedRows.push([
    label,
    count(r.events),
    String(r.appended),
    (r.appendMs / 1000).toFixed(1),
    rate((1000 * r.appended) / r.appendMs),
    ms(r.openMs),
    ms(r.closeMs),
    mb(bytes),
  ]);
}

function footRow(label: string, events: number, s: StartsResult) {
  const store = label.split(',')[0]!;
  const startMs = median(s.startMs);
  const settled = median(s.footprints.map((f) => f.settled.rss));
  const touched = median(s.footprints.map((f) => f.touched.rss));
  const hwm = median(s.footprints.map((f) => f.touched.hwm));
  if (events === 0) emptyTouched.set(store, touched);
  const base = emptyTouched.get(store);
  footRows.push([
    label,
    count(events),
    ms(startMs),
    `${ms(Math.min(...s.startMs))}–${ms(Math.max(...s.startMs))}`,
    mib(settled),
    mib(touched),
    mib(hwm),
    events === 0 || base === undefined
      ? '-'
      : `${touched >= base ? '+' : '−'}${mib(Math.abs(touched - base))}`,
  ]);
}

function backfillRow(label: string, events: number, results: BackfillResults) {
  for (const { transport, runs } of results) {
    const [first, ...rest] = runs;
    const restMs = rest.length > 0 ? median(rest.map((r) => r.ms)) : Number.NaN;
    const best = rest.length > 0 ? restMs : first!.ms;
    backfillRows.push([
      label,
      count(events),
      transport,
      ms(first!.firstMs),
      ms(first!.ms),
      ms(restMs),
      rate((1000 * BACKFILL_EVENTS) / best),
    ]);
  }
}

/**
 * One row from a store's rounds: batches summed; loop p50, p99, mean and busy the median of the
 * rounds (one busy moment of the machine moves them little); loop max the largest; append latency
 * over all rounds' appends pooled.
 */
function loopRow(label: string, rounds: LoopDelayResult[]) {
  const mid = (f: (r: LoopDelayResult) => number) => median(rounds.map(f));
  const append = latencyStats(rounds.flatMap((r) => r.latencies));
  loopRows.push([
    label,
    String(rounds.reduce((n, r) => n + r.batches, 0)),
    rate(mid((r) => r.batchesPerSec)),
    ms(mid((r) => r.loop.p50)),
    ms(mid((r) => r.loop.p99)),
    ms(Math.max(...rounds.map((r) => r.loop.max))),
    ms(mid((r) => r.loop.mean)),
    `${(100 * mid((r) => r.busy)).toFixed(1)}%`,
    ms(append?.p50),
    ms(append?.p99),
    ms(append?.max),
    String(rounds.reduce((n, r) => n + r.failed, 0)),
  ]);
}

/** SQLite's backfills by the events in its database; the legacy store's one. */
const sqliteBackfills = new Map<number, BackfillResults>();
let legacyBackfill: { events: number; results: BackfillResults } | undefined;
try {
  // A discarded first start: tsx's transform cache and the OS cache are warm for every measured one.
  const empty = join(root, 'empty');
  await mkdir(empty);
  await (await spawnServer({ entry: MAIN_ENTRY, dataDir: empty })).stop();
  await rm(empty, { recursive: true, force: true });
  await mkdir(empty);
  process.stderr.write('empty data directory: server starts…\n');
  footRow('sqlite, empty dir', 0, await measureStarts(MAIN_ENTRY, empty));
  await rm(empty, { recursive: true, force: true });
  await mkdir(empty);
  process.stderr.write('empty data directory, legacy file store: server starts…\n');
  footRow('file (legacy journal), empty dir', 0, await measureStarts(LEGACY_ENTRY, empty));
  await rm(empty, { recursive: true, force: true });

  const sqliteDir = join(root, 'sqlite');
  const legacyDir = join(root, 'legacy');
  const plan = { kind: 'sqlite' as const, dir: sqliteDir, ...SEED };
  for (const [i, total] of checkpoints.entries()) {
    process.stderr.write(`sqlite: seeding to ${count(total)} events…\n`);
    const seeded = await runSeed({ ...plan, total });
    const check = checkDatabase(sqliteDir);
    seedRow(
      i === 0 ? 'sqlite' : `sqlite (grown from ${count(checkpoints[i - 1]!)})`,
      seeded,
      check.dbBytes + check.walBytes,
    );
    checkRows.push([
      `sqlite ${count(total)}`,
      mb(check.dbBytes),
      mb(check.walBytes),
      ms(check.quickCheckMs),
      ms(check.integrityCheckMs),
      check.ok ? 'ok' : 'PROBLEMS',
    ]);
    const reads = await measureReads(sqliteDir, seeded.backfillSessionId);
    readRows.push([
      `sqlite ${count(total)}`,
      ms(reads.openMs),
      ms(reads.getSessionMs),
      ms(reads.page?.p50),
      ms(reads.page?.max),
      ms(reads.listPageMs),
      ms(reads.listAllMs),
      ms(reads.close),
    ]);
    process.stderr.write(`sqlite ${count(total)}: server starts…\n`);
    const touch = { sessionId: seeded.backfillSessionId, events: seeded.backfillEvents };
    footRow('sqlite', total, await measureStarts(MAIN_ENTRY, sqliteDir, touch));
    const sqliteTarget = {
      label: 'sqlite',
      entry: MAIN_ENTRY,
      dir: sqliteDir,
      sessionId: seeded.backfillSessionId,
    };

    if (total === checkpoints[0]) {
      process.stderr.write(`legacy file store: seeding to ${count(legacyEvents)} events…\n`);
      const legacy = await runSeed({ kind: 'file', dir: legacyDir, ...SEED, total: legacyEvents });
      seedRow('file (legacy journal)', legacy, await fileSize(join(legacyDir, JOURNAL_FILE)));
      process.stderr.write('legacy file store: server starts…\n');
      const lt = { sessionId: legacy.backfillSessionId, events: legacy.backfillEvents };
      footRow('file (legacy journal)', legacyEvents, await measureStarts(LEGACY_ENTRY, legacyDir, lt));
      process.stderr.write(`backfills, sqlite ${count(total)} and legacy file store in turn…\n`);
      const label = 'file (legacy journal)';
      const results = await measureBackfills([
        sqliteTarget,
        { label, entry: LEGACY_ENTRY, dir: legacyDir, sessionId: legacy.backfillSessionId },
      ]);
      backfillRow('sqlite', total, results.get('sqlite')!);
      sqliteBackfills.set(total, results.get('sqlite')!);
      backfillRow(label, legacyEvents, results.get(label)!);
      legacyBackfill = { events: legacyEvents, results: results.get(label)! };
      await rm(legacyDir, { recursive: true, force: true });
    } else {
      process.stderr.write(`sqlite ${count(total)}: backfills…\n`);
      const results = (await measureBackfills([sqliteTarget])).get('sqlite')!;
      backfillRow('sqlite', total, results);
      sqliteBackfills.set(total, results);
    }
  }
  await rm(sqliteDir, { recursive: true, force: true });

  process.stderr.write('event-loop delay…\n');
  const loop = { ratePerSec: loopRate, batchEvents: loopBatch };
  const log = {
    info: () => {},
    warn: (m: string) => process.stderr.write(`${m}\n`),
    error: (m: string) => process.stderr.write(`${m}\n`),
  };
  const dirs = {
    thread: join(root, 'loop-thread'),
    inline: join(root, 'loop-inline'),
    file: join(root, 'loop-file'),
  };
  const configs: { label: string; store: EventStore | null }[] = [
    { label: 'none (timers only)', store: null },
    { label: 'memory (no I/O)', store: createMemoryStore() },
    {
      label: 'sqlite, writer thread (default)',
      store: await openSqliteStore({ dir: dirs.thread, log, writer: { mode: 'thread' } }),
    },
    {
      label: 'sqlite, writer inline',
      store: await openSqliteStore({ dir: dirs.inline, log, writer: { mode: 'inline' } }),
    },
    { label: 'file (legacy journal)', store: await openLegacyFileStore(dirs.file, log.warn) },
  ];
  const rounds = configs.map(() => [] as LoopDelayResult[]);
  try {
    for (let round = 0; round < loopRounds; round++) {
      for (const [i, c] of configs.entries()) {
        rounds[i]!.push(await measureLoopDelay(c.store, { ...loop, seconds: loopSeconds / loopRounds }));
      }
    }
  } finally {
    for (const c of configs) await c.store?.close();
  }
  for (const [i, c] of configs.entries()) loopRow(c.label, rounds[i]!);
} finally {
  await rm(root, { recursive: true, force: true });
}

console.log(
  '\n1. seeding through the store API (200-event batches, 4 in flight; "open"/"close": the store\'s)',
);
console.log(
  formatTable(
    ['store', 'events', 'appended', 'append s', 'events/s', 'open ms', 'close ms', 'on disk MB'],
    seedRows,
  ),
);
console.log(
  `\n2. server process footprint: median of ${starts} fresh starts each; RSS after ${SETTLE_MS / 1000} s untouched, ` +
    `then after one sessions.list page + one plain SSE backfill of the ${count(BACKFILL_EVENTS)} session (+1 s); ` +
    'peak = VmHWM',
);
console.log(
  formatTable(
    ['data dir', 'events', 'start ms', 'start range', 'RSS MiB', 'touched MiB', 'peak MiB', 'Δ vs its empty'],
    footRows,
  ),
);
console.log('\n3. integrity check on a separate connection, no server running (page cache warm)');
console.log(
  formatTable(['database', 'db MB', 'wal MB', 'quick_check ms', 'integrity_check ms', 'result'], checkRows),
);
console.log(
  `\n3b. store calls as the server's main thread runs them (in this process, a freshly opened store, ` +
    `nothing cached): open; getSession; readEvents pages of 500 through the ${count(BACKFILL_EVENTS)} session ` +
    '(what a backfill reads); listSessions page of 101; listSessions() of all (the live session list)',
);
console.log(
  formatTable(
    [
      'database',
      'open ms',
      'getSession ms',
      'page p50 ms',
      'page max ms',
      'list 101 ms',
      'list all ms',
      'close ms',
    ],
    readRows,
  ),
);
console.log(
  `\n4. backfill of ${count(BACKFILL_EVENTS)} events to a new subscriber: open stream → last event; ` +
    `run 1 on a fresh server, then the median of the other ${backfillRuns - 1}`,
);
console.log(
  formatTable(
    ['store', 'events in db', 'transport', '1st event ms', 'run 1 ms', 'later ms', 'events/s (later)'],
    backfillRows,
  ),
);
for (const [events, results] of sqliteBackfills) {
  if (!legacyBackfill) break;
  const ratios = results.map(({ transport, runs }, i) => {
    const legacy = legacyBackfill!.results[i]!.runs;
    const m = (rs: BackfillRun[]) => median(rs.slice(rs.length > 1 ? 1 : 0).map((r) => r.ms));
    return `${transport} ${(m(runs) / m(legacy)).toFixed(2)}× (run 1: ${(runs[0]!.ms / legacy[0]!.ms).toFixed(2)}×)`;
  });
  console.log(
    `backfill time, sqlite ${count(events)} / legacy file ${count(legacyBackfill.events)} (later runs): ${ratios.join('; ')}`,
  );
}
console.log(
  `\n5. event-loop delay in one process appending ${loopBatch}-event batches at ${loopRate}/s, ${loopSeconds} s per ` +
    `store in ${loopRounds} rounds taking the stores in turn (fired without waiting; monitorEventLoopDelay, 1 ms ` +
    'resolution, so ~1 ms is the floor; busy = eventLoopUtilization, the share of the time the loop ran code, ' +
    'sub-millisecond blocks included; p50/p99/mean/busy: median of the rounds, max: of all, append: all pooled)',
);
console.log(
  formatTable(
    [
      'store',
      'batches',
      'acked/s',
      'loop p50',
      'loop p99',
      'loop max',
      'loop mean',
      'loop busy',
      'append p50',
      'append p99',
      'append max',
      'failed',
    ],
    loopRows,
  ),
);
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s; ${machineLine()}`);
