import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { EventStore } from './eventStore.ts';
import { createMemoryStore } from './memoryStore.ts';

/** Opens the store the config names. */
export async function createStore(config: Config, log: Logger): Promise<EventStore> {
  const warn = (message: string) => log.warn(message);
  switch (config.store) {
    case 'memory':
      return createMemoryStore({ warn });
    case 'mongo': {
      const { createMongoStore } = await import('./mongoStore.ts');
      return createMongoStore({
        uri: config.mongoUri!,
        dbName: config.mongoDb,
        log,
        timeoutMs: config.mongoTimeoutMs,
        serverSelectionTimeoutMS: config.mongoServerSelectionMs,
      });
    }
    case 'sqlite': {
      const { openSqliteStore } = await import('./openSqliteStore.ts');
      return openSqliteStore({
        dir: config.dataDir,
        recover: config.recover,
        log: { info: (m) => log.info(m), warn, error: (m) => log.error(m) },
      });
    }
  }
}
