import type { CompactedMessage } from '../../shared/agentEvent.ts';
import type { StreamedText } from './trailState.ts';

/** What a message row shows: its text as far as it has come, and whether it is still being written. */
export interface ShownMessage {
  text: string;
  /** Still streaming: deltas may follow (a caret blinks after the text). */
  open: boolean;
  /** The session completed before the message ended. */
  incomplete: boolean;
}

/** Why a message is marked "incomplete" (its label's title). */
export const INCOMPLETE_TITLE =
  'The agent stopped before finishing this message: the session ended while it was still being written.';

/**
 * A message row's current text and flags: a streamed message's from the trail's `messages` map (its
 * row event holds only the text it had when the row was made), falling back to the event's own.
 */
export function shownMessage(
  event: { text: string } | CompactedMessage,
  streamed: StreamedText | undefined,
): ShownMessage {
  if (streamed) return streamed;
  const compacted = 'startSeq' in event;
  return {
    text: event.text,
    open: compacted && event.open === true,
    incomplete: compacted && event.incomplete === true,
  };
}

/** Whether two shown states are the same (a memo's `equals`, so an unchanged row does not update). */
export function sameShown(a: ShownMessage, b: ShownMessage): boolean {
  return a.text === b.text && a.open === b.open && a.incomplete === b.incomplete;
}
