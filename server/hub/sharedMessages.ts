import type { StoredEvent } from '../../shared/agentEvent.ts';
import type { Session } from '../../shared/session.ts';
import type {
  HeadMessage,
  SessionListMessage,
  SessionStreamMessage,
  TabFeedMessage,
} from '../../shared/streamMessages.ts';

/**
 * The one message object per stored event (and per session change) that every subscriber yields.
 * Sharing the object is what lets the transports encode it once and write the same bytes to every
 * socket (`server/http/encodeOnce.ts`). Keyed weakly: an entry lives as long as the event object,
 * which the hub hands to all of a session's subscribers at once.
 */
const eventMessages = new WeakMap<StoredEvent, SessionStreamMessage>();
const upserts = new WeakMap<Session, SessionListMessage>();
const feedSession = new WeakMap<object, TabFeedMessage>();
const feedList = new WeakMap<SessionListMessage, TabFeedMessage>();

/** Live events not yet sent to anyone: when the hub got them, and what to tell when one is. */
const announced = new WeakMap<StoredEvent, { at: number; onFirst: (ms: number) => void }>();

/**
 * Marks live events as just announced by the store; `onFirst` is called with the milliseconds until
 * the first subscriber takes each one (its message is built then, and written in the same tick).
 */
export function markAnnounced(events: readonly StoredEvent[], onFirst: (ms: number) => void): void {
  const at = performance.now();
  for (const event of events) if (!eventMessages.has(event)) announced.set(event, { at, onFirst });
}

/** `{ kind: 'event', event }`, the same object for the same event. */
export function eventMessage(event: StoredEvent): SessionStreamMessage {
  let message = eventMessages.get(event);
  if (!message) {
    message = { kind: 'event', event };
    eventMessages.set(event, message);
    const mark = announced.get(event);
    if (mark) {
      announced.delete(event);
      mark.onFirst(performance.now() - mark.at);
    }
  }
  return message;
}

/** `{ kind: 'upsert', session }`, the same object for the same session state. */
export function upsertMessage(session: Session): SessionListMessage {
  let message = upserts.get(session);
  if (!message) {
    message = { kind: 'upsert', session };
    upserts.set(session, message);
  }
  return message;
}

/** A session stream message wrapped for the tab feed, shared when the inner message is. */
export function feedSessionMessage(
  sessionId: string,
  message: SessionStreamMessage | HeadMessage,
): TabFeedMessage {
  const cached = feedSession.get(message);
  if (cached?.kind === 'session' && cached.sessionId === sessionId) return cached;
  const wrapped: TabFeedMessage = { kind: 'session', sessionId, message };
  feedSession.set(message, wrapped);
  return wrapped;
}

/** A list message wrapped for the tab feed, shared when the inner message is. */
export function feedListMessage(message: SessionListMessage): TabFeedMessage {
  let wrapped = feedList.get(message);
  if (!wrapped) {
    wrapped = { kind: 'list', message };
    feedList.set(message, wrapped);
  }
  return wrapped;
}
