import { createVirtualizer } from '@tanstack/solid-virtual';
import { createEffect, createMemo, createSignal, For, on, onCleanup, onMount, Show } from 'solid-js';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import { isCompacted } from '../../shared/isCompacted.ts';
import { createFollowBottom } from '../state/createFollowBottom.ts';
import { createTimelineAnnouncer } from '../state/createTimelineAnnouncer.ts';
import {
  createTimelineRows,
  type DaySeparatorItem,
  rowSeq,
  type TimelineItem,
  type TimelineRowItem,
} from '../state/timelineRows.ts';
import type { StreamedText, TrailEvent } from '../state/trailState.ts';
import { TimelineRow } from './TimelineRow.tsx';
import './Timeline.css';
import { createRowScope, RowScopeContext } from '../state/rowMemory.ts';

/** First guesses of a row's height, in px, by what starts it; rendered rows are measured. */
const ESTIMATED_PX: Record<StoredEvent['type'] | 'day', number> = {
  user_message: 72,
  assistant_message: 96,
  thought: 52,
  tool_call: 120,
  tool_result: 110,
  error: 72,
  complete: 84,
  interrupt: 52,
  state: 0,
  cost: 0,
  // Folded into their message's row: never rows of their own.
  message_start: 0,
  message_delta: 0,
  message_end: 0,
  day: 30,
};
/** Rows rendered beyond each edge of the view, so a short scroll shows rows already laid out. */
const OVERSCAN = 8;
/** Must match the gap and vertical padding of `.timeline-window` and `.timeline` (Timeline.css, styles.css). */
const GAP_PX = 10;
const PADDING_TOP_PX = 8;
const PADDING_BOTTOM_PX = 16;
/** How often the view follows the bottom while the trail is still backfilling. */
const BACKFILL_FOLLOW_MS = 250;
/** Without a laid-out scroll container (hidden, or jsdom), the first rows are rendered plainly. */
const UNSIZED_ITEMS = 50;

/** Until a trail has streamed messages. */
const NO_MESSAGES: ReadonlyMap<number, StreamedText> = new Map();

const estimate = (item: TimelineItem | undefined) =>
  item ? ESTIMATED_PX[item.kind === 'day' ? 'day' : item.event.type] : ESTIMATED_PX.thought;

/**
 * A session's trail as a virtual list: only the rows in view (and a few either side) are in the
 * DOM, each measured once rendered, so a trail of any length costs the same to show. It follows new
 * rows while the viewer is at the bottom; scrolled up, a "↓ N new" button counts what arrived and
 * jumps down. The list is a feed (not a live region): a visually hidden live region announces only
 * what arrives after the trail caught up, at most once a second. A streamed message's row shows its
 * text from `messages` as it grows, in the same element (busy while it is written), and the view
 * follows it down while the viewer is at the bottom.
 */
