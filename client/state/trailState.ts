import type { CompactedMessage, StoredEvent, StreamEvent } from '../../shared/agentEvent.ts';
import { compactedType, isCompacted } from '../../shared/isCompacted.ts';
import { initialSession, reduceSession } from '../../shared/reduceSession.ts';
import type { Session } from '../../shared/session.ts';
import { compareStreamCursors, parseStreamCursor, type StreamCursor } from '../../shared/streamCursor.ts';
import { messagePosition, type SessionStreamMessage } from '../../shared/streamMessages.ts';

/** A streamed message's text as far as it has come. */
export interface StreamedText {
  role: 'assistant_message' | 'thought';
  text: string;
  /** Still being streamed: deltas may follow. */
  open: boolean;
  /** The session completed before the message ended. */
  incomplete: boolean;
}

/**
 * A row event of the timeline: a stored event, or a streamed message's row (shaped as a compacted
 * message; its `text` is what it had when the row was made — the current text is in `messages`).
 */
export type TrailEvent = StoredEvent | CompactedMessage;

/** What a viewer holds of one session's trail. */
export interface TrailState {
  /**
   * The events that make up the timeline, in timeline order: stored events by seq, and one row per
   * streamed message where its `message_start` sits (its deltas and end are folded into `messages`).
   * A late joiner's compacted message is placed there too, so live and late views are identical.
   */
  events: TrailEvent[];
  /** Each streamed message's text, by the seq of its `message_start`. */
  messages: ReadonlyMap<number, StreamedText>;
  /** The events folded with the shared reducer (title, agent and createdAt are blank: they come from the list). */
  folded: Session;
  /** Where the stream stands: what to resume from, and what is already applied. */
  position: StreamCursor;
  /** Whether the server had to start over (the notice stays until the viewer leaves). */
  wasReset: boolean;
}

/** Nothing applied yet. */
export function emptyTrail(sessionId: string, wasReset = false): TrailState {
  return {
    events: [],
    messages: new Map(),
    folded: initialSession({ id: sessionId, title: '', agent: '', createdAt: '' }),
    position: { seq: 0 },
    wasReset,
  };
}

/** Where an event sits in the timeline: a streamed message at its start. */
function orderOf(event: TrailEvent): number {
  return isCompacted(event) ? event.startSeq : event.seq;
}

/** Inserts `event` in timeline order (almost always at the end). */
function insertInOrder(events: TrailEvent[], event: TrailEvent): void {
  const at = orderOf(event);
  let i = events.length;
  while (i > 0 && orderOf(events[i - 1]!) > at) i--;
  events.splice(i, 0, event);
}

/**
 * The trail after a batch of `events.onEvents` messages. A reset drops everything (the whole trail
 * follows from seq 1); a message at or before the applied position is a duplicate from a resume and
 * is ignored. Streamed messages: a `message_start` makes the message's row, deltas grow its text,
 * `message_end` closes it and `complete` marks those still open incomplete; a compacted message
 * (backfill) makes the same row with its text at once. The arrays and the map are copied once per
 * batch, not once per event, so a long backfill stays linear.
 */
export function applyStreamMessages(
  trail: TrailState,
  messages: readonly SessionStreamMessage[],
): TrailState {
  let { events, folded, wasReset, position } = trail;
  let texts = trail.messages;
  let changed = false;
  const writableEvents = (): TrailEvent[] => {
    if (events === trail.events) events = [...events];
    return events;
  };
  const writableTexts = (): Map<number, StreamedText> => {
    if (texts === trail.messages) texts = new Map(texts);
    return texts as Map<number, StreamedText>;
  };
  for (const message of messages) {
    if (message.kind === 'reset') {
      ({ events, folded, wasReset, position, messages: texts } = emptyTrail(folded.id, true));
      changed = true;
      continue;
    }
    const at = parseStreamCursor(messagePosition(message));
    if (!at || compareStreamCursors(at, position) <= 0) continue;
    changed = true;
    position = at;
    const open = folded.openMessages;
    const event: StreamEvent = message.event;
    folded = reduceSession(folded, event);
    if (isCompacted(event)) {
      // The row sits, and is timed, where the message began — as a live viewer's row is.
      insertInOrder(writableEvents(), { ...event, seq: event.startSeq, ts: event.startTs });
      writableTexts().set(event.startSeq, {
        role: event.type,
        text: event.text,
        open: event.open === true,
        incomplete: event.incomplete === true,
      });
      continue;
    }
    switch (event.type) {
      case 'message_start': {
        const row: CompactedMessage = {
          type: compactedType(event.role),
          text: '',
          messageId: event.messageId,
          startSeq: event.seq,
          startTs: event.ts,
          sessionId: event.sessionId,
          seq: event.seq,
          ts: event.ts,
          open: true,
        };
        writableEvents().push(row);
        writableTexts().set(event.seq, { role: row.type, text: '', open: true, incomplete: false });
        break;
      }
      case 'message_delta':
      case 'message_end': {
        const startSeq = open?.find((m) => m.messageId === event.messageId)?.startSeq;
        const current = startSeq === undefined ? undefined : texts.get(startSeq);
        if (startSeq === undefined || !current) break;
        writableTexts().set(
          startSeq,
          event.type === 'message_delta'
            ? { ...current, text: current.text + event.text }
            : { ...current, open: false },
        );
        break;
      }
      case 'complete':
        for (const m of open ?? []) {
          const current = texts.get(m.startSeq);
          if (current) writableTexts().set(m.startSeq, { ...current, open: false, incomplete: true });
        }
        writableEvents().push(event);
        break;
      default:
        writableEvents().push(event);
    }
  }
  return changed ? { events, messages: texts, folded, position, wasReset } : trail;
}
