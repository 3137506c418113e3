import type { EventOf } from '../state/timelineRows.ts';

/** A user or assistant message. Text is interpolated, never parsed as HTML: agent output is untrusted. */
export function MessageBubble(props: { event: EventOf<'user_message'> | EventOf<'assistant_message'> }) {
  const fromUser = () => props.event.type === 'user_message';
  return (
    <div class="bubble" classList={{ 'bubble-user': fromUser(), 'bubble-assistant': !fromUser() }}>
      <div class="row-meta">
        <span class="row-author">{fromUser() ? 'You' : 'Assistant'}</span>
        <time datetime={props.event.ts}>{new Date(props.event.ts).toLocaleTimeString()}</time>
      </div>
      <div class="text">{props.event.text}</div>
    </div>
  );
}
