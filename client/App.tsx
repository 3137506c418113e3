import { createMemo, Show } from 'solid-js';
import type { LivetrailClient } from '../shared/createLivetrailClient.ts';
import { EmptyState } from './components/EmptyState.tsx';
import { Header } from './components/Header.tsx';
import { SessionView } from './components/SessionView.tsx';
import { Sidebar } from './components/Sidebar.tsx';
import { createConnectionStatus } from './state/connectionStatus.ts';
import { createNow } from './state/createNow.ts';
import { createRouter } from './state/createRouter.ts';
import { createSessionList } from './state/createSessionList.ts';
import { sessionIdFromPath, sessionPath } from './state/sessionRoute.ts';

/** The whole app: header, session sidebar, and the selected session (from the URL path). */
export function App(props: { client: LivetrailClient }) {
  const api = props.client.api;
  const connection = createConnectionStatus(props.client.transport);
  const list = createSessionList(api, connection.report);
  const router = createRouter();
  const now = createNow();
  const selectedId = createMemo(() => sessionIdFromPath(router.path()));

  return (
    <div class="app">
      <Header status={connection.status()} onHome={() => router.navigate('/')} />
      <div class="app-body">
        <Sidebar
          sessions={list.sessions()}
          loaded={list.loaded()}
          error={list.error()}
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
              <SessionView api={api} sessionId={id} listed={list.byId(id)} report={connection.report} />
            )}
          </Show>
        </main>
      </div>
    </div>
  );
}
