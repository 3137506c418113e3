/**
 * What an append costs, in one run, printed as plain tables (numbers, never pass/fail):
 *
 *   1. Keyed vs unkeyed, straight on the store: `append` (at-least-once), `appendOnce` with a fresh
 *      key per batch (exactly-once) and `appendOnce` again with a used key (a retry: answered
 *      `duplicate`), side by side on the memory store, the SQLite store (the default: a fresh data
 *      dir in the OS temp dir, WAL, synchronous=FULL, group commit on its writer thread), the legacy
 *      file store (NDJSON journal in the OS temp dir, fdatasync per write, all history in memory) and
 *      the Mongo store on the MongoDB wire-protocol test server (in this process). Modes alternate in
 *      rounds on one store; "× unkeyed" is the mode's time per append over unkeyed's (1.00 = same
 *      cost). For Mongo, "cmds/append" counts the store's commands (find/insert/update) the wire
 *      server received.
 *   2. append→delivery over SSE through the HTTP server (the typed client keys every append):
 *      memory vs SQLite vs Mongo.
 *
 * Run: `npm run bench:append [-- --quick] [--only memory,sqlite,file,mongo] [--batch 1]
 * [--concurrency 1] [--events 2000] [--delivery-concurrency 8] [--no-delivery]`. About a minute;
 * `--quick` ~15 s.
 */
import { parseArgs } from 'node:util';
import { startMongoWireServer } from '../support/mongoWire/createMongoWireServer.ts';
import { type BenchStore, openBenchStore, type StoreKind } from './append/benchStores.ts';
import { compareModes, MODES, type ModePlan } from './append/compareModes.ts';
import { measureDelivery } from './append/deliveryLatency.ts';
import { formatTable } from './append/formatTable.ts';
import { latencyStats, ms, rate } from './append/latencyStats.ts';
import { machineLine } from './append/machineLine.ts';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: 'memory,sqlite,file,mongo' },
    batch: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '1' },
    events: { type: 'string' },
    'delivery-concurrency': { type: 'string', default: '8' },
    'no-delivery': { type: 'boolean', default: false },
  },
});
const positive = (name: string, text: string, max: number): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0 || n > max)
    throw new Error(`--${name} must be an integer from 1 to ${max}`);
  return n;
};
const KINDS: StoreKind[] = ['memory', 'sqlite', 'file', 'mongo'];
const kinds = flags.only.split(',').map((s) => s.trim()) as StoreKind[];
const unknown = kinds.filter((k) => !KINDS.includes(k));
if (unknown.length > 0) throw new Error(`--only takes ${KINDS.join(', ')}; not ${unknown.join(', ')}`);
const quick = flags.quick;
const batchSize = positive('batch', flags.batch, 1000);
const concurrency = positive('concurrency', flags.concurrency, 64);
const deliveryEvents = positive('events', flags.events ?? (quick ? '500' : '2000'), 100_000);
const deliveryConcurrency = positive('delivery-concurrency', flags['delivery-concurrency'], 64);

/** Batches per mode: the memory store is ~100× faster than the others, so it gets more. */
const COUNTS: Record<StoreKind, number> = quick
  ? { memory: 5_000, sqlite: 300, file: 300, mongo: 300 }
  : { memory: 20_000, sqlite: 1_500, file: 1_500, mongo: 1_500 };
const planFor = (kind: StoreKind): ModePlan => ({
  count: COUNTS[kind],
  rounds: quick ? 2 : 4,
  batchSize,
  concurrency,
  warmup: Math.ceil(COUNTS[kind] / 10),
});

process.once('SIGINT', () => process.exit(130));
const started = performance.now();
console.log(`livetrail append bench: ${machineLine()}, ${new Date().toISOString()}`);
const wire = await startMongoWireServer();
try {
  console.log(
    `\n1. store append cost, keyed vs unkeyed: ${batchSize}-event batches, ${concurrency} in flight, ` +
      `${quick ? 2 : 4} alternating rounds per store (after a warm-up)`,
  );
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const kind of kinds) {
    const bench: BenchStore = await openBenchStore(kind, wire);
    try {
      const tallies = await compareModes(bench, planFor(kind));
      const perAppend = (mode: (typeof MODES)[number]) => tallies[mode].elapsedMs / tallies[mode].appends;
      for (const mode of MODES) {
        const t = tallies[mode];
        const stats = latencyStats(t.latencies);
        rows.push([
          bench.label,
          mode,
          String(t.appends),
          rate((1000 * t.appends) / t.elapsedMs),
          ms(stats?.p50),
          ms(stats?.p99),
          ms(stats?.max),
          (perAppend(mode) / perAppend('unkeyed')).toFixed(2),
          bench.commandCounter ? (t.commands / t.appends).toFixed(2) : '-',
        ]);
        if (t.wrongDuplicateFlag > 0)
          notes.push(
            `${bench.label} ${mode}: ${t.wrongDuplicateFlag} answers had the wrong "duplicate" flag`,
          );
      }
    } finally {
      await bench.close();
    }
  }
  console.log(
    formatTable(
      ['store', 'mode', 'appends', 'appends/s', 'p50 ms', 'p99 ms', 'max ms', '× unkeyed', 'cmds/append'],
      rows,
    ),
  );
  if (notes.length === 0) notes.push('duplicate flags: all as expected (retries duplicate, first tries not)');
  if (kinds.includes('mongo'))
    notes.push(
      'mongo: the wire test server answers every find by scanning the whole collection (it keeps no index), so ' +
        "the key lookup of keyed appends and retries grows with the batches stored (all modes' sessions share one " +
        'collection); on MongoDB it is a point lookup on the {sessionId, key} index',
    );
  console.log(notes.join('\n'));

  if (!flags['no-delivery']) {
    console.log(
      `\n2. append→delivery over SSE through the HTTP server: ${deliveryEvents} single-event appends ` +
        `(keyed by the client), ${deliveryConcurrency} in flight`,
    );
    const delivery: string[][] = [];
    for (const kind of ['memory', 'sqlite', 'mongo'] as const) {
      const bench = await openBenchStore(kind, wire);
      const r = await measureDelivery(bench.store, deliveryEvents, deliveryConcurrency);
      // measureDelivery closed the store; sqlite's close is idempotent, and this removes its data dir.
      if (kind === 'sqlite') await bench.close();
      delivery.push([
        bench.label,
        rate(r.appendsPerSec),
        ms(r.latency?.p50),
        ms(r.latency?.p99),
        ms(r.latency?.max),
        r.delivered === deliveryEvents ? 'all' : `${r.delivered}/${deliveryEvents}`,
      ]);
    }
    console.log(formatTable(['store', 'appends/s', 'p50 ms', 'p99 ms', 'max ms', 'delivered'], delivery));
  }
} finally {
  await wire.stop();
}
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s; ${machineLine()}`);
