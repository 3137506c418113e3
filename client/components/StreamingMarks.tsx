import { INCOMPLETE_TITLE } from '../state/shownMessage.ts';
import './StreamingMarks.css';

/** The blinking caret after a message that is still being written (decorative: the row is aria-busy). */
export function StreamingCaret() {
  return <span class="streaming-caret" data-testid="streaming-caret" aria-hidden="true" />;
}

/** The label of a message the session ended before it was finished. */
export function IncompleteLabel() {
  return (
    <span class="message-incomplete" data-testid="message-incomplete" title={INCOMPLETE_TITLE}>
      incomplete
    </span>
  );
}
