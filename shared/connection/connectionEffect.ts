import type { Transport } from './createTransportApi.ts';

/** Something the shell must do because of a transition; plain data, performed in order. */
export type ConnectionEffect =
  /** End the current attempt: its subscription, transport and timers (connect window, stable, SSE probe). */
  | { type: 'teardown' }
  /** Start the connect window: the attempt opened next fails unless it opens in time. */
  | { type: 'start_watchdog' }
  /** The attempt opened in time: the connect window is over. */
  | { type: 'stop_watchdog' }
  /** Open a new attempt on `transport`. */
  | { type: 'open'; transport: Transport }
  /** Send `retry_due` at `at` (replacing any retry already scheduled). */
  | { type: 'schedule_retry'; at: number }
  | { type: 'cancel_retry' }
  /** Send `stable` once the connection has stayed up for `stableAfterMs`. */
  | { type: 'start_stable_timer' }
  /** Send `probe_sse` after `sseRetryAfterMs` on WebSocket. */
  | { type: 'start_probe_timer' }
  /** Ask `/healthz` every `reachabilityProbeMs`; send `server_ready` when it answers 200. */
  | { type: 'start_reachability_probe' }
  | { type: 'stop_reachability_probe' };
