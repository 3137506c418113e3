import { createMemo, Show } from 'solid-js';
import type { TransportMode } from '../shared/connection/connectionState.ts';
import { sessionIdSchema } from '../shared/session.ts';
import { EmptyState } from './components/EmptyState.tsx';
import { Header } from './components/Header.tsx';
import { SessionView } from './components/SessionView.tsx';
import { Sidebar } from './components/Sidebar.tsx';
import { createNow } from './state/createNow.ts';
import { createRouter } from './state/createRouter.ts';
import { createTabFeed } from './state/createTabFeed.ts';
import { sessionIdFromPath, sessionPath } from './state/sessionRoute.ts';

/**
 * The whole app: header, session sidebar, and the selected session (from the URL path), all fed by
 * the tab's one live connection to `url`.
 */
export function App(props: { url: string; mode: TransportMode }) {
  const router = createRouter();
  const now = createNow();
  const selectedId = createMemo(() => sessionIdFromPath(router.path()));
  // An id the server would reject names no session; following it would fail the whole feed.
  const followed = createMemo(() => {
    const id = selectedId();
    return id !== undefined && sessionIdSchema.safeParse(id).success ? id : null;
  });
  const feed = createTabFeed({ url: props.url, mode: props.mode, sessionId: followed });
  const failure = () => {
    const c = feed.connection();
    return c.status === 'failed' ? c.error : undefined;
  };

  return (
    <div class="app">
      <Header connection={feed.connection()} onRetry={feed.retryNow} onHome={() => router.navigate('/')} />
      <div class="app-body">
        <Sidebar
          sessions={feed.sessions()}
          loaded={feed.listLoaded()}
          error={failure()}
          selectedId={selectedId()}
          now={now()}
          onSelect={(id) => router.navigate(sessionPath(id))}
        />
        <main class="main">
          <Show
            when={selectedId()}
            keyed
            fallback={
              <EmptyState title="No session selected">
                <p>Pick a session on the left to watch its trail live.</p>
              </EmptyState>
            }
          >
            {(id) => (
              <SessionView
                api={feed.api()}
                sessionId={id}
                listed={feed.byId(id)}
                trail={feed.trail()}
                phase={followed() === id ? feed.phase() : 'not_found'}
              />
            )}
          </Show>
        </main>
      </div>
    </div>
  );
}
