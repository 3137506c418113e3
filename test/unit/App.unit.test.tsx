import { cleanup, render, screen } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../client/App.tsx';
import { initialConnectionState } from '../../shared/connection/connectionState.ts';
import type {
  AttemptHandlers,
  ConnectionManager,
  ConnectionManagerOptions,
} from '../../shared/connection/createConnectionManager.ts';
import { initialSession } from '../../shared/reduceSession.ts';
import type { Session, SessionStatus } from '../../shared/session.ts';
import type { TabFeedMessage } from '../../shared/streamMessages.ts';

function session(id: string, status: SessionStatus, title = `Title ${id}`): Session {
  return { ...initialSession({ id, title, agent: 'coder', createdAt: '2026-01-01T00:00:00Z' }), status };
}

/** A connection manager that opens nothing; the test hands the feed its messages. */
function fakeConnect() {
  let opts: ConnectionManagerOptions | undefined;
  const api = {
    live: { onFeed: { subscribe: () => ({ unsubscribe() {} }) } },
    sessions: { get: { query: () => new Promise(() => {}) } },
  };
  const manager = {
    state: () => initialConnectionState(),
    subscribe: () => () => {},
    api: () => api as never,
    reportProgress: vi.fn(),
    reportReset: vi.fn(),
    restart: vi.fn(() => opts!.open(api as never, {} as AttemptHandlers)),
    retryNow: vi.fn(),
    setMode: vi.fn(),
    close: vi.fn(),
  } satisfies ConnectionManager;
  return {
    connect: (o: ConnectionManagerOptions) => {
      opts = o;
      o.open(api as never, {} as AttemptHandlers);
      return manager;
    },
    /** The list as the server's complete snapshot would give it. */
    list(sessions: Session[]) {
      const message: TabFeedMessage = {
        kind: 'list',
        message: { kind: 'snapshot', complete: true, sessions },
      };
      opts!.onData(message);
    },
  };
}

function renderApp() {
  const fake = fakeConnect();
  render(() => <App url="http://localhost" mode="ws" connect={fake.connect} />);
  return fake;
}

beforeEach(() => {
  window.history.replaceState(null, '', '/');
  document.title = 'livetrail';
});
afterEach(cleanup);

describe('App', () => {
  it('counts the sessions waiting for the user in the tab title', async () => {
    const fake = renderApp();
    fake.list([session('a', 'running'), session('b', 'waiting_for_user'), session('c', 'waiting_for_user')]);
    await vi.waitFor(() => expect(document.title).toBe('(2) livetrail'));
    fake.list([session('a', 'running'), session('b', 'running'), session('c', 'succeeded')]);
    await vi.waitFor(() => expect(document.title).toBe('livetrail'));
  });

  it('names the open session in the tab title and marks the screen as the session one', async () => {
    window.history.replaceState(null, '', '/sessions/b');
    const fake = renderApp();
    fake.list([session('a', 'running'), session('b', 'waiting_for_user', 'Fix the build')]);
    await vi.waitFor(() => expect(document.title).toBe('(1) Fix the build · livetrail'));
    expect(document.querySelector('.app')?.getAttribute('data-screen')).toBe('session');
    expect(screen.getByTestId('back-to-list').textContent).toContain('1 waiting for you');
  });

  it('shows the list screen with no session open, and never points "on the left"', () => {
    renderApp();
    expect(document.querySelector('.app')?.getAttribute('data-screen')).toBe('list');
    expect(document.querySelector('.empty-state')?.textContent).not.toMatch(/left/);
    expect(screen.getByTestId('theme-toggle')).toBeTruthy();
    expect(screen.getByTestId('session-search')).toBeTruthy();
  });
});
