import type { StreamEvent } from './agentEvent.ts';
import type { Session } from './session.ts';
import { formatStreamCursor, parseStreamCursor, type StreamCursor } from './streamCursor.ts';

/** Why the server could not resume where the client asked and started over from seq 1. */
export type ResetReason =
  | 'malformed_last_event_id'
  | 'ahead_of_head'
  /** The embedded store was recovered from damage and the client may hold events that were lost. */
  | 'recovered';

/**
 * What `events.onEvents` yields: stored events (tracked by seq), and a reset when the client's
 * `lastEventId` cannot be resumed — the client must drop what it holds; the whole trail follows.
 */
export type SessionStreamMessage =
  | {
      kind: 'event';
      event: StreamEvent;
      /** The stream position after this message, when it is not the event's seq (`streamCursor.ts`). */
      cursor?: string;
    }
  | { kind: 'reset'; reason: ResetReason; headSeq: number };

/** Where a session stream stands after an event message: its cursor, else its event's seq. */
export function messagePosition(message: { event: StreamEvent; cursor?: string }): string {
  return message.cursor ?? String(message.event.seq);
}

/** Only in the tab feed: the session's head when its stream (re)started, to show "catching up". */
export interface HeadMessage {
  kind: 'head';
  headSeq: number;
}

/**
 * What `sessions.onChange` yields: first the sessions (all, or on resume those changed since the
 * client's last id), then each session's new state as it changes, and `remove` when one is deleted.
 *
 * A complete snapshot replaces the client's list. A resume snapshot (`complete: false`) carries only
 * the changed sessions, plus `ids`, the id of every session that exists as the snapshot was read:
 * the client drops any session it holds that is not among them, so a `remove` it missed while
 * disconnected cannot leave a deleted session in its list.
 */
export type SessionListMessage =
  | { kind: 'snapshot'; sessions: Session[]; complete: true }
  | { kind: 'snapshot'; sessions: Session[]; complete: false; ids: string[] }
  | { kind: 'upsert'; session: Session }
  | { kind: 'remove'; sessionId: string };

/** The sessions a list message carries (none for a `remove`). */
export function listedSessions(message: SessionListMessage): readonly Session[] {
  if (message.kind === 'snapshot') return message.sessions;
  return message.kind === 'upsert' ? [message.session] : [];
}

/**
 * What `live.onFeed` yields: one tab's whole live view over one connection — the session list and
 * the open session's trail, each message tagged with where it belongs.
 */
export type TabFeedMessage =
  | { kind: 'list'; message: SessionListMessage }
  | { kind: 'session'; sessionId: string; message: SessionStreamMessage | HeadMessage }
  /**
   * Only when the client asked for `batch`: consecutive catch-up messages of the trail, in order,
   * in one message (tracked by the cursor after the last one).
   */
  | { kind: 'session_batch'; sessionId: string; messages: SessionStreamMessage[] }
  | { kind: 'session_missing'; sessionId: string };

/**
 * A tab feed position: the open session's stream position (`streamCursor.ts`) and the list's last
 * activity (epoch ms).
 */
export interface FeedCursor extends StreamCursor {
  listMs: number | undefined;
}

/** Encodes a feed cursor as a tracked id: `<session position>.<listMs>` (listMs may be empty). */
export function formatFeedCursor(c: FeedCursor): string {
  return `${formatStreamCursor(c)}.${c.listMs ?? ''}`;
}

/** Decodes a feed id; null when malformed, undefined when absent. */
export function parseFeedCursor(id: string | null | undefined): FeedCursor | null | undefined {
  if (id === undefined || id === null || id === '') return undefined;
  const m = /^([\d~]{1,31})\.(\d{1,15})?$/.exec(id);
  const session = m ? parseStreamCursor(m[1]) : null;
  if (!m || !session) return null;
  return { ...session, listMs: m[2] === undefined ? undefined : Number(m[2]) };
}
