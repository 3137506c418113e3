import type { StoredEvent } from '../../shared/agentEvent.ts';

/**
 * The seqs the timeline should show as rows for a trail, in order: every event except `state` and
 * `cost` (they only feed the call-status bar) and `tool_result`s whose `tool_call` is in the trail
 * (the call's row holds its result). A streamed message is one row, at its `message_start`: its
 * deltas and end are not rows.
 */
export function expectedRowSeqs(events: readonly StoredEvent[]): number[] {
  const calls = new Set(events.flatMap((e) => (e.type === 'tool_call' ? [e.callId] : [])));
  return events
    .filter((e) => {
      if (e.type === 'state' || e.type === 'cost') return false;
      if (e.type === 'message_delta' || e.type === 'message_end') return false;
      return !(e.type === 'tool_result' && calls.has(e.callId));
    })
    .map((e) => e.seq);
}
