import { type Accessor, createSignal, onCleanup } from 'solid-js';

/** The current path and a way to change it. */
export interface Router {
  path: Accessor<string>;
  /** Pushes a history entry for `path` (no-op when already there). */
  navigate(path: string): void;
}

/**
 * A tiny History API router: the path as a signal, `navigate` pushes state, back/forward update it
 * through popstate. Deep links work because the server serves index.html for extensionless paths.
 */
export function createRouter(): Router {
  const [path, setPath] = createSignal(window.location.pathname);
  const onPopState = () => setPath(window.location.pathname);
  window.addEventListener('popstate', onPopState);
  onCleanup(() => window.removeEventListener('popstate', onPopState));
  return {
    path,
    navigate(next) {
      if (next === window.location.pathname) return;
      // Keep ?transport=… so a viewer who picked a transport stays on it while browsing.
      window.history.pushState(null, '', next + window.location.search);
      setPath(next);
    },
  };
}
