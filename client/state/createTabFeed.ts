import type { TRPCClient } from '@trpc/client';
import type { Unsubscribable } from '@trpc/server/observable';
import { type Accessor, createComputed, createMemo, createSignal, on, onCleanup, untrack } from 'solid-js';
import type { AppRouter } from '../../server/routers/_app.ts';
import type { ConnectionState, TransportMode } from '../../shared/connection/connectionState.ts';
import {
  type AttemptHandlers,
  type ConnectionManager,
  type ConnectionManagerOptions,
  createConnectionManager,
} from '../../shared/connection/createConnectionManager.ts';
import type { Session } from '../../shared/session.ts';
import type { TabFeedMessage } from '../../shared/streamMessages.ts';
import { unwrapTracked } from '../../shared/unwrapTracked.ts';
import { acquireSseSlot } from './acquireSseSlot.ts';
import { deferSubscription } from './deferSubscription.ts';
import {
  announcesHead,
  applyFeedMessages,
  feedBehind,
  feedInput,
  feedPhase,
  followInFeed,
  initialTabFeedState,
  type TrailPhase,
} from './tabFeedState.ts';
import type { TrailState } from './trailState.ts';

/** One tab's live view: the session list and the followed session's trail, over one connection. */
export interface TabFeed {
  connection: Accessor<ConnectionState>;
  /** Most recently active first. */
  sessions: Accessor<Session[]>;
  listLoaded: Accessor<boolean>;
  byId(sessionId: string): Session | undefined;
  trail: Accessor<TrailState>;
  phase: Accessor<TrailPhase>;
  /** Events the followed trail still has to replay to reach the head it started at (0 = caught up). */
  behind: Accessor<number>;
  /** The client for queries and mutations. */
  api(): TRPCClient<AppRouter>;
  retryNow(): void;
}

/** Options of `createTabFeed`. */
export interface TabFeedOptions {
  url: string;
  /** @default 'auto' */
  mode?: TransportMode;
  /** The session to follow (from the route); null follows none. */
  sessionId: Accessor<string | null>;
  /** How long messages are gathered before the view updates, in ms. @default 16 */
  batchMs?: number;
  /** For tests. @default createConnectionManager */
  connect?: (opts: ConnectionManagerOptions) => ConnectionManager;
  /** For tests; null = no Web Locks. @default navigator.locks */
  locks?: LockManager | null;
}

/**
 * The tab's ONE long-lived subscription (`live.onFeed`), kept alive by the connection manager for
 * as long as the owner lives. Every attempt resumes from what this tab applied; switching sessions
 * opens a fresh subscription. In auto mode SSE is used only while the tab holds an SSE slot.
 */
export function createTabFeed(opts: TabFeedOptions): TabFeed {
  const mode = opts.mode ?? 'auto';
  const batchMs = opts.batchMs ?? 16;
  let state = initialTabFeedState(untrack(opts.sessionId));
  const [view, setView] = createSignal(state);
  // A backfill arrives as thousands of messages; rendering once per message would force a layout
  // each time, so messages are gathered and applied once per frame.
  let queue: TabFeedMessage[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  // When the oldest queued message arrived: during a backfill the browser runs network tasks ahead
  // of timers, so the timer alone would hold the first rows back until the whole backfill is in.
  let queuedAt = 0;

  function flush(report: boolean): void {
    clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0) return;
    const applied = applyFeedMessages(state, queue);
    queue = [];
    state = applied.state;
    setView(state);
    if (!report) return;
    const behind = feedBehind(state);
    if (applied.reset) manager.reportReset(applied.reset);
    // Leave "reset" showing until more arrives, unless the reloaded trail is still catching up.
    if (!applied.reset || behind > 0) manager.reportProgress(behind);
  }

  const slot =
    mode === 'auto'
      ? acquireSseSlot({ locks: opts.locks, onGranted: () => manager.setMode('auto') })
      : undefined;
  let slotKnown = slot === undefined;
  // Registered before any attempt waits on `ready`, so the mode is settled before that attempt starts.
  void slot?.ready.then((held) => {
    slotKnown = true;
    if (!held) manager.setMode('ws');
  });

  function open(api: TRPCClient<AppRouter>, handlers: AttemptHandlers): Unsubscribable {
    // Apply what the previous attempt delivered, so the cursor says all this tab has.
    flush(false);
    const input = feedInput(state);
    const start = () => api.live.onFeed.subscribe(input, handlers);
    // The first attempt waits (a few ms) to learn whether this tab may use SSE at all.
    return slotKnown ? start() : deferSubscription(slot!.ready, start);
  }

  const manager: ConnectionManager = (opts.connect ?? createConnectionManager)({
    url: opts.url,
    mode,
    open,
    onData(value) {
      const message = unwrapTracked<TabFeedMessage>(value);
      if (queue.length === 0) queuedAt = performance.now();
      queue.push(message);
      // The first rows are shown at once; after that, messages are gathered for up to batchMs.
      const first = state.trail.events.length === 0 && message.kind !== 'list';
      if (first || announcesHead(message) || performance.now() - queuedAt >= batchMs) flush(true);
      else timer ??= setTimeout(() => flush(true), batchMs);
    },
  });
  const [connection, setConnection] = createSignal(manager.state());
  const unsubscribe = manager.subscribe((s) => setConnection(s));

  createComputed(
    on(
      opts.sessionId,
      (id) => {
        if (id === state.followed) return;
        flush(false);
        state = followInFeed(state, id);
        setView(state);
        manager.restart();
      },
      { defer: true },
    ),
  );

  onCleanup(() => {
    clearTimeout(timer);
    unsubscribe();
    manager.close();
    slot?.release();
  });

  const sessions = createMemo(() => view().sessions);
  const index = createMemo(() => new Map(sessions().map((s) => [s.id, s])));
  return {
    connection,
    sessions,
    listLoaded: createMemo(() => view().listLoaded),
    byId: (id) => index().get(id),
    trail: createMemo(() => view().trail),
    phase: createMemo(() => feedPhase(view())),
    behind: createMemo(() => feedBehind(view())),
    api: () => manager.api(),
    retryNow: () => manager.retryNow(),
  };
}
