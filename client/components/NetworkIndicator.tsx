import { createEffect, createSignal, onCleanup, Show } from 'solid-js';
import type { ConnectionState } from '../../shared/connection/connectionState.ts';
import {
  indicatorAnnouncement,
  indicatorLabel,
  indicatorState,
  indicatorTitle,
} from '../state/indicatorLabel.ts';

/**
 * A dot, a label and the transport, telling the truth about the tab's live connection: a reconnect
 * counts down (with "Retry now") or, while the server does not answer, says it waits for it; the
 * last error, in words, is the tooltip, and a polite live region announces each change of status.
 */
export function NetworkIndicator(props: {
  state: ConnectionState;
  onRetry: () => void;
  /** The clock, for tests. @default Date.now */
  now?: () => number;
}) {
  const clock = () => (props.now ?? Date.now)();
  const [tick, setTick] = createSignal(0);
  createEffect(() => {
    const s = props.state;
    // Waiting for the server shows no countdown (it reconnects when the server answers).
    if (s.status !== 'reconnecting' || s.waitingForServer) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      const left = s.retryAt - clock();
      if (left <= 0) return;
      // Wake when the whole seconds left change, so the count steps 3, 2, 1 on time.
      timer = setTimeout(
        () => {
          setTick((n) => n + 1);
          schedule();
        },
        left % 1000 || 1000,
      );
    };
    schedule();
    onCleanup(() => clearTimeout(timer));
  });
  const now = () => {
    tick();
    return clock();
  };
  const canRetry = () => props.state.status === 'reconnecting' || props.state.status === 'failed';

  return (
    <div
      class="network"
      data-testid="network-indicator"
      data-state={indicatorState(props.state)}
      data-transport={props.state.transport}
      title={indicatorTitle(props.state, now())}
    >
      <span class="network-dot" aria-hidden="true" />
      <span class="network-label" aria-hidden="true" data-testid="network-label">
        {indicatorLabel(props.state, now())}
      </span>
      <span class="visually-hidden" role="status" aria-live="polite" data-testid="network-announcement">
        {indicatorAnnouncement(props.state)}
      </span>
      <span class="network-transport">{props.state.transport === 'ws' ? 'WebSocket' : 'SSE'}</span>
      <Show when={canRetry()}>
        <button
          type="button"
          class="network-retry"
          data-testid="network-retry"
          onClick={() => props.onRetry()}
        >
          Retry now
        </button>
      </Show>
    </div>
  );
}
