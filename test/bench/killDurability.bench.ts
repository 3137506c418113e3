/**
 * Does an acknowledged append survive SIGKILL? Printed as plain numbers (never pass/fail).
 *
 * A livetrail server on the SQLite store (server/main.ts, its own process, a fresh data directory)
 * takes appends from async producers in this process over plain HTTP (`POST /trpc/events.append`,
 * one call at a time each, batches of 1..20 thought events, an `Idempotency-Key` per batch), two
 * producers per session. The server is killed with SIGKILL at random moments (every 0.5–2 s of
 * uptime) and started again at once on the same data directory and port. A try without an answer
 * (refused, reset, timed out, 5xx) is resent with the same key and the same events until answered,
 * so a batch stored just before a kill is answered `duplicate` with its original seqs on a retry.
 * After the last kill the producers finish their calls and stop, the server is SIGKILLed once more,
 * and the data directory is opened with openSqliteStore (recovery as at a real start) and every
 * session read back with readEvents:
 *   acknowledged / stored       events the producers were told are stored / events the store holds
 *   lost                        acknowledged events missing from the store
 *   partial batches             batches stored in part (each batch must be all or nothing)
 *   duplicates                  extra copies of an event (same text stored twice)
 *   misplaced                   acknowledged events stored at another seq than the answer said
 *   split batches               whole batches not at consecutive seqs
 *   seqs                        per session: whether the stored seqs are 1..N, and = session.lastSeq
 * A correct store shows 0 for lost, partial, duplicates, misplaced and split.
 *
 * Run: `npm run bench:kill [-- --kills 25] [--producers 4] [--max-batch 20] [--quick]`. About
 * 1–1.5 min; `--quick` (6 kills) ~20 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Session, StoredEvent } from '@livetrail/client';
import type { EventStore } from '../../server/store/eventStore.ts';
import { openSqliteStore } from '../../server/store/openSqliteStore.ts';
import { formatTable } from './append/formatTable.ts';
import { latencyStats, ms, rate } from './append/latencyStats.ts';
import { machineLine } from './append/machineLine.ts';
import { readAllEvents } from './append/readAllEvents.ts';
import { checkStored } from './kill/checkStored.ts';
import { producerContext, runProducer } from './kill/killProducer.ts';
import { postTrpc } from './kill/postTrpc.ts';
import { MAIN_ENTRY, type SpawnedServer, spawnServer } from './store/spawnServer.ts';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    kills: { type: 'string' },
    producers: { type: 'string', default: '4' },
    'max-batch': { type: 'string', default: '20' },
    'min-up-ms': { type: 'string', default: '500' },
    'max-up-ms': { type: 'string', default: '2000' },
  },
});
const positive = (name: string, text: string, max: number): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0 || n > max)
    throw new Error(`--${name} must be an integer from 1 to ${max}`);
  return n;
};
const kills = positive('kills', flags.kills ?? (flags.quick ? '6' : '25'), 1000);
const producers = positive('producers', flags.producers, 64);
const maxBatch = positive('max-batch', flags['max-batch'], 1000);
const minUpMs = positive('min-up-ms', flags['min-up-ms'], 60_000);
const maxUpMs = positive('max-up-ms', flags['max-up-ms'], 60_000);
if (maxUpMs < minUpMs) throw new Error('--max-up-ms must be at least --min-up-ms');
const PRODUCERS_PER_SESSION = 2;
/** Producers keep going this long after the last kill-and-restart (they are seen to recover). */
const TAIL_MS = 1_500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const storeLog = {
  info: () => {},
  warn: (m: string) => process.stderr.write(`store: ${m}\n`),
  error: (m: string) => process.stderr.write(`store: ${m}\n`),
};

process.once('SIGINT', () => process.exit(130));
const started = performance.now();
const sessionCount = Math.ceil(producers / PRODUCERS_PER_SESSION);
console.log(`livetrail kill bench: ${machineLine()}, ${new Date().toISOString()}`);
console.log(
  `${producers} producers (${PRODUCERS_PER_SESSION} per session, ${sessionCount} sessions), keyed batches of ` +
    `1–${maxBatch} events over HTTP, retried with the same key until answered; ${kills} SIGKILLs after ` +
    `${minUpMs}–${maxUpMs} ms of uptime each, restarted at once on the same data dir and port`,
);

