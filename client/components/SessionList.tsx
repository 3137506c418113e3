import { createMemo, createSignal, For, Show } from 'solid-js';
import type { Session } from '../../shared/session.ts';
import {
  arrangeSessionList,
  emptyArrangement,
  hasUnplacedActivity,
  type ListArrangement,
} from '../state/arrangeSessionList.ts';
import { filterSessions, type StatusFilter } from '../state/sessionFilter.ts';
import { SessionItem } from './SessionItem.tsx';

/**
 * Whether focus on `el` came from the keyboard: a click focuses the link too, and that must not hold
 * the order after the pointer has gone.
 */
function isKeyboardFocus(el: EventTarget): boolean {
  try {
    return el instanceof Element && el.matches(':focus-visible');
  } catch {
    // A browser without :focus-visible: any focus holds.
    return true;
  }
}

/**
 * The sessions that match the search and filter, in an order that never moves under the person:
 * while the pointer is over the list or keyboard focus is in it the order holds (and sessions
 * with new activity are marked); when both leave, it re-sorts most recent first — the open
 * session keeping its place.
 */
export function SessionList(props: {
  sessions: Session[];
  query: string;
  filter: StatusFilter;
  selectedId?: string;
  now: number;
  onSelect: (sessionId: string) => void;
}) {
  const [pointer, setPointer] = createSignal(false);
  const [focus, setFocus] = createSignal(false);
  const held = () => pointer() || focus();
  const arrangement = createMemo<ListArrangement>(
    (previous) =>
      arrangeSessionList(previous, props.sessions, { held: held(), selectedId: props.selectedId }),
    emptyArrangement,
  );
  const byId = createMemo(() => new Map(props.sessions.map((s) => [s.id, s])));
  const shown = createMemo(() => {
    const index = byId();
    const ordered = arrangement().order.flatMap((id) => {
      const s = index.get(id);
      return s ? [s] : [];
    });
    return filterSessions(ordered, props.query, props.filter).map((s) => s.id);
  });
  const onFocusOut = (e: FocusEvent) => {
    const to = e.relatedTarget;
    if (!(to instanceof Node && (e.currentTarget as HTMLElement).contains(to))) setFocus(false);
  };

  return (
    <>
      <Show when={props.query.trim() !== '' || props.filter !== 'all'}>
        <p class="sidebar-note session-count" role="status" data-testid="session-count">
          {shown().length === 0
            ? 'No session matches — clear the search or pick another status.'
            : `${shown().length} of ${props.sessions.length} sessions`}
        </p>
      </Show>
      {/* Always there, even with nothing to show, so leaving it always releases the order. */}
      <ul
        class="session-list"
        data-testid="session-list"
        data-held={held() ? 'true' : undefined}
        // A tap is not a pointer resting on the list: touch never holds the order.
        onPointerEnter={(e) => e.pointerType !== 'touch' && setPointer(true)}
        onPointerLeave={() => setPointer(false)}
        onFocusIn={(e) => setFocus(isKeyboardFocus(e.target))}
        onFocusOut={onFocusOut}
      >
        <For each={shown()}>
          {(id) => {
            // One memo per row: a change to another session does not touch this row.
            const session = createMemo(() => byId().get(id));
            return (
              <Show when={session()}>
                {(s) => (
                  <SessionItem
                    session={s()}
                    selected={id === props.selectedId}
                    fresh={id !== props.selectedId && hasUnplacedActivity(arrangement(), s())}
                    now={props.now}
                    onSelect={props.onSelect}
                  />
                )}
              </Show>
            );
          }}
        </For>
      </ul>
    </>
  );
}
