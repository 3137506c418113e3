import { createSignal, onMount, Show } from 'solid-js';
import { signIn } from '../state/signIn.ts';

/**
 * The sign-in screen of a server with access control: one password-type field for the access token,
 * posted to `/api/signin`, which answers with the HttpOnly cookie. The token is not kept in the page,
 * the URL or storage. `notice` explains why the screen is shown (a refused link, an expired sign-in).
 */
export function SignIn(props: { url: string; notice?: string; onSignedIn: () => void | Promise<void> }) {
  const [token, setToken] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  // undefined: nothing to say; the notice counts until the first attempt.
  const [error, setError] = createSignal<string | undefined>(props.notice);
  // Whether the server refused what is in the field (not just: there is a notice).
  const [refused, setRefused] = createSignal(false);
  let input: HTMLInputElement | undefined;
  onMount(() => input?.focus());

  const submit = async () => {
    const value = token().trim();
    if (busy() || value === '') return;
    setBusy(true);
    setError(undefined);
    try {
      const outcome = await signIn(props.url, value);
      if (!outcome.ok) {
        setError(outcome.message);
        setRefused(outcome.rejected);
        input?.focus();
        return;
      }
      setToken('');
      await props.onSignedIn();
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="signin-page">
      <form
        class="signin"
        data-testid="signin"
        aria-labelledby="signin-heading"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h1 id="signin-heading" class="signin-heading">
          Sign in to livetrail
        </h1>
        <p class="signin-text">
          This livetrail server needs an access token: open the sign-in link the server printed when it
          started, or ask whoever runs it for a token and paste it below.
        </p>
        <label class="signin-label" for="signin-token">
          Access token
        </label>
        <input
          ref={input}
          id="signin-token"
          class="signin-input"
          data-testid="signin-token"
          type="password"
          autocomplete="off"
          autocapitalize="off"
          spellcheck={false}
          required
          value={token()}
          aria-invalid={refused()}
          aria-describedby={error() !== undefined ? 'signin-error' : undefined}
          onInput={(e) => {
            setToken(e.currentTarget.value);
            setRefused(false);
          }}
        />
        <Show when={error()}>
          {(message) => (
            <p id="signin-error" class="signin-error" role="alert" data-testid="signin-error">
              {message()}
            </p>
          )}
        </Show>
        <button
          type="submit"
          class="signin-submit"
          data-testid="signin-submit"
          disabled={busy() || token().trim() === ''}
        >
          {busy() ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
