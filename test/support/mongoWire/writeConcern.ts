import type { Doc } from './bsonValues.ts';
import { isPlainObject } from './bsonValues.ts';
import { codeNameOf } from './commandError.ts';
import type { CommandContext } from './serverState.ts';

/** Commands that write (and so answer NotWritablePrimary off the primary and wait for write concern). */
export const WRITE_COMMANDS: ReadonlySet<string> = new Set([
  'insert',
  'update',
  'delete',
  'findAndModify',
  'findandmodify',
  'create',
  'drop',
  'dropDatabase',
  'createIndexes',
  'dropIndexes',
  'deleteIndexes',
  'collMod',
  'renameCollection',
]);

/** True when the write must be replicated to a majority before it is acknowledged. */
function wantsMajority(ctx: CommandContext, name: string): boolean {
  const isOutput =
    name === 'aggregate' &&
    Array.isArray(ctx.command.pipeline) &&
    ctx.command.pipeline.some((s) => isPlainObject(s) && ('$out' in s || '$merge' in s));
  if (!WRITE_COMMANDS.has(name) && !isOutput) return false;
  const wc = ctx.command.writeConcern as Doc | undefined;
  // Since MongoDB 5.0 the implicit default write concern of a replica set is majority.
  const w = wc?.w ?? 'majority';
  return w === 'majority' || (typeof w === 'number' && w > 1);
}

type Outcome = 'committed' | 'wtimeout' | 'maxTime' | 'stepDown' | 'disconnected';

function waitForCommit(
  ctx: CommandContext,
  target: bigint,
  wtimeout: number,
  maxTimeMS: number,
): Promise<Outcome> {
  const { changeLog, replicaSet } = ctx.state;
  const { signal } = ctx.connection;
  return new Promise((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    const stops: (() => void)[] = [];
    const finish = (outcome: Outcome) => {
      for (const t of timers) clearTimeout(t);
      for (const stop of stops) stop();
      resolve(outcome);
    };
    const check = () => {
      if (changeLog.majorityPoint() >= target) finish('committed');
    };
    const onAbort = () => finish('disconnected');
    stops.push(
      changeLog.subscribe(check),
      replicaSet.onStepDown(() => finish('stepDown')),
    );
    signal.addEventListener('abort', onAbort);
    stops.push(() => signal.removeEventListener('abort', onAbort));
    if (wtimeout > 0) timers.push(setTimeout(() => finish('wtimeout'), wtimeout));
    if (maxTimeMS > 0) timers.push(setTimeout(() => finish('maxTime'), maxTimeMS));
    if (signal.aborted) finish('disconnected');
    else check();
  });
}

function writeConcernError(code: number, errmsg: string, errInfo?: Doc): Doc {
  return { code, codeName: codeNameOf(code), errmsg, ...(errInfo ? { errInfo } : {}) };
}

/**
 * Waits, after a successful write, until the majority commit point covers it when its write concern
 * asks for majority. A wtimeout or maxTimeMS expiring first, or a stepdown, answers the (applied)
 * write with a writeConcernError, as mongod does; null means the client went away.
 */
export async function awaitWriteConcern(ctx: CommandContext, name: string, reply: Doc): Promise<Doc | null> {
  const { changeLog } = ctx.state;
  if (!wantsMajority(ctx, name) || changeLog.majorityPoint() >= changeLog.clock.now()) return reply;
  const wc = (ctx.command.writeConcern ?? {}) as Doc;
  const wtimeout = Number(wc.wtimeout ?? wc.wtimeoutMS ?? 0);
  const outcome = await waitForCommit(
    ctx,
    changeLog.clock.now(),
    wtimeout,
    Number(ctx.command.maxTimeMS ?? 0),
  );
  switch (outcome) {
    case 'committed':
      return reply;
    case 'disconnected':
      return null;
    case 'wtimeout':
      return {
        ...reply,
        writeConcernError: writeConcernError(64, 'waiting for replication timed out', {
          wtimeout: true,
          writeConcern: { ...wc, provenance: 'clientSupplied' },
        }),
      };
    case 'maxTime':
      return { ...reply, writeConcernError: writeConcernError(50, 'operation exceeded time limit') };
    case 'stepDown':
      return {
        ...reply,
        writeConcernError: writeConcernError(189, 'Primary stepped down while waiting for replication'),
      };
  }
}
