import { MongoClient } from 'mongodb';
import { type MongoWireServer, startMongoWireServer } from './mongoWire/createMongoWireServer.ts';

/** MongoDB's `failCommand` fail point settings (the same shape for the wire server and mongod). */
export interface FailCommandConfig {
  mode: { times: number } | 'alwaysOn' | 'off';
  data: {
    failCommands: string[];
    errorCode?: number;
    errorLabels?: string[];
    closeConnection?: boolean;
    blockConnection?: boolean;
    blockTimeMS?: number;
  };
}

/** A MongoDB to inflict faults on: the wire-protocol test server, or a real replica set. */
export interface MongoFaultBackend {
  uri: string;
  failCommand(config: FailCommandConfig): Promise<void>;
  /** Breaks the connection the change stream is waiting on. */
  dropConnections(): Promise<void>;
  /** Present where the backend can go down and come back with its data (the wire server). */
  outage?: { stop(): Promise<void>; start(): Promise<void> };
  /** Present where change history can be dropped on demand (the wire server). */
  truncateHistory?(): void;
  /** Present where open change-stream cursors can be counted (the wire server). */
  changeStreamCursors?(): number;
  close(): Promise<void>;
}

/** The wire-protocol test server, with every fault it can stage. */
export async function wireFaultBackend(): Promise<MongoFaultBackend> {
  const wire: MongoWireServer = await startMongoWireServer();
  return {
    uri: wire.uri,
    failCommand: async (config) => wire.failCommand(config),
    dropConnections: () => wire.killAllConnections(),
    outage: { stop: () => wire.stop(), start: () => wire.start() },
    truncateHistory: () => wire.truncateChangeHistory(),
    changeStreamCursors: () => wire.openChangeStreamCursors(),
    close: () => wire.stop(),
  };
}

/**
 * A real replica set (e.g. `mongod --replSet rs0 --setParameter enableTestCommands=1`): faults go
 * through the `configureFailPoint` admin command, which needs test commands enabled.
 */
export async function realFaultBackend(uri: string): Promise<MongoFaultBackend> {
  const admin = new MongoClient(uri, { serverSelectionTimeoutMS: 3000 });
  await admin.connect();
  const failCommand = async (config: FailCommandConfig) => {
    await admin.db('admin').command({ configureFailPoint: 'failCommand', ...config });
  };
  return {
    uri,
    failCommand,
    dropConnections: () =>
      failCommand({ mode: { times: 1 }, data: { failCommands: ['getMore'], closeConnection: true } }),
    async close() {
      await failCommand({ mode: 'off', data: { failCommands: [] } }).catch(() => {});
      await admin.close();
    },
  };
}
