import type { JSX } from 'solid-js';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import type { EventOf } from '../state/timelineRows.ts';
import { CompletionBanner } from './CompletionBanner.tsx';
import { ErrorRow } from './ErrorRow.tsx';
import { MessageBubble } from './MessageBubble.tsx';
import { ThoughtRow } from './ThoughtRow.tsx';
import { ToolCard } from './ToolCard.tsx';

/** The body of one timeline row, chosen by the type of the event that starts it. */
export function TimelineRow(props: { event: StoredEvent; result?: EventOf<'tool_result'> }): JSX.Element {
  // Rows are keyed by event identity, so the event under a row never changes; only the result can.
  const event = props.event;
  switch (event.type) {
    case 'user_message':
    case 'assistant_message':
      return <MessageBubble event={event} />;
    case 'thought':
      return <ThoughtRow event={event} />;
    case 'tool_call':
      return <ToolCard call={event} result={props.result} />;
    case 'tool_result':
      return <ToolCard result={event} />;
    case 'error':
      return <ErrorRow event={event} />;
    case 'complete':
      return <CompletionBanner event={event} />;
    default:
      return null;
  }
}
