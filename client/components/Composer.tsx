import { createEffect, createSignal, on, Show } from 'solid-js';
import { isServerUnreachable } from '../../shared/describeConnectionError.ts';
import { isRetryableError } from '../../shared/isRetryableError.ts';
import { sendErrorMessage } from '../state/sendErrorMessage.ts';

/**
 * The message box. Enter sends, Shift+Enter adds a line. A sent message is not shown here: it
 * appears in the timeline when the stream delivers it, so every viewer sees the same order.
 *
 * A message that could not reach the server waits in the box ("Will send when reconnected") and is
 * sent again by itself, once, when the live connection comes back (the caller keeps its idempotency
 * key, so a first try that did arrive is stored once); "Send now" tries at once. An error that was
 * no verdict on the message (a 5xx, a lost answer) clears once the connection is back.
 */
export function Composer(props: {
  onSend: (text: string) => Promise<unknown>;
  disabledReason?: string;
  /** Whether the tab's live connection is up (it tells when the server is back). @default true */
  connected?: boolean;
}) {
  const [text, setText] = createSignal('');
  const [sending, setSending] = createSignal(false);
  const [error, setError] = createSignal<{ message: string; transient: boolean }>();
  const [waiting, setWaiting] = createSignal(false);
  const disabled = () => props.disabledReason !== undefined;
  const canSend = () => !disabled() && !sending() && text().trim() !== '';

  const send = async () => {
    if (!canSend()) return;
    setSending(true);
    setError(undefined);
    try {
      await props.onSend(text());
      setText('');
      setWaiting(false);
    } catch (err) {
      const unreachable = isServerUnreachable(err);
      setWaiting(unreachable);
      if (!unreachable) setError({ message: sendErrorMessage(err), transient: isRetryableError(err) });
    } finally {
      setSending(false);
    }
  };

  // Only a return of the connection (down → up) sends what waits: a failure noticed before the
  // stream noticed the outage must not be retried in a loop while the stream still looks up.
  createEffect(
    on(
      () => props.connected ?? true,
      (up, before) => {
        if (!up || before !== false) return;
        if (error()?.transient) setError(undefined);
        if (waiting()) void send();
      },
    ),
  );

  const onKeyDown = (e: KeyboardEvent) => {
    // isComposing: Enter that confirms an IME candidate must not send.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void send();
    }
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <Show when={props.disabledReason}>{(reason) => <p class="composer-note">{reason()}</p>}</Show>
      <Show when={error()}>
        {(e) => (
          <p class="composer-error" role="alert" data-testid="composer-error">
            Not sent: {e().message}
          </p>
        )}
      </Show>
      <Show when={waiting() && !disabled()}>
        <p class="composer-note" role="status" data-testid="composer-waiting">
          Will send when reconnected
        </p>
      </Show>
      <div class="composer-row">
        <textarea
          id="composer-input"
          data-testid="composer-input"
          aria-label="Message to the agent"
          placeholder={disabled() ? '' : 'Message the agent — Enter to send, Shift+Enter for a new line'}
          rows={2}
          value={text()}
          disabled={disabled()}
          onInput={(e) => {
            setText(e.currentTarget.value);
            // Nothing left to send: nothing waits.
            if (e.currentTarget.value.trim() === '') setWaiting(false);
          }}
          onKeyDown={onKeyDown}
        />
        <button type="submit" data-testid="composer-send" disabled={!canSend()}>
          {sending() ? 'Sending…' : waiting() ? 'Send now' : 'Send'}
        </button>
      </div>
    </form>
  );
}
