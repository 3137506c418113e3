import type { Transport } from './createTransportApi.ts';

/** How the connection manager picks a transport: SSE first with fallback, or one forced. */
export type TransportMode = 'auto' | Transport;

/** Tunables of the reconnect policy. */
export interface ConnectionPolicy {
  /** Smallest backoff delay. @default 500 */
  floorMs: number;
  /** Largest backoff delay. @default 25000 */
  capMs: number;
  /** A connection that stays up this long resets the attempt counter. @default 5000 */
  stableAfterMs: number;
  /** Consecutive SSE failures that move an `auto` connection to WebSocket. @default 2 */
  sseFailuresBeforeFallback: number;
  /** After this long on WebSocket, an `auto` connection tries SSE again. @default 120000 */
  sseRetryAfterMs: number;
}

/** The default policy: full-jitter backoff between 0.5 s and 25 s. */
export const DEFAULT_POLICY: ConnectionPolicy = {
  floorMs: 500,
  capMs: 25_000,
  stableAfterMs: 5_000,
  sseFailuresBeforeFallback: 2,
  sseRetryAfterMs: 120_000,
};

/** What every state knows besides its status. */
interface Common {
  transport: Transport;
  mode: TransportMode;
  /** Failed attempts since the last stable connection. */
  attempt: number;
  /** Consecutive SSE failures (decides fallback to WebSocket). */
  sseFailures: number;
  lastError?: string;
}

/** The connection of one client, as a person should be told about it. */
export type ConnectionState = Common &
  (
    | { status: 'idle' }
    | { status: 'connecting' }
    | { status: 'connected'; since: number }
    | { status: 'catching_up'; behind: number }
    | { status: 'reconnecting'; retryAt: number }
    | { status: 'offline' }
    | { status: 'reset'; reason: string }
    | { status: 'failed'; error: string }
  );

export type ConnectionStatus = ConnectionState['status'];

/** Everything that can happen to a connection; the shell turns timers and sockets into these. */
export type ConnectionEvent =
  | { type: 'start' }
  /** The transport reports the stream open (SSE `pending`, WS open + subscribed). */
  | { type: 'opened'; now: number }
  /** How far behind the server's head the client is (0 = caught up). */
  | { type: 'progress'; behind: number }
  /** The server could not resume; the client reloads from scratch. */
  | { type: 'reset'; reason: string }
  | { type: 'stable' }
  /** The stream broke or never opened. `stall` = open but silent past the ping window. */
  | {
      type: 'error';
      error: string;
      now: number;
      random: number;
      /**
       * Whether the server answered a plain HTTP request meanwhile. `false` (it is down) means the
       * failure says nothing about SSE, so it does not count toward falling back to WebSocket.
       */
      serverReachable?: boolean;
    }
  /** The server refused for good (e.g. UNAUTHORIZED): no retry. */
  | { type: 'fatal'; error: string }
  | { type: 'retry_due' }
  | { type: 'retry_now' }
  | { type: 'server_shutdown'; now: number; random: number }
  | { type: 'offline' }
  | { type: 'online' }
  /** Time to see whether SSE works again (auto mode, on WebSocket). */
  | { type: 'probe_sse' }
  /** Open a fresh stream now (what to follow changed). */
  | { type: 'restart' }
  /** Change how the transport is chosen (e.g. this tab got or lost its SSE slot). */
  | { type: 'set_mode'; mode: TransportMode }
  | { type: 'stop' };

/** Full-jitter exponential backoff: uniform in [floor, min(cap, floor·2^attempt)]. */
export function backoffDelay(
  attempt: number,
  random: number,
  policy: ConnectionPolicy = DEFAULT_POLICY,
): number {
  const ceiling = Math.min(policy.capMs, policy.floorMs * 2 ** Math.min(attempt, 16));
  return Math.round(policy.floorMs + random * (ceiling - policy.floorMs));
}

/** The state before `start`. */
export function initialConnectionState(mode: TransportMode = 'auto'): ConnectionState {
  return { status: 'idle', transport: mode === 'ws' ? 'ws' : 'sse', mode, attempt: 0, sseFailures: 0 };
}

function common(s: ConnectionState): Common {
  return {
    transport: s.transport,
    mode: s.mode,
    attempt: s.attempt,
    sseFailures: s.sseFailures,
    lastError: s.lastError,
  };
}

