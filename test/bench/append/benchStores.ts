import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../server/logger.ts';
import type { EventStore } from '../../../server/store/eventStore.ts';
import { openFileJournal } from '../../../server/store/fileJournal.ts';
import { createMemoryStore } from '../../../server/store/memoryStore.ts';
import { createMongoStore } from '../../../server/store/mongoStore.ts';
import { openSqliteStore } from '../../../server/store/openSqliteStore.ts';
import { COMMAND_LOG_LIMIT } from '../../support/mongoWire/commandLog.ts';
import type { MongoWireServer } from '../../support/mongoWire/createMongoWireServer.ts';
import { freshDbName } from '../../support/openMongoFixture.ts';

/** What the store sends per operation (not the change stream's aggregate/getMore, not heartbeats). */
const STORE_COMMANDS = new Set(['find', 'insert', 'update', 'delete', 'findAndModify']);

export type StoreKind = 'memory' | 'file' | 'sqlite' | 'mongo';

/** A store opened for a bench, and how to close it (and remove what it left behind). */
export interface BenchStore {
  kind: StoreKind;
  /** How the table names it. */
  label: string;
  store: EventStore;
  /** Store commands the wire test server received since the last call (Mongo only). */
  commandCounter?: () => number;
  close(): Promise<void>;
}

/** The journal's warnings would only mean a broken temp dir: make them loud. */
const warn = (message: string) => process.stderr.write(`file store: ${message}\n`);

/** The SQLite store's warnings and errors, loud for the same reason; its info lines are not needed. */
const sqliteLog = {
  info: () => {},
  warn: (message: string) => process.stderr.write(`sqlite store: ${message}\n`),
  error: (message: string) => process.stderr.write(`sqlite store: ${message}\n`),
};

/**
 * Opens a fresh store of `kind`: the memory store; the legacy file store (`openFileJournal` + the
 * memory store over it, as `createStore` used to) in a new temp directory; the SQLite store
 * (`openSqliteStore`, the default, writer thread and all) in a new temp directory; or the Mongo store
 * in a fresh database on `wire`, with the production defaults for timeouts and retries. Closing a
 * file or sqlite bench store removes its directory (sqlite's `close` may run first elsewhere: it is
 * idempotent).
 */
export async function openBenchStore(kind: StoreKind, wire?: MongoWireServer): Promise<BenchStore> {
  if (kind === 'memory') {
    const store = createMemoryStore();
    return { kind, label: 'memory', store, close: () => store.close() };
  }
  if (kind === 'file') {
    const dir = await mkdtemp(join(tmpdir(), 'livetrail-bench-'));
    const { journal, records } = await openFileJournal(dir, warn);
    const store = createMemoryStore({ kind: 'file', journal, initial: records, warn });
    return {
      kind,
      label: 'file (legacy journal)',
      store,
      async close() {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  if (kind === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'livetrail-bench-'));
    const store = await openSqliteStore({ dir, log: sqliteLog });
    return {
      kind,
      label: `sqlite (${tmpdir()})`,
      store,
      async close() {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  if (!wire) throw new Error('the mongo store needs a wire test server');
  const dbName = freshDbName();
  const store = await createMongoStore({ uri: wire.uri, dbName, log: createLogger('silent') });
  const commandCounter = () => {
    const log = wire.commandLog();
    wire.clearCommandLog();
    // The log keeps only the last 10 000 commands: a full one may have dropped some (NaN, not a guess).
    if (log.length >= COMMAND_LOG_LIMIT) return Number.NaN;
    return log.filter((c) => c.db === dbName && STORE_COMMANDS.has(c.commandName)).length;
  };
  return { kind, label: 'mongo (wire test server)', store, commandCounter, close: () => store.close() };
}
