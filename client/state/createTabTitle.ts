import { type Accessor, createEffect, createMemo, onCleanup } from 'solid-js';
import type { Session } from '../../shared/session.ts';
import { countWaiting, tabTitle } from './tabTitle.ts';

/**
 * Keeps `document.title` as `tabTitle` words it — `(N) <open session> · livetrail` — for as long as
 * the owner lives, and returns N: how many sessions wait for the user.
 */
export function createTabTitle(opts: {
  sessions: Accessor<readonly Session[]>;
  /** The open session's title, if one is open (and known). */
  openTitle: Accessor<string | undefined>;
}): Accessor<number> {
  const waiting = createMemo(() => countWaiting(opts.sessions()));
  createEffect(() => {
    document.title = tabTitle(waiting(), opts.openTitle());
  });
  onCleanup(() => {
    document.title = tabTitle(0);
  });
  return waiting;
}
