import { createEffect, createMemo, on, Show } from 'solid-js';
import type { TransportMode } from '../shared/connection/connectionState.ts';
import { isSessionId } from '../shared/sessionHelpers.ts';
import type { AppAuth } from './components/AuthGate.tsx';
import { EmptyState } from './components/EmptyState.tsx';
import { Header } from './components/Header.tsx';
import { SessionView } from './components/SessionView.tsx';
import { Sidebar } from './components/Sidebar.tsx';
import { createNotifySetting } from './state/createNotifySetting.ts';
import { createNow } from './state/createNow.ts';
import { createRouter } from './state/createRouter.ts';
import { createTabFeed, type TabFeedOptions } from './state/createTabFeed.ts';
import { createTabTitle } from './state/createTabTitle.ts';
import { createWaitingNotifier } from './state/createWaitingNotifier.ts';
import { isUnauthorizedFailure } from './state/isUnauthorizedFailure.ts';
import { sessionIdFromPath, sessionPath } from './state/sessionRoute.ts';
import { createThemeChoice } from './state/theme.ts';

/**
 * The whole app: header, session sidebar, and the selected session (from the URL path), all fed by
 * the tab's one live connection to `url`. A feed the server refuses as UNAUTHORIZED is handed to
 * `auth.onUnauthorized` (the sign-in screen), one that keeps dropping to `auth.onConnectionTrouble`
 * (which asks the server); FORBIDDEN stays an in-app error. On a phone (≤ 600 px) the list and the
 * session are two screens: the list when none is open, the session (with "← Sessions") when one is.
 */
export function App(props: {
  url: string;
  mode: TransportMode;
  auth?: AppAuth;
  /** For tests. @default createConnectionManager */
  connect?: TabFeedOptions['connect'];
}) {
  const router = createRouter();
  const now = createNow();
  const selectedId = createMemo(() => sessionIdFromPath(router.path()));
  // An id the server would reject names no session; following it would fail the whole feed.
  const followed = createMemo(() => {
    const id = selectedId();
    return id !== undefined && isSessionId(id) ? id : null;
  });
  const feed = createTabFeed({
    url: props.url,
    mode: props.mode,
    sessionId: followed,
    connect: props.connect,
  });
  createEffect(() => {
    if (isUnauthorizedFailure(feed.connection())) props.auth?.onUnauthorized();
  });
  // A refused WebSocket handshake looks like any dropped connection: ask whether we are still signed in.
  createEffect(
    on(
      () => feed.connection().status,
      (status) => {
        if (status === 'reconnecting') props.auth?.onConnectionTrouble();
      },
    ),
  );
  const failure = () => {
    const c = feed.connection();
    return c.status === 'failed' ? c.error : undefined;
  };

  const waiting = createTabTitle({
    sessions: feed.sessions,
    openTitle: () => {
      const id = selectedId();
      return id === undefined ? undefined : feed.byId(id)?.title;
    },
  });
  const [theme, setTheme] = createThemeChoice();
  const notify = createNotifySetting();
  createWaitingNotifier({
    sessions: feed.sessions,
    loaded: feed.listLoaded,
    enabled: notify.enabled,
    selectedId,
    onOpen: (id) => router.navigate(sessionPath(id)),
  });

  return (
    <div class="app" data-screen={selectedId() === undefined ? 'list' : 'session'}>
      {/* The first stop for keyboard users: straight to the message box, past the list. */}
      <button
        type="button"
        class="skip-link"
        data-testid="skip-to-composer"
        onClick={() => document.getElementById('composer-input')?.focus()}
      >
        Skip to the message box
      </button>
      <Header
        connection={feed.connection()}
        onRetry={feed.retryNow}
        onHome={() => router.navigate('/')}
        signedIn={props.auth?.signedIn}
        theme={{ choice: theme(), onChange: setTheme }}
      />
      <div class="app-body">
        <Sidebar
          sessions={feed.sessions()}
          loaded={feed.listLoaded()}
          error={failure()}
          selectedId={selectedId()}
          now={now()}
          onSelect={(id) => router.navigate(sessionPath(id))}
          notify={notify}
        />
        <main class="main">
          {/* Only on a phone, where the list is a screen of its own. */}
          <a
            class="back-to-list"
            href="/"
            data-testid="back-to-list"
            onClick={(e) => {
              if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
              e.preventDefault();
              router.navigate('/');
            }}
          >
            ← Sessions
            <Show when={waiting() > 0}>
              <span class="back-waiting"> · {waiting()} waiting for you</span>
            </Show>
          </a>
          <Show
            when={selectedId()}
            keyed
            fallback={
              <EmptyState title="No session selected">
                <p>Pick a session from the list to watch its trail live.</p>
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
                behind={followed() === id ? feed.behind() : 0}
                connection={feed.connection()}
              />
            )}
          </Show>
        </main>
      </div>
    </div>
  );
}
