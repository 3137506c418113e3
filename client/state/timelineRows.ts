import type { StoredEvent } from '../../shared/agentEvent.ts';
import { isCompacted } from '../../shared/isCompacted.ts';
import type { TrailEvent } from './trailState.ts';

/** A stored event of one type. */
export type EventOf<TType extends StoredEvent['type']> = Extract<StoredEvent, { type: TType }>;

/**
 * Where a row event sits in the trail: a streamed message at its `message_start` (`startSeq`, the
 * same for the live row and a late joiner's compacted one), any other event at its seq.
 */
export function rowSeq(event: TrailEvent): number {
  return isCompacted(event) ? event.startSeq : event.seq;
}

/** A row of the timeline: the event that starts it, and where it sits. */
export interface TimelineRowItem {
  kind: 'row';
  /** Stable across batches (`seq-` and the event's `rowSeq`): the virtualizer keys measured sizes on it. */
  key: string;
  /** Position in `items`. */
  index: number;
  /** The row event itself (a stable reference, so a list keyed by identity keeps its DOM). */
  event: TrailEvent;
}

/** A heading before the first row of each calendar day (local time). */
export interface DaySeparatorItem {
  kind: 'day';
  key: string;
  index: number;
  /** `YYYY-MM-DD`, local time. */
  day: string;
  /** "Tuesday, 1 December 2026". */
  label: string;
}

/** One entry of the virtual list. */
export type TimelineItem = TimelineRowItem | DaySeparatorItem;

/**
 * What the timeline shows. The arrays and maps grow in place from batch to batch (that is what keeps
 * a batch cheap); each batch that changes anything returns a new `TimelineRows` object, so a memo
 * over it notifies, and `revision` grows.
 */
export interface TimelineRows {
  /** The events that start a row, in trail order. */
  rows: readonly TrailEvent[];
  /** Rows and day separators, in display order. */
  items: readonly TimelineItem[];
  /** Each tool call's result by callId (the first one: a repeat does not replace what was read). */
  results: ReadonlyMap<string, EventOf<'tool_result'>>;
  /** The cost of the LLM step that produced a row, by the row's `rowSeq`. */
  costs: ReadonlyMap<number, EventOf<'cost'>>;
  /** Grows with every change. */
  revision: number;
}

/** Event types the LLM produces: a `cost` event that follows is attached to the nearest of them. */
const LLM_ROW_TYPES: ReadonlySet<StoredEvent['type']> = new Set([
  'assistant_message',
  'thought',
  'tool_call',
]);

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** The local calendar day of an ISO timestamp (`YYYY-MM-DD`) and its label, or undefined when unreadable. */
export function localDay(ts: string): { day: string; label: string } | undefined {
  const date = new Date(ts);
  if (Number.isNaN(date.getTime())) return undefined;
  const y = date.getFullYear();
  const m = date.getMonth();
  const d = date.getDate();
  return {
    day: `${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
    label: `${WEEKDAYS[date.getDay()]}, ${d} ${MONTHS[m]} ${y}`,
  };
}

/**
 * A timeline builder that keeps its derived state between batches: given the trail's events array
 * again, it only looks at the events appended since the last call (the trail only ever grows, one
 * copied array per batch). Anything else — a reset, a different trail, an event inserted before the
 * end (a late joiner's compacted message, placed at its start), or a result whose call turns up after
 * the result's own row was shown — rebuilds from scratch. A streamed message's row sits, is keyed and
 * takes its cost by its start (`rowSeq`); its growing text is not the builder's business.
 *
 * Rules: state and cost events are not rows; a tool result joins its call's card (by callId,
 * wherever the call sits; the first result wins) and only a result whose call never came gets a row
 * of its own; a day separator goes before the first row of each local calendar day; a cost event
 * belongs to the nearest preceding LLM row (assistant message, thought or tool call) that has no
 * cost yet.
 */
export function createTimelineRows(): (events: readonly TrailEvent[]) => TimelineRows {
  let rows: TrailEvent[] = [];
  let items: TimelineItem[] = [];
  let results = new Map<string, EventOf<'tool_result'>>();
  let costs = new Map<number, EventOf<'cost'>>();
  /** Call ids seen as tool_call events. */
  let calls = new Set<string>();
  /** Results shown as rows because their call had not come (yet). */
  let orphans = new Set<string>();
  /** LLM rows still waiting for their cost, oldest first: the last one is the nearest. */
  let uncosted: number[] = [];
  let lastDay: string | undefined;
  let source: readonly TrailEvent[] = [];
  let consumed = 0;
  let revision = 0;
  let current: TimelineRows = { rows, items, results, costs, revision };

  const reset = () => {
    rows = [];
    items = [];
    results = new Map();
    costs = new Map();
    calls = new Set();
    orphans = new Set();
    uncosted = [];
    lastDay = undefined;
    consumed = 0;
  };

  /** Applies one event; false when it needs a rebuild (a call for a result already shown as a row). */
  const apply = (event: TrailEvent): boolean => {
    // A streamed message (typed as the message it becomes) is a row like any other message.
    if (!isCompacted(event)) {
      switch (event.type) {
        case 'state':
          return true;
        case 'cost': {
          const seq = uncosted.pop();
          if (seq !== undefined) costs.set(seq, event);
          return true;
        }
        case 'tool_call':
          if (orphans.has(event.callId)) return false;
          calls.add(event.callId);
          break;
        case 'tool_result':
          if (calls.has(event.callId)) {
            if (!results.has(event.callId)) results.set(event.callId, event);
            return true;
          }
          orphans.add(event.callId);
          break;
      }
    }
    const day = localDay(event.ts);
    if (day && day.day !== lastDay) {
      lastDay = day.day;
      items.push({ kind: 'day', key: `day-${day.day}`, index: items.length, ...day });
    }
    const seq = rowSeq(event);
    rows.push(event);
    items.push({ kind: 'row', key: `seq-${seq}`, index: items.length, event });
    if (LLM_ROW_TYPES.has(event.type)) uncosted.push(seq);
    return true;
  };

  /** The calls of the whole trail, so results before their call join it on a rebuild. */
  const rebuild = (events: readonly TrailEvent[]) => {
    reset();
    for (const event of events) if (event.type === 'tool_call') calls.add(event.callId);
    for (const event of events) apply(event);
    consumed = events.length;
  };

  return (events) => {
    if (events === source && consumed === events.length) return current;
    const continues =
      consumed > 0 &&
      events.length >= consumed &&
      events[0] === source[0] &&
      events[consumed - 1] === source[consumed - 1];
    if (!continues) reset();
    let ok = true;
    for (let i = consumed; i < events.length && ok; i++) ok = apply(events[i]!);
    if (ok) consumed = events.length;
    else rebuild(events);
    source = events;
    revision++;
    current = { rows, items, results, costs, revision };
    return current;
  };
}

/** The timeline of a whole trail at once (a fresh builder). */
export function timelineRows(events: readonly TrailEvent[]): TimelineRows {
  return createTimelineRows()(events);
}
