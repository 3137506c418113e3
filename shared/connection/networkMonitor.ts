/** Tells whether the device is online and when that changes. */
export interface NetworkMonitor {
  online(): boolean;
  /** Calls `listener` on every change. Returns the unsubscribe function. */
  subscribe(listener: (online: boolean) => void): () => void;
}

/** The browser's `navigator.onLine` and online/offline events; always online where there are none. */
export function defaultNetworkMonitor(): NetworkMonitor {
  const g = globalThis as {
    navigator?: { onLine?: boolean };
    addEventListener?: typeof addEventListener;
    removeEventListener?: typeof removeEventListener;
  };
  if (typeof g.addEventListener !== 'function' || typeof g.navigator?.onLine !== 'boolean') {
    return { online: () => true, subscribe: () => () => {} };
  }
  return {
    online: () => g.navigator!.onLine !== false,
    subscribe(listener) {
      const on = () => listener(true);
      const off = () => listener(false);
      g.addEventListener!('online', on);
      g.addEventListener!('offline', off);
      return () => {
        g.removeEventListener!('online', on);
        g.removeEventListener!('offline', off);
      };
    },
  };
}
