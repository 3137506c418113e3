import { type Accessor, createSignal } from 'solid-js';
import type { Role } from '../../shared/roles.ts';
import { fetchAuthStatus } from './fetchAuthStatus.ts';
import { signIn, signOut } from './signIn.ts';

/** What the page shows: nothing yet, the sign-in screen, or the app. */
export type AuthView =
  | { screen: 'loading' }
  | { screen: 'signin'; notice?: string }
  /** auth 'unknown': `/api/auth` could not be asked (the server is down); the app reconnects on its own. */
  | { screen: 'app'; auth: 'on' | 'off' | 'unknown'; role: Role | null };

/** The page's sign-in state and the ways to change it. */
export interface AuthGate {
  view: Accessor<AuthView>;
  /** After a successful sign-in: asks the server again and shows the app. */
  signedIn(): Promise<void>;
  /** Clears the cookie, then shows the sign-in screen; rejects (and keeps the app) when it could not. */
  signOut(): Promise<void>;
  /** The server stopped accepting this browser's token (the live feed said UNAUTHORIZED). */
  expired(): void;
  /**
   * The live feed keeps failing without saying why (a refused WebSocket handshake carries no code):
   * asks the server whether this browser is still signed in, and shows the sign-in screen if not.
   */
  recheck(): void;
}

export const LINK_REJECTED = "The sign-in link's token was not accepted.";
export const EXPIRED = 'Your sign-in has expired or was revoked. Sign in again to continue.';
const COOKIE_NOT_KEPT =
  'The token was accepted, but this browser did not keep the sign-in cookie (are cookies blocked?).';

/**
 * Takes the sign-in parameters off the page URL: `?signin=failed` (the server refused a sign-in
 * link) and `?token=` (a sign-in link the server did not see — the Vite dev server serves pages
 * itself). The token must not linger in the address bar or the history.
 */
function takeSignInParams(): { linkFailed: boolean; linkToken: string | undefined } {
  const url = new URL(window.location.href);
  const linkFailed = url.searchParams.get('signin') === 'failed';
  const linkToken = url.searchParams.get('token') ?? undefined;
  if (url.searchParams.has('signin') || url.searchParams.has('token')) {
    url.searchParams.delete('signin');
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  }
  return { linkFailed, linkToken };
}

/**
 * Decides between the sign-in screen and the app by asking `GET /api/auth` (the token cookie is
 * HttpOnly). A server that cannot be asked does not block the page: the app mounts and shows its
 * own reconnecting indicator, and a feed refused with UNAUTHORIZED brings the sign-in screen back.
 */
export function createAuthGate(opts: { url: string }): AuthGate {
  const [view, setView] = createSignal<AuthView>({ screen: 'loading' });
  // Only the newest check may decide what is shown.
  let generation = 0;

  async function check(notice?: string, signingIn = false): Promise<void> {
    const mine = ++generation;
    try {
      const status = await fetchAuthStatus(opts.url);
      if (mine !== generation) return;
      if (status.auth === 'on' && status.role === null) {
        setView({ screen: 'signin', notice: signingIn ? COOKIE_NOT_KEPT : notice });
      } else setView({ screen: 'app', auth: status.auth, role: status.role });
    } catch {
      if (mine === generation) setView({ screen: 'app', auth: 'unknown', role: null });
    }
  }

  async function start(): Promise<void> {
    const { linkFailed, linkToken } = takeSignInParams();
    let notice = linkFailed ? LINK_REJECTED : undefined;
    if (linkToken !== undefined) {
      const outcome = await signIn(opts.url, linkToken);
      if (!outcome.ok) notice = outcome.rejected ? LINK_REJECTED : outcome.message;
    }
    await check(notice);
  }
  void start();

  function expired(): void {
    const v = view();
    // Only a browser that was signed in had a sign-in to lose; one that could not ask just needs one.
    const wasSignedIn = v.screen === 'app' && v.auth === 'on' && v.role !== null;
    generation++;
    setView({ screen: 'signin', notice: wasSignedIn ? EXPIRED : undefined });
  }

  return {
    view,
    signedIn: () => check(undefined, true),
    async signOut() {
      await signOut(opts.url);
      generation++;
      setView({ screen: 'signin' });
    },
    expired,
    recheck() {
      if (view().screen !== 'app') return;
      const mine = generation;
      fetchAuthStatus(opts.url).then(
        (status) => {
          if (mine === generation && status.auth === 'on' && status.role === null) expired();
        },
        () => {
          // Still unreachable: the app's indicator already says so.
        },
      );
    },
  };
}
