import type { Session, SessionStatus } from '../../shared/session.ts';
import { isFinished } from '../../shared/sessionHelpers.ts';

/** Which sessions the list shows by status: every one, running, waiting for the user, or ended. */
export type StatusFilter = 'all' | 'running' | 'waiting' | 'finished';

/** The filter's choices in the order the list offers them, with their labels. */
export const STATUS_FILTERS: readonly { value: StatusFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'running', label: 'Running' },
  { value: 'waiting', label: 'Waiting for you' },
  { value: 'finished', label: 'Finished' },
];

/** Whether `status` passes `filter`. */
export function statusMatches(status: SessionStatus, filter: StatusFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'running':
      return status === 'running';
    case 'waiting':
      return status === 'waiting_for_user';
    case 'finished':
      return isFinished(status);
  }
}

/**
 * `text` as search compares it: lower case, accents and other combining marks removed (`Café` →
 * `cafe`), so a person finds a session however they type its name.
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

// A session object is replaced on every change, so its folded text can be kept with it.
const folded = new WeakMap<Session, string>();

function searchText(session: Session): string {
  let text = folded.get(session);
  if (text === undefined) {
    text = foldForSearch(`${session.title}\n${session.agent}`);
    folded.set(session, text);
  }
  return text;
}

/** The sessions of `sessions` that match `query` and `filter`, in the same order. */
export function filterSessions(sessions: readonly Session[], query: string, filter: StatusFilter): Session[] {
  const q = foldForSearch(query.trim());
  return sessions.filter((s) => statusMatches(s.status, filter) && (q === '' || searchText(s).includes(q)));
}
