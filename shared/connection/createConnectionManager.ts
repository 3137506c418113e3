import type { TRPCClient } from '@trpc/client';
import type { Unsubscribable } from '@trpc/server/observable';
import type { AppRouter } from '../../server/routers/_app.ts';
import {
  type ConnectionEvent,
  type ConnectionPolicy,
  type ConnectionState,
  DEFAULT_POLICY,
  initialConnectionState,
  nextConnectionState,
  type TransportMode,
} from './connectionState.ts';
import { createTransportApi, type TransportApi } from './createTransportApi.ts';
import { defaultNetworkMonitor, type NetworkMonitor } from './networkMonitor.ts';

/** Callbacks of one subscription attempt, in tRPC's observer shape. */
export interface AttemptHandlers {
  onStarted(): void;
  onData(value: unknown): void;
  onError(err: unknown): void;
  onComplete(): void;
  onConnectionStateChange(state: { state: 'idle' | 'connecting' | 'pending'; error: unknown }): void;
}

/** Options of `createConnectionManager`. */
export interface ConnectionManagerOptions {
  url: string;
  /** `auto` = SSE first, WebSocket when SSE fails, SSE again later. @default 'auto' */
  mode?: TransportMode;
  /**
   * Opens the one live subscription on `api` (resuming from the consumer's own last id) and wires
   * `handlers` to it. Called for every attempt, on whichever transport the manager chose.
   */
  open(api: TRPCClient<AppRouter>, handlers: AttemptHandlers): Unsubscribable;
  /** Called with each value the live subscription delivers. */
  onData(value: unknown): void;
  /**
   * Called when the server ends the subscription normally (e.g. the session completed); the manager
   * then goes idle. Without it, an ended stream is reopened like a dropped one.
   */
  onComplete?(): void;
  /** Errors with these tRPC codes are final: no retry. @default UNAUTHORIZED FORBIDDEN BAD_REQUEST NOT_FOUND */
  fatalCodes?: string[];
  policy?: Partial<ConnectionPolicy>;
  /** An attempt that is not open after this long counts as failed (queued or buffered). @default 6000 */
  connectTimeoutMs?: number;
  EventSource?: unknown;
  WebSocket?: unknown;
  /** Access token for a server with access control (browsers use the sign-in cookie instead). */
  token?: string;
  network?: NetworkMonitor;
  /** Asks whether the server is up when SSE fails. @default GET `${url}/healthz` within 2 s */
  probe?: (url: string) => Promise<boolean>;
  /** Clock and randomness, for tests. */
  now?: () => number;
  random?: () => number;
}

/** A live connection that never gives up on its own, and tells the truth about itself. */
export interface ConnectionManager {
  state(): ConnectionState;
  /** Calls `listener` with every new state. Returns the unsubscribe function. */
  subscribe(listener: (state: ConnectionState) => void): () => void;
  /** The client for queries and mutations (HTTP). */
  api(): TRPCClient<AppRouter>;
  /** Tells the manager how many events the consumer is behind (0 = caught up). */
  reportProgress(behind: number): void;
  /** Tells the manager the server could not resume and the consumer reloaded. */
  reportReset(reason: string): void;
  /** Ends the current attempt and opens a new one at once (e.g. the input changed). */
  restart(): void;
  retryNow(): void;
  /** Changes how the transport is chosen; reconnects if the transport changes. */
  setMode(mode: TransportMode): void;
  close(): void;
}

