import type { StoredEvent } from '../../shared/agentEvent.ts';
import { sessionNotFound } from '../../shared/livetrailError.ts';
import { isFinished, type Session } from '../../shared/session.ts';
import type { HeadMessage, SessionStreamMessage } from '../../shared/streamMessages.ts';
import type { EventStore } from '../store/eventStore.ts';
import {
  type Compactor,
  compactEvent,
  createCompactor,
  flushOpen,
  restoreWithheld,
} from './compactMessages.ts';
import type { Hub } from './createHub.ts';
import { createWakeup, type Wakeup } from './createWakeup.ts';
import { resumePoint } from './resumePoint.ts';
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
  /**
   * Send streamed messages that end while catching up whole, one frame each (`compactMessages.ts`);
   * false sends every delta as stored. @default true
   */
  compact?: boolean;
}

/** What a session follower writes. */
export type SessionStreamItem = SessionStreamMessage | HeadMessage;

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
 * A session deleted while followed fails the stream with NOT_FOUND, as an unknown one does.
 */
export async function followSessionEvents(
  opts: StreamSessionOptions,
  sink: Sink<SessionStreamItem>,
): Promise<void> {
  const { store, hub, sessionId } = opts;
  const signal = opts.signal ?? new AbortController().signal;
  const session = opts.session ?? (await store.getSession(sessionId));
  if (!session) throw sessionNotFound(sessionId);
  const compact = opts.compact ?? true;
  const start = resumePoint(opts.lastEventId, session, compact);
  // One plain object per subscriber and module-level steps: a live subscriber costs its fields, not
  // a set of closures.
  const f: Follower = {
    store,
    sessionId,
    sink,
    signal,
    pageSize: opts.pageSize ?? 500,
    maxHeld: opts.maxHeld ?? 2000,
    delivered: start.delivered,
    compactor: compact ? createCompactor(sessionId) : undefined,
    held: new Map(),
    overflowed: false,
    live: false,
    full: false,
    ended: false,
    gone: false,
    wakeup: createWakeup(),
  };
  const listeners = {
    onLiveEvents(events: StoredEvent[]) {
      onLiveEvents(f, events);
    },
    // After the feed was reopened, catch up from the store: behaves like an overflow.
    rereadAfterResync() {
      f.live = false;
      f.overflowed = true;
      f.held.clear();
      f.wakeup.notify();
    },
    endWhenDeleted() {
      f.gone = true;
      f.live = false;
      f.wakeup.notify();
    },
  };
  const unsubscribe = hub.onSessionEvents(sessionId, listeners.onLiveEvents);
  const stopResync = hub.onResync(listeners.rereadAfterResync);
  // A delete announced before this point is seen by the backfill: the store then answers NOT_FOUND.
  const stopDeleted = hub.onSessionDeleted(sessionId, listeners.endWhenDeleted);

  try {
    if (start.reset) f.full = !sink.push({ kind: 'reset', reason: start.reset, headSeq: session.lastSeq });
    if (opts.announceHead) f.full = !sink.push({ kind: 'head', headSeq: session.lastSeq }) || f.full;
    // A client resuming at the very end of a finished session has everything: end now, don't wait
    // for events that will never come.
    if (isFinished(session.status) && f.delivered >= session.lastSeq) return;
    if (start.withheldFrom !== undefined) {
      await restoreWithheld(f.compactor!, {
        store,
        sessionId,
        from: start.withheldFrom,
        through: f.delivered,
        pageSize: f.pageSize,
        signal,
      });
    }
    let readStore = true;
    let lookedForHole = false;
    while (!signal.aborted && !f.ended) {
      await room(f);
      if (signal.aborted) return;
      // Nothing more of a deleted session, not even what is held: what the sink took is its last.
      if (f.gone) throw sessionNotFound(sessionId);
      if (readStore || f.overflowed) {
        readStore = false;
        await backfill(f);
        continue;
      }
      await drainHeld(f);
      // Deleted while waiting for room: the wake-up already came.
      if (f.ended || f.full || f.gone) continue;
      // The buffer was dropped (overflow, resync) while waiting for room: catch up from the store.
      if (f.overflowed) continue;
      // A live event past a hole: the missing ones may be stored already (look once) or still on
      // their way (wait for the feed).
      if (f.held.size > 0 && !lookedForHole) {
        lookedForHole = true;
        readStore = true;
        continue;
      }
      // Caught up: messages still being streamed go out with their text so far, then live.
      if (f.held.size === 0 && f.compactor && f.compactor.withheld.size > 0) {
        for (const m of flushOpen(f.compactor, f.delivered)) if (!sink.push(m)) f.full = true;
        if (f.full) continue;
      }
      // Caught up with nothing held: new events are delivered by the hub callback from now on.
      f.live = f.held.size === 0;
      await f.wakeup.wait(signal);
      lookedForHole = false;
    }
  } finally {
    // Stryker disable next-line BooleanLiteral: equivalent — the listeners are removed in the same synchronous block, so no hub callback can read `live` again.
    f.live = false;
    stopDeleted();
    stopResync();
    unsubscribe();
  }
}

