import { For, Match, Switch } from 'solid-js';
import type { Session } from '../../shared/session.ts';
import { SessionItem } from './SessionItem.tsx';

/** The session list with its loading, error and empty states. */
export function Sidebar(props: {
  sessions: Session[];
  loaded: boolean;
  error?: string;
  selectedId?: string;
  now: number;
  onSelect: (sessionId: string) => void;
}) {
  return (
    <nav class="sidebar" aria-label="Sessions">
      <h2 class="sidebar-heading">Sessions</h2>
      <Switch>
        <Match when={props.error && props.sessions.length === 0}>
          <p class="sidebar-note error-text">
            Could not load sessions: {props.error}. Check that the livetrail server is running, then reload.
          </p>
        </Match>
        <Match when={!props.loaded}>
          <p class="sidebar-note">Loading sessions…</p>
        </Match>
        <Match when={props.sessions.length === 0}>
          <p class="sidebar-note">
            No sessions yet — run <code>npm run demo</code> or post events with the client.
          </p>
        </Match>
        <Match when={true}>
          <ul class="session-list">
            <For each={props.sessions}>
              {(session) => (
                <SessionItem
                  session={session}
                  selected={session.id === props.selectedId}
                  now={props.now}
                  onSelect={props.onSelect}
                />
              )}
            </For>
          </ul>
        </Match>
      </Switch>
    </nav>
  );
}
