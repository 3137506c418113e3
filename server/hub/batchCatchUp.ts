import type { StoredEvent, StreamEvent } from '../../shared/agentEvent.ts';
import type { SessionStreamMessage, TabFeedMessage } from '../../shared/streamMessages.ts';
import { eventJson } from '../store/storedJson.ts';
import type { TrackedFeedMessage } from './followTabFeed.ts';
import type { Sink } from './sink.ts';

/** At most this many trail messages go into one `session_batch`. */
export const CATCH_UP_BATCH_MAX = 256;
/** The first batch is smaller: the viewer's first rows are painted from it, the sooner the better. */
export const FIRST_BATCH_MAX = 32;
/**
 * A batch is sent once its events' JSON passes this many characters: one event may be 256 KiB, and
 * a batch is one string on the server and one `JSON.parse` in the browser.
 */
export const BATCH_MAX_CHARS = 1 << 20;

/** A tab feed sink that can also be told where the followed trail's catch-up ends. */
export interface CatchUpBatcher extends Sink<TrackedFeedMessage> {
  /** Drops what is still held (the feed has ended). */
  close(): void;
}

/**
 * Gathers the followed trail's catch-up into `session_batch` messages, so a browser replaying a
 * 10 000-event backfill handles a few dozen messages instead of ten thousand (each one costs tRPC's
 * client a stream read, a timeout race and a generator step). What is pushed in one synchronous run
 * — the follower writes a store page at a time — goes out together, at most `CATCH_UP_BATCH_MAX`
 * per batch (`FIRST_BATCH_MAX` in the first, which the viewer paints first) and about
 * `BATCH_MAX_CHARS` of JSON, tracked by the cursor after its last message, so resuming from a batch's id is
 * resuming after all of it.
 *
 * Only events up to the head announced when the stream started are held; the head, a reset, list
 * messages and every live event first send what is held, then go out as they are — live events
 * stay the one shared message per event that all subscribers write (encode once, write many). A
 * batch of one is sent as its single message.
 */
export function batchCatchUp(sink: Sink<TrackedFeedMessage>, signal: AbortSignal): CatchUpBatcher {
  let held: TrackedFeedMessage[] = [];
  let heldChars = 0;
  let headSeq = 0;
  let full = false;
  let scheduled: ReturnType<typeof setImmediate> | undefined;
  let closed = false;
  let max = FIRST_BATCH_MAX;

  function send(): void {
    clearImmediate(scheduled);
    scheduled = undefined;
    if (held.length === 0 || closed || signal.aborted) return;
    const batch = held;
    held = [];
    heldChars = 0;
    max = CATCH_UP_BATCH_MAX;
    const last = batch.at(-1)!;
    const message: TabFeedMessage = {
      kind: 'session_batch',
      sessionId: (last.message as { sessionId: string }).sessionId,
      messages: batch.map((t) => (t.message as { message: SessionStreamMessage }).message),
    };
    if (!sink.push(batch.length === 1 ? last : { cursor: last.cursor, message })) full = true;
  }

  /** An event of the trail's backfill: below or at the head the stream started with. */
  function isCatchUp(m: TabFeedMessage): boolean {
    return m.kind === 'session' && m.message.kind === 'event' && m.message.event.seq <= headSeq;
  }

  /**
   * An event's JSON length: the stored text's (sqlite), else what encoding it will cost anyway. Not
   * remembered: the memory store's events live as long as the store, their text would too.
   */
  function jsonLength(event: StreamEvent): number {
    return eventJson(event as StoredEvent).length;
  }

  /** Whether the last send found the sink full; reading it clears it (the follower is told once). */
  function takeFull(): boolean {
    const was = full;
    full = false;
    return was;
  }

  return {
    push(tracked) {
      const m = tracked.message;
      if (m.kind === 'session' && (m.message.kind === 'head' || m.message.kind === 'reset')) {
        headSeq = m.message.headSeq;
      }
      if (!isCatchUp(m)) {
        send();
        const accepted = sink.push(tracked);
        return !takeFull() && accepted;
      }
      held.push(tracked);
      heldChars += jsonLength((m as { message: { event: StreamEvent } }).message.event);
      if (held.length >= max || heldChars >= BATCH_MAX_CHARS) send();
      // The sink is full: the follower now waits for drained(), and what it pushed waits with it, to
      // go out together with what it pushes next rather than as a batch of one.
      if (takeFull()) return false;
      scheduled ??= setImmediate(send);
      return true;
    },
    async drained(waitSignal) {
      await sink.drained(waitSignal);
      scheduled ??= setImmediate(send);
    },
    close() {
      closed = true;
      clearImmediate(scheduled);
    },
  };
}
