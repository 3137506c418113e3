import { render } from 'solid-js/web';
import { App } from './App.tsx';
import { transportFromSearch } from './state/transportFromSearch.ts';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
render(() => <App url={window.location.origin} mode={transportFromSearch(window.location.search)} />, root);
