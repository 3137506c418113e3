import { Binary, Long } from 'bson';
import type { Doc } from '../bsonValues.ts';
import { isPlainObject } from '../bsonValues.ts';
import { toTimestamp } from '../changeLog.ts';
import { CommandError, codeNameOf, errorReply } from '../commandError.ts';
import { errorLabelsFor, withLabels, writeConcernErrorLabels } from '../errorLabels.ts';
import type { FailCommandData } from '../failPoints.ts';
import type { CommandContext, CommandHandler } from '../serverState.ts';
import { awaitWriteConcern, WRITE_COMMANDS } from '../writeConcern.ts';
import {
  buildInfoCommand,
  configureFailPointCommand,
  connectionStatusCommand,
  getParameterCommand,
  helloCommand,
  okCommand,
} from './adminCommands.ts';
import {
  createCommand,
  createIndexesCommand,
  dropCommand,
  dropDatabaseCommand,
  dropIndexesCommand,
  listCollectionsCommand,
  listDatabasesCommand,
  listIndexesCommand,
} from './catalogCommands.ts';
import { collModCommand, renameCollectionCommand } from './collectionAdminCommands.ts';
import { getMoreCommand, killCursorsCommand } from './cursorCommands.ts';
import { aggregateCommand, countCommand, distinctCommand, findCommand } from './readCommands.ts';
import { deleteCommand, findAndModifyCommand, insertCommand, updateCommand } from './writeCommands.ts';

const hello: CommandHandler = (ctx) => helloCommand(ctx, ctx.connection.id);

const COMMANDS: Record<string, CommandHandler> = {
  hello,
  isMaster: hello,
  ismaster: hello,
  ping: okCommand,
  buildInfo: buildInfoCommand,
  buildinfo: buildInfoCommand,
  getParameter: getParameterCommand,
  connectionStatus: connectionStatusCommand,
  endSessions: okCommand,
  refreshSessions: okCommand,
  killAllSessions: okCommand,
  abortTransaction: okCommand,
  commitTransaction: okCommand,
  configureFailPoint: configureFailPointCommand,
  insert: insertCommand,
  update: updateCommand,
  delete: deleteCommand,
  findAndModify: findAndModifyCommand,
  findandmodify: findAndModifyCommand,
  find: findCommand,
  getMore: getMoreCommand,
  killCursors: killCursorsCommand,
  count: countCommand,
  distinct: distinctCommand,
  aggregate: aggregateCommand,
  createIndexes: createIndexesCommand,
  listIndexes: listIndexesCommand,
  dropIndexes: dropIndexesCommand,
  deleteIndexes: dropIndexesCommand,
  listCollections: listCollectionsCommand,
  listDatabases: listDatabasesCommand,
  create: createCommand,
  drop: dropCommand,
  dropDatabase: dropDatabaseCommand,
  collMod: collModCommand,
  renameCollection: renameCollectionCommand,
};

const ZERO_HASH = new Binary(Buffer.alloc(20), 0);

/** Reads that a secondary serves only with a non-primary read preference. */
const PRIMARY_READS = new Set(['find', 'aggregate', 'count', 'distinct', 'listCollections', 'listIndexes']);

/** Sleeps `ms`, or less if the connection closes. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** The command's maxTimeMS as an operation deadline (getMore's maxTimeMS is an await time, not one). */
function maxTimeMS(ctx: CommandContext, name: string): number | undefined {
  const raw = ctx.command.maxTimeMS;
  if (name === 'getMore' || raw === undefined || Number(raw) <= 0) return undefined;
  return Number(raw);
}

/** A blockConnection fail point: blocks, but no longer than maxTimeMS, which then expires (50). */
async function block(ctx: CommandContext, name: string, blockTimeMS: number): Promise<void> {
  const limit = maxTimeMS(ctx, name);
  if (limit !== undefined && limit < blockTimeMS) {
    await sleep(limit, ctx.connection.signal);
    throw new CommandError(50, 'operation exceeded time limit');
  }
  await sleep(blockTimeMS, ctx.connection.signal);
}

function injectedError(ctx: CommandContext, name: string, fp: FailCommandData): Doc {
  const code = fp.errorCode!;
  const reply = {
    ok: 0,
    errmsg: "Failing command via 'failCommand' failpoint",
    code,
    codeName: codeNameOf(code),
  };
  return withLabels(reply, fp.errorLabels ?? errorLabelsFor(ctx, name, code));
}

