import { Show } from 'solid-js';
import type { Session } from '../../shared/session.ts';
import { formatRelativeTime } from '../state/formatRelativeTime.ts';
import { sessionPath } from '../state/sessionRoute.ts';
import { StatusBadge } from './StatusBadge.tsx';

/**
 * One session in the sidebar: a real link (so open-in-new-tab works) that selects in place on a
 * plain click. The title gets up to two lines of its own (all of it in the tooltip and on focus);
 * the status, agent and time share the line below, so the badge never squeezes the title.
 */
export function SessionItem(props: {
  session: Session;
  selected: boolean;
  /** It had activity the list's order does not show yet (see SessionList). @default false */
  fresh?: boolean;
  now: number;
  onSelect: (sessionId: string) => void;
}) {
  const onClick = (e: MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    props.onSelect(props.session.id);
  };
  return (
    <li>
      <a
        class="session-item"
        classList={{ selected: props.selected, fresh: props.fresh === true }}
        href={sessionPath(props.session.id)}
        onClick={onClick}
        aria-current={props.selected ? 'page' : undefined}
        data-testid="session-item"
        data-session-id={props.session.id}
        data-status={props.session.status}
      >
        <span class="session-line">
          <Show when={props.fresh}>
            <span class="activity-marker" data-testid="activity-marker" title="New activity">
              <span class="visually-hidden">New activity: </span>
            </span>
          </Show>
          <span class="session-title" title={props.session.title} dir="auto">
            <bdi>{props.session.title}</bdi>
          </span>
        </span>
        <span class="session-line session-meta">
          <StatusBadge status={props.session.status} />
          <span class="session-agent" title={props.session.agent} dir="auto">
            <bdi>{props.session.agent}</bdi>
          </span>
          <time class="session-time" datetime={props.session.lastActivityAt}>
            {formatRelativeTime(props.session.lastActivityAt, props.now)}
          </time>
        </span>
      </a>
    </li>
  );
}
