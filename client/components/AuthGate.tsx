import { type JSX, Match, Switch } from 'solid-js';
import type { Role } from '../../shared/roles.ts';
import { createAuthGate } from '../state/createAuthGate.ts';
import { SignIn } from './SignIn.tsx';

/** What the app is told about sign-in. */
export interface AppAuth {
  /** Set when the server has access control and this browser is signed in: the header offers "Sign out". */
  signedIn?: { role: Role; signOut(): Promise<void> };
  /** Call when the server refuses this browser's token (UNAUTHORIZED): shows the sign-in screen. */
  onUnauthorized(): void;
  /** Call when the live feed keeps failing for reasons it cannot tell: re-asks `/api/auth`. */
  onConnectionTrouble(): void;
}

/**
 * Asks the server whether it needs a token before the app mounts (the app's live feed would only be
 * refused without one), then shows the sign-in screen or the app. Signing in or out swaps them
 * without a reload; the app is mounted afresh each time, so its feed starts with the new cookie.
 */
export function AuthGate(props: { url: string; children: (auth: AppAuth) => JSX.Element }) {
  const gate = createAuthGate({ url: props.url });
  const app = () => {
    const v = gate.view();
    return v.screen === 'app' ? v : undefined;
  };
  const signin = () => {
    const v = gate.view();
    return v.screen === 'signin' ? v : undefined;
  };

  return (
    <Switch fallback={<p class="auth-loading">Loading…</p>}>
      <Match when={signin()} keyed>
        {(v) => <SignIn url={props.url} notice={v.notice} onSignedIn={gate.signedIn} />}
      </Match>
      <Match when={app()} keyed>
        {(v) =>
          props.children({
            signedIn:
              v.auth === 'on' && v.role !== null ? { role: v.role, signOut: gate.signOut } : undefined,
            onUnauthorized: gate.expired,
            onConnectionTrouble: gate.recheck,
          })
        }
      </Match>
    </Switch>
  );
}
