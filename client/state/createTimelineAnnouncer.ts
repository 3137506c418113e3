import { type Accessor, createEffect, createSignal, on, onCleanup, untrack } from 'solid-js';
import type { StoredEvent } from '../../shared/agentEvent.ts';

const SNIPPET_CHARS = 100;

function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > SNIPPET_CHARS ? `${line.slice(0, SNIPPET_CHARS)}…` : line;
}

/** What a screen reader hears for one live event, or undefined for events it need not hear about. */
export function announcementFor(event: StoredEvent): string | undefined {
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
 * with the update that turns it true, and whatever a catch-up after a reconnect replays) is not. At most one message per `intervalMs`: a burst becomes "N new events".
 * A reset of the trail (fewer events, or a different first event) drops anything pending.
 */
export function createTimelineAnnouncer(opts: {
  events: Accessor<readonly StoredEvent[]>;
  caughtUp: Accessor<boolean>;
  /** @default 1000 */
  intervalMs?: number;
}): Accessor<Announcement | undefined> {
  const interval = opts.intervalMs ?? 1000;
  const [current, setCurrent] = createSignal<Announcement>();
  // What is there when the timeline mounts is history, whatever `caughtUp` says.
  let seen: readonly StoredEvent[] = untrack(opts.events);
  let seenCount = seen.length;
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

  createEffect(
    on([opts.events, opts.caughtUp], ([events, caughtUp]) => {
      const continues =
        events.length >= seenCount && (seenCount === 0 || events[seenCount - 1] === seen[seenCount - 1]);
      if (!continues) {
        pending = [];
      } else if (caughtUp && wasCaughtUp) {
        for (let i = seenCount; i < events.length; i++) {
          const text = announcementFor(events[i]!);
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
