/**
 * Probes that run inside the page (serialized by playwright: each must be self-contained).
 */

/** What `installLoadProbe` records, in ms since navigation started (`performance.now()`). */
export interface LoadProbe {
  firstRowAt: number | null;
  lastRowAt: number | null;
  connectedAt: number | null;
}

/** What `installTypingProbe` records. */
export interface TypingProbe {
  /** keydown (its event timestamp) → the first animation frame after the textarea's input event. */
  keyToFrameMs: number[];
  /** Long tasks (> 50 ms) seen since the probe started: their total duration and count. */
  longTaskMs: number;
  longTasks: number;
  startedAt: number;
}

declare global {
  interface Window {
    __ltLoad?: LoadProbe;
    __ltTyping?: TypingProbe;
  }
}

/**
 * From the first frame on, checks every animation frame for (a) any timeline row on screen in the
 * timeline's box, (b) the row of `lastSeq` inside the timeline's box, (c) the network
 * indicator saying `connected`; notes the first time each holds.
 */
export function installLoadProbe(opts: { lastSeq: number }): void {
  const probe: LoadProbe = { firstRowAt: null, lastRowAt: null, connectedAt: null };
  window.__ltLoad = probe;
  const visibleIn = (row: Element | null, box: DOMRect | undefined) => {
    if (!row || !box) return false;
    const r = row.getBoundingClientRect();
    return r.height > 0 && r.bottom > box.top && r.top < box.bottom;
  };
  const tick = () => {
    const now = performance.now();
    const box = document.querySelector('[data-testid=timeline]')?.getBoundingClientRect();
    if (probe.firstRowAt === null && box && box.height > 0) {
      // Whatever row is on screen (the first in the DOM may have been scrolled away already).
      const x = box.left + box.width / 2;
      for (let y = box.top + 4; y < box.bottom; y += 16) {
        if (document.elementFromPoint(x, y)?.closest('[data-testid=timeline-row]')) {
          probe.firstRowAt = now;
          break;
        }
      }
    }
    if (
      probe.lastRowAt === null &&
      visibleIn(document.querySelector(`[data-testid=timeline-row][data-seq="${opts.lastSeq}"]`), box)
    ) {
      probe.lastRowAt = now;
    }
    if (
      probe.connectedAt === null &&
      document.querySelector('[data-testid=network-indicator]')?.getAttribute('data-state') === 'connected'
    ) {
      probe.connectedAt = now;
    }
    if (probe.lastRowAt === null || probe.connectedAt === null) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

/** Starts recording key-to-frame latencies and long tasks into `window.__ltTyping`. */
export function installTypingProbe(): void {
  const probe: TypingProbe = { keyToFrameMs: [], longTaskMs: 0, longTasks: 0, startedAt: performance.now() };
  window.__ltTyping = probe;
  let keydownAt: number | null = null;
  document.addEventListener(
    'keydown',
    (e) => {
      keydownAt = e.timeStamp;
    },
    true,
  );
  document.addEventListener(
    'input',
    () => {
      const t0 = keydownAt;
      keydownAt = null;
      if (t0 === null) return;
      requestAnimationFrame(() => probe.keyToFrameMs.push(performance.now() - t0));
    },
    true,
  );
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.startTime < probe.startedAt) continue;
      probe.longTaskMs += entry.duration;
      probe.longTasks++;
    }
  }).observe({ type: 'longtask', buffered: false });
}
