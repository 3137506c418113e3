import { cleanup, fireEvent, render, screen } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../client/App.tsx';
import { AuthGate } from '../../client/components/AuthGate.tsx';
import {
  type AttemptHandlers,
  type ConnectionManagerOptions,
  createConnectionManager,
} from '../../shared/connection/createConnectionManager.ts';

const URL_BASE = 'http://localhost:3000';

type Route = (init: RequestInit | undefined) => Response | Promise<Response>;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** Stubs `fetch` with one handler per path; anything else is a 404. */
function stubServer(routes: Record<string, Route>) {
  const fetchMock = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    const path = new URL(String(input), URL_BASE).pathname;
    const route = routes[path];
    return route ? route(init) : new Response('not found', { status: 404 });
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

/** The calls `fetch` got for one path. */
function callsTo(fetchMock: ReturnType<typeof stubServer>, path: string) {
  return fetchMock.mock.calls.filter(([input]) => new URL(String(input), URL_BASE).pathname === path);
}

/**
 * The real connection manager, with an attempt that is refused as the server would refuse it
 * (`refuse`), or one that never answers; no socket is opened.
 */
function connectRefusing(refuse?: { code?: string; message: string }) {
  return (opts: ConnectionManagerOptions) =>
    createConnectionManager({
      ...opts,
      network: { online: () => true, subscribe: () => () => {} },
      probe: async () => true,
      // One failure is enough to see; the retry is never due within a test.
      policy: { floorMs: 60_000, capMs: 60_000 },
      open: (_api, handlers: AttemptHandlers) => {
        if (refuse) {
          const data = refuse.code ? { code: refuse.code } : undefined;
          queueMicrotask(() => handlers.onError({ message: refuse.message, data }));
        }
        return { unsubscribe() {} };
      },
    });
}

function renderPage(connect = connectRefusing()) {
  return render(() => (
    <AuthGate url={URL_BASE}>
      {(auth) => <App url={URL_BASE} mode="sse" auth={auth} connect={connect} />}
    </AuthGate>
  ));
}

const authOff: Route = () => json(200, { auth: 'off', role: 'admin' });
const signedOut: Route = () => json(200, { auth: 'on', role: null });

function tokenInput() {
  return screen.getByLabelText('Access token') as HTMLInputElement;
}

beforeEach(() => {
  window.history.replaceState(null, '', '/');
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});

describe('AuthGate and SignIn', () => {
  it('mounts the app without a sign-in screen when auth is off', async () => {
    const fetchMock = stubServer({ '/api/auth': authOff });
    renderPage();
    expect(await screen.findByTestId('network-indicator')).toBeTruthy();
    expect(screen.queryByTestId('signin')).toBeNull();
    // No sign-out where there is nothing to sign out of.
    expect(screen.queryByTestId('signout')).toBeNull();
    expect(callsTo(fetchMock, '/api/auth')).toHaveLength(1);
  });

  it('shows nothing but a loading note while the auth status is unknown', () => {
    stubServer({ '/api/auth': () => new Promise<Response>(() => {}) });
    renderPage();
    expect(screen.getByText('Loading…')).toBeTruthy();
    expect(screen.queryByTestId('network-indicator')).toBeNull();
    expect(screen.queryByTestId('signin')).toBeNull();
  });

  it('still mounts the app when the server cannot be asked', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    renderPage();
    expect(await screen.findByTestId('network-indicator')).toBeTruthy();
    expect(screen.queryByTestId('signin')).toBeNull();
  });

  it('shows the sign-in form, not the app, when auth is on and this browser is not signed in', async () => {
    stubServer({ '/api/auth': signedOut });
    renderPage();
    expect(await screen.findByRole('heading', { name: 'Sign in to livetrail' })).toBeTruthy();
    const input = tokenInput();
    expect(input.type).toBe('password');
    expect(input.getAttribute('autocomplete')).toBe('off');
    expect(screen.getByText(/needs an access token/).textContent).toMatch(/sign-in link the server printed/);
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(screen.queryByTestId('network-indicator')).toBeNull();
  });

  it('posts the token as json to /api/signin, then shows the app with a sign-out button', async () => {
    let signedIn = false;
    const fetchMock = stubServer({
      '/api/auth': () => json(200, { auth: 'on', role: signedIn ? 'viewer' : null }),
      '/api/signin': () => {
        signedIn = true;
        return new Response(null, { status: 204 });
      },
    });
    renderPage();
    await screen.findByTestId('signin');
    fireEvent.input(tokenInput(), { target: { value: ' s3cret-token \n' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByTestId('network-indicator')).toBeTruthy();
    expect(screen.queryByTestId('signin')).toBeNull();
    expect(screen.getByTestId('signout')).toBeTruthy();
    expect(screen.getByTestId('auth-role').textContent).toBe('viewer');
    const [call] = callsTo(fetchMock, '/api/signin');
    const init = call![1]!;
    expect(init.method).toBe('POST');
    expect(new Headers(init.headers).get('content-type')).toBe('application/json');
    expect(JSON.parse(String(init.body))).toEqual({ token: 's3cret-token' });
    // The token travels in the body only, and stays out of the URL and storage.
    expect(String(call![0])).not.toContain('s3cret');
    expect(window.location.href).not.toContain('s3cret');
    expect(JSON.stringify({ ...window.localStorage })).not.toContain('s3cret');
  });

  it('says a refused token was not accepted and keeps the form and the input', async () => {
    stubServer({
      '/api/auth': signedOut,
      '/api/signin': () => json(401, { error: { code: 'UNAUTHORIZED', message: 'unknown token' } }),
    });
    renderPage();
    await screen.findByTestId('signin');
    fireEvent.input(tokenInput(), { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('That token was not accepted.');
    expect(tokenInput().value).toBe('wrong');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(screen.queryByTestId('network-indicator')).toBeNull();
  });

  it('explains too many attempts and an unreachable server in words', async () => {
    let answer: Route = () => new Response(null, { status: 429, headers: { 'retry-after': '30' } });
    stubServer({ '/api/auth': signedOut, '/api/signin': (init) => answer(init) });
    renderPage();
    await screen.findByTestId('signin');
    fireEvent.input(tokenInput(), { target: { value: 't' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Too many sign-in attempts. Try again in 30 s.',
    );

    answer = () => {
      throw new TypeError('Failed to fetch');
    };
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await vi.waitFor(() =>
      expect(screen.getByRole('alert').textContent).toMatch(/^Could not reach the server/),
    );
  });

  it('shows why when the sign-in link was refused, and takes ?signin=failed off the url', async () => {
    window.history.replaceState(null, '', '/sessions/abc?signin=failed&transport=ws');
    stubServer({ '/api/auth': signedOut });
    renderPage();
    expect((await screen.findByRole('alert')).textContent).toBe("The sign-in link's token was not accepted.");
    expect(window.location.pathname).toBe('/sessions/abc');
    expect(window.location.search).toBe('?transport=ws');
    expect(tokenInput()).toBeTruthy();
  });

  it('signs in with a ?token= link the server did not handle, and takes the token off the url at once', async () => {
    let signedIn = false;
    window.history.replaceState(null, '', '/?token=from-link');
    const fetchMock = stubServer({
      '/api/auth': () => json(200, { auth: 'on', role: signedIn ? 'admin' : null }),
      '/api/signin': () => {
        signedIn = true;
        return new Response(null, { status: 204 });
      },
    });
    renderPage();
    expect(window.location.search).toBe('');
    expect(await screen.findByTestId('signout')).toBeTruthy();
    expect(JSON.parse(String(callsTo(fetchMock, '/api/signin')[0]![1]!.body))).toEqual({
      token: 'from-link',
    });
  });

  it('shows the sign-in screen when the live feed is refused as unauthorized', async () => {
    stubServer({ '/api/auth': () => json(200, { auth: 'on', role: 'viewer' }) });
    renderPage(connectRefusing({ code: 'UNAUTHORIZED', message: 'token revoked' }));
    expect(await screen.findByTestId('signin')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toMatch(/expired or was revoked/);
    expect(screen.queryByTestId('network-indicator')).toBeNull();
  });

  it('shows the plain sign-in screen when the feed is refused after the auth check could not be made', async () => {
    stubServer({
      '/api/auth': () => {
        throw new TypeError('Failed to fetch');
      },
    });
    renderPage(connectRefusing({ code: 'UNAUTHORIZED', message: 'no token' }));
    expect(await screen.findByTestId('signin')).toBeTruthy();
    // It never was signed in, so nothing "expired".
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says so when the token was accepted but the browser kept no cookie', async () => {
    stubServer({ '/api/auth': signedOut, '/api/signin': () => new Response(null, { status: 204 }) });
    renderPage();
    await screen.findByTestId('signin');
    fireEvent.input(tokenInput(), { target: { value: 'good' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/did not keep the sign-in cookie/);
  });

  it('asks the server again when the feed drops without a reason, and shows the sign-in screen if signed out', async () => {
    let role: string | null = 'viewer';
    const fetchMock = stubServer({
      '/api/auth': () => {
        const body = { auth: 'on', role };
        // The cookie stops working right after the app mounted.
        role = null;
        return json(200, body);
      },
    });
    // A refused WebSocket handshake: an error with no tRPC code, which the manager retries.
    renderPage(connectRefusing({ message: 'WebSocket closed' }));
    expect(await screen.findByTestId('signin')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toMatch(/expired or was revoked/);
    expect(callsTo(fetchMock, '/api/auth')).toHaveLength(2);
  });

  it('stays in the app when the feed drops but the server still knows this browser', async () => {
    const fetchMock = stubServer({ '/api/auth': () => json(200, { auth: 'on', role: 'viewer' }) });
    renderPage(connectRefusing({ message: 'connection lost' }));
    await vi.waitFor(() =>
      expect(screen.getByTestId('network-indicator').getAttribute('data-state')).toBe('reconnecting'),
    );
    await vi.waitFor(() => expect(callsTo(fetchMock, '/api/auth')).toHaveLength(2));
    expect(screen.queryByTestId('signin')).toBeNull();
    expect(screen.getByTestId('signout')).toBeTruthy();
  });

  it('keeps the app and shows the error when the live feed is forbidden', async () => {
    stubServer({ '/api/auth': () => json(200, { auth: 'on', role: 'agent' }) });
    renderPage(connectRefusing({ code: 'FORBIDDEN', message: 'role agent may not subscribe' }));
    await vi.waitFor(() =>
      expect(screen.getByTestId('network-indicator').getAttribute('data-state')).toBe('error'),
    );
    expect(screen.getByTestId('network-label').textContent).toContain('FORBIDDEN');
    expect(screen.queryByTestId('signin')).toBeNull();
  });

  it('signs out with POST /api/signout and shows the sign-in screen', async () => {
    const fetchMock = stubServer({
      '/api/auth': () => json(200, { auth: 'on', role: 'admin' }),
      '/api/signout': () => new Response(null, { status: 204 }),
    });
    renderPage();
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByTestId('signin')).toBeTruthy();
    expect(callsTo(fetchMock, '/api/signout')[0]![1]!.method).toBe('POST');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('stays in the app and says so when signing out fails', async () => {
    stubServer({
      '/api/auth': () => json(200, { auth: 'on', role: 'admin' }),
      '/api/signout': () => new Response(null, { status: 500 }),
    });
    renderPage();
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect((await screen.findByTestId('signout-error')).textContent).toBe(
      'Not signed out: the server answered 500',
    );
    expect(screen.queryByTestId('signin')).toBeNull();
  });
});
