import type { TRPCClient } from '@trpc/client';
import type { Unsubscribable } from '@trpc/server/observable';
import type { AppRouter } from '../../server/routers/_app.ts';
import {
  describeConnectionError as describe,
  type HealthAnswer,
  withHealthAnswer,
} from '../describeConnectionError.ts';
import { TRANSPORT_TIMING } from '../transportTiming.ts';
import {
  type ConnectionEffect,
  type ConnectionEvent,
  type ConnectionPolicy,
  type ConnectionState,
  DEFAULT_POLICY,
  initialConnectionState,
  stepConnection,
  type TransportMode,
} from './connectionState.ts';
import { createNamedTimers } from './createNamedTimers.ts';
import { askHealth, createReachabilityProbe, healthFromYesNo } from './createReachabilityProbe.ts';
import { createTransportApi, type Transport, type TransportApi } from './createTransportApi.ts';
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
  /**
   * An attempt that is not open after this long counts as failed (queued or buffered).
   * @default TRANSPORT_TIMING.connectWindowMs (6000, longer than one SSE ping interval)
   */
  connectTimeoutMs?: number;
  EventSource?: unknown;
  WebSocket?: unknown;
  /** Access token for a server with access control (browsers use the sign-in cookie instead). */
  token?: string;
  network?: NetworkMonitor;
  /** Asks whether the server is up (yes is taken as `ready`), in place of `health`; for tests. */
  probe?: (url: string) => Promise<boolean>;
  /** Asks `/healthz` after a failure, and while the server is down every `reachabilityProbeMs`. @default askHealth */
  health?: (url: string) => Promise<HealthAnswer>;
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
  /**
   * Ends the current attempt and opens a new one at once on the same transport (e.g. the input
   * changed), also out of a wait or a failure; stopped or offline it does nothing.
   */
  restart(): void;
  retryNow(): void;
  /** Changes how the transport is chosen; reconnects if the transport changes. */
  setMode(mode: TransportMode): void;
  close(): void;
}

const DEFAULT_FATAL = ['UNAUTHORIZED', 'FORBIDDEN', 'BAD_REQUEST', 'NOT_FOUND'];

const errorCode = (err: unknown) => (err as { data?: { code?: string } } | undefined)?.data?.code;

/**
 * The shell around `stepConnection`: it feeds the machine events (from sockets, timers, the
 * network and its caller) and performs the effects it returns; the state is only ever what the
 * machine said. Every attempt gets a number; callbacks from an attempt that was already replaced
 * are dropped, so a late error from a dead socket can never disturb the live one.
 */
export function createConnectionManager(opts: ConnectionManagerOptions): ConnectionManager {
  const policy = { ...DEFAULT_POLICY, ...opts.policy };
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const network = opts.network ?? defaultNetworkMonitor();
  const fatal = new Set(opts.fatalCodes ?? DEFAULT_FATAL);
  const connectTimeoutMs = opts.connectTimeoutMs ?? TRANSPORT_TIMING.connectWindowMs;
  const health = opts.health ?? (opts.probe ? healthFromYesNo(opts.probe) : askHealth);
  const reachability = createReachabilityProbe({
    url: opts.url,
    everyMs: policy.reachabilityProbeMs,
    ask: health,
    random,
    onReady: () => dispatch({ type: 'server_ready' }),
  });
  const listeners = new Set<(s: ConnectionState) => void>();
  const http = createTransportApi({
    url: opts.url,
    transport: 'sse',
    EventSource: opts.EventSource,
    token: opts.token,
  });

  let state = initialConnectionState(opts.mode ?? 'auto');
  let attemptId = 0;
  let current:
    | { sub: Unsubscribable; api: TransportApi; transport: Transport; fail(error: string): void }
    | undefined;
  const timers = createNamedTimers<'retry' | 'watchdog' | 'stable' | 'probe'>();
  const later = (name: 'retry' | 'stable' | 'probe', ms: number, event: ConnectionEvent) =>
    timers.set(name, ms, () => dispatch(event));

  function teardown(): void {
    for (const name of ['watchdog', 'stable', 'probe'] as const) timers.clear(name);
    const c = current;
    current = undefined;
    // Retire the id first: whatever the old attempt reports while unsubscribing is not news.
    attemptId++;
    c?.sub.unsubscribe();
    c?.api.close();
  }

  function dispatch(event: ConnectionEvent): void {
    const prev = state;
    const step = stepConnection(prev, event, policy);
    state = step.state;
    for (const effect of step.effects) perform(effect);
    // An attempt that opens or fails synchronously inside `open` has already moved the state on,
    // and told the listeners.
    if (state === step.state && state !== prev) for (const l of listeners) l(state);
  }

  function perform(effect: ConnectionEffect): void {
    switch (effect.type) {
      case 'teardown':
        teardown();
        break;
      case 'start_watchdog':
        // Armed before the attempt opens (after the teardown that cleared the last one); it fails
        // whichever attempt is current when it fires.
        timers.set('watchdog', connectTimeoutMs, () => {
          const c = current;
          c?.fail(
            `no connection within ${Math.round(connectTimeoutMs / 1000)} s over ${c.transport === 'sse' ? 'SSE' : 'WebSocket'}`,
          );
        });
        break;
      case 'stop_watchdog':
        timers.clear('watchdog');
        break;
      case 'open':
        openAttempt(effect.transport);
        break;
      case 'schedule_retry':
        later('retry', Math.max(0, effect.at - now()), { type: 'retry_due' });
        break;
      case 'cancel_retry':
        timers.clear('retry');
        break;
      case 'start_stable_timer':
        later('stable', policy.stableAfterMs, { type: 'stable' });
        break;
      case 'start_probe_timer':
        later('probe', policy.sseRetryAfterMs, { type: 'probe_sse' });
        break;
      case 'start_reachability_probe':
        reachability.start();
        break;
      case 'stop_reachability_probe':
        reachability.stop();
        break;
    }
  }

  function openAttempt(transport: Transport): void {
    const id = ++attemptId;
    const mine = () => id === attemptId;
    let failed = false;
    const fail = (error: string) => {
      if (!mine() || failed) return;
      failed = true;
      // A WebSocket failure never moves the transport: it is reported at once, the server asked after.
      if (transport === 'ws') dispatch({ type: 'error', error, now: now(), random: random() });
      const asked = attemptId;
      void health(opts.url).then((answer) => {
        if (asked !== attemptId) return;
        const words = withHealthAnswer(error, answer);
        // Is SSE the problem, or is the server simply down? Only the former should push us to WS.
        if (transport === 'sse') {
          const serverReachable = answer !== 'unreachable';
          dispatch({ type: 'error', error: words, now: now(), random: random(), serverReachable });
        }
        // Down or not ready: wait for it (the machine refuses this if it already does).
        if (answer !== 'ready') dispatch({ type: 'server_unready', error: words });
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
    const handlers: AttemptHandlers = {
      onStarted() {
        if (!mine()) return;
        opened = true;
        // A second report of the same stream is refused by the machine (only `connecting` opens).
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
        // Completion after our own unsubscribe is not news (teardown retired the id); only a
        // stream the server ended is.
        if (!mine()) return;
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
      current = { sub: opts.open(api.api, handlers), api, transport, fail };
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
    restart: () => dispatch({ type: 'restart' }),
    retryNow: () => dispatch({ type: 'retry_now' }),
    setMode: (mode) => dispatch({ type: 'set_mode', mode }),
    close() {
      stopNetwork();
      dispatch({ type: 'stop' });
      listeners.clear();
    },
  };
}
