import { type Accessor, createSignal, onCleanup } from 'solid-js';
import type { LivetrailClient } from '../../shared/createLivetrailClient.ts';
import type { SessionStreamMessage } from '../../shared/streamMessages.ts';
import type { ConnectionEvent } from './connectionStatus.ts';
import { errorMessage } from './errorMessage.ts';
import { isNotFoundError } from './isNotFoundError.ts';
import { applyStreamMessages, emptyTrail, type TrailState } from './trailState.ts';
import { unwrapTracked } from './unwrapTracked.ts';

/** Where a session's stream is: waiting for the server, streaming, ended after `complete`, or failed. */
export type TrailPhase = 'loading' | 'live' | 'ended' | 'not_found' | 'error';

/** One session's trail as it streams in. */
export interface SessionTrail {
  trail: Accessor<TrailState>;
  phase: Accessor<TrailPhase>;
  /** The subscription's error, when phase is `error`. */
  error: Accessor<string | undefined>;
}

/**
 * Subscribes to `events.onEvents` for one session for as long as the owner lives (mount it keyed
 * on the session id so switching sessions unsubscribes the old one), reporting link state as `events`.
 */
export function createSessionTrail(
  api: LivetrailClient['api'],
  sessionId: string,
  report: (event: ConnectionEvent) => void,
  /** How long messages are gathered before the view updates, in ms. @default 16 */
  batchMs = 16,
): SessionTrail {
  const [trail, setTrail] = createSignal<TrailState>(emptyTrail(sessionId));
  const [phase, setPhase] = createSignal<TrailPhase>('loading');
  const [error, setError] = createSignal<string>();
  const source = 'events';
  // A backfill arrives as thousands of messages; rendering (and scrolling) once per message would
  // force a layout each time, so messages are gathered and applied once per frame.
  let queue: SessionStreamMessage[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    const batch = queue;
    queue = [];
    setTrail((t) => applyStreamMessages(t, batch));
    setPhase((p) => (p === 'loading' ? 'live' : p));
  };
  const subscription = api.events.onEvents.subscribe(
    { sessionId },
    {
      onStarted() {
        setPhase((p) => (p === 'loading' ? 'live' : p));
      },
      onData(value) {
        queue.push(unwrapTracked<SessionStreamMessage>(value));
        timer ??= setTimeout(flush, batchMs);
      },
      onConnectionStateChange(state) {
        const error = state.error && errorMessage(state.error, 'lost the connection to the server');
        report({ type: 'link', source, state: state.state, error });
      },
      onError(err) {
        if (isNotFoundError(err)) {
          // An unknown session is the page's problem, not the connection's: the view says so.
          setPhase('not_found');
          report({ type: 'link', source, state: 'idle' });
          return;
        }
        setError(errorMessage(err));
        setPhase('error');
        report({ type: 'failed', source, message: errorMessage(err) });
      },
      onComplete() {
        // The server ends the stream after `complete`: the normal end of a session, not an error.
        if (timer !== undefined) {
          clearTimeout(timer);
          flush();
        }
        setPhase((p) => (p === 'live' || p === 'loading' ? 'ended' : p));
        report({ type: 'link', source, state: 'idle' });
      },
    },
  );
  onCleanup(() => {
    clearTimeout(timer);
    subscription.unsubscribe();
    report({ type: 'link', source, state: 'idle' });
  });
  return { trail, phase, error };
}
