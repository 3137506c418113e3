import { createSignal, For, Match, Show, Switch } from 'solid-js';
import type { Session } from '../../shared/session.ts';
import type { NotifySetting } from '../state/createNotifySetting.ts';
import { STATUS_FILTERS, type StatusFilter } from '../state/sessionFilter.ts';
import { NotifyToggle } from './NotifyToggle.tsx';
import { SessionList } from './SessionList.tsx';

/** The session list with its search, status filter, loading, error and empty states. */
export function Sidebar(props: {
  sessions: Session[];
  loaded: boolean;
  error?: string;
  selectedId?: string;
  now: number;
  onSelect: (sessionId: string) => void;
  /** The desktop-notification switch, shown in the footer when given. */
  notify?: NotifySetting;
}) {
  const [query, setQuery] = createSignal('');
  const [filter, setFilter] = createSignal<StatusFilter>('all');
  return (
    <nav class="sidebar" aria-label="Sessions">
      <h2 class="sidebar-heading">Sessions</h2>
      <div class="sidebar-controls">
        <input
          type="search"
          class="session-search"
          data-testid="session-search"
          placeholder="Search title or agent"
          aria-label="Search sessions by title or agent"
          value={query()}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
        <select
          class="status-filter"
          data-testid="status-filter"
          aria-label="Show sessions by status"
          value={filter()}
          onChange={(e) => setFilter(e.currentTarget.value as StatusFilter)}
        >
          <For each={STATUS_FILTERS}>
            {(f) => (
              <option value={f.value} selected={f.value === filter()}>
                {f.label}
              </option>
            )}
          </For>
        </select>
      </div>
      <div class="sidebar-scroll">
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
            <SessionList
              sessions={props.sessions}
              query={query()}
              filter={filter()}
              selectedId={props.selectedId}
              now={props.now}
              onSelect={props.onSelect}
            />
          </Match>
        </Switch>
      </div>
      <Show when={props.notify}>
        {(setting) => (
          <footer class="sidebar-footer">
            <NotifyToggle setting={setting()} />
          </footer>
        )}
      </Show>
    </nav>
  );
}
