import { render } from 'solid-js/web';
import { App } from './App.tsx';
import { AuthGate } from './components/AuthGate.tsx';
import { claimSseSlotEarly } from './state/acquireSseSlot.ts';
import { applyThemeChoice, readThemeChoice } from './state/theme.ts';
import { transportFromSearch } from './state/transportFromSearch.ts';
import './styles.css';

// Before the first render: the CSP allows no inline script in index.html, so this is the earliest
// place a stored light/dark choice can be applied (following the system needs no script at all).
applyThemeChoice(readThemeChoice());

// Asked now, the browser answers while the app is still loading: the feed's first request need not wait.
if (transportFromSearch(window.location.search) === 'auto') claimSseSlotEarly();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
const url = window.location.origin;
render(
  () => (
    <AuthGate url={url}>
      {(auth) => <App url={url} mode={transportFromSearch(window.location.search)} auth={auth} />}
    </AuthGate>
  ),
  root,
);
