import { ObjectId } from 'bson';
import { type Doc, isPlainObject } from '../bsonValues.ts';
import { CommandError } from '../commandError.ts';
import type { CommandContext } from '../serverState.ts';

/** Wire version reported in hello (MongoDB 7.0); the driver accepts 9..29. */
export const MAX_WIRE_VERSION = 21;

// A constant election id: the driver compares (electionId, setVersion) to spot stale primaries,
// and a restarted test server must not look older than before.
const ELECTION_ID = new ObjectId('7fffffff0000000000000001');

/**
 * `hello` / `isMaster`: a writable replica-set primary (or a standalone). Deliberately without
 * `topologyVersion`, which would switch the driver to awaitable (streaming) hello.
 */
export function helloCommand(ctx: CommandContext, connectionId: number): Doc {
  const { state } = ctx;
  const reply: Doc = {
    helloOk: true,
    isWritablePrimary: true,
    ismaster: true,
  };
  if (!state.standalone) {
    const me = state.hostAndPort();
    Object.assign(reply, {
      setName: state.replicaSetName,
      setVersion: 1,
      hosts: [me],
      primary: me,
      me,
      electionId: ELECTION_ID,
      secondary: false,
    });
  }
  Object.assign(reply, {
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
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
    maxBsonObjectSize: 16 * 1024 * 1024,
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
