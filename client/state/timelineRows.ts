import type { StoredEvent } from '../../shared/agentEvent.ts';

/** A stored event of one type. */
export type EventOf<TType extends StoredEvent['type']> = Extract<StoredEvent, { type: TType }>;

/** What the timeline shows: the events that start a row, and each tool call's result by callId. */
export interface TimelineRows {
  /** Stable references to the stored events, so a list keyed by identity keeps its DOM. */
  rows: StoredEvent[];
  results: Map<string, EventOf<'tool_result'>>;
}

/**
 * Splits a trail into rows. State and cost events feed the call-status bar, not rows; a tool result
 * joins the card of its call (by callId, wherever the call sits in the trail), and only a result
 * whose call never came gets its own row.
 */
export function timelineRows(events: readonly StoredEvent[]): TimelineRows {
  const calls = new Set<string>();
  for (const event of events) if (event.type === 'tool_call') calls.add(event.callId);
  const results = new Map<string, EventOf<'tool_result'>>();
  const rows: StoredEvent[] = [];
  for (const event of events) {
    if (event.type === 'state' || event.type === 'cost') continue;
    if (event.type === 'tool_result' && calls.has(event.callId)) {
      // A producer that repeats a result would otherwise replace what the viewer already read.
      if (!results.has(event.callId)) results.set(event.callId, event);
      continue;
    }
    rows.push(event);
  }
  return { rows, results };
}
