import type { Session } from '../../shared/session.ts';

/**
 * Coalesces session changes: the first change of a session is passed on at once, later ones at most
 * once per `windowMs` — the newest state, when the window ends. A busy fleet then costs every list
 * viewer at most `1000 / windowMs` upserts per session per second, whatever the event rate, and a
 * session's last state (its `complete`) always arrives.
 */
export function createChangeThrottle(windowMs: number, send: (session: Session) => void) {
  /** Sessions inside a window: the newest state not yet sent (undefined when nothing is waiting). */
  const open = new Map<string, { waiting: Session | undefined; timer: NodeJS.Timeout }>();

  function openWindow(id: string): NodeJS.Timeout {
    const timer = setTimeout(function windowEnds() {
      const entry = open.get(id);
      if (entry?.waiting) {
        const session = entry.waiting;
        entry.waiting = undefined;
        entry.timer = openWindow(id);
        send(session);
      } else open.delete(id);
    }, windowMs);
    timer.unref();
    return timer;
  }

  return {
    change(session: Session): void {
      if (windowMs <= 0) {
        send(session);
        return;
      }
      const entry = open.get(session.id);
      if (entry) {
        entry.waiting = session;
        return;
      }
      open.set(session.id, { waiting: undefined, timer: openWindow(session.id) });
      send(session);
    },
    /** Drops what waits for `id` (it was deleted): no state of it is sent after this. */
    forget(id: string): void {
      clearTimeout(open.get(id)?.timer);
      open.delete(id);
    },
    close(): void {
      for (const { timer } of open.values()) clearTimeout(timer);
      open.clear();
    },
  };
}
