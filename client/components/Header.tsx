import { createSignal, Show } from 'solid-js';
import type { ConnectionState } from '../../shared/connection/connectionState.ts';
import { describeError } from '../../shared/describeError.ts';
import type { Role } from '../../shared/roles.ts';
import type { ThemeChoice } from '../state/theme.ts';
import { NetworkIndicator } from './NetworkIndicator.tsx';
import { ThemeToggle } from './ThemeToggle.tsx';

/** The signed-in part of the header: the token's role and "Sign out" (only when the server has access control). */
function SignOut(props: { role: Role; signOut: () => Promise<void> }) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const click = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.signOut();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="auth-box">
      <Show when={error()}>
        {(message) => (
          <span class="auth-error" role="alert" data-testid="signout-error">
            Not signed out: {message()}
          </span>
        )}
      </Show>
      <span class="auth-role" data-testid="auth-role" title="The role of your access token">
        {props.role}
      </span>
      <button
        type="button"
        class="signout"
        data-testid="signout"
        disabled={busy()}
        onClick={() => void click()}
      >
        {busy() ? 'Signing out…' : 'Sign out'}
      </button>
    </div>
  );
}

/**
 * The top bar: product name (a link home), the network indicator, the theme picker (when given)
 * and, when signed in, "Sign out".
 */
export function Header(props: {
  connection: ConnectionState;
  onRetry: () => void;
  onHome: () => void;
  signedIn?: { role: Role; signOut: () => Promise<void> };
  theme?: { choice: ThemeChoice; onChange: (choice: ThemeChoice) => void };
}) {
  const onClick = (e: MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    props.onHome();
  };
  return (
    <header class="app-header">
      <a class="brand" href="/" onClick={onClick}>
        livetrail
      </a>
      <span class="tagline">live trails of agent sessions</span>
      <NetworkIndicator state={props.connection} onRetry={props.onRetry} />
      <Show when={props.theme}>{(t) => <ThemeToggle choice={t().choice} onChange={t().onChange} />}</Show>
      <Show when={props.signedIn}>{(s) => <SignOut role={s().role} signOut={s().signOut} />}</Show>
    </header>
  );
}
