import { Binary, Long } from 'bson';
import type { Doc } from '../bsonValues.ts';
import { toTimestamp } from '../changeLog.ts';
import {
  CommandError,
  codeNameOf,
  errorReply,
  RESUMABLE_CHANGE_STREAM_CODES,
  RETRYABLE_WRITE_CODES,
} from '../commandError.ts';
import { RETRYABLE_WRITE_COMMANDS } from '../retryableWrites.ts';
import type { CommandContext, CommandHandler } from '../serverState.ts';
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
};

const ZERO_HASH = new Binary(Buffer.alloc(20), 0);

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

function isChangeStreamCommand(ctx: CommandContext, name: string): boolean {
  if (name === 'getMore') {
    const id = Number(ctx.command.getMore);
    try {
      return ctx.state.cursors.get(id).kind === 'changeStream';
    } catch {
      return false;
    }
  }
  return false;
}

/** Labels mongod adds itself when a fail point (or a handler) does not dictate them. */
function defaultLabels(ctx: CommandContext, name: string, code: number): string[] {
  const { command } = ctx;
  const retryableWrite =
    RETRYABLE_WRITE_COMMANDS.has(name) && command.txnNumber !== undefined && command.autocommit === undefined;
  if (retryableWrite && RETRYABLE_WRITE_CODES.has(code)) return ['RetryableWriteError'];
  if (isChangeStreamCommand(ctx, name) && RESUMABLE_CHANGE_STREAM_CODES.has(code))
    return ['ResumableChangeStreamError'];
  return [];
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
  if (retry?.stored) return retry.stored;
  const transactional = retry ? state.failPoints.transactionalWrite() : null;
  if (transactional?.failBeforeCommitExceptionCode !== undefined) {
    const code = transactional.failBeforeCommitExceptionCode;
    throw new CommandError(code, "Failing write via 'onPrimaryTransactionalWrite' failpoint");
  }
  const reply = await handler(ctx);
  if (reply && retry && reply.ok === 1) retry.record(reply);
  if (transactional && transactional.closeConnection !== false) {
    connection.destroy();
    return null;
  }
  return reply;
}

/** Runs one command: fail points, retryable-write de-duplication, the handler, labels and cluster time. */
export async function dispatchCommand(ctx: CommandContext): Promise<Doc | null> {
  const name = Object.keys(ctx.command)[0] ?? '';
  const handler = COMMANDS[name];
  let reply: Doc | null;
  try {
    if (!handler) throw new CommandError(59, `no such command: '${name}'`);
    const fp = ctx.state.failPoints.failCommand(name, ctx.connection.appName);
    if (fp?.blockConnection) await sleep(fp.blockTimeMS ?? 0, ctx.connection.signal);
    if (fp?.closeConnection) {
      ctx.connection.destroy();
      return null;
    }
    if (fp?.errorCode !== undefined) {
      const labels = fp.errorLabels ?? defaultLabels(ctx, name, fp.errorCode);
      reply = {
        ok: 0,
        errmsg: "Failing command via 'failCommand' failpoint",
        code: fp.errorCode,
        codeName: codeNameOf(fp.errorCode),
        ...(labels.length > 0 ? { errorLabels: labels } : {}),
      };
    } else {
      reply = await execute(ctx, name, handler);
      if (reply === null) return null;
      if (fp?.writeConcernError) reply = { ...reply, writeConcernError: fp.writeConcernError };
    }
  } catch (err) {
    reply = errorReply(err);
    const labels = defaultLabels(ctx, name, Number(reply.code));
    if (labels.length > 0) reply.errorLabels = labels;
  }
  return withClusterTime(ctx, reply);
}
