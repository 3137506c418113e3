import { type Accessor, createMemo, createSignal, onCleanup } from 'solid-js';
import type { LivetrailClient } from '../../shared/createLivetrailClient.ts';
import type { Session } from '../../shared/session.ts';
import type { SessionListMessage } from '../../shared/streamMessages.ts';
import type { ConnectionEvent } from './connectionStatus.ts';
import { errorMessage } from './errorMessage.ts';
import { mergeSessionList } from './mergeSessionList.ts';
import { unwrapTracked } from './unwrapTracked.ts';

/** The live session list. */
export interface SessionList {
  /** Most recently active first. */
  sessions: Accessor<Session[]>;
  /** Whether the first snapshot has arrived. */
  loaded: Accessor<boolean>;
  /** Set when the subscription failed for good. */
  error: Accessor<string | undefined>;
  byId(sessionId: string): Session | undefined;
}

/** Subscribes to `sessions.onChange` for as long as the owner lives, reporting link state as `sessions`. */
export function createSessionList(
  api: LivetrailClient['api'],
  report: (event: ConnectionEvent) => void,
): SessionList {
  const [sessions, setSessions] = createSignal<Session[]>([]);
  const [loaded, setLoaded] = createSignal(false);
  const [error, setError] = createSignal<string>();
  const source = 'sessions';
  const subscription = api.sessions.onChange.subscribe(
    {},
    {
      onData(value) {
        const message = unwrapTracked<SessionListMessage>(value);
        setSessions((current) => mergeSessionList(current, message));
        setLoaded(true);
        setError(undefined);
      },
      onConnectionStateChange(state) {
        const error = state.error && errorMessage(state.error, 'lost the connection to the server');
        report({ type: 'link', source, state: state.state, error });
      },
      onError(err) {
        setError(errorMessage(err));
        report({ type: 'failed', source, message: errorMessage(err) });
      },
    },
  );
  onCleanup(() => {
    subscription.unsubscribe();
    report({ type: 'link', source, state: 'idle' });
  });
  const index = createMemo(() => new Map(sessions().map((s) => [s.id, s])));
  return { sessions, loaded, error, byId: (id) => index().get(id) };
}
