import { type Accessor, createEffect, createSignal, on } from 'solid-js';

/** Follow-the-bottom state of a scroll container. */
export interface FollowBottom {
  /** Items that arrived while the viewer was scrolled up. */
  unseen: Accessor<number>;
  /** Call from the container's scroll handler. */
  onScroll(): void;
  /** Scrolls to the newest item and resumes following. */
  jumpToBottom(): void;
}

/**
 * Keeps a scroll container pinned to its bottom while the viewer is at (or near) it, and counts new
 * items instead when they scrolled up to read, so the view never jumps under their eyes.
 */
export function createFollowBottom(opts: {
  el: () => HTMLElement | undefined;
  count: Accessor<number>;
  /** How close to the bottom still counts as "at the bottom", in px. @default 48 */
  slackPx?: number;
}): FollowBottom {
  const slack = opts.slackPx ?? 48;
  const [atBottom, setAtBottom] = createSignal(true);
  const [unseen, setUnseen] = createSignal(0);

  const scrollDown = () => {
    const el = opts.el();
    if (el) el.scrollTop = el.scrollHeight;
  };

  createEffect(
    on(opts.count, (count, previous = 0) => {
      if (count < previous) {
        // The trail was reset: whatever was unseen is gone.
        setUnseen(0);
        return;
      }
      if (count === previous) return;
      // Effects run after the rows are in the DOM, so scrollHeight already includes them.
      if (atBottom()) scrollDown();
      else setUnseen((n) => n + count - previous);
    }),
  );

  return {
    unseen,
    onScroll() {
      const el = opts.el();
      if (!el) return;
      const near = el.scrollHeight - el.scrollTop - el.clientHeight <= slack;
      setAtBottom(near);
      if (near) setUnseen(0);
    },
    jumpToBottom() {
      setAtBottom(true);
      setUnseen(0);
      scrollDown();
    },
  };
}
