import { createSignal, Show } from 'solid-js';
import type { LivetrailClient } from '../../shared/createLivetrailClient.ts';
import { describeError } from '../../shared/describeError.ts';
import { newIdempotencyKey } from '../../shared/idempotencyKey.ts';
import type { SessionStatus } from '../../shared/session.ts';
import { isFinished } from '../../shared/sessionHelpers.ts';
import { exportPath } from '../state/exportPath.ts';
import './SessionActions.css';

/** Why Stop did not go through, readable after "Not stopped:". */
function stopErrorMessage(err: unknown): string {
  const code = (err as { data?: { code?: unknown } } | null)?.data?.code;
  if (code === 'FORBIDDEN') return 'your token may not stop agents (viewer or admin role needed)';
  return describeError(err);
}

/**
 * The session head's actions: **Stop** (while the session runs) asks its agent to stop
 * (`sessions.interrupt`); after the click it says "Stopping…" and stays disabled until the agent
 * completes the session, so a second click cannot happen by accident, and a refusal is shown next to
 * it. **Export** downloads every stored event as NDJSON from the server (not just what the page
 * holds), with the sign-in cookie the page already uses.
 */
export function SessionActions(props: {
  api: LivetrailClient['api'];
  sessionId: string;
  status: SessionStatus;
  /** The trail already holds an `interrupt` (this person's, or someone else's). */
  interruptRequested: boolean;
}) {
  const [pending, setPending] = createSignal(false);
  const [asked, setAsked] = createSignal(false);
  const [error, setError] = createSignal<string>();
  // One key per press: a retried request (lost answer) is stored once.
  let key: string | undefined;
  const stopping = () => pending() || asked() || props.interruptRequested;

  const stop = async () => {
    if (stopping()) return;
    setPending(true);
    setError(undefined);
    key ??= newIdempotencyKey();
    try {
      await props.api.sessions.interrupt.mutate({ sessionId: props.sessionId, idempotencyKey: key });
      setAsked(true);
    } catch (err) {
      setError(stopErrorMessage(err));
    } finally {
      setPending(false);
    }
  };

  return (
    <div class="session-actions">
      <Show when={!isFinished(props.status)}>
        <button
          type="button"
          class="session-action session-stop"
          data-testid="stop-session"
          disabled={stopping()}
          title={stopping() ? 'The agent was asked to stop' : 'Ask the agent to stop and end this session'}
          onClick={() => void stop()}
        >
          {stopping() ? 'Stopping…' : 'Stop'}
        </button>
      </Show>
      <a
        class="session-action"
        data-testid="export-session"
        href={exportPath(props.sessionId)}
        download={`livetrail-${props.sessionId}.ndjson`}
        title="Download every event of this session as NDJSON"
      >
        Export
      </a>
      <Show when={error()}>
        {(message) => (
          <p class="session-action-error" role="alert" data-testid="stop-error">
            Not stopped: {message()}
          </p>
        )}
      </Show>
    </div>
  );
}
