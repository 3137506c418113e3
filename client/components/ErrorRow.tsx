import type { EventOf } from '../state/timelineRows.ts';
import { TextBlock } from './TextBlock.tsx';
import './ToolCard.css';

/**
 * An error the agent reported, in red; a long message (a stack trace) is folded. Not an ARIA alert: rows
 * loaded with the history must not all be announced; the timeline announces live errors itself.
 */
export function ErrorRow(props: { event: EventOf<'error'> }) {
  return (
    <div class="error-row" data-testid="error-row">
      <span class="error-label">Error</span>
      <TextBlock text={props.event.message} variant="prose" maxLines={12} maxChars={3000} />
    </div>
  );
}
