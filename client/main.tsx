import { render } from 'solid-js/web';
import { App } from './App.tsx';
import { AuthGate } from './components/AuthGate.tsx';
import { claimSseSlotEarly } from './state/acquireSseSlot.ts';
import { transportFromSearch } from './state/transportFromSearch.ts';
import './styles.css';

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