/** Whether the server answers a plain request within 2 s (its health endpoint). */
async function probeServer(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url.replace(/\/+$/, '')}/healthz`, {
      signal: AbortSignal.timeout(2000),
      cache: 'no-store',
    });
    return res.status < 500 || res.status === 503;
  } catch {
    return false;
  }
}

const DEFAULT_FATAL = ['UNAUTHORIZED', 'FORBIDDEN', 'BAD_REQUEST', 'NOT_FOUND'];

function errorCode(err: unknown): string | undefined {
  return (err as { data?: { code?: string } } | undefined)?.data?.code;
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  const message = (err as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string' && message) return message;
  return err === undefined || err === null ? 'connection lost' : String(err);
}

/**
 * The shell around `nextConnectionState`: it opens and closes subscriptions and timers as the
 * state says. Every attempt gets a number; callbacks from an attempt that was already replaced are
 * dropped, so a late error from a dead socket can never disturb the live one.
 */
export function createConnectionManager(opts: ConnectionManagerOptions): ConnectionManager {
  const policy = { ...DEFAULT_POLICY, ...opts.policy };
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const network = opts.network ?? defaultNetworkMonitor();
  const fatal = new Set(opts.fatalCodes ?? DEFAULT_FATAL);
  const connectTimeoutMs = opts.connectTimeoutMs ?? 6000;
  const listeners = new Set<(s: ConnectionState) => void>();
  const http = createTransportApi({
    url: opts.url,
    transport: 'sse',
    EventSource: opts.EventSource,
    token: opts.token,
  });

  let state = initialConnectionState(opts.mode ?? 'auto');
  let attemptId = 0;
  let current: { sub: Unsubscribable; transport: TransportApi } | undefined;
  const timers = { retry: undefined, watchdog: undefined, stable: undefined, probe: undefined } as Record<
    'retry' | 'watchdog' | 'stable' | 'probe',
    ReturnType<typeof setTimeout> | undefined
  >;

  function clear(name: keyof typeof timers): void {
    if (timers[name] !== undefined) clearTimeout(timers[name]);
    timers[name] = undefined;
  }

  function teardown(): void {
    clear('watchdog');
    clear('stable');
    clear('probe');
    const c = current;
    current = undefined;
    attemptId++;
    c?.sub.unsubscribe();
    c?.transport.close();
  }

  function dispatch(event: ConnectionEvent): void {
    const prev = state;
    state = nextConnectionState(prev, event, policy);
    if (state === prev) return;
    react(prev, state, event.type === 'restart');
    for (const l of listeners) l(state);
  }

  function react(prev: ConnectionState, next: ConnectionState, restart: boolean): void {
    const reopened =
      next.status === 'connecting' &&
      (restart || prev.status !== 'connecting' || prev.transport !== next.transport);
    if (
      reopened ||
      next.status === 'reconnecting' ||
      next.status === 'offline' ||
      next.status === 'idle' ||
      next.status === 'failed'
    ) {
      teardown();
    }
    if (next.status !== 'reconnecting') clear('retry');
    if (next.status === 'reconnecting') {
      clear('retry');
      timers.retry = setTimeout(() => dispatch({ type: 'retry_due' }), Math.max(0, next.retryAt - now()));
    }
    if (reopened) openAttempt(next.transport);
    if (next.status === 'connected' && prev.status === 'connecting') {
      clear('watchdog');
      timers.stable = setTimeout(() => dispatch({ type: 'stable' }), policy.stableAfterMs);
      if (next.mode === 'auto' && next.transport === 'ws') {
        timers.probe = setTimeout(() => dispatch({ type: 'probe_sse' }), policy.sseRetryAfterMs);
      }
    }
  }

  function openAttempt(transport: 'sse' | 'ws'): void {
    const id = ++attemptId;
    const mine = () => id === attemptId;
    let failed = false;
    const fail = (error: string) => {
      if (!mine() || failed) return;
      failed = true;
      if (transport === 'ws') {
        dispatch({ type: 'error', error, now: now(), random: random() });
        return;
      }
      // Is SSE the problem, or is the server simply down? Only the former should push us to WS.
      void (opts.probe ?? probeServer)(opts.url).then((serverReachable) => {
        if (mine()) dispatch({ type: 'error', error, now: now(), random: random(), serverReachable });
      });
    };
    const api = createTransportApi({
      url: opts.url,
      transport,
      EventSource: opts.EventSource,
      WebSocket: opts.WebSocket,
      token: opts.token,
    });
    let opened = false;
    timers.watchdog = setTimeout(() => {
      if (mine() && !opened)
        fail(
          `no connection within ${Math.round(connectTimeoutMs / 1000)} s over ${transport === 'sse' ? 'SSE' : 'WebSocket'}`,
        );
    }, connectTimeoutMs);
    const handlers: AttemptHandlers = {
      onStarted() {
        if (!mine() || opened) return;
        opened = true;
        dispatch({ type: 'opened', now: now() });
      },
      onData(value) {
        if (mine()) opts.onData(value);
      },
      onError(err) {
        if (!mine()) return;
        const code = errorCode(err);
        if (code && fatal.has(code)) dispatch({ type: 'fatal', error: `${code}: ${describe(err)}` });
        else fail(describe(err));
      },
      onComplete() {
        // Completion after our own unsubscribe is not news; only a stream the server ended is.
        if (!mine() || state.status === 'reconnecting') return;
        if (!opts.onComplete) fail('stream ended');
        else if (opened) {
          opts.onComplete();
          dispatch({ type: 'stop' });
        }
      },
      onConnectionStateChange(s) {
        if (!mine()) return;
        if (s.state === 'pending') handlers.onStarted();
        else if (s.state === 'connecting' && !opened && s.error) {
          // The first connection attempt itself failed (refused, non-200): no need to wait out the watchdog.
          fail(describe(s.error));
        } else if (s.state === 'connecting' && opened) {
          // The link lost its stream (network error, server gone, or silent past the ping window).
          // A WebSocket that reconnects without an error was asked to by a restarting server.
          if (transport === 'ws' && !s.error)
            dispatch({ type: 'server_shutdown', now: now(), random: random() });
          else fail(describe(s.error));
        }
      },
    };
    try {
      current = { sub: opts.open(api.api, handlers), transport: api };
    } catch (err) {
      api.close();
      fail(describe(err));
    }
  }

  const stopNetwork = network.subscribe((online) => dispatch({ type: online ? 'online' : 'offline' }));
  dispatch({ type: 'start' });
  if (!network.online()) dispatch({ type: 'offline' });

  return {
    state: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    api: () => http.api,
    reportProgress: (behind) => dispatch({ type: 'progress', behind }),
    reportReset: (reason) => dispatch({ type: 'reset', reason }),
    restart() {
      if (
        state.status === 'connecting' ||
        state.status === 'connected' ||
        state.status === 'catching_up' ||
        state.status === 'reset'
      ) {
        teardown();
        state = { ...state, status: 'connecting' } as ConnectionState;
        openAttempt(state.transport);
        for (const l of listeners) l(state);
      } else dispatch({ type: 'retry_now' });
    },
    retryNow: () => dispatch({ type: 'retry_now' }),
    setMode: (mode) => dispatch({ type: 'set_mode', mode }),
    close() {
      stopNetwork();
      dispatch({ type: 'stop' });
      clear('retry');
      teardown();
      listeners.clear();
    },
  };
}