/** Whether the state has a live stream (data can flow). */
export function isLive(s: ConnectionState): boolean {
  return s.status === 'connected' || s.status === 'catching_up' || s.status === 'reset';
}

/**
 * The connection's pure transition function. It decides when to retry (full-jitter backoff, reset
 * after a stable connection), when to move from SSE to WebSocket and back, and what to tell the
 * person; it never touches a timer or a socket.
 */
export function nextConnectionState(
  s: ConnectionState,
  e: ConnectionEvent,
  policy: ConnectionPolicy = DEFAULT_POLICY,
): ConnectionState {
  const c = common(s);
  if (s.status === 'failed' && e.type !== 'stop' && e.type !== 'retry_now') return s;
  switch (e.type) {
    case 'start':
      return s.status === 'idle' ? { ...c, status: 'connecting' } : s;
    case 'stop':
      return { ...c, status: 'idle' };
    case 'opened':
      if (s.status !== 'connecting') return s;
      return {
        ...c,
        lastError: undefined,
        status: 'connected',
        since: e.now,
        sseFailures: c.transport === 'sse' ? 0 : c.sseFailures,
      };
    case 'progress':
      if (!isLive(s)) return s;
      return e.behind > 0
        ? { ...c, status: 'catching_up', behind: e.behind }
        : s.status === 'connected'
          ? s
          : { ...c, status: 'connected', since: 0 };
    case 'reset':
      return isLive(s) ? { ...c, status: 'reset', reason: e.reason } : s;
    case 'stable':
      return isLive(s) ? { ...s, attempt: 0 } : s;
    case 'error':
    case 'server_shutdown': {
      if (s.status === 'idle' || s.status === 'offline') return s;
      const error = e.type === 'error' ? e.error : 'server is restarting';
      const countsAgainstSse = c.transport === 'sse' && !(e.type === 'error' && e.serverReachable === false);
      const sseFailures = countsAgainstSse ? c.sseFailures + 1 : c.sseFailures;
      const fallBack =
        c.mode === 'auto' && c.transport === 'sse' && sseFailures >= policy.sseFailuresBeforeFallback;
      const transport: Transport = fallBack ? 'ws' : c.transport;
      // A shutdown notice means the server is coming back: retry promptly, but still jittered so a
      // crowd of clients does not arrive in the same millisecond.
      const delay =
        e.type === 'server_shutdown'
          ? Math.round(e.random * policy.floorMs)
          : backoffDelay(c.attempt, e.random, policy);
      return {
        ...c,
        transport,
        sseFailures: fallBack ? 0 : sseFailures,
        attempt: c.attempt + 1,
        lastError: error,
        status: 'reconnecting',
        retryAt: e.now + delay,
      };
    }
    case 'fatal':
      return { ...c, status: 'failed', error: e.error, lastError: e.error };
    case 'retry_due':
      return s.status === 'reconnecting' ? { ...c, status: 'connecting' } : s;
    case 'retry_now':
      return s.status === 'reconnecting' || s.status === 'failed' ? { ...c, status: 'connecting' } : s;
    case 'offline':
      return s.status === 'idle' ? s : { ...c, status: 'offline' };
    case 'online':
      // Back online: reconnect at once; the old stream may be dead without knowing it.
      return s.status === 'offline' ? { ...c, attempt: 0, status: 'connecting' } : s;
    case 'set_mode': {
      if (e.mode === c.mode) return s;
      const transport: Transport = e.mode === 'ws' ? 'ws' : 'sse';
      const next = { ...c, mode: e.mode, sseFailures: 0 };
      // Reconnect on the new transport only if it differs and we are not waiting out a failure.
      if (
        transport === c.transport ||
        s.status === 'idle' ||
        s.status === 'offline' ||
        s.status === 'failed'
      ) {
        // No stream to move (or none open yet): only the choice changes, and the next attempt uses it.
        return { ...s, ...next, transport } as ConnectionState;
      }
      return s.status === 'reconnecting'
        ? { ...s, ...next, transport }
        : { ...next, transport, status: 'connecting' };
    }
    case 'restart':
      return s.status === 'offline' ? s : { ...c, status: 'connecting' };
    case 'probe_sse':
      return c.mode === 'auto' && c.transport === 'ws' && isLive(s)
        ? { ...c, transport: 'sse', sseFailures: policy.sseFailuresBeforeFallback - 1, status: 'connecting' }
        : s;
  }
}
