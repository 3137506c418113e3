import { type Accessor, createEffect } from 'solid-js';
import type { Session } from '../../shared/session.ts';
import { newlyWaiting, type SeenStatuses } from './newlyWaiting.ts';

/** Options of `createWaitingNotifier`. */
export interface WaitingNotifierOptions {
  sessions: Accessor<readonly Session[]>;
  /** Until the first list arrived, nothing has *started* waiting. */
  loaded: Accessor<boolean>;
  enabled: Accessor<boolean>;
  selectedId: Accessor<string | undefined>;
  /** A click on a notification: bring that session up. */
  onOpen(sessionId: string): void;
  /** For tests. @default a `new Notification(…)` */
  show?: (title: string, options: NotificationOptions) => { onclick: (() => void) | null } | undefined;
  /** For tests. @default document.hasFocus */
  hasFocus?: () => boolean;
}

function showNotification(title: string, options: NotificationOptions) {
  if (typeof Notification === 'undefined') return undefined;
  try {
    return new Notification(title, options);
  } catch {
    // Android's Chrome has the API but throws "Illegal constructor" (only service workers may show
    // one there). A notification is a nicety: the tab title still counts the waiting sessions.
    return undefined;
  }
}

/**
 * Shows a desktop notification when a session starts waiting for the user, while the switch is on
 * — never for the session a person is looking at in a focused tab.
 */
export function createWaitingNotifier(opts: WaitingNotifierOptions): void {
  const show = opts.show ?? showNotification;
  const hasFocus = opts.hasFocus ?? (() => document.hasFocus());
  let seen: SeenStatuses | undefined;
  createEffect(() => {
    if (!opts.loaded()) return;
    const result = newlyWaiting(seen, opts.sessions());
    seen = result.seen;
    if (!opts.enabled()) return;
    for (const s of result.started) {
      if (hasFocus() && opts.selectedId() === s.id) continue;
      const n = show(`${s.title} is waiting for you`, { body: `${s.agent} · livetrail`, tag: s.id });
      if (n)
        n.onclick = () => {
          window.focus();
          opts.onOpen(s.id);
        };
    }
  });
}
