/**
 * Appends through failovers, printed as plain numbers (never pass/fail). The MongoDB wire-protocol
 * test server, a livetrail HTTP server on the Mongo store and the producers all run in this process.
 * The store rides out an election by itself for `serverSelectionTimeoutMS` (20 s in production); the
 * bench gives it 1 s (`--store-retry-ms`) so that the longer elections outlast it, the server answers
 * 503 and the client's own retries (same key) are exercised too. Producers append keyed batches of 1–3 events continuously, two
 * per session on a few sessions, with the typed client over HTTP (it keys each call and retries
 * network errors and 5xx with the same key), while the wire server fails over several times: rollbacks
 * after a replication pause (acknowledged-by-one-node writes to undo), rollbacks with nothing to undo
 * (connections and cursors still dropped), and one plain stepdown. Then every session is read back
 * with readEvents and compared with what the producers were told:
 *   appends attempted / failed   calls made / calls that reached the producer as an error
 *   longest append               one call, the client's retries included
 *   events acknowledged / lost   events of acknowledged calls / those missing after the run
 *   events duplicated            extra copies of an event (each batch's events carry a unique id)
 *   misplaced                    acknowledged events not at the seq the acknowledgement named
 *   seqs                         whether every session's seqs are 1..N
 * Run: `npm run bench:failover [-- --quick] [--sessions 3] [--gap-ms 2500] [--store-retry-ms 1000]`. About 25 s; `--quick` ~12 s.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createLivetrailClient, retryJitterMs, type StoredEvent } from '@livetrail/client';
import { defaultConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { createMongoStore } from '../../server/store/mongoStore.ts';
import { startMongoWireServer } from '../support/mongoWire/createMongoWireServer.ts';
import { freshDbName } from '../support/openMongoFixture.ts';
import { startTestServer } from '../support/startTestServer.ts';
import { checkFailover } from './append/checkFailover.ts';
import { faultPlan, runFaults } from './append/failoverFaults.ts';
import { type BatchRecord, produce } from './append/failoverProducer.ts';
import { formatTable } from './append/formatTable.ts';
import { latencyStats, ms } from './append/latencyStats.ts';
import { machineLine } from './append/machineLine.ts';
import { readAllEvents } from './append/readAllEvents.ts';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sessions: { type: 'string', default: '3' },
    'gap-ms': { type: 'string' },
    'store-retry-ms': { type: 'string', default: '1000' },
  },
});
const sessionCount = Number(flags.sessions);
if (!Number.isInteger(sessionCount) || sessionCount < 1 || sessionCount > 50)
  throw new Error('--sessions must be an integer from 1 to 50');
const gapMs = Number(flags['gap-ms'] ?? (flags.quick ? 1_500 : 2_500));
if (!(gapMs >= 100 && gapMs <= 30_000)) throw new Error('--gap-ms must be from 100 to 30000');
const storeRetryMs = Number(flags['store-retry-ms']);
if (!(storeRetryMs >= 100 && storeRetryMs <= 60_000))
  throw new Error('--store-retry-ms must be from 100 to 60000');
const PRODUCERS_PER_SESSION = 2;
/** How long producers keep going after the last fault (so they are seen to recover). */
const TAIL_MS = 2_000;
/** Longest wait for producers to finish their last call once told to stop. */
const DRAIN_MS = 60_000;

process.once('SIGINT', () => process.exit(130));
const started = performance.now();
const faults = faultPlan(flags.quick);
console.log(`livetrail failover bench: ${machineLine()}, ${new Date().toISOString()}`);
console.log(
  `${sessionCount} sessions × ${PRODUCERS_PER_SESSION} producers, keyed batches of 1–3 events over HTTP ` +
    `(typed client, default retries), store retry window ${storeRetryMs} ms, ${faults.length} faults ${gapMs} ms apart:`,
);

