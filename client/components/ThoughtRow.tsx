import { createSignal, Show } from 'solid-js';
import type { EventOf } from '../state/timelineRows.ts';

const PREVIEW_CHARS = 120;

/** An agent's thought, collapsed to a one-line preview until clicked. */
export function ThoughtRow(props: { event: EventOf<'thought'> }) {
  const [open, setOpen] = createSignal(false);
  const preview = () => {
    const line = props.event.text.replace(/\s+/g, ' ').trim();
    return line.length > PREVIEW_CHARS ? `${line.slice(0, PREVIEW_CHARS)}…` : line;
  };
  return (
    <div class="thought">
      <button type="button" class="thought-toggle" aria-expanded={open()} onClick={() => setOpen((o) => !o)}>
        <span class="thought-label">{open() ? '▾' : '▸'} Thought</span>
        <Show when={!open()}>
          <span class="thought-preview">{preview()}</span>
        </Show>
      </button>
      <Show when={open()}>
        <div class="text thought-body" data-part="thought-body">
          {props.event.text}
        </div>
      </Show>
    </div>
  );
}
