import { Long } from 'bson';
import { type Doc, toNumber } from '../bsonValues.ts';
import { positionToken, readChanges } from '../changeStreams.ts';
import { CommandError } from '../commandError.ts';
import { batchLimit, type Cursor, cursorReply, takeBatch } from '../cursors.ts';
import type { CommandContext } from '../serverState.ts';

/** How long an awaitData getMore waits when the driver sends no maxTimeMS (mongod's default). */
const DEFAULT_AWAIT_MS = 1000;

type WaitOutcome = 'changed' | 'timeout' | 'killed' | 'disconnected';

function waitForChange(ctx: CommandContext, cursor: Cursor & { kind: 'changeStream' }, ms: number) {
  return new Promise<WaitOutcome>((resolve) => {
    let done = false;
    const finish = (outcome: WaitOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      ctx.connection.signal.removeEventListener('abort', onAbort);
      cursor.interrupt = undefined;
      resolve(outcome);
    };
    const onAbort = () => finish('disconnected');
    const timer = setTimeout(() => finish('timeout'), ms);
    const unsubscribe = ctx.state.changeLog.subscribe(() => finish('changed'));
    cursor.interrupt = () => finish('killed');
    ctx.connection.signal.addEventListener('abort', onAbort);
    if (ctx.connection.signal.aborted) finish('disconnected');
  });
}

async function changeStreamGetMore(
  ctx: CommandContext,
  cursor: Cursor & { kind: 'changeStream' },
  limit: number,
): Promise<Doc | null> {
  const { state } = ctx;
  const { stream } = cursor;
  const read = () => {
    try {
      return readChanges(stream, state.changeLog, state.catalog, limit);
    } catch (err) {
      state.cursors.kill(cursor.id);
      throw err;
    }
  };
  const maxTimeMS = ctx.command.maxTimeMS === undefined ? DEFAULT_AWAIT_MS : toNumber(ctx.command.maxTimeMS);
  const deadline = Date.now() + maxTimeMS;
  let batch = read();
  while (batch.length === 0 && !stream.invalidated) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const outcome = await waitForChange(ctx, cursor, remaining);
    if (outcome === 'disconnected') {
      // mongod interrupts the operation of a vanished client, and an interrupted getMore destroys its cursor.
      state.cursors.kill(cursor.id);
      return null;
    }
    if (outcome === 'killed') throw new CommandError(237, `cursor id ${cursor.id} was killed`);
    batch = read();
  }
  if (stream.invalidated) state.cursors.kill(cursor.id);
  return cursorReply(
    stream.invalidated ? 0 : cursor.id,
    cursor.ns,
    'nextBatch',
    batch,
    positionToken(stream),
  );
}

/** `getMore`: the next batch of a find/aggregate cursor; change streams wait up to maxTimeMS for events. */
export async function getMoreCommand(ctx: CommandContext): Promise<Doc | null> {
  const { command, state } = ctx;
  const id = toNumber(command.getMore);
  if (typeof command.collection !== 'string')
    throw new CommandError(14, "BSON field 'getMore.collection' is missing or not a string");
  const cursor = state.cursors.get(id);
  const ns = `${ctx.db}.${command.collection}`;
  if (cursor.ns !== ns) {
    throw new CommandError(
      13,
      `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`,
    );
  }
  if (cursor.kind === 'changeStream') ctx.changeStream = true;
  const injected = state.failPoints.getMoreAfterCheckout();
  if (injected?.closeConnection) {
    ctx.connection.destroy();
    return null;
  }
  if (injected?.errorCode !== undefined) {
    state.cursors.kill(cursor.id);
    throw new CommandError(
      injected.errorCode,
      "Failing command via 'failGetMoreAfterCursorCheckout' failpoint",
    );
  }
  const limit = batchLimit(command.batchSize, 0) || Number.POSITIVE_INFINITY;
  if (cursor.kind === 'changeStream') return changeStreamGetMore(ctx, cursor, limit);
  const batch = takeBatch(cursor.docs, limit);
  if (cursor.docs.length > 0) return cursorReply(cursor.id, ns, 'nextBatch', batch);
  state.cursors.kill(cursor.id);
  return cursorReply(0, ns, 'nextBatch', batch);
}

/** `killCursors`: closes the listed cursors; unknown ids are reported, not an error. */
export function killCursorsCommand(ctx: CommandContext): Doc {
  const ids = Array.isArray(ctx.command.cursors) ? ctx.command.cursors : [];
  const cursorsKilled: Long[] = [];
  const cursorsNotFound: Long[] = [];
  for (const raw of ids) {
    const id = toNumber(raw);
    (ctx.state.cursors.kill(id) ? cursorsKilled : cursorsNotFound).push(Long.fromNumber(id));
  }
  return { cursorsKilled, cursorsNotFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
}
