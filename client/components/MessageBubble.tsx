import { createMemo, Show } from 'solid-js';
import type { CompactedMessage } from '../../shared/agentEvent.ts';
import { sameShown, shownMessage } from '../state/shownMessage.ts';
import type { EventOf } from '../state/timelineRows.ts';
import type { StreamedText } from '../state/trailState.ts';
import { CopyButton } from './CopyButton.tsx';
import { FoldedMarkdown, isWide } from './Markdown.tsx';
import { IncompleteLabel } from './StreamingMarks.tsx';

/**
 * A user or assistant message, as markdown (untrusted: see renderMarkdown.ts), folded when long, with a
 * button that copies the raw text. The time is shown by the row around it. A streamed message shows
 * `streamed`'s text as it grows (the same element throughout), a caret while it is written, and an
 * "incomplete" label when the session ended first.
 */
export function MessageBubble(props: {
  event: EventOf<'user_message'> | EventOf<'assistant_message'> | CompactedMessage;
  streamed?: StreamedText;
}) {
  const fromUser = () => props.event.type === 'user_message';
  const shown = createMemo(() => shownMessage(props.event, props.streamed), undefined, { equals: sameShown });
  const text = () => shown().text;
  return (
    <div
      class="bubble"
      classList={{ 'bubble-user': fromUser(), 'bubble-assistant': !fromUser() }}
      data-wide={isWide(text()) ? '' : undefined}
    >
      <div class="row-meta">
        <span class="row-author">{fromUser() ? 'You' : 'Assistant'}</span>
        <Show when={shown().incomplete}>
          <IncompleteLabel />
        </Show>
        <CopyButton text={text} label="Copy message" />
      </div>
      <div class="text" data-part="message-body">
        <FoldedMarkdown
          text={text()}
          live={shown().open}
          caret={shown().open}
          maxLines={40}
          maxChars={4000}
        />
      </div>
    </div>
  );
}
