import type { EventOf } from '../state/timelineRows.ts';

/** An error the agent reported, in red. */
export function ErrorRow(props: { event: EventOf<'error'> }) {
  return (
    <div class="error-row" role="alert">
      <span class="error-label">Error</span>
      <div class="text">{props.event.message}</div>
    </div>
  );
}
