/**
 * `npm run bench:idle [-- --batches N]`: what a livetrail process that nobody
 * watches pays for other processes' appends on the same MongoDB (the wire test server): every
 * process's one change stream carries every batch, so its CPU grows with the payload written
 * anywhere. Prints the idle process's CPU per batch for small and large events, and the ratio.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '../../server/logger.ts';
import { createMongoStore } from '../../server/store/mongoStore.ts';
import { startMongoWireServer } from '../support/mongoWire/createMongoWireServer.ts';
import { freshDbName } from '../support/openMongoFixture.ts';
import { REPO_ROOT } from '../support/repoRoot.ts';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '300' } } });
const batches = Number(values.batches);
const OBSERVER = fileURLToPath(new URL('./append/idleObserver.ts', import.meta.url));

const wire = await startMongoWireServer();
const dbName = freshDbName();
const writer = await createMongoStore({ uri: wire.uri, dbName, log: createLogger('silent') });
const child = fork(OBSERVER, [wire.uri, dbName], { cwd: REPO_ROOT, execArgv: ['--import', 'tsx'] });
const next = (type: string) =>
  new Promise<{ cpuMs: number; batches: number }>((resolve) => {
    const on = (m: { type: string; cpuMs: number; batches: number }) => {
      if (m.type !== type) return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
  });
await next('ready');

async function phase(label: string, textBytes: number) {
  const s = await writer.createSession({ title: label, agent: 'bench' });
  await new Promise((r) => setTimeout(r, 500));
  child.send({ type: 'report' });
  await next('report');
  const text = 'x'.repeat(textBytes);
  for (let i = 0; i < batches; i++) await writer.append(s.id, [{ type: 'thought', text }]);
  await new Promise((r) => setTimeout(r, 1000));
  child.send({ type: 'report' });
  const r = await next('report');
  return { label, textBytes, ...r, perBatch: r.cpuMs / Math.max(1, r.batches) };
}

await phase('warm-up', 100); // JIT and connection pools, not counted
const small = await phase('small', 100);
const large = await phase('large', 100_000);
const rows = [small, large];
console.log('event text  batches seen  idle-process CPU ms  CPU ms per batch');
for (const r of rows) {
  console.log(
    `${String(r.textBytes).padStart(9)} B  ${String(r.batches).padStart(12)}  ${r.cpuMs.toFixed(0).padStart(19)}  ${r.perBatch.toFixed(3).padStart(16)}`,
  );
}
console.log(`large/small CPU per batch: ${(large.perBatch / small.perBatch).toFixed(1)}×`);
child.send({ type: 'stop' });
await new Promise((r) => child.once('exit', r));
await writer.close();
await wire.stop();