/** The store's warnings, counted by message (the logger is otherwise silent). */
const warnings = new Map<string, number>();
const log = createLogger('silent');
log.warn = ((details: object, msg?: string) => {
  const text = msg ?? (details as { msg?: string }).msg ?? String(details);
  warnings.set(text, (warnings.get(text) ?? 0) + 1);
}) as typeof log.warn;

const wire = await startMongoWireServer();
const store = await createMongoStore({
  uri: wire.uri,
  dbName: freshDbName(),
  log,
  serverSelectionTimeoutMS: storeRetryMs,
});
const limits = { ...defaultConfig().limits, appendRatePerSec: 1_000_000, appendBurst: 10_000_000 };
const app = await startTestServer({ store, config: { limits } });
let clientRetries = 0;
const client = createLivetrailClient({
  url: app.url,
  writeRetry: {
    delayMs: (attempt) => {
      clientRetries++;
      return retryJitterMs(attempt);
    },
  },
});
const records: BatchRecord[] = [];
const stored = new Map<string, StoredEvent[] | Error>();
let faultLines: string[] = [];
let drained = true;
try {
  const sessions = [];
  for (let i = 0; i < sessionCount; i++)
    sessions.push(await client.api.sessions.create.mutate({ title: `failover ${i}`, agent: 'bench' }));
  let running = true;
  const t0 = performance.now();
  const producers = sessions.flatMap((s, i) =>
    Array.from({ length: PRODUCERS_PER_SESSION }, (_, k) =>
      produce({ client, sessionId: s.id, tag: `s${i}p${k}`, running: () => running, records }),
    ),
  );
  faultLines = await runFaults(wire, faults, gapMs, t0);
  await new Promise((r) => setTimeout(r, TAIL_MS));
  running = false;
  let timer: NodeJS.Timeout | undefined;
  drained = await Promise.race([
    Promise.all(producers).then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), DRAIN_MS))),
  ]);
  clearTimeout(timer);
  console.log(faultLines.join('\n'));
  console.log(`  producers ran ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  for (const s of sessions) {
    try {
      const events = await readAllEvents(store, s.id);
      const head = (await store.getSession(s.id))?.lastSeq;
      if (head !== events.length)
        console.log(`session ${s.id}: lastSeq ${head}, but ${events.length} events stored`);
      stored.set(s.id, events);
    } catch (err) {
      stored.set(s.id, err as Error);
    }
  }
} finally {
  client.close();
  await app.stop();
  await wire.stop();
}

const tally = checkFailover(records, stored);
const finished = records.filter((r) => r.ack || r.error !== undefined);
const failed = records.filter((r) => r.error !== undefined);
const stats = latencyStats(finished.map((r) => r.ms));
console.log(
  formatTable(
    [
      'appends attempted',
      'failed',
      'p50 ms',
      'p99 ms',
      'longest ms',
      'events acked',
      'lost',
      'duplicated',
      'misplaced',
      'seqs',
    ],
    [
      [
        String(records.length),
        String(failed.length),
        ms(stats?.p50),
        ms(stats?.p99),
        ms(stats?.max),
        String(tally.eventsAcked),
        String(tally.lost),
        String(tally.duplicated),
        String(tally.misplaced),
        tally.seqProblems.length === 0 ? 'gap-free' : 'BROKEN',
      ],
    ],
  ),
);
const duplicateAnswers = records.filter((r) => r.ack?.duplicate).length;
console.log(
  `\nclient retries: ${clientRetries}; calls answered duplicate (a retry found the first try stored): ` +
    `${duplicateAnswers}; events of failed calls stored anyway: ${tally.storedThoughFailed}` +
    `${drained ? '' : `; producers still in flight after ${DRAIN_MS / 1000} s: counted as attempted`}`,
);
if (failed[0]) console.log(`first failure: ${failed[0].error}`);
for (const p of tally.seqProblems) console.log(`seqs: ${p}`);
for (const e of tally.examples) console.log(e);
const warned = [...warnings].map(([m, n]) => `${m} ×${n}`).join('; ');
console.log(`store warnings: ${warned || 'none'}`);
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s; ${machineLine()}`);
