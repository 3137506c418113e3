import type { JSX } from 'solid-js';

/** A centred message for the main pane: what is (not) here and what to do about it. */
export function EmptyState(props: { title: string; children?: JSX.Element }) {
  return (
    <div class="empty-state">
      <h2>{props.title}</h2>
      <div class="empty-body">{props.children}</div>
    </div>
  );
}
