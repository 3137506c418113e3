/**
 * The Web Locks that stand for the SSE slots. Browsers allow ~6 HTTP/1.1 connections per origin
 * across all tabs; an SSE stream holds one for good, so only two tabs may hold one and the rest of
 * the pool stays free for page loads and queries.
 */
export const SSE_SLOT_NAMES = ['livetrail-sse-0', 'livetrail-sse-1'] as const;

/** This tab's claim on an SSE slot. */
export interface SseSlot {
  /** Resolves once it is known whether this tab holds a slot now (always true without Web Locks). */
  ready: Promise<boolean>;
  /** Gives the slot back, or stops waiting for one. */
  release(): void;
}

/** Options of `acquireSseSlot`. */
export interface SseSlotOptions {
  /** Called when a tab that had no slot gets one (a tab holding one closed). */
  onGranted(): void;
  /** null = no Web Locks (a non-secure origin). @default navigator.locks */
  locks?: LockManager | null;
  /** @default SSE_SLOT_NAMES */
  names?: readonly string[];
}

/**
 * Takes a free SSE slot if there is one (`ifAvailable`), otherwise queues for every slot and calls
 * `onGranted` when the first comes free. A slot is held until `release()` — or until the tab
 * closes, when the browser releases its locks. Without Web Locks every tab may try SSE; the
 * connection manager's connect watchdog then moves a tab whose stream the browser queued to WebSocket.
 */
export function acquireSseSlot(opts: SseSlotOptions): SseSlot {
  if (opts.locks === undefined && opts.names === undefined && early) {
    // The claim started as the page loaded (claimSseSlotEarly) is this tab's: it takes it over.
    const claimed = early;
    early = undefined;
    claimed.onGranted = opts.onGranted;
    // A slot that came free while the app was loading is held now, whatever `ready` said then.
    return claimed.granted ? { ready: Promise.resolve(true), release: claimed.slot.release } : claimed.slot;
  }
  const locks = opts.locks === undefined ? globalThis.navigator?.locks : opts.locks;
  if (!locks) return { ready: Promise.resolve(true), release() {} };
  const names = opts.names ?? SSE_SLOT_NAMES;
  const queue = new AbortController();
  let held = false;
  let released = false;
  let letGo!: () => void;
  // The lock callbacks return this promise: a lock is held until it settles.
  const holding = new Promise<void>((resolve) => {
    letGo = resolve;
  });

  /** Takes the slot unless one is held already (two queued requests can be granted together). */
  function take(lock: Lock | null): boolean {
    if (!lock || held || released) return false;
    held = true;
    return true;
  }

  function tryFree(name: string): Promise<boolean> {
    return new Promise((resolve) => {
      locks!
        .request(name, { ifAvailable: true }, (lock) => {
          const got = take(lock);
          resolve(got);
          return got ? holding : undefined;
        })
        .catch(() => resolve(false));
    });
  }

  function waitForAny(): void {
    for (const name of names) {
      locks!
        .request(name, { signal: queue.signal }, (lock) => {
          if (!take(lock)) return undefined;
          queue.abort();
          opts.onGranted();
          return holding;
        })
        .catch(() => {
          // Aborted: another slot was granted first, or the tab released its claim.
        });
    }
  }

  async function acquire(): Promise<boolean> {
    for (const name of names) if (await tryFree(name)) return true;
    if (!released) waitForAny();
    return false;
  }

  return {
    ready: acquire(),
    release() {
      released = true;
      queue.abort();
      letGo();
    },
  };
}

/** The claim made as the page loaded, until the app takes it over. */
interface EarlyClaim {
  slot: SseSlot;
  onGranted: () => void;
  /** A slot came free before the takeover (the claim had queued). */
  granted: boolean;
}
let early: EarlyClaim | undefined;

/**
 * Starts claiming this tab's SSE slot as the page loads, before the app has mounted: the answer comes
 * from the browser process in a task of its own, which would otherwise run only after the app's
 * first render and frame, holding the feed's first request back by that long. The next
 * `acquireSseSlot` with the default locks takes the claim over (and its `onGranted`).
 */
export function claimSseSlotEarly(): void {
  if (early) return;
  const claim: EarlyClaim = {
    onGranted: () => {
      claim.granted = true;
    },
    slot: undefined!,
    granted: false,
  };
  claim.slot = acquireSseSlot({ locks: undefined, onGranted: () => claim.onGranted() });
  early = claim;
}
