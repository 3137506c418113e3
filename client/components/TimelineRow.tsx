import { type JSX, Show } from 'solid-js';
import { formatUsd } from '../state/formatUsd.ts';
import { createRememberedToggle } from '../state/rowMemory.ts';
import type { EventOf } from '../state/timelineRows.ts';
import type { StreamedText, TrailEvent } from '../state/trailState.ts';
import { CompletionBanner } from './CompletionBanner.tsx';
import { ErrorRow } from './ErrorRow.tsx';
import { InterruptRow } from './InterruptRow.tsx';
import { MessageBubble } from './MessageBubble.tsx';
import { RawEventButton, RawEventJson } from './RawEventView.tsx';
import { RowTime } from './RowTime.tsx';
import { ThoughtRow } from './ThoughtRow.tsx';
import { ToolCard } from './ToolCard.tsx';

const tokens = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** The body of one row, chosen by the type of the event that starts it. */
function RowBody(props: {
  event: TrailEvent;
  result?: EventOf<'tool_result'>;
  streamed?: StreamedText;
}): JSX.Element {
  // Rows are keyed by event identity, so the event under a row never changes; only the result (and a
  // streamed message's text) can.
  const event = props.event;
  switch (event.type) {
    case 'user_message':
    case 'assistant_message':
      return <MessageBubble event={event} streamed={props.streamed} />;
    case 'thought':
      return <ThoughtRow event={event} streamed={props.streamed} />;
    case 'tool_call':
      return <ToolCard call={event} result={props.result} />;
    case 'tool_result':
      return <ToolCard result={event} />;
    case 'error':
      return <ErrorRow event={event} />;
    case 'interrupt':
      return <InterruptRow event={event} />;
    case 'complete':
      return <CompletionBanner event={event} />;
    default:
      return null;
  }
}

/**
 * One timeline row: when it happened (and, for a step of the LLM, what that step cost) and a `{ }`
 * button for its raw JSON, then its body (and the JSON, when open). `cost` is the `cost` event the agent reported for the LLM call that produced this row;
 * `streamed` is a streamed message's current text (the trail's `messages` entry for the row).
 */
export function TimelineRow(props: {
  event: TrailEvent;
  result?: EventOf<'tool_result'>;
  cost?: EventOf<'cost'>;
  streamed?: StreamedText;
}): JSX.Element {
  // Made first, so it is the row's first remembered toggle on every mount: the body's keep their slots.
  const raw = createRememberedToggle(false);
  return (
    <>
      <div class="row-aside">
        <RowTime ts={props.event.ts} />
        <RawEventButton toggle={raw} />
        <Show when={props.cost}>
          {(cost) => (
            <span
              class="row-cost"
              data-testid="row-cost"
              title={`This step: ${cost().inputTokens.toLocaleString('en')} input and ${cost().outputTokens.toLocaleString('en')} output tokens`}
            >
              {formatUsd(cost().usd)} · {tokens.format(cost().inputTokens)} in /{' '}
              {tokens.format(cost().outputTokens)} out
            </span>
          )}
        </Show>
      </div>
      <RowBody event={props.event} result={props.result} streamed={props.streamed} />
      <RawEventJson toggle={raw} event={props.event} streamed={props.streamed} />
    </>
  );
}
