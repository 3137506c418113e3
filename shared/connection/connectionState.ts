import type { ConnectionEffect } from './connectionEffect.ts';
import { backoffDelay, type ConnectionPolicy, DEFAULT_POLICY } from './connectionPolicy.ts';
import type { Transport } from './createTransportApi.ts';

export type { ConnectionEffect } from './connectionEffect.ts';
export { backoffDelay, type ConnectionPolicy, DEFAULT_POLICY } from './connectionPolicy.ts';

/** How the connection manager picks a transport: SSE first with fallback, or one forced. */
export type TransportMode = 'auto' | Transport;

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
    | {
        status: 'reconnecting';
        retryAt: number;
        /** The server did not answer: it is probed, and `server_ready` reconnects before `retryAt`. */
        waitingForServer?: true;
      }
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
  /** The reachability probe got a 200 from `/healthz`. */
  | { type: 'server_ready' }
  /** Asked after a failure, the server did not answer or is not ready; `error` words it better. */
  | { type: 'server_unready'; error?: string }
  | { type: 'offline' }
  | { type: 'online' }
  /** Time to see whether SSE works again (auto mode, on WebSocket). */
  | { type: 'probe_sse' }
  /** Open a fresh stream now (what to follow changed). */
  | { type: 'restart' }
  /** Change how the transport is chosen (e.g. this tab got or lost its SSE slot). */
  | { type: 'set_mode'; mode: TransportMode }
  | { type: 'stop' };