/** One subscriber's position and mode. */
interface Follower {
  readonly store: EventStore;
  readonly sessionId: string;
  readonly sink: Sink<SessionStreamItem>;
  readonly signal: AbortSignal;
  readonly pageSize: number;
  readonly maxHeld: number;
  /** The last seq taken: handed to the sink, or withheld by the compactor. */
  delivered: number;
  /** Compacts streamed messages while catching up; absent for a raw stream. */
  readonly compactor: Compactor | undefined;
  /** Live events past `delivered`, waiting for a hole to fill or the sink to drain. */
  held: Map<number, StoredEvent>;
  /** `held` was dropped: re-read from the store. */
  overflowed: boolean;
  /** Caught up: the hub callback delivers. */
  live: boolean;
  /** The sink said it is full: nothing more until it drains. */
  full: boolean;
  /** `complete` was delivered. */
  ended: boolean;
  /** The session was deleted: the stream fails with NOT_FOUND. */
  gone: boolean;
  readonly wakeup: Wakeup;
}

function deliver(f: Follower, event: StoredEvent): void {
  f.delivered = event.seq;
  if (f.compactor && !f.live) {
    for (const m of compactEvent(f.compactor, event)) if (!f.sink.push(m)) f.full = true;
  } else if (!f.sink.push(eventMessage(event))) f.full = true;
  if (event.type === 'complete') {
    f.ended = true;
    f.wakeup.notify();
  }
}

function hold(f: Follower, events: readonly StoredEvent[], from: number): void {
  for (let i = from; i < events.length; i++) {
    const e = events[i]!;
    if (e.seq > f.delivered && !f.overflowed) f.held.set(e.seq, e);
  }
  // The message the full subscriber has not taken yet counts too.
  if (f.held.size + (f.full ? 1 : 0) > f.maxHeld) {
    f.overflowed = true;
    f.held.clear();
  }
}

/** A live batch from the hub: written straight into the sink while live, else held for the loop. */
function onLiveEvents(f: Follower, events: StoredEvent[]): void {
  if (f.ended) return;
  let i = 0;
  if (f.live) {
    for (; i < events.length && !f.full; i++) {
      const e = events[i]!;
      if (e.seq <= f.delivered) continue;
      if (e.seq !== f.delivered + 1) break;
      deliver(f, e);
      if (f.ended) return;
    }
    if (i === events.length && !f.full) return;
    // A hole, or a full subscriber: the loop takes over from here.
    f.live = false;
  }
  hold(f, events, i);
  f.wakeup.notify();
}

/**
 * Waits while the sink is full. A subscriber that left does not stop the page in hand (its sink
 * drops what it gets); the loops check the signal between pages and wake-ups.
 */
async function room(f: Follower): Promise<void> {
  if (!f.full) return;
  await f.sink.drained(f.signal);
  f.full = false;
}

/** The stored events after `delivered`, page by page until a short one. */
async function backfill(f: Follower): Promise<void> {
  let fullPage = true;
  while (fullPage && !f.signal.aborted) {
    // Read a page only once the last one is taken: a subscriber that left stops here.
    await room(f);
    if (f.signal.aborted || f.gone) return;
    f.overflowed = false;
    const page = await f.store.readEvents(f.sessionId, { after: f.delivered, limit: f.pageSize });
    for (const event of page) {
      if (event.seq !== f.delivered + 1) continue;
      await room(f);
      if (f.gone) return;
      deliver(f, event);
      if (f.ended) return;
    }
    fullPage = page.length === f.pageSize;
    for (const seq of f.held.keys()) if (seq <= f.delivered) f.held.delete(seq);
  }
}

/** The held live events that follow `delivered` without a hole, from memory. */
async function drainHeld(f: Follower): Promise<void> {
  for (let next = f.held.get(f.delivered + 1); next; next = f.held.get(f.delivered + 1)) {
    await room(f);
    if (f.gone) return;
    // Held again? A resync or overflow may have dropped it while waiting for room.
    if (f.held.get(next.seq) !== next) continue;
    f.held.delete(next.seq);
    deliver(f, next);
    if (f.ended) return;
  }
}
