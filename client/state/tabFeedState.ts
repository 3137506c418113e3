import type { Session } from '../../shared/session.ts';
import { newestActivity } from '../../shared/sessionHelpers.ts';
import {
  type FeedCursor,
  formatFeedCursor,
  type ResetReason,
  type SessionListMessage,
  type SessionStreamMessage,
  type TabFeedMessage,
} from '../../shared/streamMessages.ts';
import { mergeSessionList } from './mergeSessionList.ts';
import { applyStreamMessages, emptyTrail, type TrailState } from './trailState.ts';

/** Everything one tab holds from its `live.onFeed` subscription. */
export interface TabFeedState {
  /** The session list, most recently active first. */
  sessions: Session[];
  /** Whether the list's first snapshot has arrived. */
  listLoaded: boolean;
  /** The session whose trail the feed carries; null on the home page. */
  followed: string | null;
  /** The followed session's trail. */
  trail: TrailState;
  /** The followed session's head when its stream last (re)started; undefined until the server says. */
  headSeq: number | undefined;
  /** The server does not know the followed session. */
  missing: boolean;
  /** It did know it: the followed session was deleted while this tab showed it. */
  deleted: boolean;
}

/** Where the followed session's trail is: waiting for the server, streaming, unknown to it, or deleted. */
export type TrailPhase = 'loading' | 'live' | 'not_found' | 'deleted';

/** Nothing received yet. */
export function initialTabFeedState(followed: string | null): TabFeedState {
  const trail = emptyTrail(followed ?? '');
  return {
    sessions: [],
    listLoaded: false,
    followed,
    trail,
    headSeq: undefined,
    missing: false,
    deleted: false,
  };
}

/** The state once the tab follows `followed`: its trail starts empty (it backfills from seq 0), the list stays. */
export function followInFeed(state: TabFeedState, followed: string | null): TabFeedState {
  const trail = emptyTrail(followed ?? '');
  return { ...state, followed, trail, headSeq: undefined, missing: false, deleted: false };
}

/** A batch applied: the new state, and the reason when the server restarted the followed trail. */
export interface AppliedFeedBatch {
  state: TabFeedState;
  reset?: ResetReason;
}

/**
 * The state after a batch of feed messages. List messages merge into the list; trail messages of
 * the followed session go through `applyStreamMessages` (de-duplicated by seq, reset drops the
 * trail); messages about any other session (a stream that was already replaced) are ignored. The
 * followed session is deleted when the list removes it, or when the server says it is missing after
 * it had announced its head. Unchanged parts keep their identity, so views of them do not re-render.
 */
export function applyFeedMessages(
  state: TabFeedState,
  messages: readonly TabFeedMessage[],
): AppliedFeedBatch {
  let { headSeq, missing, deleted } = state;
  let reset: ResetReason | undefined;
  const trailMessages: SessionStreamMessage[] = [];
  const listMessages: SessionListMessage[] = [];
  for (const m of messages) {
    if (m.kind === 'list') {
      if (m.message.kind === 'remove' && m.message.sessionId === state.followed) {
        missing = true;
        deleted = true;
      }
      listMessages.push(m.message);
      continue;
    }
    // Queued before the tab switched sessions: that trail is no longer shown.
    if (m.sessionId !== state.followed) continue;
    if (m.kind === 'session_missing') {
      deleted ||= headSeq !== undefined;
      missing = true;
    } else if (m.kind === 'session_batch') trailMessages.push(...m.messages);
    else if (m.message.kind === 'head') headSeq = m.message.headSeq;
    else {
      if (m.message.kind === 'reset') reset = m.message.reason;
      trailMessages.push(m.message);
    }
  }
  const trail = trailMessages.length > 0 ? applyStreamMessages(state.trail, trailMessages) : state.trail;
  const sessions = listMessages.length > 0 ? mergeSessionList(state.sessions, listMessages) : state.sessions;
  const listLoaded = state.listLoaded || listMessages.length > 0;
  const next = { ...state, sessions, listLoaded, trail, headSeq, missing, deleted };
  return reset ? { state: next, reset } : { state: next };
}

/**
 * Where the feed should resume, from what was applied: the followed trail's last seq, and the
 * latest activity among the listed sessions (undefined before any, so the list starts over).
 */
export function feedCursor(state: TabFeedState): FeedCursor {
  const newest = newestActivity(state.sessions);
  const ms = newest === undefined ? Number.NaN : Date.parse(newest);
  return { ...state.trail.position, listMs: Number.isNaN(ms) ? undefined : ms };
}

/** How many events of the followed session the tab still has to receive to reach the announced head. */
export function feedBehind(state: TabFeedState): number {
  return state.headSeq === undefined ? 0 : Math.max(0, state.headSeq - state.trail.folded.lastSeq);
}

/** The `live.onFeed` input that resumes from `state`; no cursor while nothing was applied. */
export function feedInput(state: TabFeedState): {
  sessionId: string | null;
  lastEventId?: string;
  batch: true;
} {
  const cursor = feedCursor(state);
  const fresh = cursor.seq === 0 && cursor.listMs === undefined;
  // The backfill in batches: replaying it message by message held the first rows back by a second.
  return {
    sessionId: state.followed,
    lastEventId: fresh ? undefined : formatFeedCursor(cursor),
    batch: true,
  };
}

/** The followed trail's phase: live once the server announced its head. */
export function feedPhase(state: TabFeedState): TrailPhase {
  if (state.deleted) return 'deleted';
  return state.missing ? 'not_found' : state.headSeq === undefined ? 'loading' : 'live';
}

/** Whether a message tells how far behind the tab is (the head, or that there is none): news at once. */
export function announcesHead(m: TabFeedMessage): boolean {
  return m.kind === 'session_missing' || (m.kind === 'session' && m.message.kind === 'head');
}
