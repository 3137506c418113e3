/**
 * One writer process of the contention bench: warms up (appends to a session of its own in a
 * scratch database, so the timed run measures JIT-compiled code, not a cold process), opens its
 * own Mongo store (production defaults) on the database it is given, says `ready`, and on `go` appends single-event batches to the one hot
 * session, one after another, as fast as they are acknowledged, until the duration is over; then
 * reports what it saw and exits. Started by spawnWriters.ts, never by hand.
 */
import { performance } from 'node:perf_hooks';
import { createLogger } from '../../../server/logger.ts';
import { createMongoStore } from '../../../server/store/mongoStore.ts';
import { type GoMessage, type WriterConfig, type WriterMessage, writerText } from './contentionProtocol.ts';

const send = (message: WriterMessage) =>
  new Promise<void>((resolve) => process.send!(message, undefined, {}, () => resolve()));

/** Appends each writer makes before it says ready. */
const WARMUP_APPENDS = 100;

async function warmUp(config: WriterConfig): Promise<void> {
  const log = createLogger('silent');
  const scratch = await createMongoStore({ uri: config.uri, dbName: `${config.dbName}_warm`, log });
  try {
    const { id } = await scratch.createSession({ title: `warm-up ${config.index}`, agent: 'bench' });
    for (let i = 0; i < WARMUP_APPENDS; i++)
      await scratch.append(id, [{ type: 'thought', text: `warm ${i}` }]);
  } finally {
    await scratch.close();
  }
}

async function main(config: WriterConfig): Promise<void> {
  await warmUp(config);
  const store = await createMongoStore({
    uri: config.uri,
    dbName: config.dbName,
    log: createLogger('silent'),
  });
  const go = new Promise<GoMessage>((resolve) =>
    process.on('message', (m: GoMessage) => {
      if (m.type === 'go') resolve(m);
    }),
  );
  await send({ type: 'ready' });
  const { durationMs } = await go;
  const latencies: number[] = [];
  const acked: [number, number][] = [];
  let errors = 0;
  let firstError: string | undefined;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  for (let n = 0; performance.now() < deadline; n++) {
    const t = performance.now();
    try {
      const [stored] = await store.append(config.sessionId, [
        { type: 'thought', text: writerText(config.index, n) },
      ]);
      latencies.push(performance.now() - t);
      acked.push([n, stored!.seq]);
    } catch (err) {
      errors++;
      firstError ??= (err as Error).message;
    }
  }
  const elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  await send({ type: 'done', appends: acked.length, errors, firstError, elapsedMs, cpuMs, latencies, acked });
  await store.close();
}

// An orphan (the bench died) must not keep appending.
process.once('disconnect', () => process.exit(1));

main(JSON.parse(process.argv[2] ?? '') as WriterConfig).then(
  () => process.exit(0),
  async (err: Error) => {
    await send({ type: 'failed', error: err.stack ?? err.message });
    process.exit(1);
  },
);
