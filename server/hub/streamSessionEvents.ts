import type { StoredEvent } from '../../shared/agentEvent.ts';
import { LivetrailError } from '../../shared/livetrailError.ts';
import { isFinished, type Session } from '../../shared/session.ts';
import type { HeadMessage, ResetReason, SessionStreamMessage } from '../../shared/streamMessages.ts';
import type { EventStore } from '../store/eventStore.ts';
import type { Hub } from './createHub.ts';
import { createWakeup } from './createWakeup.ts';
import { eventMessage } from './sharedMessages.ts';

/** Options of one session stream. */
export interface StreamSessionOptions {
  store: EventStore;
  hub: Hub;
  sessionId: string;
  /** The client's last seen seq as sent (a string from Last-Event-ID / tracked ids), or a number. */
  lastEventId?: string | number | null;
  signal?: AbortSignal;
  /** @default 500 */
  pageSize?: number;
  /**
   * Live events held for a subscriber that is not reading; past this the buffer is dropped and the
   * stream re-reads from the store, so a slow reader costs bounded memory. @default 2000
   */
  maxHeld?: number;
  /** The session, when the caller has just read it (saves reading it again). */
  session?: Session;
  /** Start with `{ kind: 'head' }` so the client can show how far behind it is. @default false */
  announceHead?: boolean;
}

/** Parses a resume position: a non-negative integer, or undefined when absent; null when malformed. */
export function parseLastEventId(id: string | number | null | undefined): number | undefined | null {
  if (id === undefined || id === null || id === '') return undefined;
  if (typeof id === 'number') return Number.isSafeInteger(id) && id >= 0 ? id : null;
  return /^\d{1,15}$/.test(id) ? Number(id) : null;
}

/**
 * A session's trail for one subscriber: the stored events after `lastEventId`, then live ones, each
 * exactly once and in seq order, ending after `complete`. It subscribes to the hub *before* reading
 * the backfill and drops what it already delivered, so nothing appended meanwhile is missed. Live
 * events that arrive ahead of a hole are held back until the hole is filled from the store. A
 * `lastEventId` that is malformed or beyond the head yields a reset, then the whole trail.
 */
export async function* streamSessionEvents(
  opts: StreamSessionOptions,
): AsyncGenerator<SessionStreamMessage | HeadMessage> {
  const { store, hub, sessionId, signal, pageSize = 500, maxHeld = 2000 } = opts;
  const session = opts.session ?? (await store.getSession(sessionId));
  if (!session) throw new LivetrailError('NOT_FOUND', `sessionId: no session ${sessionId}`);
  const start = resumePoint(opts.lastEventId, session);
  let delivered = start.delivered;

  const held = new Map<number, StoredEvent>();
  let overflowed = false;
  const wakeup = createWakeup();
  const unsubscribe = hub.onSessionEvents(sessionId, function holdLiveEvents(events) {
    for (const e of events) if (e.seq > delivered && !overflowed) held.set(e.seq, e);
    if (held.size > maxHeld) {
      overflowed = true;
      held.clear();
    }
    wakeup.notify();
  });
  // After the feed was reopened, catch up from the store: behaves like an overflow.
  const stopResync = hub.onResync(function rereadAfterResync() {
    overflowed = true;
    held.clear();
    wakeup.notify();
  });

  /** The stored events after `delivered`, page by page until a short one. */
  async function* backfill(): AsyncGenerator<StoredEvent> {
    let full = true;
    while (full && !signal?.aborted) {
      overflowed = false;
      const page = await store.readEvents(sessionId, { after: delivered, limit: pageSize });
      for (const event of page) {
        if (event.seq !== delivered + 1) continue;
        delivered = event.seq;
        yield event;
      }
      full = page.length === pageSize;
      for (const seq of held.keys()) if (seq <= delivered) held.delete(seq);
    }
  }

  /** The held live events that follow `delivered` without a hole, from memory. */
  function* drainHeld(): Generator<StoredEvent> {
    for (let next = held.get(delivered + 1); next; next = held.get(delivered + 1)) {
      held.delete(next.seq);
      delivered = next.seq;
      yield next;
    }
  }

  try {
    if (start.reset) yield { kind: 'reset', reason: start.reset, headSeq: session.lastSeq };
    if (opts.announceHead) yield { kind: 'head', headSeq: session.lastSeq };
    // A client resuming at the very end of a finished session has everything: end now, don't wait
    // for events that will never come.
    if (isFinished(session.status) && delivered >= session.lastSeq) return;
    let readStore = true;
    let lookedForHole = false;
    while (!signal?.aborted) {
      if (readStore || overflowed) {
        readStore = false;
        for await (const event of backfill()) {
          yield eventMessage(event);
          if (event.type === 'complete') return;
        }
        continue;
      }
      for (const event of drainHeld()) {
        yield eventMessage(event);
        if (event.type === 'complete') return;
      }
      // The buffer was dropped (overflow, resync) while the reader held an event: that notify found
      // no one waiting, so catch up from the store now rather than at the next live event.
      if (overflowed) continue;
      // A live event past a hole: the missing ones may be stored already (look once) or still on
      // their way (wait for the feed).
      if (held.size > 0 && !lookedForHole) {
        lookedForHole = true;
        readStore = true;
        continue;
      }
      await wakeup.wait(signal);
      lookedForHole = false;
    }
  } finally {
    stopResync();
    unsubscribe();
  }
}

/** Where a stream starts: after the client's last seq, or from the start with a reset. */
function resumePoint(
  lastEventId: StreamSessionOptions['lastEventId'],
  session: Session,
): { delivered: number; reset?: ResetReason } {
  const asked = parseLastEventId(lastEventId);
  if (asked === null) return { delivered: 0, reset: 'malformed_last_event_id' };
  const after = asked ?? 0;
  if (after > session.lastSeq) return { delivered: 0, reset: 'ahead_of_head' };
  return { delivered: after };
}
