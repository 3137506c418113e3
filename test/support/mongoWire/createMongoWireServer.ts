import { createServer, type Server, type Socket } from 'node:net';
import type { Doc } from './bsonValues.ts';
import { CommandError } from './commandError.ts';
import type { RecordedCommand } from './commandLog.ts';
import { dispatchCommand } from './commands/dispatchCommand.ts';
import type { FailCommandData, FailPointMode, FailPointName } from './failPoints.ts';
import { undoEntries } from './majorityView.ts';
import { type ConnectionInfo, createServerState } from './serverState.ts';
import {
  decodeRequest,
  encodeMsgReply,
  encodeQueryReply,
  MessageFramer,
  MORE_TO_COME,
  type WireRequest,
} from './wireCodec.ts';

export type { RecordedCommand } from './commandLog.ts';

const HOST = '127.0.0.1';
const OP_QUERY_COMMANDS = new Set(['hello', 'isMaster', 'ismaster']);

/** Options of the MongoDB wire-protocol test server. */
export interface MongoWireServerOptions {
  /** Port on 127.0.0.1; 0 picks a free one, which is then kept across stop()/start(). @default 0 */
  port?: number;
  /** Answer as a standalone mongod: no replica set, so no change streams. @default false */
  standalone?: boolean;
  /** Replica set name in hello and the URI. @default 'rs0' */
  replicaSetName?: string;
}

/** An in-memory MongoDB stand-in speaking the wire protocol, with fault injection for tests. */
export interface MongoWireServer {
  /** The listening port (after the first start()). */
  readonly port: number;
  /** `mongodb://127.0.0.1:PORT/?replicaSet=rs0`, or without replicaSet when standalone. */
  readonly uri: string;
  /** Listens (again) on the same port; data, change history and fail points are kept. */
  start(): Promise<void>;
  /** Stops listening, destroys every socket and closes every cursor, like a mongod going down. */
  stop(): Promise<void>;
  /** Sets the `failCommand` fail point, as `configureFailPoint` does. */
  failCommand(config: { mode: FailPointMode; data?: FailCommandData }): void;
  /** Sets any supported fail point (`failCommand`, `onPrimaryTransactionalWrite`, `failGetMoreAfterCursorCheckout`). */
  configureFailPoint(name: FailPointName, mode: FailPointMode, data?: object): void;
  /** Drops all change history: resuming from an earlier token then fails with ChangeStreamHistoryLost (286). */
  truncateChangeHistory(): void;
  /** Open client connections. */
  connectionCount(): number;
  /**
   * Resets every client socket at once (synchronously) but keeps listening; cursors survive unless a
   * getMore was waiting on them. The promise resolves once in-process clients have seen the resets.
   */
  killAllConnections(): Promise<void>;
  /** Open change-stream cursors. */
  openChangeStreamCursors(): number;
  /**
   * Commands received so far (at most the last 10 000, heartbeats included), oldest first, each with the
   * readConcern, writeConcern, maxTimeMS, lsid and txnNumber it carried (absent when not sent).
   */
  commandLog(): RecordedCommand[];
  /** Empties the command log. */
  clearCommandLog(): void;
  /**
   * Stops replication: later writes are applied (local reads see them) but stay past the majority
   * commit point, so `readConcern: majority` reads and change streams do not see them, and writes with
   * a majority write concern (the default one, as since MongoDB 5.0) wait for resumeReplication(),
   * their wtimeout (then writeConcernError 64) or maxTimeMS (then writeConcernError 50).
   */
  pauseReplication(): void;
  /** Replicates every pending write: majority reads and change streams see them, waiting writes return. */
  resumeReplication(): void;
  /**
   * The primary steps down: writes waiting for majority answer writeConcernError 189
   * (PrimarySteppedDown, labelled RetryableWriteError for retryable writes); new writes get
   * NotWritablePrimary (10107) and primary reads NotPrimaryNoSecondaryOk (13435); hello reports no
   * primary until, after `electionMs` (default 200), this server is elected again in a new term, with
   * replication resumed. With `rollback: true`, every write past the majority commit point is undone
   * at once (documents restored; its change events and retryable-write records dropped), and, as a
   * rolling-back node does, every connection is closed and every cursor killed. Resolves once elected.
   */
  stepDown(options?: { rollback?: boolean; electionMs?: number }): Promise<void>;
}

