import { render } from 'solid-js/web';
import { createLivetrailClient } from '../shared/createLivetrailClient.ts';
import { App } from './App.tsx';
import { transportFromSearch } from './state/transportFromSearch.ts';
import './styles.css';

// One client for the whole page: every subscription shares its transport (and, over ws, its socket).
const client = createLivetrailClient({
  url: window.location.origin,
  transport: transportFromSearch(window.location.search),
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
render(() => <App client={client} />, root);
