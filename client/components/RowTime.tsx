import { formatRelativeTime } from '../state/formatRelativeTime.ts';
import { useSharedNow } from '../state/sharedNow.ts';

const ABSOLUTE = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });

/** When an event was stored: relative ("3 min ago"), the full date and time on hover (and to screen readers). */
export function RowTime(props: { ts: string }) {
  const now = useSharedNow();
  const absolute = () => {
    const d = new Date(props.ts);
    return Number.isNaN(d.getTime()) ? props.ts : ABSOLUTE.format(d);
  };
  return (
    <time class="row-time" datetime={props.ts} title={absolute()}>
      {formatRelativeTime(props.ts, now())}
      <span class="visually-hidden">, {absolute()}</span>
    </time>
  );
}
