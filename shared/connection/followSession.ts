import type { InterruptEvent, StreamEvent } from '../agentEvent.ts';
import { isCompacted } from '../isCompacted.ts';
import {
  compareStreamCursors,
  formatStreamCursor,
  parseStreamCursor,
  type StreamCursor,
} from '../streamCursor.ts';
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
  /** Compact streamed messages that end while catching up (see `onEvent`). @default true */
  compact?: boolean;
  /**
   * Each event, exactly once and in stream order across every reconnect and transport switch. A
   * streamed message that ended before you caught up comes as one `CompactedMessage` (an
   * `assistant_message` / `thought` with `messageId` and `startSeq`) instead of its start, deltas
   * and end; `compact: false` gives the raw events instead.
   */
  onEvent(event: StreamEvent): void;
  /**
   * A person asked the agent to stop (`sessions.interrupt`, the web app's Stop button): called with
   * each `interrupt` event right after `onEvent`, once per interrupt — also for one stored before
   * following began (past `afterSeq`), and not again when a reset replays the trail. Stop what you are doing (abort an open `streamMessage` with its `signal`) and complete
   * the session as `cancelled`.
   */
  onInterrupt?(event: InterruptEvent): void;
  /** The server could not resume: drop what you hold; the whole trail follows from seq 1. */
  onReset?(reason: ResetReason): void;
  /** The session completed and the stream ended. */
  onEnd?(): void;
  onState?(state: ConnectionState): void;
}

/**
 * Follows one session's trail with the connection manager: SSE first, WebSocket when SSE fails,
 * backoff, resume after the last delivered seq on every attempt, duplicates dropped. `onInterrupt`
 * tells an agent that a person pressed Stop.
 */
export function followSession(opts: FollowSessionOptions): ConnectionManager {
  const { sessionId, onEvent, onInterrupt, onReset, onEnd, onState, compact, afterSeq, ...rest } = opts;
  let position: StreamCursor = { seq: afterSeq ?? 0 };
  /** The seqs of the interrupts reported: a reset replays them with the rest of the trail. */
  const interrupts = new Set<number>();
  const manager = createConnectionManager({
    ...rest,
    open: (api, handlers) =>
      api.events.onEvents.subscribe(
        {
          sessionId,
          lastEventId: position.seq > 0 ? formatStreamCursor(position) : undefined,
          ...(compact === undefined ? {} : { compact }),
        },
        handlers,
      ),
    onData(value) {
      const message = unwrapTracked<SessionStreamMessage>(value);
      if (message.kind === 'reset') {
        position = { seq: 0 };
        manager.reportReset(message.reason);
        onReset?.(message.reason);
        return;
      }
      // Exactly once: whatever a reconnect replays, only what lies past the position is taken. A
      // stored event positioned by its seq alone follows the last one gap-free, so a hole (which the
      // server never sends) is refilled by resubscribing; a compacted message skips what it covers.
      const { event } = message;
      const plain = message.cursor === undefined;
      const at = plain ? { seq: event.seq } : parseStreamCursor(message.cursor);
      if (!at || compareStreamCursors(at, position) <= 0) return;
      if (plain && !isCompacted(event) && position.withheldFrom === undefined && at.seq > position.seq + 1) {
        manager.restart();
        return;
      }
      position = at;
      onEvent(event);
      if (!isCompacted(event) && event.type === 'interrupt' && !interrupts.has(event.seq)) {
        interrupts.add(event.seq);
        onInterrupt?.(event);
      }
    },
    onComplete: () => onEnd?.(),
  });
  if (onState) manager.subscribe(onState);
  return manager;
}
