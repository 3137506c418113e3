import {
  type CompactedMessage,
  compactedType,
  type StoredEvent,
  type StreamedRole,
} from '../../shared/agentEvent.ts';
import { formatStreamCursor } from '../../shared/streamCursor.ts';
import type { SessionStreamMessage } from '../../shared/streamMessages.ts';
import type { EventStore } from '../store/eventStore.ts';
import { eventMessage } from './sharedMessages.ts';

/** A streamed message a catching-up subscriber has been sent none of yet. */
interface Withheld {
  messageId: string;
  role: StreamedRole;
  startSeq: number;
  startTs: string;
  parts: string[];
  /** Seq and ts of its newest event. */
  last: number;
  ts: string;
}

/**
 * One subscriber's compaction of streamed messages while it catches up (backfill, or live events
 * it fell behind on). A message that starts while catching up is withheld: its start and deltas are
 * not sent, and at its `message_end` it is sent whole as one `CompactedMessage` in the end's place.
 * Every other event is sent where it is, so events interleaved with a message's deltas come before
 * it. When `complete` arrives, withheld messages are sent just before it, marked incomplete; when the
 * subscriber has caught up, `flushOpen` sends each still open with its text so far, marked open, and
 * its next deltas go out live. A message that was open before catching up began (its start already
 * sent) keeps getting its deltas as they are. Positions: see `shared/streamCursor.ts`.
 */
export interface Compactor {
  /** Withheld messages by id, in start order (a Map keeps insertion order, and starts only grow). */
  readonly withheld: Map<string, Withheld>;
  readonly sessionId: string;
}

export function createCompactor(sessionId: string): Compactor {
  return { withheld: new Map(), sessionId };
}

/** The position after `seq` with what is withheld now. */
function cursorAt(c: Compactor, seq: number): string | undefined {
  const first = c.withheld.values().next();
  return first.done ? undefined : formatStreamCursor({ seq, withheldFrom: first.value.startSeq });
}

/** Adds a withheld message's event to what it holds (start, delta); true when taken. */
function take(c: Compactor, event: StoredEvent): boolean {
  if (event.type === 'message_start') {
    c.withheld.set(event.messageId, {
      messageId: event.messageId,
      role: event.role,
      startSeq: event.seq,
      startTs: event.ts,
      parts: [],
      last: event.seq,
      ts: event.ts,
    });
    return true;
  }
  if (event.type !== 'message_delta') return false;
  const w = c.withheld.get(event.messageId);
  if (!w) return false;
  w.parts.push(event.text);
  w.last = event.seq;
  w.ts = event.ts;
  return true;
}

/** The frame that sends a withheld message whole (removing it), positioned at `at`. */
function release(
  c: Compactor,
  w: Withheld,
  at: number,
  mark: { open?: true; incomplete?: true },
  endedBy?: StoredEvent,
): SessionStreamMessage {
  c.withheld.delete(w.messageId);
  const seq = endedBy?.seq ?? w.last;
  const position = cursorAt(c, at) ?? String(at);
  const event: CompactedMessage = {
    type: compactedType(w.role),
    text: w.parts.join(''),
    messageId: w.messageId,
    startSeq: w.startSeq,
    startTs: w.startTs,
    sessionId: c.sessionId,
    seq,
    ts: endedBy?.ts ?? w.ts,
    ...mark,
  };
  return position === String(seq) ? { kind: 'event', event } : { kind: 'event', event, cursor: position };
}

/**
 * The messages to send for one stored event taken while catching up (none, while a message is
 * withheld; one or more at its end or at `complete`).
 */
export function compactEvent(c: Compactor, event: StoredEvent): SessionStreamMessage[] {
  if (take(c, event)) return [];
  if (event.type === 'message_end') {
    const w = c.withheld.get(event.messageId);
    if (w) return [release(c, w, event.seq, {}, event)];
  }
  const out: SessionStreamMessage[] = [];
  if (event.type === 'complete') {
    for (const w of [...c.withheld.values()]) out.push(release(c, w, event.seq - 1, { incomplete: true }));
  }
  const cursor = cursorAt(c, event.seq);
  out.push(cursor === undefined ? eventMessage(event) : { kind: 'event', event, cursor });
  return out;
}

/** Caught up at `seq`: each withheld message with its text so far, marked open (none are withheld after). */
export function flushOpen(c: Compactor, seq: number): SessionStreamMessage[] {
  return [...c.withheld.values()].map((w) => release(c, w, seq, { open: true }));
}

/**
 * Rebuilds what a resumed subscriber's cursor says is withheld, from its stored events `from` …
 * `through`, page by page: messages started in that range and not ended in it.
 */
export async function restoreWithheld(
  c: Compactor,
  opts: {
    store: Pick<EventStore, 'readEvents'>;
    sessionId: string;
    from: number;
    through: number;
    pageSize: number;
    signal: AbortSignal;
  },
): Promise<void> {
  let after = opts.from - 1;
  while (after < opts.through && !opts.signal.aborted) {
    const page = await opts.store.readEvents(opts.sessionId, { after, limit: opts.pageSize });
    for (const event of page) {
      if (event.seq > opts.through) return;
      if (take(c, event)) continue;
      if (event.type === 'message_end') c.withheld.delete(event.messageId);
    }
    if (page.length < opts.pageSize) return;
    after = page[page.length - 1]!.seq;
  }
}
