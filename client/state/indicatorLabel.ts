import type { ConnectionState } from '../../shared/connection/connectionState.ts';
import { lastErrorInWords } from '../../shared/describeConnectionError.ts';

/** What the network indicator's `data-state` says (tests and styles key on it). */
export type IndicatorState =
  | 'connected'
  | 'connecting'
  | 'catching_up'
  | 'reconnecting'
  | 'offline'
  | 'reset'
  | 'error';

/** The indicator's `data-state` for a connection state. */
export function indicatorState(s: ConnectionState): IndicatorState {
  if (s.status === 'failed') return 'error';
  if (s.status === 'idle') return 'connecting';
  return s.status;
}

/** Whole seconds until `retryAt`, rounded up (never negative). */
export function secondsUntil(retryAt: number, now: number): number {
  return Math.max(0, Math.ceil((retryAt - now) / 1000));
}

function events(n: number): string {
  return `${n} ${n === 1 ? 'event' : 'events'}`;
}

/** The indicator's visible label; a reconnect counts down to `retryAt` from `now`. */
export function indicatorLabel(s: ConnectionState, now: number): string {
  switch (s.status) {
    case 'reconnecting': {
      // No countdown: the probe reconnects the moment the server answers, well before `retryAt`.
      if (s.waitingForServer) return indicatorAnnouncement(s);
      const secs = secondsUntil(s.retryAt, now);
      return `Reconnecting ${secs > 0 ? `in ${secs} s` : 'now'} (attempt ${s.attempt})`;
    }
    case 'catching_up':
      return `Catching up: ${events(s.behind)}`;
    default:
      return indicatorAnnouncement(s);
  }
}

/**
 * What a screen reader is told: the status without the parts that tick (seconds, event counts),
 * so a polite live region speaks once per change of status, not once per second.
 */
export function indicatorAnnouncement(s: ConnectionState): string {
  switch (s.status) {
    case 'idle':
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return 'Connected';
    case 'catching_up':
      return 'Catching up';
    case 'reconnecting':
      return s.waitingForServer
        ? `Waiting for the server (attempt ${s.attempt})`
        : `Reconnecting (attempt ${s.attempt})`;
    case 'offline':
      return 'Offline — will reconnect when the network is back';
    case 'reset':
      return 'History reset — reloaded';
    case 'failed':
      return `Connection failed: ${s.error}`;
  }
}

/**
 * The tooltip: the last error in words when there is one (and, while the server is down, that it is
 * being asked), else the label.
 */
export function indicatorTitle(s: ConnectionState, now: number): string {
  if (!s.lastError) return indicatorLabel(s, now);
  const why = `Last error: ${lastErrorInWords(s.lastError)}`;
  return s.status === 'reconnecting' && s.waitingForServer
    ? `${why} — checking every second, reconnecting as soon as it answers`
    : why;
}
