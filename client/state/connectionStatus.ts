import { type Accessor, createSignal, onCleanup } from 'solid-js';
import type { Transport } from '../../shared/createLivetrailClient.ts';

/** What the network indicator shows. */
export type NetworkState = 'connected' | 'connecting' | 'reconnecting' | 'offline' | 'error';

/** One subscription's link as tRPC reports it (`pending` means connected), or failed for good. */
export type LinkState = 'connecting' | 'pending' | 'failed';

/** Everything the indicator is derived from. */
export interface ConnectionStatus {
  state: NetworkState;
  transport: Transport;
  /** `navigator.onLine` as last reported. */
  online: boolean;
  /** Whether any subscription has been connected since the page loaded. */
  everConnected: boolean;
  /** Live subscriptions by name (`sessions`, `events`); finished ones are removed. */
  links: Readonly<Record<string, { state: LinkState; error?: string }>>;
  /** The most recent error, for the tooltip. */
  lastError?: string;
}

/** What the shell feeds in: tRPC connection-state callbacks, subscription errors, browser online/offline. */
export type ConnectionEvent =
  | { type: 'link'; source: string; state: 'idle' | 'connecting' | 'pending'; error?: string | null }
  | { type: 'failed'; source: string; message: string }
  | { type: 'online' }
  | { type: 'offline' };

/** The status before any subscription has started. */
export function initialConnectionStatus(transport: Transport, online: boolean): ConnectionStatus {
  return derive({ state: 'connecting', transport, online, everConnected: false, links: {} });
}

function derive(status: ConnectionStatus): ConnectionStatus {
  const links = Object.values(status.links);
  let state: NetworkState;
  if (!status.online) state = 'offline';
  else if (links.some((l) => l.state === 'failed')) state = 'error';
  else if (links.some((l) => l.state === 'connecting')) {
    // An error while connecting means an attempt already failed: that is a reconnect, not a first try.
    const retrying = links.some((l) => l.state === 'connecting' && l.error !== undefined);
    state = status.everConnected || retrying ? 'reconnecting' : 'connecting';
  } else if (links.length > 0) state = 'connected';
  else state = status.everConnected ? 'connected' : 'connecting';
  return { ...status, state };
}

/** The pure transition: the status after one event. */
export function nextConnectionStatus(status: ConnectionStatus, event: ConnectionEvent): ConnectionStatus {
  switch (event.type) {
    case 'online':
      return derive({ ...status, online: true });
    case 'offline':
      return derive({ ...status, online: false });
    case 'failed':
      return derive({
        ...status,
        links: { ...status.links, [event.source]: { state: 'failed', error: event.message } },
        lastError: event.message,
      });
    case 'link': {
      const { [event.source]: _previous, ...others } = status.links;
      if (event.state === 'idle') return derive({ ...status, links: others });
      const error = event.error ?? undefined;
      return derive({
        ...status,
        links: { ...others, [event.source]: { state: event.state, ...(error !== undefined && { error }) } },
        everConnected: status.everConnected || event.state === 'pending',
        lastError: error ?? status.lastError,
      });
    }
  }
}

/** The connection status as a signal, and the function subscriptions report to. */
export interface ConnectionStatusSignal {
  status: Accessor<ConnectionStatus>;
  report(event: ConnectionEvent): void;
}

/** A reactive connection status that also follows the browser's online/offline events. */
export function createConnectionStatus(transport: Transport): ConnectionStatusSignal {
  const [status, setStatus] = createSignal(initialConnectionStatus(transport, navigator.onLine));
  const report = (event: ConnectionEvent) => setStatus((s) => nextConnectionStatus(s, event));
  const onOnline = () => report({ type: 'online' });
  const onOffline = () => report({ type: 'offline' });
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);
  onCleanup(() => {
    window.removeEventListener('online', onOnline);
    window.removeEventListener('offline', onOffline);
  });
  return { status, report };
}
