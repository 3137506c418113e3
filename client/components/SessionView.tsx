import { createMemo, createSignal, Match, Show, Switch } from 'solid-js';
import { type ConnectionState, isLive } from '../../shared/connection/connectionState.ts';
import type { LivetrailClient } from '../../shared/createLivetrailClient.ts';
import { newIdempotencyKey } from '../../shared/idempotencyKey.ts';
import type { Session } from '../../shared/session.ts';
import { isFinished } from '../../shared/sessionHelpers.ts';
import { isNotFoundError } from '../state/isNotFoundError.ts';
import type { TrailPhase } from '../state/tabFeedState.ts';
import type { TrailState } from '../state/trailState.ts';
import { CallStatusBar } from './CallStatusBar.tsx';
import { Composer } from './Composer.tsx';
import { EmptyState } from './EmptyState.tsx';
import { SessionActions } from './SessionActions.tsx';
import { StatusBadge } from './StatusBadge.tsx';
import { Timeline } from './Timeline.tsx';

/**
 * One session: its call-status bar, timeline and composer. Mount it keyed on the session id; the
 * trail comes from the tab's feed, which follows the same id.
 */
export function SessionView(props: {
  api: LivetrailClient['api'];
  sessionId: string;
  /** The session as the live list has it, when the list has it. */
  listed?: Session;
  trail: TrailState;
  phase: TrailPhase;
  /** Events still to replay to reach the head (see TabFeed.behind). @default 0 */
  behind?: number;
  /** The tab's live connection: the composer sends what waited for it once it is back. */
  connection?: ConnectionState;
}) {
  const [fetched, setFetched] = createSignal<Session>();
  const [missing, setMissing] = createSignal(false);
  // A deep link can arrive before the list (or name a session the list has never heard of).
  if (!props.listed && props.phase !== 'not_found' && props.phase !== 'deleted') {
    props.api.sessions.get
      .query({ sessionId: props.sessionId })
      .then(setFetched)
      .catch((err: unknown) => {
        if (isNotFoundError(err)) setMissing(true);
      });
  }
  const meta = () => props.listed ?? fetched();

  // The bar shows the fold of the events this viewer received; the name and creation come from the list.
  const session = createMemo((): Session => {
    const { folded } = props.trail;
    const m = meta();
    return m ? { ...folded, title: m.title, agent: m.agent, createdAt: m.createdAt } : folded;
  });
  // Until this viewer holds events of its own, the list's (or the server's) status is the better guess.
  const status = () => (props.trail.events.length > 0 ? session().status : (meta()?.status ?? 'running'));
  const finished = () => isFinished(status());
  // Until the head is known (loading) or reached, the fold is the past, not the present.
  const behind = () => (props.phase === 'loading' ? 'unknown' : (props.behind ?? 0));
  const caughtUp = () => behind() === 0;

  // The tab's title (with the count of sessions waiting for the user) is App's: see tabTitle.ts.

  // Whoever sends a message wants to see it (and the reply) arrive, even if they had scrolled up.
  const [sent, setSent] = createSignal(0);
  // A message sent again after "Not sent", or by the composer once reconnected, keeps its key: if
  // the first try did reach the server (only its answer was lost), the server stores it once.
  let unsent: { text: string; key: string } | undefined;
  const send = async (text: string) => {
    if (unsent?.text !== text) unsent = { text, key: newIdempotencyKey() };
    await props.api.sessions.sendMessage.mutate({
      sessionId: props.sessionId,
      text,
      idempotencyKey: unsent.key,
    });
    unsent = undefined;
    setSent((n) => n + 1);
  };

  return (
    <Switch>
      <Match when={props.phase === 'deleted'}>
        <EmptyState title="Session deleted">
          <p>
            The session <code>{meta()?.title ?? props.sessionId}</code> was deleted while you watched it —
            pick another from the list.
          </p>
        </EmptyState>
      </Match>
      <Match when={props.phase === 'not_found' || missing()}>
        <EmptyState title="Session not found">
          <p>
            No session has the id <code>{props.sessionId}</code>. The link may be wrong or the session may
            live on another server — pick one from the list.
          </p>
        </EmptyState>
      </Match>
      <Match when={true}>
        <section class="session" aria-label={meta()?.title ?? 'Session'}>
          <div class="session-head">
            {/* Focusable so keyboard users can read a title cut short (it unfolds on focus). */}
            <h2 class="session-heading" title={meta()?.title} dir="auto" tabindex="0">
              <bdi>{meta()?.title ?? 'Loading session…'}</bdi>
            </h2>
            <Show when={meta()}>
              {(m) => (
                <span class="session-head-agent" title={m().agent} dir="auto">
                  <bdi>{m().agent}</bdi>
                </span>
              )}
            </Show>
            <StatusBadge status={status()} />
            <SessionActions
              api={props.api}
              sessionId={props.sessionId}
              status={status()}
              interruptRequested={session().interruptRequested !== undefined}
            />
          </div>
          <CallStatusBar session={session()} behind={behind()} current={props.listed} />
          <Show when={props.trail.wasReset}>
            <p class="notice notice-warn" data-testid="reset-notice" role="status">
              History could not be resumed — reloaded the session
            </p>
          </Show>
          <Timeline
            events={props.trail.events}
            messages={props.trail.messages}
            followToken={sent()}
            caughtUp={caughtUp()}
            placeholder={
              props.phase === 'loading'
                ? 'Loading the trail…'
                : 'No events yet — they appear here as the agent works.'
            }
          />
          <Composer
            onSend={send}
            connected={props.connection === undefined ? undefined : isLive(props.connection)}
            disabledReason={
              finished() ? `This session has ended (${status()}); it no longer accepts messages.` : undefined
            }
          />
        </section>
      </Match>
    </Switch>
  );
}
