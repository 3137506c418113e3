import type { Session } from '../../shared/session.ts';
import { formatRelativeTime } from '../state/formatRelativeTime.ts';
import { sessionPath } from '../state/sessionRoute.ts';
import { StatusBadge } from './StatusBadge.tsx';

/** One session in the sidebar: a real link (so open-in-new-tab works) that selects in place on a plain click. */
export function SessionItem(props: {
  session: Session;
  selected: boolean;
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
        classList={{ selected: props.selected }}
        href={sessionPath(props.session.id)}
        onClick={onClick}
        aria-current={props.selected ? 'page' : undefined}
        data-testid="session-item"
        data-session-id={props.session.id}
        data-status={props.session.status}
      >
        <span class="session-line">
          <span class="session-title" title={props.session.title} dir="auto">
            <bdi>{props.session.title}</bdi>
          </span>
          <StatusBadge status={props.session.status} />
        </span>
        <span class="session-line session-meta">
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
