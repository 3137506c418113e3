import { Show } from 'solid-js';
import type { EventOf } from '../state/timelineRows.ts';
import { TextBlock } from './TextBlock.tsx';
import './ToolCard.css';

const HEADLINES = {
  succeeded: 'Session succeeded',
  failed: 'Session failed',
  cancelled: 'Session cancelled',
} as const;

/** The end of a session: how it ended and the agent's summary (folded when long). */
export function CompletionBanner(props: { event: EventOf<'complete'> }) {
  return (
    <div class="completion" data-testid="completion-banner" data-status={props.event.status}>
      <strong class="completion-status">{HEADLINES[props.event.status]}</strong>
      <Show when={props.event.summary}>
        {(summary) => <TextBlock text={summary()} variant="prose" maxLines={12} maxChars={3000} />}
      </Show>
    </div>
  );
}
