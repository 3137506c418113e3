import type { SessionStatus } from '../../shared/session.ts';

const LABELS: Record<SessionStatus, string> = {
  running: 'running',
  waiting_for_user: 'waiting for you',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** A coloured pill with a session's status. */
export function StatusBadge(props: { status: SessionStatus }) {
  return (
    <span class="badge" data-badge={props.status}>
      {LABELS[props.status]}
    </span>
  );
}
