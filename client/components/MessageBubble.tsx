import type { EventOf } from '../state/timelineRows.ts';
import { CopyButton } from './CopyButton.tsx';
import { FoldedMarkdown, isWide } from './Markdown.tsx';

/**
 * A user or assistant message, as markdown (untrusted: see renderMarkdown.ts), folded when long, with a
 * button that copies the raw text. The time is shown by the row around it.
 */
export function MessageBubble(props: { event: EventOf<'user_message'> | EventOf<'assistant_message'> }) {
  const fromUser = () => props.event.type === 'user_message';
  return (
    <div
      class="bubble"
      classList={{ 'bubble-user': fromUser(), 'bubble-assistant': !fromUser() }}
      data-wide={isWide(props.event.text) ? '' : undefined}
    >
      <div class="row-meta">
        <span class="row-author">{fromUser() ? 'You' : 'Assistant'}</span>
        <CopyButton text={() => props.event.text} label="Copy message" />
      </div>
      <div class="text" data-part="message-body">
        <FoldedMarkdown text={props.event.text} maxLines={40} maxChars={4000} />
      </div>
    </div>
  );
}
