import { type Accessor, createSignal } from 'solid-js';
import { safeStorage } from './safeStorage.ts';

/** What the browser allows: no Notification API at all, not asked yet, allowed, or refused. */
export type NotifyPermission = 'unsupported' | NotificationPermission;

/** Where the person's choice is kept. */
export const NOTIFY_STORAGE_KEY = 'livetrail.notify';

/** The desktop-notification switch: on only when the person turned it on and the browser allows it. */
export interface NotifySetting {
  enabled: Accessor<boolean>;
  permission: Accessor<NotifyPermission>;
  /** Turning it on asks the browser for permission first, when it has not been asked. */
  setEnabled(on: boolean): Promise<void>;
}

/** The browser's Notification API, or undefined where there is none. */
function notificationApi(): typeof Notification | undefined {
  return typeof Notification === 'undefined' ? undefined : Notification;
}

/** The switch, read from localStorage; `api` for tests. @default globalThis.Notification */
export function createNotifySetting(api = notificationApi()): NotifySetting {
  const [permission, setPermission] = createSignal<NotifyPermission>(api ? api.permission : 'unsupported');
  const [wanted, setWanted] = createSignal(safeStorage.get(NOTIFY_STORAGE_KEY) === 'on');
  return {
    enabled: () => wanted() && permission() === 'granted',
    permission,
    async setEnabled(on) {
      if (on && api && api.permission === 'default') {
        // Some browsers reject instead of answering: that is a no.
        setPermission(await api.requestPermission().catch(() => 'denied' as const));
      }
      const keep = on && api?.permission === 'granted';
      setPermission(api ? api.permission : 'unsupported');
      setWanted(keep);
      safeStorage.set(NOTIFY_STORAGE_KEY, keep ? 'on' : 'off');
    },
  };
}
