import { type Accessor, createEffect, createSignal, on, onCleanup, untrack } from 'solid-js';
import type { CompactedMessage } from '../../shared/agentEvent.ts';
import { isCompacted } from '../../shared/isCompacted.ts';
import type { StreamedText, TrailEvent } from './trailState.ts';

const SNIPPET_CHARS = 100;
const NO_MESSAGES: ReadonlyMap<number, StreamedText> = new Map();

function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > SNIPPET_CHARS ? `${line.slice(0, SNIPPET_CHARS)}…` : line;
}

/**
 * What a screen reader hears for one live event, or undefined for events it need not hear about. A
 * streamed message is said with `streamed`'s text (its whole text, once it ended), and not while blank.
 */
export function announcementFor(event: TrailEvent, streamed?: StreamedText): string | undefined {
  if (isCompacted(event)) {
    const text = streamed?.text ?? event.text;
    if (!/\S/.test(text)) return undefined;
    const who = event.type === 'assistant_message' ? 'Assistant' : 'Thought';
    const cut = (streamed?.incomplete ?? event.incomplete === true) ? ' (incomplete)' : '';
    return `${who}${cut}: ${snippet(text)}`;
  }
  switch (event.type) {
    case 'user_message':
      return `User: ${snippet(event.text)}`;
    case 'assistant_message':
      return `Assistant: ${snippet(event.text)}`;
    case 'thought':
      return `Thought: ${snippet(event.text)}`;
    case 'tool_call':
      return `Tool ${event.tool}: running`;
    case 'tool_result':
      return `Tool ${event.tool}: ${event.ok ? 'ok' : 'failed'}`;
    case 'error':
      return `Error: ${snippet(event.message)}`;
    case 'interrupt':
      return 'Stopped by a person';
    case 'complete':
      return `Session ${event.status}`;
    default:
      return undefined;
  }
}

/** One message for the live region; a new object each time, so the same text is announced again. */
export interface Announcement {
  id: number;
  text: string;
}

/**
 * What the timeline's live region says. Only events that arrive while `caughtUp()` is (and was)
 * true are announced — the backfill (whatever is there at creation, arrives before it turns true or
 * with the update that turns it true, and whatever a catch-up after a reconnect replays) is not. At
 * most one message per `intervalMs`: a burst becomes "N new events". A streamed message is said
 * once, not delta by delta: when it ends live (its `messages` entry closes — also one that was still
 * open when the backfill caught up), or at once when it arrives live already whole (compacted); one
 * that ends while catching up is history too. A row inserted before
 * the end (a compacted message at its start) counts as arrived. A reset of the trail (events seen
 * before are gone) drops anything pending.
 */
export function createTimelineAnnouncer(opts: {
  events: Accessor<readonly TrailEvent[]>;
  /** Streamed messages' current text, by the seq of their start (TrailState.messages). */
  messages?: Accessor<ReadonlyMap<number, StreamedText>>;
  caughtUp: Accessor<boolean>;
  /** @default 1000 */
  intervalMs?: number;
}): Accessor<Announcement | undefined> {
  const interval = opts.intervalMs ?? 1000;
  const [current, setCurrent] = createSignal<Announcement>();
  // What is there when the timeline mounts is history, whatever `caughtUp` says.
  let seen: readonly TrailEvent[] = untrack(opts.events);
  let seenCount = seen.length;
  let known = new WeakSet<TrailEvent>(seen);
  const messages = opts.messages ?? (() => NO_MESSAGES);
  /** Streamed messages still being written, by start: said when they end live. */
  const writing = new Map<number, CompactedMessage>();
  const isOpen = (event: CompactedMessage, texts: ReadonlyMap<number, StreamedText>) =>
    texts.get(event.startSeq)?.open ?? event.open === true;
  for (const event of seen)
    if (isCompacted(event) && isOpen(event, untrack(messages))) writing.set(event.startSeq, event);
  // The batch that completes the backfill arrives together with `caughtUp` turning true: it is history too.
  let wasCaughtUp = untrack(opts.caughtUp);
  let pending: string[] = [];
  let lastAt = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let id = 0;

  const flush = () => {
    timer = undefined;
    if (pending.length === 0) return;
    const text = pending.length === 1 ? pending[0]! : `${pending.length} new events`;
    pending = [];
    lastAt = performance.now();
    setCurrent({ id: ++id, text });
  };

  /** The events new since the last run, or undefined when the trail was reset. */
  const arrived = (events: readonly TrailEvent[]): TrailEvent[] | undefined => {
    if (events.length < seenCount) return undefined;
    if (seenCount === 0 || events[seenCount - 1] === seen[seenCount - 1]) return events.slice(seenCount);
    const added = events.filter((event) => !known.has(event));
    return events.length - added.length === seenCount ? added : undefined;
  };

  createEffect(
    on([opts.events, opts.caughtUp, messages], ([events, caughtUp, texts]) => {
      const live = caughtUp && wasCaughtUp;
      const added = events === seen ? [] : arrived(events);
      if (added === undefined) {
        pending = [];
        writing.clear();
        known = new WeakSet(events);
      } else {
        for (const [start, event] of writing) {
          const streamed = texts.get(start);
          if (streamed?.open) continue;
          writing.delete(start);
          const text = live && streamed ? announcementFor(event, streamed) : undefined;
          if (text) pending.push(text);
        }
        for (const event of added) {
          known.add(event);
          // Still being written (also one the backfill ends with): said when it ends, if that is live.
          if (isCompacted(event) && isOpen(event, texts)) {
            writing.set(event.startSeq, event);
            continue;
          }
          const text = live
            ? announcementFor(event, isCompacted(event) ? texts.get(event.startSeq) : undefined)
            : undefined;
          if (text) pending.push(text);
        }
      }
      seen = events;
      seenCount = events.length;
      wasCaughtUp = caughtUp;
      if (pending.length === 0 || timer !== undefined) return;
      const wait = lastAt + interval - performance.now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    }),
  );
  onCleanup(() => clearTimeout(timer));
  return current;
}