function withWriteConcernError(ctx: CommandContext, name: string, reply: Doc, fp: FailCommandData): Doc {
  const wce = fp.writeConcernError!;
  return withLabels(
    { ...reply, writeConcernError: wce },
    fp.errorLabels ?? writeConcernErrorLabels(ctx, name, wce),
  );
}

function withClusterTime(ctx: CommandContext, reply: Doc): Doc {
  if (ctx.state.standalone) return reply;
  const clusterTime = toTimestamp(ctx.state.changeLog.clock.now());
  return {
    ...reply,
    operationTime: clusterTime,
    $clusterTime: { clusterTime, signature: { hash: ZERO_HASH, keyId: Long.fromNumber(0) } },
  };
}

async function execute(ctx: CommandContext, name: string, handler: CommandHandler): Promise<Doc | null> {
  const { state, connection } = ctx;
  const retry = state.retryableWrites.begin(name, ctx.command);
  // A resent retryable write that already ran gets its first answer back, not a second execution.
  if (retry?.stored) return awaitWriteConcern(ctx, name, retry.stored);
  const transactional = retry ? state.failPoints.transactionalWrite() : null;
  const closes = transactional !== null && transactional.closeConnection !== false;
  if (transactional?.failBeforeCommitExceptionCode !== undefined) {
    // mongod ends the connection (unless told not to) and fails the write before it commits.
    if (closes) {
      connection.destroy();
      return null;
    }
    const code = transactional.failBeforeCommitExceptionCode;
    throw new CommandError(code, 'Failing write for test due to failpoint');
  }
  const reply = await handler(ctx);
  if (reply && retry && reply.ok === 1) retry.record(reply, state.changeLog.clock.now());
  if (closes) {
    connection.destroy();
    return null;
  }
  return reply?.ok === 1 ? awaitWriteConcern(ctx, name, reply) : reply;
}

/** Off the primary, writes fail with NotWritablePrimary and primary-only reads with NotPrimaryNoSecondaryOk. */
function assertPrimary(ctx: CommandContext, name: string): void {
  if (ctx.state.standalone || ctx.state.replicaSet.isPrimary) return;
  if (WRITE_COMMANDS.has(name)) throw new CommandError(10107, 'not primary');
  const mode = (ctx.command.$readPreference as { mode?: string } | undefined)?.mode ?? 'primary';
  if (PRIMARY_READS.has(name) && mode === 'primary')
    throw new CommandError(13435, 'not primary and secondaryOk=false');
}

function opensChangeStream(ctx: CommandContext, name: string): boolean {
  const first = Array.isArray(ctx.command.pipeline) ? ctx.command.pipeline[0] : undefined;
  return name === 'aggregate' && isPlainObject(first) && '$changeStream' in first;
}

/** Runs one command: logging, fail points, retryable-write de-duplication, the handler, labels, cluster time. */
export async function dispatchCommand(ctx: CommandContext): Promise<Doc | null> {
  const name = Object.keys(ctx.command)[0] ?? '';
  const handler = COMMANDS[name];
  ctx.state.commandLog.record(ctx.db, ctx.command, ctx.connection.id);
  ctx.changeStream = opensChangeStream(ctx, name);
  let reply: Doc | null;
  try {
    if (!handler) throw new CommandError(59, `no such command: '${name}'`);
    const fp = ctx.state.failPoints.failCommand(name, ctx.connection.appName);
    if (fp?.blockConnection) await block(ctx, name, fp.blockTimeMS ?? 0);
    if (fp?.closeConnection) {
      ctx.connection.destroy();
      return null;
    }
    if (fp?.errorCode !== undefined) reply = injectedError(ctx, name, fp);
    else {
      assertPrimary(ctx, name);
      reply = await execute(ctx, name, handler);
      if (reply === null) return null;
      if (fp?.writeConcernError) reply = withWriteConcernError(ctx, name, reply, fp);
      else if (reply.writeConcernError)
        reply = withLabels(reply, writeConcernErrorLabels(ctx, name, reply.writeConcernError));
    }
  } catch (err) {
    const failed = errorReply(err);
    reply = withLabels(failed, errorLabelsFor(ctx, name, Number(failed.code)));
  }
  return withClusterTime(ctx, reply);
}