export function Timeline(props: {
  events: readonly TrailEvent[];
  /** Streamed messages' current text, by the seq of their start (TrailState.messages). */
  messages?: ReadonlyMap<number, StreamedText>;
  placeholder?: string;
  /** Each change jumps to the bottom and resumes following (the viewer just sent a message). */
  followToken?: number;
  /** False while the trail is still being backfilled; undefined counts as caught up. */
  caughtUp?: boolean;
}) {
  let el: HTMLDivElement | undefined;
  const build = createTimelineRows();
  // What the viewer opened or unfolded, by row and part, so it survives the row leaving the window.
  const memory = new Map<string, boolean>();
  const view = createMemo(() => build(props.events));
  const caughtUp = () => props.caughtUp ?? true;
  const messages = () => props.messages ?? NO_MESSAGES;

  // While the trail backfills, batches land every frame: following each one would render (and
  // measure) rows nobody gets to see. Until caught up the view goes down at most every
  // BACKFILL_FOLLOW_MS (the first rows stay on screen meanwhile); once caught up, at once.
  let backfillTimer: ReturnType<typeof setTimeout> | undefined;
  const scrollToBottom = () => {
    if (caughtUp()) {
      clearTimeout(backfillTimer);
      backfillTimer = undefined;
      virtualizer.scrollToEnd();
      return;
    }
    backfillTimer ??= setTimeout(() => {
      backfillTimer = undefined;
      if (follow.following()) virtualizer.scrollToEnd();
    }, BACKFILL_FOLLOW_MS);
  };
  onCleanup(() => clearTimeout(backfillTimer));

  const follow = createFollowBottom({
    el: () => el,
    // A result filling in an existing card grows the view too, so it counts as new.
    count: () => view().rows.length + view().results.size,
    // A row that grows in place (a message streaming in) grows the list, not the count.
    size: () => (sized() ? virtualizer.getTotalSize() : 0),
    scrollToBottom,
  });
  createEffect(
    on(
      caughtUp,
      (now) => {
        if (now && follow.following()) scrollToBottom();
      },
      { defer: true },
    ),
  );

  const virtualizer = createVirtualizer<HTMLDivElement, HTMLElement>({
    get count() {
      return view().items.length;
    },
    getScrollElement: () => el ?? null,
    estimateSize: (index) => estimate(view().items[index]),
    getItemKey: (index) => view().items[index]?.key ?? index,
    overscan: OVERSCAN,
    gap: GAP_PX,
    paddingStart: PADDING_TOP_PX,
    paddingEnd: PADDING_BOTTOM_PX,
    // While following, a row measured taller (or opened) at the bottom keeps the view at the bottom.
    get anchorTo() {
      return follow.following() ? ('end' as const) : ('start' as const);
    },
  });

  // Whether the scroll container has a height (jsdom never lays out; a hidden pane may not yet).
  const [sized, setSized] = createSignal(false);
  onMount(() => {
    const scroller = el!;
    const check = () => setSized(scroller.clientHeight > 0);
    check();
    if (typeof ResizeObserver !== 'undefined') {
      const observer = new ResizeObserver(check);
      observer.observe(scroller);
      onCleanup(() => observer.disconnect());
    }
    // Passive: following must never delay the scroll itself.
    const intent = (event: Event) => follow.onIntent(event);
    const types = ['wheel', 'touchstart', 'touchmove', 'keydown'] as const;
    for (const type of types) scroller.addEventListener(type, intent, { passive: true });
    onCleanup(() => {
      for (const type of types) scroller.removeEventListener(type, intent);
    });
  });

  const shown = createMemo((): TimelineItem[] => {
    const { items } = view();
    if (!sized()) return items.slice(0, UNSIZED_ITEMS);
    const out: TimelineItem[] = [];
    for (const virtual of virtualizer.getVirtualItems()) {
      const item = items[virtual.index];
      if (item) out.push(item);
    }
    return out;
  });
  const offset = () => (sized() ? (virtualizer.getVirtualItems()[0]?.start ?? 0) : 0);

  createEffect(
    on(
      () => props.followToken,
      () => follow.jumpToBottom(),
      { defer: true },
    ),
  );

  const announcement = createTimelineAnnouncer({ events: () => props.events, messages, caughtUp });

  // Refs run before Solid sets the attributes: the virtualizer reads the index from the node.
  const measure = (item: TimelineItem) => (node: HTMLElement) => {
    node.setAttribute('data-index', String(item.index));
    virtualizer.measureElement(node);
  };
  const setSize = () => view().items.length;

  const Row = (p: { item: TimelineRowItem }) => {
    const event = p.item.event;
    const seq = rowSeq(event);
    const result = () => (event.type === 'tool_call' ? view().results.get(event.callId) : undefined);
    const cost = () => view().costs.get(seq);
    // Every batch of deltas brings a new map; a row whose own text did not change gets the same entry.
    const streamed = createMemo(() => (isCompacted(event) ? messages().get(event.startSeq) : undefined));
    const writing = () => streamed()?.open ?? (isCompacted(event) && event.open === true);
    return (
      <article
        class="timeline-row"
        data-testid="timeline-row"
        data-index={p.item.index}
        data-seq={seq}
        data-type={event.type}
        data-result-seq={result()?.seq}
        aria-busy={writing() ? 'true' : undefined}
        aria-posinset={p.item.index + 1}
        aria-setsize={setSize()}
        ref={measure(p.item)}
      >
        <RowScopeContext.Provider value={createRowScope(memory, String(seq))}>
          <TimelineRow event={event} result={result()} cost={cost()} streamed={streamed()} />
        </RowScopeContext.Provider>
      </article>
    );
  };

  const DaySeparator = (p: { item: DaySeparatorItem }) => (
    <article
      class="day-separator"
      data-testid="day-separator"
      data-index={p.item.index}
      data-day={p.item.day}
      aria-posinset={p.item.index + 1}
      aria-setsize={setSize()}
      ref={measure(p.item)}
    >
      <span class="day-separator-label">{p.item.label}</span>
    </article>
  );

  return (
    <div class="timeline-wrap">
      <div
        class="timeline timeline-virtual"
        data-testid="timeline"
        role="feed"
        aria-label="Session timeline"
        aria-busy={!caughtUp()}
        // Focusable, so the keyboard can scroll it.
        tabindex="0"
        ref={el}
        onScroll={follow.onScroll}
      >
        <Show when={view().rows.length === 0}>
          <p class="timeline-empty">{props.placeholder ?? 'No events yet.'}</p>
        </Show>
        <div class="timeline-sizer" style={{ height: sized() ? `${virtualizer.getTotalSize()}px` : 'auto' }}>
          <div class="timeline-window" style={{ transform: `translateY(${offset()}px)` }}>
            <For each={shown()}>
              {(item) => (item.kind === 'day' ? <DaySeparator item={item} /> : <Row item={item} />)}
            </For>
          </div>
        </div>
      </div>
      <div class="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="timeline-announcer">
        <Show when={announcement()} keyed>
          {(a) => <span>{a.text}</span>}
        </Show>
      </div>
      <Show when={follow.unseen() > 0}>
        <button type="button" class="jump" data-testid="jump-to-new" onClick={() => follow.jumpToBottom()}>
          ↓ {follow.unseen()} new
        </button>
      </Show>
    </div>
  );
}
