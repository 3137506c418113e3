/**
 * Probes that run inside the page (serialized by playwright: each must be self-contained). Times are
 * epoch ms (`performance.timeOrigin + performance.now()`), the clock the bench stamps appends with.
 */

/** What `installPaintProbe` records for each delta `n` of the page's session (sparse arrays, by n). */
export interface PaintProbe {
  /** The MutationObserver callback that first found `w<n>` (or a later token) in the DOM. */
  domAt: number[];
  /** The first task after that: the rendering step that paints the change has run by then. */
  paintAt: number[];
  /** Highest n seen so far. */
  seen: number;
  /** `document.visibilityState` when installed, and whether it was ever hidden since. */
  visibility: string;
  everHidden: boolean;
}

/** What `installCaughtUpProbe` records, in ms since navigation started. */
export interface CaughtUpProbe {
  /** The first frame in which the row at `startSeq` showed the whole text. */
  fullTextAt: number | null;
  /** The first frame in which the network indicator said connected. */
  connectedAt: number | null;
}

declare global {
  interface Window {
    /** When each delta `n` first arrived on the page's EventSource or WebSocket (`installReceiveProbe`). */
    __ltRecv?: number[];
    __ltPaint?: PaintProbe;
    __ltCaughtUp?: CaughtUpProbe;
  }
}

/**
 * Init script (before the app loads): wraps `EventSource` and `WebSocket` so that every delta that
 * arrives (its text starting `w<n>`) is stamped as received — when the page's transport handed it over.
 */
export function installReceiveProbe(): void {
  const recv: number[] = [];
  window.__ltRecv = recv;
  const stamp = (e: MessageEvent) => {
    if (typeof e.data !== 'string') return;
    const at = performance.timeOrigin + performance.now();
    // Only a delta's text (`"text":"w12 "`): session ids in other messages may hold `w<digits>` too.
    for (const match of e.data.matchAll(/"text":"w(\d+)[ \\]/g)) recv[Number(match[1])] ??= at;
  };
  const NativeEventSource = window.EventSource;
  window.EventSource = class extends NativeEventSource {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init);
      this.addEventListener('message', stamp);
    }
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', stamp);
    }
  };
}

/**
 * Watches the page's message bodies (`[data-part=message-body]`): on every DOM change the newest body
 * holding a `w<n>` token is read, and every delta up to its last token is stamped as in the DOM now.
 * The SPA re-renders a live message inside an animation-frame callback (createFrameCoalesced), so the
 * observer runs right after that callback, before the frame's style, layout and paint; a message
 * posted from it runs as the next task, after that rendering step — its time is "painted". (A change
 * made outside a frame — the first delta, which makes the row — is stamped before the frame that
 * paints it: low by up to one frame.)
 */
export function installPaintProbe(): void {
  const probe: PaintProbe = {
    domAt: [],
    paintAt: [],
    seen: 0,
    visibility: document.visibilityState,
    everHidden: document.visibilityState !== 'visible',
  };
  window.__ltPaint = probe;
  const now = () => performance.timeOrigin + performance.now();
  const token = /w(\d+)\D*$/;
  let waiting: number[] = [];
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    const at = now();
    for (const n of waiting) probe.paintAt[n] = at;
    waiting = [];
  };
  const scan = () => {
    const bodies = document.querySelectorAll('[data-part=message-body]');
    for (let i = bodies.length - 1; i >= 0; i--) {
      const match = token.exec(bodies[i]!.textContent ?? '');
      if (!match) continue;
      const n = Number(match[1]);
      if (n <= probe.seen) return;
      const at = now();
      if (waiting.length === 0) channel.port2.postMessage(0);
      for (let k = probe.seen + 1; k <= n; k++) {
        probe.domAt[k] = at;
        waiting.push(k);
      }
      probe.seen = n;
      return;
    }
  };
  new MutationObserver(scan).observe(document.body, { childList: true, subtree: true, characterData: true });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible') probe.everHidden = true;
  });
}

/**
 * Checks every animation frame from the first on whether the row at `startSeq` shows the whole text
 * (its body holds both `firstToken` and `lastToken`) and whether the indicator says connected.
 */
export function installCaughtUpProbe(opts: {
  startSeq: number;
  firstToken: string;
  lastToken: string;
}): void {
  const probe: CaughtUpProbe = { fullTextAt: null, connectedAt: null };
  window.__ltCaughtUp = probe;
  const tick = () => {
    const t = performance.now();
    if (probe.fullTextAt === null) {
      const body = document.querySelector(
        `[data-testid=timeline-row][data-seq="${opts.startSeq}"] [data-part=message-body]`,
      );
      const text = body?.textContent ?? '';
      if (text.includes(opts.firstToken) && text.includes(opts.lastToken)) probe.fullTextAt = t;
    }
    if (
      probe.connectedAt === null &&
      document.querySelector('[data-testid=network-indicator]')?.getAttribute('data-state') === 'connected'
    ) {
      probe.connectedAt = t;
    }
    if (probe.fullTextAt === null || probe.connectedAt === null) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
