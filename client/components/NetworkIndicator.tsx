import type { ConnectionStatus, NetworkState } from '../state/connectionStatus.ts';

const LABELS: Record<NetworkState, string> = {
  connected: 'Connected',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  error: 'Connection error',
};

/** A dot, a label and the transport, telling the truth about the live connection; the last error is the tooltip. */
export function NetworkIndicator(props: { status: ConnectionStatus }) {
  return (
    <div
      class="network"
      data-testid="network-indicator"
      data-state={props.status.state}
      data-transport={props.status.transport}
      title={props.status.lastError ? `Last error: ${props.status.lastError}` : LABELS[props.status.state]}
      role="status"
      aria-live="polite"
    >
      <span class="network-dot" aria-hidden="true" />
      <span class="network-label">{LABELS[props.status.state]}</span>
      <span class="network-transport">{props.status.transport === 'ws' ? 'WebSocket' : 'SSE'}</span>
    </div>
  );
}