/** Creates the server (not yet listening). */
export function createMongoWireServer(options: MongoWireServerOptions = {}): MongoWireServer {
  const standalone = options.standalone ?? false;
  const replicaSetName = options.replicaSetName ?? 'rs0';
  let port = options.port ?? 0;
  let server: Server | undefined;
  let nextConnectionId = 1;
  let nextResponseId = 1;
  const sockets = new Set<Socket>();
  const state = createServerState({ standalone, replicaSetName, hostAndPort: () => `${HOST}:${port}` });

  function commandOf(req: WireRequest): { db: string; command: Doc } {
    if (req.kind === 'msg') {
      if (typeof req.command.$db !== 'string')
        throw new CommandError(40571, 'OP_MSG requests require a $db argument');
      return { db: req.command.$db, command: req.command };
    }
    const db = req.fullCollectionName.endsWith('.$cmd') ? req.fullCollectionName.slice(0, -5) : '';
    const name = Object.keys(req.command)[0] ?? '';
    // mongod 6.0+ accepts OP_QUERY only for the handshake.
    if (!db || !OP_QUERY_COMMANDS.has(name)) {
      throw new CommandError(
        352,
        `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade.`,
      );
    }
    return { db, command: req.command };
  }

  async function handle(socket: Socket, connection: ConnectionInfo, message: Buffer) {
    if (socket.destroyed) return;
    let req: WireRequest;
    try {
      req = decodeRequest(message);
    } catch {
      drop(socket);
      return;
    }
    let reply: Doc | null;
    try {
      const { db, command } = commandOf(req);
      const client = command.client as { application?: { name?: unknown } } | undefined;
      if (typeof client?.application?.name === 'string') connection.appName = client.application.name;
      reply = await dispatchCommand({ state, db, command, connection });
    } catch (err) {
      reply = err instanceof CommandError ? err.toReply() : { ok: 0, errmsg: String(err), code: 1 };
    }
    if (reply === null || socket.destroyed) return;
    if (req.kind === 'msg' && req.flags & MORE_TO_COME) return; // the client expects no answer
    try {
      const id = nextResponseId++;
      socket.write(
        req.kind === 'msg'
          ? encodeMsgReply(id, req.requestId, reply)
          : encodeQueryReply(id, req.requestId, reply),
      );
    } catch {
      drop(socket);
    }
  }

  function onConnection(socket: Socket): void {
    sockets.add(socket);
    socket.setNoDelay(true);
    const controller = new AbortController();
    const connection: ConnectionInfo = {
      id: nextConnectionId++,
      appName: undefined,
      signal: controller.signal,
      destroy: () => drop(socket),
    };
    const framer = new MessageFramer();
    // One operation at a time per connection, in arrival order, as mongod does.
    let queue = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      let messages: Buffer[];
      try {
        messages = framer.push(chunk);
      } catch {
        drop(socket);
        return;
      }
      for (const m of messages) queue = queue.then(() => handle(socket, connection, m));
    });
    socket.on('error', () => {}); // resets by clients are expected; 'close' follows
    socket.on('close', () => {
      sockets.delete(socket);
      controller.abort();
    });
  }

  // A reset, not a FIN: after a FIN from this server the driver 7.9 monitor was seen to start a
  // heartbeat that never finished (40 s), so the client never reconnected; a reset fails it at once.
  function drop(socket: Socket): void {
    sockets.delete(socket);
    socket.resetAndDestroy();
  }

  /**
   * Resets every socket, then lets the event loop poll twice so that clients in this process see the
   * reset before the caller goes on (a real outage lasts long enough for that; without the pause a
   * driver write can hit the dead socket and surface a raw, non-retryable ECONNRESET).
   */
  async function destroySockets(): Promise<void> {
    for (const socket of [...sockets]) drop(socket);
    for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
  }

  return {
    get port() {
      return port;
    },
    get uri() {
      return standalone
        ? `mongodb://${HOST}:${port}/`
        : `mongodb://${HOST}:${port}/?replicaSet=${replicaSetName}`;
    },
    async start() {
      if (server) return;
      const s = createServer(onConnection);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, HOST, () => {
          s.off('error', reject);
          resolve();
        });
      });
      const address = s.address();
      if (address && typeof address === 'object') port = address.port;
      server = s;
    },
    async stop() {
      const s = server;
      if (!s) return;
      server = undefined;
      state.cursors.killAll();
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      await destroySockets();
      await closed;
    },
    failCommand({ mode, data }) {
      state.failPoints.configure('failCommand', mode, data);
    },
    configureFailPoint(name, mode, data = {}) {
      state.failPoints.configure(name, mode, data);
    },
    truncateChangeHistory() {
      state.changeLog.truncate();
    },
    connectionCount() {
      return sockets.size;
    },
    killAllConnections() {
      return destroySockets();
    },
    openChangeStreamCursors() {
      return state.cursors.changeStreamCount();
    },
    commandLog() {
      return state.commandLog.list();
    },
    clearCommandLog() {
      state.commandLog.clear();
    },
    pauseReplication() {
      state.changeLog.pauseReplication();
    },
    resumeReplication() {
      state.changeLog.resumeReplication();
    },
    async stepDown({ rollback = false, electionMs = 200 } = {}) {
      state.replicaSet.stepDown();
      if (rollback) {
        undoEntries(state.catalog, state.changeLog.rollBack());
        state.retryableWrites.rollBack(state.changeLog.majorityPoint());
        state.cursors.killAll();
        await destroySockets();
      }
      await new Promise((resolve) => setTimeout(resolve, electionMs));
      state.changeLog.resumeReplication();
      state.replicaSet.elected();
    },
  };
}

/** Creates and starts a server (on a free port unless one is given). */
export async function startMongoWireServer(options: MongoWireServerOptions = {}): Promise<MongoWireServer> {
  const server = createMongoWireServer(options);
  await server.start();
  return server;
}
