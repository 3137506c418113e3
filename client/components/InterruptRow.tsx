import { Show } from 'solid-js';
import type { EventOf } from '../state/timelineRows.ts';
import { TextBlock } from './TextBlock.tsx';
import './SessionActions.css';

const CLOCK = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

function clock(ts: string): string {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? ts : CLOCK.format(d);
}

/**
 * A person pressed Stop (`interrupt`): who asked (a person, not the agent), when, and why if they
 * said. The session goes on until the agent completes it, which its own row shows.
 */
export function InterruptRow(props: { event: EventOf<'interrupt'> }) {
  return (
    <div class="interrupt-row" data-testid="interrupt-row">
      <strong class="interrupt-label">Stopped by a person</strong>{' '}
      <time class="interrupt-time" datetime={props.event.ts}>
        at {clock(props.event.ts)}
      </time>
      <Show when={props.event.reason}>
        {(reason) => <TextBlock text={reason()} variant="prose" maxLines={6} maxChars={1000} />}
      </Show>
    </div>
  );
}