/** The next state and what the shell must do to get there. */
export interface ConnectionStep {
  state: ConnectionState;
  effects: readonly ConnectionEffect[];
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

const stay = (s: ConnectionState): ConnectionStep => ({ state: s, effects: [] });
const to = (state: ConnectionState, effects: readonly ConnectionEffect[] = []): ConnectionStep => ({
  state,
  effects,
});

const probing = (s: ConnectionState) => s.status === 'reconnecting' && s.waitingForServer === true;

/** A retry (and the probe) run only while reconnecting, so whatever leaves that state ends them. */
function leaving(s: ConnectionState): ConnectionEffect[] {
  if (s.status !== 'reconnecting') return [];
  return probing(s)
    ? [{ type: 'cancel_retry' }, { type: 'stop_reachability_probe' }]
    : [{ type: 'cancel_retry' }];
}

type Connecting = Extract<ConnectionState, { status: 'connecting' }>;

/**
 * Into `next`: end whatever stream there is and open one on `next`'s transport. The connect window
 * starts before the attempt opens, so an attempt that opens (or fails) synchronously finds it armed.
 */
function connect(from: ConnectionState, next: Connecting): ConnectionStep {
  return to(next, [
    ...leaving(from),
    { type: 'teardown' },
    { type: 'start_watchdog' },
    { type: 'open', transport: next.transport },
  ]);
}

/** Into a state without a stream (idle, offline, failed): nothing runs, nothing is due. */
function halt(from: ConnectionState, next: ConnectionState): ConnectionStep {
  return to(next, [...leaving(from), { type: 'teardown' }]);
}

/**
 * The connection's pure transition function. It decides when to retry (full-jitter backoff, reset
 * after a stable connection), when to move from SSE to WebSocket and back, and what to tell the
 * person, and returns that as the next state plus the effects the shell must perform; it never
 * touches a timer or a socket. An event the state must refuse returns the same state, no effects.
 */
export function stepConnection(
  s: ConnectionState,
  e: ConnectionEvent,
  policy: ConnectionPolicy = DEFAULT_POLICY,
): ConnectionStep {
  const c = common(s);
  // A fatal error is final until the person retries, the followed input changes, or the owner stops.
  if (s.status === 'failed' && e.type !== 'stop' && e.type !== 'retry_now' && e.type !== 'restart') {
    return stay(s);
  }
  switch (e.type) {
    case 'start':
      return s.status === 'idle' ? connect(s, { ...c, status: 'connecting' }) : stay(s);
    case 'stop':
      return halt(s, { ...c, status: 'idle' });
    case 'opened': {
      if (s.status !== 'connecting') return stay(s);
      const probeLater: ConnectionEffect[] =
        c.mode === 'auto' && c.transport === 'ws' ? [{ type: 'start_probe_timer' }] : [];
      return to(
        {
          ...c,
          lastError: undefined,
          status: 'connected',
          since: e.now,
          sseFailures: c.transport === 'sse' ? 0 : c.sseFailures,
        },
        [{ type: 'stop_watchdog' }, { type: 'start_stable_timer' }, ...probeLater],
      );
    }
    case 'progress':
      if (!isLive(s)) return stay(s);
      if (e.behind > 0) return to({ ...c, status: 'catching_up', behind: e.behind });
      return s.status === 'connected' ? stay(s) : to({ ...c, status: 'connected', since: 0 });
    case 'reset':
      return isLive(s) ? to({ ...c, status: 'reset', reason: e.reason }) : stay(s);
    case 'stable':
      return isLive(s) ? to({ ...s, attempt: 0 }) : stay(s);
    case 'error':
    case 'server_shutdown': {
      // Offline the stream is already gone and `online` reconnects; idle nothing should run.
      if (s.status === 'idle' || s.status === 'offline') return stay(s);
      const error = e.type === 'error' ? e.error : 'server is restarting';
      const countsAgainstSse = c.transport === 'sse' && !(e.type === 'error' && e.serverReachable === false);
      const sseFailures = countsAgainstSse ? c.sseFailures + 1 : c.sseFailures;
      const fallBack =
        c.mode === 'auto' && c.transport === 'sse' && sseFailures >= policy.sseFailuresBeforeFallback;
      // A shutdown notice means the server is coming back: retry promptly, but still jittered so a
      // crowd of clients does not arrive in the same millisecond.
      const delay =
        e.type === 'server_shutdown'
          ? Math.round(e.random * policy.floorMs)
          : backoffDelay(c.attempt, e.random, policy);
      const retryAt = e.now + delay;
      // Only a server that did not answer is waited for; one that answers but fails the stream
      // gets the backoff (never hammered by a probe that keeps saying it is up).
      const wait = e.type === 'error' && e.serverReachable === false && policy.reachabilityProbeMs > 0;
      const probe: ConnectionEffect[] =
        wait === probing(s) ? [] : [{ type: wait ? 'start_reachability_probe' : 'stop_reachability_probe' }];
      return to(
        {
          ...c,
          transport: fallBack ? 'ws' : c.transport,
          sseFailures: fallBack ? 0 : sseFailures,
          attempt: c.attempt + 1,
          lastError: error,
          status: 'reconnecting',
          retryAt,
          ...(wait && { waitingForServer: true as const }),
        },
        [{ type: 'teardown' }, { type: 'schedule_retry', at: retryAt }, ...probe],
      );
    }
    case 'server_ready':
      // The server is back: reconnect now rather than at `retryAt`. Anywhere else it is no news.
      return probing(s) ? connect(s, { ...c, status: 'connecting' }) : stay(s);
    case 'server_unready':
      // A failure whose cause was unknown (WebSocket) turned out to be the server: wait for it.
      if (s.status !== 'reconnecting' || probing(s) || policy.reachabilityProbeMs <= 0) return stay(s);
      return to({ ...s, waitingForServer: true, lastError: e.error ?? s.lastError }, [
        { type: 'start_reachability_probe' },
      ]);
    case 'fatal':
      return halt(s, { ...c, status: 'failed', error: e.error, lastError: e.error });
    // The timer (retry_due) or the person (retry_now): both only from a wait. A failed connection
    // never gets here on retry_due: the guard above refuses it.
    case 'retry_due':
    case 'retry_now':
      return s.status === 'reconnecting' || s.status === 'failed'
        ? connect(s, { ...c, status: 'connecting' })
        : stay(s);
    case 'offline':
      return s.status === 'idle' || s.status === 'offline' ? stay(s) : halt(s, { ...c, status: 'offline' });
    case 'online':
      // Back online: reconnect at once. Anywhere else `online` is news of nothing (a healthy stream
      // must not be torn down for it).
      return s.status === 'offline' ? connect(s, { ...c, attempt: 0, status: 'connecting' }) : stay(s);
    case 'set_mode': {
      if (e.mode === c.mode) return stay(s);
      const transport: Transport = e.mode === 'ws' ? 'ws' : 'sse';
      const chosen = { mode: e.mode, sseFailures: 0, transport };
      // No stream to move, or it is already on that transport: only the choice changes, and the
      // next attempt uses it. A pending retry keeps its time.
      if (
        transport === c.transport ||
        s.status === 'idle' ||
        s.status === 'offline' ||
        s.status === 'reconnecting'
      ) {
        return to({ ...s, ...chosen });
      }
      return connect(s, { ...c, ...chosen, status: 'connecting' });
    }
    case 'restart':
      // A fresh attempt on the same transport. Idle (not started or stopped) and offline (`online`
      // will reconnect) there is no stream to restart.
      return s.status === 'idle' || s.status === 'offline'
        ? stay(s)
        : connect(s, { ...c, status: 'connecting' });
    case 'probe_sse':
      return c.mode === 'auto' && c.transport === 'ws' && isLive(s)
        ? connect(s, {
            ...c,
            transport: 'sse',
            sseFailures: policy.sseFailuresBeforeFallback - 1,
            status: 'connecting',
          })
        : stay(s);
  }
}

/** The state `stepConnection` moves to, without its effects. */
export function nextConnectionState(
  s: ConnectionState,
  e: ConnectionEvent,
  policy: ConnectionPolicy = DEFAULT_POLICY,
): ConnectionState {
  return stepConnection(s, e, policy).state;
}
