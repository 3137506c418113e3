import { type Doc, isPlainObject } from '../bsonValues.ts';
import { CommandError } from '../commandError.ts';
import type { CommandContext } from '../serverState.ts';
import { MAX_MESSAGE_SIZE } from '../wireCodec.ts';
import { MAX_BSON_OBJECT_SIZE } from './writeCommands.ts';

/** Wire version reported in hello (MongoDB 7.0); the driver accepts 9..29. */
export const MAX_WIRE_VERSION = 21;

/**
 * `hello` / `isMaster`: a writable replica-set primary (or a standalone); during an election after a
 * stepdown, a secondary with no primary. Deliberately without `topologyVersion`, which would switch
 * the driver to awaitable (streaming) hello.
 */
export function helloCommand(ctx: CommandContext, connectionId: number): Doc {
  const { state } = ctx;
  const primary = state.standalone || state.replicaSet.isPrimary;
  const reply: Doc = {
    helloOk: true,
    isWritablePrimary: primary,
    ismaster: primary,
  };
  if (!state.standalone) {
    const me = state.hostAndPort();
    Object.assign(reply, {
      setName: state.replicaSetName,
      setVersion: 1,
      hosts: [me],
      ...(primary ? { primary: me, electionId: state.replicaSet.electionId() } : {}),
      me,
      secondary: !primary,
    });
  }
  Object.assign(reply, {
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  });
  return reply;
}

/** `buildInfo`: enough for tools that read the server version. */
export function buildInfoCommand(): Doc {
  return {
    version: '7.0.0',
    gitVersion: 'mongo-wire-test-server',
    versionArray: [7, 0, 0, 0],
    bits: 64,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    storageEngines: ['inMemory'],
    ok: 1,
  };
}

const PARAMETERS: Doc = {
  featureCompatibilityVersion: { version: '7.0' },
  transactionLifetimeLimitSeconds: 60,
};

/** `getParameter`: known parameters asked for with `name: 1`, or all of them with `'*'`. */
export function getParameterCommand(ctx: CommandContext): Doc {
  const { command } = ctx;
  const all =
    command.getParameter === '*' ||
    (isPlainObject(command.getParameter) && command.getParameter.allParameters);
  const reply: Doc = {};
  for (const [name, value] of Object.entries(PARAMETERS)) {
    if (all || command[name] !== undefined) reply[name] = value;
  }
  const unknown = Object.keys(command).filter(
    (k) => k !== 'getParameter' && !k.startsWith('$') && !(k in PARAMETERS),
  );
  if (!all && Object.keys(reply).length === 0 && unknown.length > 0) {
    throw new CommandError(72, 'no option found to get');
  }
  return { ...reply, ok: 1 };
}

/** `configureFailPoint` (admin only): `failCommand` or `onPrimaryTransactionalWrite`. */
export function configureFailPointCommand(ctx: CommandContext): Doc {
  if (ctx.db !== 'admin')
    throw new CommandError(13, 'configureFailPoint may only be run against the admin database.');
  const { command } = ctx;
  const count = ctx.state.failPoints.configure(
    String(command.configureFailPoint),
    command.mode,
    command.data ?? {},
  );
  return { count, ok: 1 };
}

/** Commands answered with a plain `{ok: 1}` (sessions and transactions are not tracked beyond that). */
export function okCommand(): Doc {
  return { ok: 1 };
}

/** `connectionStatus`: no authentication here. */
export function connectionStatusCommand(): Doc {
  return { authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 };
}
