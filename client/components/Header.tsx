import type { ConnectionState } from '../../shared/connection/connectionState.ts';
import { NetworkIndicator } from './NetworkIndicator.tsx';

/** The top bar: product name (a link home) and the network indicator. */
export function Header(props: { connection: ConnectionState; onRetry: () => void; onHome: () => void }) {
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
    </header>
  );
}
