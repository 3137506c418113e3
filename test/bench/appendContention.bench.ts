/**
 * Many processes appending to ONE hot session on the Mongo store, printed as a plain table (numbers,
 * never pass/fail). The MongoDB wire-protocol test server runs in this process (so its command log
 * can be read); for each row, 1, 4 and 16 writer PROCESSES each open their own Mongo store
 * (production defaults) on one fresh database and append single-event batches to the same session,
 * one at a time each, as fast as they are acknowledged, for a fixed time (after 100 warm-up appends
 * each to a session of its own in a scratch database, not counted). Per row:
 *   appends/s      acknowledged appends in all / the longest writer's run time
 *   inserts/append insert commands the wire server received for the database (each one an attempt
 *                  to store a batch: the only inserts during the run are on the events collection,
 *                  the session document is written with update) / acknowledged appends
 *   finds/append   find commands (head re-reads after a collision, nonce checks) / acknowledged appends
 *   updates/append session-document writes (one per append, plus repairs) / acknowledged appends
 *   p50/p99/max    per acknowledged append, over every writer
 *   per writer     fewest–most appends one writer got (fairness)
 *   server CPU     this process (the wire server) over the run, % of one core
 *   writers CPU    all writer processes together over the run, % of one core (2 cores = 200%)
 * then reads the session back and checks its seqs are 1..N with no gap or duplicate, and that every
 * acknowledged append is stored once at the seq it was acknowledged with.
 * Run: `npm run bench:contention [-- --quick] [--writers 1,4,16] [--seconds 5]`. About a minute
 * (starting 16 writer processes on 2 cores takes a while); `--quick` runs 2 s per row.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createLogger } from '../../server/logger.ts';
import { createMongoStore } from '../../server/store/mongoStore.ts';
import { startMongoWireServer } from '../support/mongoWire/createMongoWireServer.ts';
import { freshDbName } from '../support/openMongoFixture.ts';
import { checkContention } from './append/checkContention.ts';
import { countCommands } from './append/countCommands.ts';
import { formatTable } from './append/formatTable.ts';
import { latencyStats, ms, rate } from './append/latencyStats.ts';
import { machineLine } from './append/machineLine.ts';
import { readAllEvents } from './append/readAllEvents.ts';
import { spawnWriters } from './append/spawnWriters.ts';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    writers: { type: 'string', default: '1,4,16' },
    seconds: { type: 'string' },
  },
});
const writerCounts = flags.writers.split(',').map(Number);
if (writerCounts.some((n) => !Number.isInteger(n) || n < 1 || n > 32))
  throw new Error('--writers takes a list of integers from 1 to 32');
const seconds = Number(flags.seconds ?? (flags.quick ? 2 : 5));
if (!(seconds > 0 && seconds <= 60)) throw new Error('--seconds must be from 0 to 60');
const durationMs = seconds * 1000;

process.once('SIGINT', () => process.exit(130));
const started = performance.now();
console.log(`livetrail append contention bench: ${machineLine()}, ${new Date().toISOString()}`);
console.log(
  `one hot session, single-event appends, one in flight per writer process, ${seconds} s per row; ` +
    'the wire test server runs in the parent process and shares the cores with the writers\n',
);

const log = createLogger('silent');
const wire = await startMongoWireServer();
const rows: string[][] = [];
const verdicts: string[] = [];
try {
  for (const writers of writerCounts) {
    const dbName = freshDbName();
    const setup = await createMongoStore({ uri: wire.uri, dbName, log });
    const session = await setup.createSession({ title: 'hot', agent: 'bench' });
    await setup.close();
    const configs = Array.from({ length: writers }, (_, index) => ({
      uri: wire.uri,
      dbName,
      sessionId: session.id,
      index,
    }));
    process.stderr.write(`starting ${writers} writer process(es)…\n`);
    const group = await spawnWriters(configs, 30_000 + writers * 5_000);
    let reports: Awaited<ReturnType<typeof group.run>>;
    const counter = countCommands(wire, dbName);
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    try {
      reports = await group.run(durationMs, durationMs + 60_000);
    } finally {
      await group.kill();
    }
    const wall = performance.now() - t0;
    const used = process.cpuUsage(cpu);
    const counts = counter.stop();

    const acked = reports.reduce((sum, r) => sum + r.appends, 0);
    const errors = reports.reduce((sum, r) => sum + r.errors, 0);
    const elapsed = Math.max(...reports.map((r) => r.elapsedMs));
    const stats = latencyStats(reports.flatMap((r) => r.latencies));
    const per = reports.map((r) => r.appends);
    const perAck = (name: string) => (acked > 0 ? ((counts.byName.get(name) ?? 0) / acked).toFixed(2) : '-');
    rows.push([
      String(writers),
      rate((1000 * acked) / elapsed),
      String(acked),
      String(errors),
      perAck('insert') + (counts.overflowed ? ' (log overflowed)' : ''),
      perAck('find'),
      perAck('update'),
      ms(stats?.p50),
      ms(stats?.p99),
      ms(stats?.max),
      `${Math.min(...per)}–${Math.max(...per)}`,
      `${((100 * (used.user + used.system)) / 1000 / wall).toFixed(0)}%`,
      `${((100 * reports.reduce((sum, r) => sum + r.cpuMs, 0)) / wall).toFixed(0)}%`,
    ]);
    const firstError = reports.find((r) => r.firstError)?.firstError;
    if (firstError) verdicts.push(`${writers} writers: first error: ${firstError}`);

    const reader = await createMongoStore({ uri: wire.uri, dbName, log });
    try {
      const stored = await readAllEvents(reader, session.id);
      const problems = checkContention(stored, reports);
      const head = (await reader.getSession(session.id))?.lastSeq;
      if (head !== stored.length)
        problems.push(`session lastSeq is ${head}, but ${stored.length} events are stored`);
      verdicts.push(
        `${writers} writers: ${problems.length === 0 ? `seqs ok (1..${stored.length}, every acknowledged append once at its seq)` : problems.join('; ')}`,
      );
    } catch (err) {
      verdicts.push(`${writers} writers: reading the session back failed: ${(err as Error).message}`);
    } finally {
      await reader.close();
    }
  }
} finally {
  await wire.stop();
}
console.log(
  formatTable(
    [
      'writers',
      'appends/s',
      'appends',
      'errors',
      'inserts/append',
      'finds/append',
      'updates/append',
      'p50 ms',
      'p99 ms',
      'max ms',
      'per writer',
      'server CPU',
      'writers CPU',
    ],
    rows,
  ),
);
console.log(`\n${verdicts.join('\n')}`);
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s; ${machineLine()}`);
