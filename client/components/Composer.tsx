import { createSignal, Show } from 'solid-js';
import { sendErrorMessage } from '../state/sendErrorMessage.ts';

/**
 * The message box. Enter sends, Shift+Enter adds a line. A sent message is not shown here: it
 * appears in the timeline when the stream delivers it, so every viewer sees the same order.
 */
export function Composer(props: { onSend: (text: string) => Promise<unknown>; disabledReason?: string }) {
  const [text, setText] = createSignal('');
  const [sending, setSending] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const disabled = () => props.disabledReason !== undefined;
  const canSend = () => !disabled() && !sending() && text().trim() !== '';

  const send = async () => {
    if (!canSend()) return;
    setSending(true);
    setError(undefined);
    try {
      await props.onSend(text());
      setText('');
    } catch (err) {
      setError(sendErrorMessage(err));
    } finally {
      setSending(false);
    }
  };

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
        {(message) => (
          <p class="composer-error" role="alert" data-testid="composer-error">
            Not sent: {message()}
          </p>
        )}
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
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" data-testid="composer-send" disabled={!canSend()}>
          {sending() ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  );
}
