/**
 * @livetrail/client for Node (the `node` export condition): the same exports as `index.ts`, with
 * `createLivetrailClient`, `followSession` and `createConnectionManager` defaulting to the
 * `eventsource` and `ws` packages (Node 20 has no EventSource or WebSocket of its own). An
 * `EventSource` or `WebSocket` option still wins.
 */
import {
  type ConnectionManager,
  type ConnectionManagerOptions,
  createConnectionManager as createManagerWith,
} from './connection/createConnectionManager.ts';
import { type FollowSessionOptions, followSession as followSessionWith } from './connection/followSession.ts';
import {
  createLivetrailClient as createClientWith,
  type LivetrailClient,
  type LivetrailClientOptions,
} from './createLivetrailClient.ts';
import { nodeTransports } from './nodeTransports.ts';

export * from './index.ts';

function withNodeTransports<T extends { EventSource?: unknown; WebSocket?: unknown }>(opts: T): T {
  return {
    ...opts,
    EventSource: opts.EventSource ?? nodeTransports.EventSource,
    WebSocket: opts.WebSocket ?? nodeTransports.WebSocket,
  };
}

/** `createLivetrailClient` (see createLivetrailClient.ts) with Node's transports. */
export function createLivetrailClient(opts: LivetrailClientOptions): LivetrailClient {
  return createClientWith(withNodeTransports(opts));
}

/** `followSession` (see connection/followSession.ts) with Node's transports. */
export function followSession(opts: FollowSessionOptions): ConnectionManager {
  return followSessionWith(withNodeTransports(opts));
}

/** `createConnectionManager` (see connection/createConnectionManager.ts) with Node's transports. */
export function createConnectionManager(opts: ConnectionManagerOptions): ConnectionManager {
  return createManagerWith(withNodeTransports(opts));
}
