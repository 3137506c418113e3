import { type Accessor, createEffect, createSignal, on } from 'solid-js';

/** Follow-the-bottom state of a scroll container. */
export interface FollowBottom {
  /** Items that arrived while the viewer was scrolled up. */
  unseen: Accessor<number>;
  /** Whether new items scroll the container down (the viewer is at the bottom). */
  following: Accessor<boolean>;
  /** Call from the container's scroll handler. */
  onScroll(): void;
  /**
   * Call from the container's wheel, touch and key handlers: a gesture towards the top stops
   * following at once, before the scroll it causes is reported (new items may arrive in between).
   */
  onIntent(event: Event): void;
  /** Scrolls to the newest item and resumes following. */
  jumpToBottom(): void;
}

const UP_KEYS = new Set(['ArrowUp', 'PageUp', 'Home']);

/**
 * Keeps a scroll container pinned to its bottom while the viewer is at (or near) it, and counts new
 * items instead when they scrolled up to read, so the view never jumps under their eyes.
 *
 * Following stops only when the viewer moves up: a scroll report further from the bottom than
 * `slackPx` *and* above the last reported position (growth below the view — rows arriving, rows
 * measured taller than estimated — moves the bottom away without moving the view, and must not
 * count as leaving), or an upward wheel, touch or key gesture. It resumes when a scroll lands near
 * the bottom again, or on `jumpToBottom()`.
 *
 * Content can also grow without new items — the last row's text streaming in. With `size`, each
 * growth scrolls down too while following (so the view keeps up with the growing row even when it was
 * a few px short of the very bottom, where a list's own anchoring lets go), and does nothing when the
 * viewer scrolled up: the view stays where they read, and growth is not counted as new items.
 */
export function createFollowBottom(opts: {
  el: () => HTMLElement | undefined;
  count: Accessor<number>;
  /** The content's height, when rows can grow in place (a virtual list's total size), in px. */
  size?: Accessor<number>;
  /**
   * Scrolls the container to its very bottom (a virtualized list passes its own, which keeps
   * retargeting while new rows get measured). @default sets `scrollTop` to `scrollHeight`
   */
  scrollToBottom?: () => void;
  /** How close to the bottom still counts as "at the bottom", in px. @default 48 */
  slackPx?: number;
}): FollowBottom {
  const slack = opts.slackPx ?? 48;
  const [following, setFollowing] = createSignal(true);
  const [unseen, setUnseen] = createSignal(0);
  let lastTop = 0;
  let touchY: number | undefined;

  const scrollDown = () => {
    if (opts.scrollToBottom) return opts.scrollToBottom();
    const el = opts.el();
    if (el) el.scrollTop = el.scrollHeight;
  };

  const leave = () => {
    const el = opts.el();
    // Nothing to scroll (yet): a gesture cannot take the viewer away from the bottom.
    if (el && el.scrollHeight > el.clientHeight) setFollowing(false);
  };

  createEffect(
    on(opts.count, (count, previous = 0) => {
      if (count < previous) {
        // The trail was reset: whatever was unseen is gone.
        setUnseen(0);
        return;
      }
      if (count === previous) return;
      // Effects run after the rows are in the DOM, so the container's height already includes them.
      if (following()) scrollDown();
      else setUnseen((n) => n + count - previous);
    }),
  );

  const size = opts.size;
  if (size) {
    createEffect(
      on(size, (now, before) => {
        if (before !== undefined && now > before && following()) scrollDown();
      }),
    );
  }

  return {
    unseen,
    following,
    onScroll() {
      const el = opts.el();
      if (!el) return;
      const top = el.scrollTop;
      if (el.scrollHeight - top - el.clientHeight <= slack) {
        setFollowing(true);
        setUnseen(0);
      } else if (top < lastTop - 1) {
        setFollowing(false);
      }
      lastTop = top;
    },
    onIntent(event) {
      if (event.type === 'wheel') {
        if ((event as WheelEvent).deltaY < 0) leave();
      } else if (event.type === 'keydown') {
        if (UP_KEYS.has((event as KeyboardEvent).key)) leave();
      } else if (event.type === 'touchstart') {
        touchY = (event as TouchEvent).touches[0]?.clientY;
      } else if (event.type === 'touchmove') {
        const y = (event as TouchEvent).touches[0]?.clientY;
        // A finger moving down drags the content down: towards the top.
        if (y !== undefined && touchY !== undefined && y > touchY) leave();
        touchY = y;
      }
    },
    jumpToBottom() {
      setFollowing(true);
      setUnseen(0);
      scrollDown();
    },
  };
}
