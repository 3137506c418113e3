import type { StoredEvent } from '../agentEvent.ts';
import type { ResetReason, SessionStreamMessage } from '../streamMessages.ts';
import { unwrapTracked } from '../unwrapTracked.ts';
import type { ConnectionState } from './connectionState.ts';
import {
  type ConnectionManager,
  type ConnectionManagerOptions,
  createConnectionManager,
} from './createConnectionManager.ts';

/** Options of `followSession`. */
export interface FollowSessionOptions
  extends Omit<ConnectionManagerOptions, 'open' | 'onData' | 'onComplete'> {
  sessionId: string;
  /** Resume after this seq (e.g. what the caller already holds). @default 0 */
  afterSeq?: number;
  /** Each event, exactly once and in seq order across every reconnect and transport switch. */
  onEvent(event: StoredEvent): void;
  /** The server could not resume: drop what you hold; the whole trail follows from seq 1. */
  onReset?(reason: ResetReason): void;
  /** The session completed and the stream ended. */
  onEnd?(): void;
  onState?(state: ConnectionState): void;
}

/**
 * Follows one session's trail with the connection manager: SSE first, WebSocket when SSE fails,
 * backoff, resume after the last delivered seq on every attempt, duplicates dropped.
 */
export function followSession(opts: FollowSessionOptions): ConnectionManager {
  const { sessionId, onEvent, onReset, onEnd, onState, ...rest } = opts;
  let lastSeq = opts.afterSeq ?? 0;
  const manager = createConnectionManager({
    ...rest,
    open: (api, handlers) =>
      api.events.onEvents.subscribe(
        { sessionId, lastEventId: lastSeq > 0 ? String(lastSeq) : undefined },
        handlers,
      ),
    onData(value) {
      const message = unwrapTracked<SessionStreamMessage>(value);
      if (message.kind === 'reset') {
        lastSeq = 0;
        manager.reportReset(message.reason);
        onReset?.(message.reason);
        return;
      }
      // Exactly once: whatever a reconnect replays, only the next seq is taken; a hole (which the
      // server never sends) would be refilled by resubscribing from the last seq.
      if (message.event.seq <= lastSeq) return;
      if (message.event.seq > lastSeq + 1) {
        manager.restart();
        return;
      }
      lastSeq = message.event.seq;
      onEvent(message.event);
    },
    onComplete: () => onEnd?.(),
  });
  if (onState) manager.subscribe(onState);
  return manager;
}
