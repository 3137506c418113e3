import type { StoredEvent } from '../../shared/agentEvent.ts';
import { sessionNotFound } from '../../shared/livetrailError.ts';
import { isFinished, type Session } from '../../shared/session.ts';
import type { HeadMessage, ResetReason, SessionStreamMessage } from '../../shared/streamMessages.ts';
import type { EventStore } from '../store/eventStore.ts';
import type { Hub } from './createHub.ts';
import { createWakeup } from './createWakeup.ts';
import { eventMessage } from './sharedMessages.ts';
import type { Sink } from './sink.ts';

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

/** What a session follower writes. */
export type SessionStreamItem = SessionStreamMessage | HeadMessage;

/** Parses a resume position: a non-negative integer, or undefined when absent; null when malformed. */
export function parseLastEventId(id: string | number | null | undefined): number | undefined | null {
  if (id === undefined || id === null || id === '') return undefined;
  if (typeof id === 'number') return Number.isSafeInteger(id) && id >= 0 ? id : null;
  return /^\d{1,15}$/.test(id) ? Number(id) : null;
}

/**
 * A session's trail for one subscriber, written into `sink`: the stored events after `lastEventId`,
 * then live ones, each exactly once and in seq order, ending after `complete` (the promise resolves)
 * or when the signal aborts. It subscribes to the hub *before* reading the backfill and drops what it
 * already delivered, so nothing appended meanwhile is missed. A `lastEventId` that is malformed or
 * beyond the head yields a reset, then the whole trail.
 *
 * Two modes. Catching up, a loop reads the store page by page and drains held live events; live
 * events that arrive ahead of a hole are held until the hole is filled from the store. Once caught up
 * the subscriber is *live*: the hub's callback writes each new event straight into the sink — per
 * subscriber that is one push, no promise, no generator step. A full sink, a hole or a resync sends
 * it back to catching up; what it holds meanwhile is bounded by `maxHeld` (past it, it re-reads).
 */
export async function followSessionEvents(
  opts: StreamSessionOptions,
  sink: Sink<SessionStreamItem>,
): Promise<void> {
  const { store, hub, sessionId, pageSize = 500, maxHeld = 2000 } = opts;
  const signal = opts.signal ?? new AbortController().signal;
  const session = opts.session ?? (await store.getSession(sessionId));
  if (!session) throw sessionNotFound(sessionId);
  const start = resumePoint(opts.lastEventId, session);
  let delivered = start.delivered;

  const held = new Map<number, StoredEvent>();
  let overflowed = false;
  /** Caught up: the hub callback delivers. */
  let live = false;
  /** The sink said it is full: nothing more until it drains. */
  let full = false;
  /** `complete` was delivered. */
  let ended = false;
  const wakeup = createWakeup();

  function deliver(event: StoredEvent): void {
    delivered = event.seq;
    if (!sink.push(eventMessage(event))) full = true;
    if (event.type === 'complete') {
      ended = true;
      wakeup.notify();
    }
  }

  function hold(events: readonly StoredEvent[], from: number): void {
    for (let i = from; i < events.length; i++) {
      const e = events[i]!;
      if (e.seq > delivered && !overflowed) held.set(e.seq, e);
    }
    // The message the full subscriber has not taken yet counts too.
    if (held.size + (full ? 1 : 0) > maxHeld) {
      overflowed = true;
      held.clear();
    }
  }

  const unsubscribe = hub.onSessionEvents(sessionId, function onLiveEvents(events) {
    if (ended) return;
    let i = 0;
    if (live) {
      for (; i < events.length && !full; i++) {
        const e = events[i]!;
        if (e.seq <= delivered) continue;
        if (e.seq !== delivered + 1) break;
        deliver(e);
        if (ended) return;
      }
      if (i === events.length && !full) return;
      // A hole, or a full subscriber: the loop takes over from here.
      live = false;
    }
    hold(events, i);
    wakeup.notify();
  });
  // After the feed was reopened, catch up from the store: behaves like an overflow.
  const stopResync = hub.onResync(function rereadAfterResync() {
    live = false;
    overflowed = true;
    held.clear();
    wakeup.notify();
  });

  /**
   * Waits while the sink is full. A subscriber that left does not stop the page in hand (its sink
   * drops what it gets); the loops check the signal between pages and wake-ups.
   */
  async function room(): Promise<void> {
    if (!full) return;
    await sink.drained(signal);
    full = false;
  }

  /** The stored events after `delivered`, page by page until a short one. */
  async function backfill(): Promise<void> {
    let fullPage = true;
    while (fullPage && !signal.aborted) {
      // Read a page only once the last one is taken: a subscriber that left stops here.
      await room();
      if (signal.aborted) return;
      overflowed = false;
      const page = await store.readEvents(sessionId, { after: delivered, limit: pageSize });
      for (const event of page) {
        if (event.seq !== delivered + 1) continue;
        await room();
        deliver(event);
        if (ended) return;
      }
      fullPage = page.length === pageSize;
      for (const seq of held.keys()) if (seq <= delivered) held.delete(seq);
    }
  }

  /** The held live events that follow `delivered` without a hole, from memory. */
  async function drainHeld(): Promise<void> {
    for (let next = held.get(delivered + 1); next; next = held.get(delivered + 1)) {
      await room();
      // Held again? A resync or overflow may have dropped it while waiting for room.
      if (held.get(next.seq) !== next) continue;
      held.delete(next.seq);
      deliver(next);
      if (ended) return;
    }
  }

  try {
    if (start.reset) full = !sink.push({ kind: 'reset', reason: start.reset, headSeq: session.lastSeq });
    if (opts.announceHead) full = !sink.push({ kind: 'head', headSeq: session.lastSeq }) || full;
    // A client resuming at the very end of a finished session has everything: end now, don't wait
    // for events that will never come.
    if (isFinished(session.status) && delivered >= session.lastSeq) return;
    let readStore = true;
    let lookedForHole = false;
    while (!signal.aborted && !ended) {
      await room();
      if (signal.aborted) return;
      if (readStore || overflowed) {
        readStore = false;
        await backfill();
        continue;
      }
      await drainHeld();
      if (ended || full) continue;
      // The buffer was dropped (overflow, resync) while waiting for room: catch up from the store.
      if (overflowed) continue;
      // A live event past a hole: the missing ones may be stored already (look once) or still on
      // their way (wait for the feed).
      if (held.size > 0 && !lookedForHole) {
        lookedForHole = true;
        readStore = true;
        continue;
      }
      // Caught up with nothing held: new events are delivered by the hub callback from now on.
      live = held.size === 0;
      await wakeup.wait(signal);
      lookedForHole = false;
    }
  } finally {
    live = false;
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
