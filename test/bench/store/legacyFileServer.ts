/**
 * A spawnable livetrail server on the legacy file store (which `LIVETRAIL_STORE` no longer selects:
 * `file` now names SQLite): reads the same environment as server/main.ts, opens the journal in
 * `LIVETRAIL_DATA_DIR` with openLegacyFileStore, serves it with createLivetrailServer and prints the
 * same `livetrail: serving on <url> (store: file)` line. SIGTERM/SIGINT close it.
 * Run: `node --import tsx test/bench/store/legacyFileServer.ts`.
 */
import { fromEnv } from '../../../server/config.ts';
import { createLivetrailServer } from '../../../server/http/createLivetrailServer.ts';
import { createLogger } from '../../../server/logger.ts';
import { openLegacyFileStore } from './legacyFileStore.ts';

const config = fromEnv(process.env);
const log = createLogger(config.logLevel);
const store = await openLegacyFileStore(config.dataDir, (m) => log.warn(m));
const app = await createLivetrailServer({ config, store, log });
process.stdout.write(`livetrail: serving on ${app.url} (store: ${store.kind})\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 5_000).unref();
  await app.close();
  await store.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