const dir = await mkdtemp(join(tmpdir(), 'livetrail-kill-bench-'));
let server: SpawnedServer | undefined;
const restartMs: number[] = [];
const inFlightAtKill: number[] = [];
let url = '';
let running = true;
const ctx = producerContext(
  () => url,
  () => running,
  maxBatch,
);
const stored = new Map<string, { events: StoredEvent[]; lastSeq: number | undefined }>();
let produceMs = 0;
try {
  server = await spawnServer({ entry: MAIN_ENTRY, dataDir: dir });
  url = server.url;
  const port = server.port;
  const sessionIds: string[] = [];
  for (let i = 0; i < sessionCount; i++) {
    const out = await postTrpc<Session>(url, 'sessions.create', `kill-session-${i}`, { title: `kill-${i}` });
    if (!out.ok) throw new Error(`sessions.create: ${out.why}`);
    sessionIds.push(out.data.id);
  }

  const t0 = performance.now();
  const work = Array.from({ length: producers }, (_, i) =>
    runProducer(ctx, sessionIds[Math.floor(i / PRODUCERS_PER_SESSION)]!, `p${i}`),
  );
  for (let k = 0; k < kills; k++) {
    await sleep(minUpMs + Math.random() * (maxUpMs - minUpMs));
    inFlightAtKill.push(ctx.inFlight.count);
    await server.stop('SIGKILL');
    server = await spawnServer({ entry: MAIN_ENTRY, dataDir: dir, port });
    restartMs.push(server.startMs);
    url = server.url;
    process.stderr.write(`kill ${k + 1}/${kills}: restarted in ${ms(server.startMs)} ms\n`);
  }
  await sleep(TAIL_MS);
  running = false;
  await Promise.all(work);
  produceMs = performance.now() - t0;
  // The final kill: nothing is in flight, so every acknowledged batch must be on disk as is.
  await server.stop('SIGKILL');
  server = undefined;

  const store: EventStore = await openSqliteStore({ dir, log: storeLog });
  try {
    for (const id of sessionIds) {
      stored.set(id, {
        events: await readAllEvents(store, id),
        lastSeq: (await store.getSession(id))?.lastSeq,
      });
    }
  } finally {
    await store.close();
  }
} finally {
  running = false;
  await server?.stop('SIGKILL');
  await rm(dir, { recursive: true, force: true });
}

const check = checkStored(ctx.batches, stored);
const tries = ctx.batches.reduce((n, b) => n + b.tries, 0);
const restart = latencyStats(restartMs);
const append = latencyStats(ctx.latencies);
const failures = [...ctx.failures].map(([why, n]) => `${why} ${n}`).join(', ') || 'none';

console.log('\n1. the run');
console.log(
  formatTable(
    [
      'kills',
      'restart p50 ms',
      'restart max ms',
      'in flight at kills',
      'batches',
      'tries',
      'batches/s',
      'ack p50 ms',
      'ack p99 ms',
      'ack max ms',
    ],
    [
      [
        `${kills} + final`,
        ms(restart?.p50),
        ms(restart?.max),
        String(inFlightAtKill.reduce((a, b) => a + b, 0)),
        String(ctx.batches.length),
        String(tries),
        rate((1000 * check.batchesAcked) / produceMs),
        ms(append?.p50),
        ms(append?.p99),
        ms(append?.max),
      ],
    ],
  ),
);
console.log(`unanswered tries by cause: ${failures}`);
console.log(
  "(restart: spawn → `serving on` after the SIGKILL, node + tsx start-up and the store's open included)",
);

console.log('\n2. what is stored vs what was acknowledged');
console.log(
  formatTable(
    [
      'acked batches',
      'acked as duplicate',
      'refused',
      'acked events',
      'stored events',
      'lost',
      'partial batches',
      'duplicates',
      'misplaced',
      'split batches',
      'unknown',
    ],
    [
      [
        String(check.batchesAcked),
        String(check.batchesAckedDuplicate),
        String(check.batchesRefused),
        String(check.eventsAcked),
        String(check.eventsStored),
        String(check.lostEvents),
        String(check.partialBatches),
        String(check.duplicateEvents),
        String(check.misplacedEvents),
        String(check.splitBatches),
        String(check.unknownEvents),
      ],
    ],
  ),
);
console.log('\n3. seqs per session');
console.log(
  formatTable(
    ['session', 'stored', 'session.lastSeq', 'seqs'],
    check.sessions.map((s) => [
      s.sessionId,
      String(s.stored),
      String(s.lastSeq ?? '-'),
      s.seqs ?? `1..${s.stored}, gap-free`,
    ]),
  ),
);
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s; ${machineLine()}`);
