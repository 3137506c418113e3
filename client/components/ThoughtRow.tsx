import { Show } from 'solid-js';
import { createRememberedToggle } from '../state/rowMemory.ts';
import type { EventOf } from '../state/timelineRows.ts';
import { FoldedMarkdown, isWide } from './Markdown.tsx';

const PREVIEW_CHARS = 120;
/** The preview reads only the start of the text, so a huge thought costs no more than a short one. */
const PREVIEW_SCAN = 1000;

/** The one-line preview of `text`: whitespace collapsed, cut at PREVIEW_CHARS with an ellipsis. */
function previewOf(text: string): string {
  const line = text.slice(0, PREVIEW_SCAN).replace(/\s+/g, ' ').trim();
  const more =
    line.length > PREVIEW_CHARS || (text.length > PREVIEW_SCAN && /\S/.test(text.slice(PREVIEW_SCAN)));
  return more ? `${line.slice(0, PREVIEW_CHARS)}…` : line;
}

/** An agent's thought, collapsed to a one-line preview until clicked; opened, it is markdown. */
export function ThoughtRow(props: { event: EventOf<'thought'> }) {
  const { open, setOpen, Inside } = createRememberedToggle(false);
  return (
    <div class="thought" data-wide={isWide(props.event.text) ? '' : undefined}>
      <button type="button" class="thought-toggle" aria-expanded={open()} onClick={() => setOpen(!open())}>
        <span class="thought-label">{open() ? '▾' : '▸'} Thought</span>
        <Show when={!open()}>
          <span class="thought-preview" dir="auto">
            {previewOf(props.event.text)}
          </span>
        </Show>
      </button>
      <Show when={open()}>
        <div class="text thought-body" data-part="thought-body">
          <Inside>
            <FoldedMarkdown text={props.event.text} maxLines={40} maxChars={4000} />
          </Inside>
        </div>
      </Show>
    </div>
  );
}
