import type { CompactedMessage, StreamEvent, StreamedRole } from './agentEvent.ts';

// Apart from agentEvent.ts (which re-exports them) so that the web app can use them without zod's
// schemas coming along into its bundle.

/** Whether a streamed event is a compacted message rather than a stored event. */
export function isCompacted(event: StreamEvent): event is CompactedMessage {
  return 'startSeq' in event;
}

/** The event type a compacted message of `role` is sent as. */
export function compactedType(role: StreamedRole): CompactedMessage['type'] {
  return role === 'assistant' ? 'assistant_message' : 'thought';
}
