/**
 * A livetrail process with no viewers: it opens the Mongo store on argv[2] (uri) / argv[3] (db),
 * counts what its change stream brings, and on each IPC `report` answers how much CPU it has spent
 * since the previous one and how many batches it saw.
 */
import { createLogger } from '../../../server/logger.ts';
import { createMongoStore } from '../../../server/store/mongoStore.ts';

const [uri, dbName] = process.argv.slice(2) as [string, string];
const store = await createMongoStore({ uri, dbName, log: createLogger('silent') });
let batches = 0;
store.watch((change) => {
  if (change.kind === 'events') batches++;
});
let last = process.cpuUsage();
process.on('message', (m: { type: string }) => {
  if (m.type === 'report') {
    const used = process.cpuUsage(last);
    last = process.cpuUsage();
    process.send!({ type: 'report', cpuMs: (used.user + used.system) / 1000, batches });
    batches = 0;
  } else if (m.type === 'stop') {
    void store.close().then(() => process.exit(0));
  }
});
process.send!({ type: 'ready' });
