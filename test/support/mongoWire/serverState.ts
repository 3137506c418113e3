import type { Doc } from './bsonValues.ts';
import { type ChangeEntry, ChangeLog } from './changeLog.ts';
import { Catalog, type MongoCollection } from './collections.ts';
import { CommandError } from './commandError.ts';
import { CommandLog } from './commandLog.ts';
import { CursorRegistry } from './cursors.ts';
import { FailPoints } from './failPoints.ts';
import { ReplicaSetState } from './replicaSet.ts';
import { RetryableWriteLog } from './retryableWrites.ts';

/** Everything the server keeps between connections (and, except cursors, across stop()/start()). */
export interface ServerState {
  standalone: boolean;
  replicaSetName: string;
  catalog: Catalog;
  changeLog: ChangeLog;
  cursors: CursorRegistry;
  failPoints: FailPoints;
  retryableWrites: RetryableWriteLog;
  commandLog: CommandLog;
  replicaSet: ReplicaSetState;
  /** `host:port` the server listens on, as reported in hello's hosts/me/primary. */
  hostAndPort(): string;
}

/** Creates empty server state. */
export function createServerState(opts: {
  standalone: boolean;
  replicaSetName: string;
  hostAndPort(): string;
}): ServerState {
  const changeLog = new ChangeLog();
  changeLog.clock.tick();
  return {
    ...opts,
    catalog: new Catalog(),
    changeLog,
    cursors: new CursorRegistry(),
    failPoints: new FailPoints(),
    retryableWrites: new RetryableWriteLog(),
    commandLog: new CommandLog(),
    replicaSet: new ReplicaSetState(),
  };
}

/** The connection a command arrived on. */
export interface ConnectionInfo {
  id: number;
  /** From the handshake's `client.application.name`. */
  appName: string | undefined;
  /** Aborted when the socket closes. */
  signal: AbortSignal;
  /** Destroys the socket without replying. */
  destroy(): void;
}

/** What a command handler gets. */
export interface CommandContext {
  state: ServerState;
  db: string;
  command: Doc;
  connection: ConnectionInfo;
  /** Set once the command is known to run a change stream (its aggregate, or getMore on its cursor). */
  changeStream?: boolean;
}

/** A command handler; resolving to null means "send no reply" (the connection went away). */
export type CommandHandler = (ctx: CommandContext) => Doc | null | Promise<Doc | null>;

/** Appends a change for a write, tagging it with the transaction when the command runs in one. */
export function recordChange(
  ctx: CommandContext,
  change: Omit<ChangeEntry, 'time' | 'wallTime' | 'txn'>,
): void {
  const { command } = ctx;
  const txn =
    command.autocommit === false && command.lsid !== undefined
      ? { lsid: command.lsid as Doc, txnNumber: command.txnNumber }
      : undefined;
  ctx.state.changeLog.append(txn ? { ...change, txn } : change);
}

/** The collection name a command addresses (`{insert: 'c'}` → 'c'), validated as a string. */
export function collectionName(ctx: CommandContext): string {
  const name = Object.values(ctx.command)[0];
  if (typeof name !== 'string' || name === '') {
    throw new CommandError(73, `collection name has invalid type ${typeof name}`);
  }
  return name;
}

/** The collection, created implicitly when missing (recording a `create` event, as mongod does). */
export function ensureCollection(ctx: CommandContext, coll: string, options: Doc = {}) {
  const result = ctx.state.catalog.getOrCreate(ctx.db, coll, options);
  if (result.created) recordCreate(ctx, result.collection);
  return result;
}

function recordCreate(ctx: CommandContext, collection: MongoCollection): void {
  const { viewOn, pipeline } = collection.options;
  const operationDescription: Doc =
    viewOn === undefined
      ? { idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } }
      : { viewOn, pipeline: pipeline ?? [] };
  recordChange(ctx, {
    operationType: 'create',
    db: ctx.db,
    coll: collection.name,
    collectionUUID: collection.uuid,
    operationDescription,
  });
}
