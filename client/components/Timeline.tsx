import { createEffect, createMemo, For, on, Show } from 'solid-js';
import type { StoredEvent } from '../../shared/agentEvent.ts';
import { createFollowBottom } from '../state/createFollowBottom.ts';
import { timelineRows } from '../state/timelineRows.ts';
import { TimelineRow } from './TimelineRow.tsx';

/**
 * A session's trail as rows, following new ones while the viewer is at the bottom; scrolled up, a
 * "↓ N new" button counts what arrived and jumps down.
 */
export function Timeline(props: {
  events: StoredEvent[];
  placeholder?: string;
  /** Each change jumps to the bottom and resumes following (the viewer just sent a message). */
  followToken?: number;
}) {
  let el: HTMLDivElement | undefined;
  const view = createMemo(() => timelineRows(props.events));
  const follow = createFollowBottom({
    el: () => el,
    // A result filling in an existing card grows the view too, so it counts as new.
    count: () => view().rows.length + view().results.size,
  });
  createEffect(
    on(
      () => props.followToken,
      () => follow.jumpToBottom(),
      { defer: true },
    ),
  );
  return (
    <div class="timeline-wrap">
      <div
        class="timeline"
        data-testid="timeline"
        role="log"
        aria-label="Session timeline"
        ref={el}
        onScroll={follow.onScroll}
      >
        <Show when={view().rows.length === 0}>
          <p class="timeline-empty">{props.placeholder ?? 'No events yet.'}</p>
        </Show>
        <For each={view().rows}>
          {(event) => {
            const result = () => (event.type === 'tool_call' ? view().results.get(event.callId) : undefined);
            return (
              <div
                class="timeline-row"
                data-testid="timeline-row"
                data-seq={event.seq}
                data-type={event.type}
                data-result-seq={result()?.seq}
              >
                <TimelineRow event={event} result={result()} />
              </div>
            );
          }}
        </For>
      </div>
      <Show when={follow.unseen() > 0}>
        <button type="button" class="jump" data-testid="jump-to-new" onClick={() => follow.jumpToBottom()}>
          ↓ {follow.unseen()} new
        </button>
      </Show>
    </div>
  );
}
